"""WARC files of fetched pages (warcio): writing, reading one record back, verifying digests.

No database here: crawler.store.evidence indexes what this module writes. A record is one
gzip member, so a byte range (offset, length) of a file is a complete WARC record and
concatenated ranges are a valid .warc.gz (what `presswatch evidence ITEM --out` writes).

Bodies are stored as Scrapy hands them over: content-coding (gzip, br) already removed and
chunking undone, so the Content-Encoding and Transfer-Encoding headers are dropped and
Content-Length states the stored body's length; the original values are kept in
X-Presswatch-Original-* headers. warcio computes WARC-Payload-Digest and WARC-Block-Digest.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

Headers = tuple[tuple[str, str], ...]
# Headers that described the bytes on the wire, not the body Scrapy gives us.
WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as fetched; `listing` is the page that led here."""

    url: str
    fetched_at: datetime
    status: int
    response_headers: Headers
    body: bytes
    method: str = "GET"
    request_headers: Headers = ()
    protocol: str = "HTTP/1.1"
    listing: Exchange | None = field(default=None, repr=False)

    def without_listing(self) -> Exchange:
        return replace(self, listing=None) if self.listing is not None else self


@dataclass(frozen=True)
class RecordRef:
    """Where one written record sits, and what it is."""

    file: str  # relative to the archive's directory
    offset: int
    length: int
    record_type: str
    target_uri: str
    record_id: str
    digest: str
    fetched_at: datetime


@dataclass(frozen=True)
class Problem:
    """A record (or file) that failed verification."""

    file: str
    offset: int | None
    record_id: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.offset is None else f"{self.file} @ {self.offset}"
        record = f" record {self.record_id}" if self.record_id else ""
        return f"{where}{record}: {self.reason}"


class WarcArchive:
    """Appends exchanges to WARC files under `root`, one file at a time per writer.

    Files are named <prefix>-<UTC start>-<pid>-<n>.warc.gz: every crawl process writes its
    own files, so no two writers share one. A new file starts once the current one reaches
    `max_file_size`. Each append is flushed and fsynced before its index rows are saved,
    so an index row never points at bytes that are not on disk (a crash between the two
    leaves records that no row names, which `evidence verify` still checks).
    """

    def __init__(self, root: Path, prefix: str, max_file_size: int) -> None:
        self.root = root
        self.prefix = prefix
        self.max_file_size = max_file_size
        self._current: Path | None = None
        self._count = 0

    def append(self, exchange: Exchange, metadata: dict[str, Any]) -> list[RecordRef]:
        """Write the exchange's request and response, its listing's, and a metadata record
        (JSON: `metadata` plus the URIs it concerns); returns the records' places."""
        path = self._file()
        with path.open("ab") as handle:
            start = handle.seek(0, os.SEEK_END)
            try:
                refs = self._write_all(handle, exchange, metadata, self._relative(path))
            except BaseException:
                # A failed append (disk full, an error in a record) must not leave a torn
                # record between this file's records: cut back to where it started.
                handle.truncate(start)
                raise
        return refs

    def _write_all(
        self, handle: IO[bytes], exchange: Exchange, metadata: dict[str, Any], file: str
    ) -> list[RecordRef]:
        writer = WARCWriter(handle, gzip=True)
        refs = _write_exchange(writer, handle, exchange, file)
        if exchange.listing is not None:
            refs += _write_exchange(writer, handle, exchange.listing.without_listing(), file)
        refs.append(_write_metadata(writer, handle, exchange, metadata, refs))
        handle.flush()
        os.fsync(handle.fileno())
        return refs

    def _file(self) -> Path:
        if self._current is None or self._current.stat().st_size >= self.max_file_size:
            self._count += 1
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._count}.warc.gz"
            self.root.mkdir(parents=True, exist_ok=True)
            self._current = self.root / name
            self._current.touch()
        return self._current

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def _write_exchange(
    writer: WARCWriter, handle: IO[bytes], exchange: Exchange, file: str
) -> list[RecordRef]:
    date = _warc_date(exchange.fetched_at)
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),  # known: warcio then digests in place, no temp file
        http_headers=_response_headers(exchange),
        warc_headers_dict={"WARC-Date": date},
    )
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=_request_headers(exchange),
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    return [
        _write(writer, handle, response, file, exchange.fetched_at),
        _write(writer, handle, request, file, exchange.fetched_at),
    ]


def _write_metadata(
    writer: WARCWriter,
    handle: IO[bytes],
    exchange: Exchange,
    metadata: dict[str, Any],
    refs: Sequence[RecordRef],
) -> RecordRef:
    content = {**metadata, "records": [{"type": r.record_type, "uri": r.target_uri} for r in refs]}
    if exchange.listing is not None:
        content["listing"] = exchange.listing.url
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    record = writer.create_warc_record(
        exchange.url,
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={
            "WARC-Date": _warc_date(exchange.fetched_at),
            "WARC-Concurrent-To": refs[0].record_id,
        },
    )
    return _write(writer, handle, record, refs[0].file, exchange.fetched_at)


