"""Check a file's fields against its pydantic model and say, in plain English, what to fix."""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from apdirectory.checking.problems import Problem, field_path
from apdirectory.reading.models import NOT_BLANK
from apdirectory.reading.sources import Source

T = TypeVar("T")

_NOUNS = {  # what one value of a fixed-choice field is called, for "'KS9' is not a key stage"
    "key_stages": "a key stage", "days": "a day", "status": "a status", "type": "a registration type",
    "mode": "a mode", "per": "a price unit", "attendance": "an attendance pattern",
}

# What a text that fails a pattern in models.py should look like instead.
_PATTERNS = {
    NOT_BLANK: "is empty: give a value, or remove the line if the field is optional",
    r".*/$": "'{written}' must end with / (for example https://example.org/ap-directory/)",
    r"^[a-z]{2}(-[A-Z]{2})?$": "'{written}' is not a language code (for example en-GB)",
    r"^[A-Za-z0-9-]+$": "'{written}' is not a code: use letters, digits and hyphens only (for example ebsa)",
}


def validate(model: Any, source: Source) -> tuple[Any | None, list[Problem]]:
    """Validate a source's data as `model` (a BaseModel class or a type such as list[...])."""
    adapter = model if isinstance(model, TypeAdapter) else _adapter(model)
    try:
        return adapter.validate_python(source.doc.data), []
    except ValidationError as exc:
        target = model if isinstance(model, type) and issubclass(model, BaseModel) else None
        found = exc.errors()
        return None, [_problem(err, source, target) for err in found if not _misspelt(err, found, target)]


@functools.cache
def _adapter(model: Any) -> TypeAdapter:
    """One adapter per model: making one costs more than validating a provider's file."""
    return TypeAdapter(model)


def _misspelt(err: dict, found: list[dict], model: type | None) -> bool:
    """Whether a missing field is there, misspelt: the misspelling's message says all that is needed."""
    if err["type"] != "missing":
        return False
    parent, name = err["loc"][:-1], err["loc"][-1]
    return any(other["type"] == "extra_forbidden" and other["loc"][:-1] == parent
               and _nearest(other["loc"][-1], model, parent) == name for other in found)


def _problem(err: dict, source: Source, model: type | None) -> Problem:
    loc = tuple(part for part in err["loc"] if part != "[key]")
    shown = loc[:-1] if loc and isinstance(loc[-1], int) else loc  # the list, not the item
    return Problem(source.path, source.line(loc), field_path(shown), _message(err, loc, source, model))


def _message(err: dict, loc: tuple, source: Source, model: type | None) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    # As typed in the file; a bad key (of a vocabulary) is its own input, not its value's text.
    written = str(value) if "[key]" in err["loc"] else source.doc.written.get(loc, str(value))
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "missing":
        return f"is required but missing: add '{name}:' with a value"
    if kind == "extra_forbidden":
        return _unknown_field(name, model, loc[:-1])
    if value is None and kind.endswith("_type"):
        return "is empty: give a value, or remove the line if the field is optional"
    if kind == "string_type":
        return _not_text(value, written)
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"'{written}' is not a whole number (for example 12)"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"'{written}' is not a number (for example 95.50)"
    if kind == "format":  # as typed, not as tidied up for the check ("bl90aa" -> "BL9 0AA")
        return f"'{written}' is not {ctx['what']} (for example {ctx['example']})"
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx["pattern"], "'{written}' is not in the right form").format(written=written)
    if kind == "bool_type":
        return f"'{written}' is not true or false (write true or false)"
    if kind == "literal_error":
        options = ctx["expected"].replace("'", "").replace(" or ", ", ")
        return f"'{written}' is not {_NOUNS.get(name, 'allowed here')} (one of {options})"
    if kind == "list_type":
        hint = f" in square brackets: [{written}]" if isinstance(value, str) else " like [a, b]"
        return f"should be a list{hint}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "should be a set of fields (name: value), each on its own line"
    if kind == "too_short":
        return "is empty: give at least one"
    if kind == "string_too_short":
        return "is empty: give a value, or remove the line if the field is optional"
    if kind == "string_too_long":
        return f"is {len(value):,} characters long: keep it to {ctx['max_length']:,} or fewer"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": "at least", "greater_than": "more than",
                 "less_than_equal": "at most", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()))
        return f"is {written}: it must be {words} {limit:g}"
    return err["msg"]


def _not_text(value: Any, written: str) -> str:
    if isinstance(value, bool):
        return f"YAML reads {written} as yes/no, not as text: put it in quotes: \"{written}\""
    if isinstance(value, (int, float)):
        return f"YAML reads {written} as a number, not as text: put it in quotes: \"{written}\""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"YAML reads {written} as a date, not as text: put it in quotes: \"{written}\""
    if isinstance(value, list):
        return "should be text, not a list"
    if isinstance(value, dict):
        return "should be text, not a set of fields: put it in quotes if it contains ': '"
    return "should be text"


def _unknown_field(name: str, model: type | None, parent: tuple) -> str:
    known = list(_fields_at(model, parent))
    if not known:
        return f"'{name}' is not a field of this file: remove it or check its spelling"
    nearest = _nearest(name, model, parent)
    if nearest:
        return f"'{name}' is not a field here (did you mean '{nearest}'?)"
    return f"'{name}' is not a field here (the fields here are {', '.join(known)})"


def _nearest(name: str, model: type | None, parent: tuple) -> str | None:
    """The known field whose name is closest to `name`, if one is close enough to be a typing slip."""
    close = difflib.get_close_matches(str(name), list(_fields_at(model, parent)), n=1, cutoff=0.6)
    return close[0] if close else None


def _fields_at(model: Any, loc: tuple) -> dict:
    """The fields of the model found by following `loc` from `model`, or {} if there is none."""
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return {}
        model = _inner_model(fields[part].annotation)
    return getattr(model, "model_fields", {})


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside Optional[...], list[...] or Annotated[...], if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
