"""The compact JSON of the feed and providers.json (apdirectory/compactjson.py, made by
pydantic-core's encoder where it can) is, byte for byte, what json.dumps writes."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from apdirectory import compactjson
from apdirectory.compactjson import compact_json

# Floats the two encoders write differently (1e-9 to 1e-4), and around them.
EDGE_FLOATS = [1e-4, 9.99e-5, 1e-5, 1.5e-5, 1.23e-5, 1e-6, 2.5e-6, 1e-9, 9.99e-10, 1e-10, 1e15, 1e16, 1.5e16, 5e-324,
               0.1 + 0.2, 60.0, 12.5, -0.0, 0.0]
# Text that looks like what the encoder's bytes are searched for, and what ASCII-only JSON escapes.
EDGE_TEXTS = ["0.0000", "1e-5", "e-5,", "e-5]", "e-5}", "ae-5a1f", "10.00001", "\x7f", "é", "’", "\u2028", "<>&",
              "\x00", "\x1f", '"', "\\", "\ud7ff", "\U0001f600"]

numbers = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.floats(min_value=1e-11, max_value=1e-3), st.sampled_from(EDGE_FLOATS).map(lambda x: -x),
                    st.sampled_from(EDGE_FLOATS))
texts = st.one_of(st.text(st.characters(exclude_categories=("Cs",))), st.sampled_from(EDGE_TEXTS),
                  st.lists(st.sampled_from(EDGE_TEXTS + ["a", "0", ":", ","]), max_size=6).map("".join))
values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, texts),
                      lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(texts, inner, max_size=5)),
                      max_leaves=30)


def json_dumps(value, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":")).encode()


@settings(max_examples=3000, deadline=None)
@given(value=values, ascii_only=st.booleans())
def test_compact_json_is_what_json_dumps_writes(value, ascii_only):
    assert compact_json(value, ascii_only) == json_dumps(value, ascii_only)


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("value", [*EDGE_FLOATS, *EDGE_TEXTS, {"price": {"amount": 1.5e-5, "per": "hour"}},
                                   [{"id": "ffa63303-ae94-50b3-a2e8-1f3e8c1ed43f", "hours": 2.5e-6}]])
def test_every_edge_value_is_what_json_dumps_writes(value, ascii_only):
    assert compact_json(value, ascii_only) == json_dumps(value, ascii_only)


def test_without_pydantic_cores_encoder_json_writes_it(monkeypatch):
    monkeypatch.setattr(compactjson, "to_json", None)
    value = {"name": "Cobbles’ Kitchen", "hours": 1e-5}
    assert compact_json(value) == json_dumps(value, False)
    assert compact_json(value, ascii_only=True) == json_dumps(value, True)
