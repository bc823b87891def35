"""Search stage: one Pagefind record per published provider, written into the fresh site.

The records are built from the validated directory, not from the rendered HTML: the text people
search (name, summary, description, offers, subjects, qualifications, needs, places and postcodes),
the words people use for each code (site_config.yaml), a filter naming the provider and the sort key. Nothing from
`internal:`, the contacts or a withdrawn provider is given to Pagefind, so none of it can be in the
index. The index is written to <site>/pagefind/, in parts, before the new site is swapped into place, so a
failure here leaves the published site as it was.
"""
from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import gzip
import json
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from apdirectory.reading.load import Entry
from apdirectory.reading.models import Provider
from apdirectory.site.directory import Directory

FOLDER = "pagefind"  # the search index's folder in the site
PART_SIZE = 2000  # providers in each part of the index: Pagefind used about 400 MB for 2,000 (bench/NOTES.md)
# Pagefind writes its stock search UI too; the site has its own (templates/assets/find.js).
STOCK_UI_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                  "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
TIMEOUT_SECONDS = 600
WHOLE_SECONDS = 30  # for the index's last files to reach the disk once Pagefind says they are written
EXIT_SECONDS = 30  # for the program to exit once told there is nothing more


class SearchIndexError(Exception):
    """The search index could not be built; the message says why, for the person running the build."""


@dataclass(frozen=True)
class Record:
    url: str  # below the site root, starting "/": Pagefind prefixes the site's own path in the browser
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


def provider_record(directory: Directory, entry: Entry[Provider]) -> Record:
    p = entry.data
    parts = [p.name, p.organisation.legal_name, p.summary, plain_text(entry.source.body)]
    for offer in p.lots:
        lot = directory.lot(offer.lot).data
        parts += [f"Lot {lot.number}: {lot.title}", plain_text(offer.offer), " ".join(offer.key_stages)]
        parts += _words(directory, "subjects", offer.subjects)
        parts += offer.qualifications
    for place in p.locations:
        outward = place.postcode.split(" ")[0]
        parts += [place.name, *place.address, place.postcode, place.postcode.replace(" ", ""), outward]
    parts += _words(directory, "areas", [place.area for place in p.locations])
    parts += _words(directory, "needs", p.needs) + _words(directory, "reasons", p.reasons)
    return Record(
        url=f"/providers/{entry.slug}/",
        content="\n".join(" ".join(part.split()) for part in parts if part and part.strip()),
        meta={"title": p.name},
        # The page's one filter names the provider, so that a search tells find.js which providers
        # it found without loading each result; find.js applies the filters themselves (facets.py).
        filters={"provider": [entry.slug]},
        sort={"name": p.name.casefold()},
    )


def _words(directory: Directory, vocabulary: str, codes: list[str]) -> list[str]:
    """Each code, its label and the other words people use for it (site_config.yaml, find.search_words)."""
    labels = getattr(directory.config.vocabularies, vocabulary)
    others = getattr(directory.config.find.search_words, vocabulary)
    return [" ".join([labels[code], f"({code.replace('-', ' ')})", *others.get(code, ())])
            for code in dict.fromkeys(codes)]


def write_index(directory: Directory, site: Path, at_once: int = 1) -> int:
    """Index every published provider into `site`/pagefind/, in parts of at most PART_SIZE
    providers, each a Pagefind index of its own in a numbered folder, listed in order in
    pagefind/parts.json; return how many records were written. Pagefind holds a whole index in
    memory while it writes it, so parts keep its memory bounded at any size; find.js merges them
    (Pagefind's mergeIndex), so a search covers them all. With `at_once` 2, the next part is fed
    to a second Pagefind while the first writes its files, so that its work keeps pace with the
    pages beside it (bench/NOTES.md)."""
    language = directory.config.site.language.split("-")[0].lower()
    providers = directory.providers
    starts = range(0, len(providers), PART_SIZE) or range(1)  # one part, empty, for no providers
    parts = [str(number) for number in range(1, len(starts) + 1)]

    def write(number: int) -> int:
        records = [provider_record(directory, entry) for entry in providers[starts[number]:starts[number] + PART_SIZE]]
        return _write_part(records, language, site / FOLDER / parts[number])

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=at_once)
    try:
        count = sum(pool.map(write, range(len(parts))))
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure, no part not yet begun
    (site / FOLDER / "parts.json").write_text(json.dumps(parts), encoding="utf-8")
    return count


