"""Feed.id makes its UUIDv5s by hand, for speed; they must be the standard library's, or every id moves."""
import uuid

from apdirectory import oruk, pipeline
from apdirectory.directory import build_directory

from conftest import REPO


def test_feed_ids_are_the_standard_uuid5():
    feed = oruk.Feed(build_directory(pipeline.check(REPO).content))
    namespace = uuid.UUID(bytes=feed.namespace)
    for parts in [("service", "kestrel-learning-centre", "lot-1"), ("attribute", "x", "needs", "SEMH"),
                  ("taxonomy_term", "lots", 3), ("location", "café", "Ünit 2", "BL9 0AA"), ()]:
        assert feed.id(*parts) == str(uuid.uuid5(namespace, "/".join(str(part) for part in parts)))