def _write(
    writer: WARCWriter, handle: IO[bytes], record: Any, file: str, fetched_at: datetime
) -> RecordRef:
    offset = handle.tell()
    writer.write_record(record)
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest") or headers.get_header("WARC-Block-Digest")
    return RecordRef(
        file=file,
        offset=offset,
        length=handle.tell() - offset,
        record_type=record.rec_type,
        target_uri=headers.get_header("WARC-Target-URI"),
        record_id=headers.get_header("WARC-Record-ID"),
        digest=digest,
        fetched_at=fetched_at,
    )


def _response_headers(exchange: Exchange) -> StatusAndHeaders:
    kept = [(k, v) for k, v in exchange.response_headers if k.lower() not in WIRE_HEADERS]
    originals = [
        (f"X-Presswatch-Original-{k}", v)
        for k, v in exchange.response_headers
        if k.lower() in WIRE_HEADERS[:2]
    ]
    kept += [*originals, ("Content-Length", str(len(exchange.body)))]
    status = f"{exchange.status} {_reason(exchange.status)}"
    return StatusAndHeaders(status, kept, protocol=exchange.protocol)


def _request_headers(exchange: Exchange) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(exchange.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(
        f"{exchange.method} {target} {exchange.protocol}", headers, is_http_request=True
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_range(root: Path, file: str, offset: int, length: int) -> bytes:
    """The bytes of one record (a complete gzip member)."""
    with (root / file).open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def verify_range(root: Path, ref: RecordRef) -> Problem | None:
    """Check one indexed record: readable where the index says, same id, digests hold."""
    path = root / ref.file
    if not path.is_file():
        return Problem(ref.file, None, ref.record_id, "file missing")
    data = read_range(root, ref.file, ref.offset, ref.length)
    if len(data) != ref.length:
        return Problem(ref.file, ref.offset, ref.record_id, f"cut short: {len(data)} bytes")
    problems = list(_check_stream(io.BytesIO(data), ref.file, ref.offset))
    if problems:
        return problems[0]
    seen = _ids_and_digests(data)
    if [record_id for record_id, _ in seen] != [ref.record_id]:
        return Problem(ref.file, ref.offset, ref.record_id, f"index points at {seen or 'nothing'}")
    if seen[0][1] != ref.digest:
        return Problem(ref.file, ref.offset, ref.record_id, f"digest {seen[0][1]} != {ref.digest}")
    return None


def verify_file(root: Path, file: str) -> list[Problem]:
    """Every record of one WARC file, digests recomputed."""
    return scan_file(root, file)[1]


def scan_file(root: Path, file: str) -> tuple[list[int], list[Problem]]:
    """The offsets of the file's readable records, and its problems (digests, bytes that
    are not records: each with the offset where it starts)."""
    offsets: list[int] = []
    with (root / file).open("rb") as handle:
        problems = list(_check_stream(handle, file, 0, offsets))
    return offsets, problems


def _check_stream(
    stream: IO[bytes], file: str, base: int, offsets: list[int] | None = None
) -> Iterator[Problem]:
    """Each record's digests; then whether the records cover the stream to its end (warcio
    stops silently at bytes that are not a record). Readable records' offsets go to
    `offsets`."""
    iterator = ArchiveIterator(stream, check_digests=True)
    end = 0
    try:
        for record in iterator:
            record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
            if record.format != "warc" or not record_id:
                offset = base + iterator.get_record_offset()
                yield Problem(file, offset, record_id, "unreadable: not a WARC record")
                return
            record.content_stream().read()
            checker = record.digest_checker
            if not checker.passed and checker.passed is not None:
                reason = "; ".join(str(p) for p in checker.problems) or "digest mismatch"
                yield Problem(file, base + iterator.get_record_offset(), record_id, reason)
            iterator.read_to_end()
            if offsets is not None:
                offsets.append(base + iterator.get_record_offset())
            end = iterator.get_record_offset() + iterator.get_record_length()
    except Exception as exc:  # warcio raises plain exceptions on a damaged member
        # A torn record (a writer killed mid-append) starts where the last good one ended.
        yield Problem(file, base + end, "", f"unreadable: {exc}")
        return
    size = stream.seek(0, os.SEEK_END)
    if end < size:
        yield Problem(file, base + end, "", f"{size - end} bytes that are not a WARC record")


def _ids_and_digests(data: bytes) -> list[tuple[str, str]]:
    found = []
    for record in ArchiveIterator(io.BytesIO(data)):
        headers = record.rec_headers
        digest = headers.get_header("WARC-Payload-Digest") or headers.get_header(
            "WARC-Block-Digest"
        )
        found.append((headers.get_header("WARC-Record-ID") or "", digest or ""))
    return found


def warc_files(root: Path) -> list[str]:
    """The WARC files under `root`, relative, sorted."""
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.warc.gz"))