def _write_part(records: list[Record], language: str, output: Path) -> int:
    try:
        count = _run(lambda: asyncio.wait_for(_write(records, language, output), TIMEOUT_SECONDS))
    except asyncio.TimeoutError:
        raise SearchIndexError(f"Pagefind did not finish within {TIMEOUT_SECONDS} seconds") from None
    except SearchIndexError:
        raise
    except Exception as error:  # the Pagefind service reports its errors as plain Exceptions
        raise SearchIndexError(f"{type(error).__name__}: {error}") from error
    for name in STOCK_UI_FILES:
        (output / name).unlink(missing_ok=True)
    if not (output / "pagefind.js").is_file() or not (output / "pagefind-entry.json").is_file():
        raise SearchIndexError(f"Pagefind wrote no index into {output}")
    return count


def _run(make_coroutine):
    """asyncio.run, or in a thread of its own when this thread already runs an event loop
    (as it does inside a notebook or a test driving Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


async def _write(found: Iterable[Record], language: str, output: Path) -> int:
    """Send every record at once, then wait for the replies together; return how many were sent."""
    service = await _service_class()().launch()
    sent: list[asyncio.Future] = []
    try:
        index = await service.create_index()
        sent = service.send_all({"type": "AddRecord", "index_id": index._index_id, "url": record.url,
                                 "content": record.content, "language": language, "meta": record.meta,
                                 "filters": record.filters, "sort": record.sort} for record in found)
        await service.drain()
        await asyncio.gather(*sent)
        await index.write_files(output_path=str(output))
        await _whole(output)
    finally:
        for request in sent:
            request.cancel()  # when a request failed, the rest are not waited for
        await service.close()
    return len(sent)


async def _whole(output: Path) -> None:
    """Wait until every file of the index is written in full. Pagefind 1.5.2 says its files are
    written while some may still be on their way to the disk, and they are cut short if it stops
    (github.com/Pagefind/pagefind/issues/1271, mended after 1.5.2): an empty or truncated file in
    the index breaks search. A file is whole once it is not empty, and, compressed, decompresses
    to its end, or, JSON, reads as JSON."""
    waiting, deadline = [path for path in output.rglob("*") if path.is_file()], time.monotonic() + WHOLE_SECONDS
    while waiting := [path for path in waiting if not _whole_file(path.read_bytes(), path.suffix)]:
        if time.monotonic() > deadline:
            raise SearchIndexError(f"Pagefind did not finish writing {waiting[0].relative_to(output.parent)}")
        await asyncio.sleep(0.01)


def _whole_file(data: bytes, suffix: str) -> bool:
    try:
        if data[:2] == b"\x1f\x8b":  # gzip's mark: Pagefind compresses its index files
            gzip.decompress(data)
        elif suffix == ".json":
            json.loads(data)
    except (EOFError, OSError, ValueError, zlib.error):
        return False
    return bool(data)


def _service_class():
    """Pagefind's own service, with a reply loop that neither naps nor hangs.

    pagefind 1.5's PagefindService reads one reply every 0.1 s (so 1,000 providers would take
    over 100 s to index) and, if the Pagefind program exits, leaves every request waiting for
    ever. This subclass reads replies as they come and fails the waiting requests on exit.
    Imported late so that `build.py check`, which never indexes, does not need Pagefind.
    """
    from pagefind.service import PagefindService, get_executable

    if get_executable() is None:
        raise SearchIndexError("the Pagefind program is missing: install the project again "
                               "(pip install -e .), which installs pagefind[bin]")

    class Service(PagefindService):
        failure: SearchIndexError | None = None

        async def send(self, payload):
            if self.failure:
                raise self.failure
            return await super().send(payload)

        def send_all(self, payloads: Iterable[dict]) -> list[asyncio.Future]:
            """Write every request without waiting between them, and return the futures of their
            replies. (send() waits for each request to be written, and logs each in full: with
            thousands of records, and the pages made in another thread, that was most of the
            feeding's time.)"""
            if self.failure:
                raise self.failure
            replies = []
            for payload in payloads:
                self._message_id += 1
                self._responses[self._message_id] = reply = self._loop.create_future()
                replies.append(reply)
                request = json.dumps({"message_id": self._message_id, "payload": payload})
                self._backend.stdin.write(base64.b64encode(request.encode("utf-8")) + b",")
            return replies

        async def drain(self) -> None:
            await self._backend.stdin.drain()

        async def _wait_for_responses(self) -> None:
            try:
                while True:
                    output = await self._backend.stdout.readuntil(b",")
                    words = output[:-1].split()  # a reply is one base64 word; the program's own messages are not
                    try:
                        response = json.loads(base64.b64decode(words[-1], validate=True)) if words else None
                    except ValueError:
                        continue
                    if response is not None:
                        self._resolve(response)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # end of output: the program exited
                self.failure = SearchIndexError(f"the Pagefind program stopped answering ({type(error).__name__})")
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(self.failure)

        def _resolve(self, response: dict) -> None:
            payload = response.get("payload") or {}
            message_id = response.get("message_id")
            if message_id is None and payload.get("original_message"):
                message_id = json.loads(payload["original_message"]).get("message_id")
            future = self._responses.get(message_id)
            if future is None or future.done():
                return
            if payload.get("type") == "Error":
                future.set_exception(SearchIndexError(f"Pagefind: {payload.get('message')}"))
            else:
                future.set_result(payload)

        async def close(self) -> None:
            """Let the program end on its own, at the end of its input, and stop it only if it does
            not. (Ending loses files it has not finished writing: _whole() waits for them first.)"""
            stopped = False
            if self._backend.returncode is None:
                self._backend.stdin.close()  # at the end of its input, the program exits
                try:
                    await asyncio.wait_for(self._backend.wait(), EXIT_SECONDS)
                except asyncio.TimeoutError:
                    self._backend.terminate()
                    stopped = True
            self._poll_task.cancel()
            await self._backend.wait()
            if stopped:  # it may have been writing a file: the index cannot be trusted
                raise SearchIndexError(f"Pagefind did not finish writing the index within {EXIT_SECONDS} seconds")

    return Service


# Markdown marks, taken out of the text people search. Rendering the Markdown and reading the HTML
# back gives the same words for every sample file, in more than three times the time (these: 25 us
# for a generated description).
# Content may be hostile, so each expression takes time linear in the text: no two runs of the same
# characters can follow each other (only [ \t], never \s, which would cross lines), and no run can
# pass the character that could start the next try ([ or < or a bracket).
_RULE_OR_TABLE_LINE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$"
                                 r"|^[ \t]*(?:\|[ \t]*)?(?::?-+:?[ \t]*\|[ \t]*)+(?::?-+:?[ \t]*)?$", re.M)
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\[\]]*\)")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+|[^<>@\s]+@[^<>\s]+)>")
_LINE_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)", re.M)
_INLINE_MARK = re.compile(r"\*\*|__|\*|`+|~~|(?<!\w)_|_(?!\w)")
_INLINE_MARK_CHARACTER = re.compile(r"[*_`~]")


def plain_text(text: str) -> str:
    """Markdown -> the words a reader sees, without the marks: links keep their text, not their address."""
    text = _RULE_OR_TABLE_LINE.sub(" ", text or "")
    # Each expression runs only on text with the character it needs: most text has no links or
    # marks, and trying the inline marks at every character was most of the time at scale.
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
    text = _LINE_MARK.sub("", text)
    if _INLINE_MARK_CHARACTER.search(text):
        text = _INLINE_MARK.sub("", text)
    return " ".join(text.replace("|", " ").split())
