"""The exports make some standard formats by hand, for speed; they must match the standard library's."""
import csv
import io
import uuid

from conftest import REPO, TODAY

from apdirectory import pipeline
from apdirectory.site import opendata, oruk
from apdirectory.site.directory import build_directory


def test_feed_ids_are_the_standard_uuid5():
    feed = oruk.Feed(build_directory(pipeline.check(REPO, TODAY).content, TODAY))
    namespace = uuid.UUID(bytes=feed.namespace)
    for parts in [("service", "kestrel-learning-centre", "lot-1"), ("attribute", "x", "needs", "SEMH"),
                  ("taxonomy_term", "lots", 3), ("location", "café", "Ünit 2", "BL9 0AA"), ()]:
        assert feed.id(*parts) == str(uuid.uuid5(namespace, "/".join(str(part) for part in parts)))


def test_csv_fields_are_quoted_as_csv_writer_quotes_them():
    fields = ["", "plain", "a,b", 'say "hi"', '"', "line\nbreak", "cr\ronly", "\r\n", " spaced ", "tab\tin",
              "ünïcode – text", "'=1+1", "trailing,", 'all, "of"\r\nthem']
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    assert ",".join(opendata._quoted(field) for field in fields) + "\r\n" == out.getvalue()
