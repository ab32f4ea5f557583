"""A ZIP archive whose every byte follows from its members' names and contents.

Members are stored uncompressed, with a fixed date (1980-01-01) and fixed attributes, so that a
reader can re-derive every header from what it reads and say where any changed byte lies: in
the header of a member, in its data, in the central directory. Any unzip tool reads the result.
Nothing here needs more memory than one chunk of a member.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from thidua.workflow.i18n import _

LOCAL = struct.Struct("<4sHHHHHIIIHH")
CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
END = struct.Struct("<4sHHHHIIH")
LOCAL_SIG, CENTRAL_SIG, END_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
VERSION, MADE_BY, UTF8_NAMES = 20, (3 << 8) | 20, 0x0800
DOS_TIME, DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00, the earliest ZIP date
FILE_ATTRIBUTES = 0o100644 << 16
LIMIT = 0xFFFFFFFF  # no ZIP64: a member and the archive stay under 4 GiB
CHUNK = 1 << 20


class LayoutError(Exception):
    """The archive cannot be written within the limits of this format."""


def local_header(name: bytes, crc: int, size: int) -> bytes:
    """The local header of a stored member."""
    return LOCAL.pack(LOCAL_SIG, VERSION, UTF8_NAMES, 0, DOS_TIME, DOS_DATE, crc, size, size,
                      len(name), 0) + name


def central_entry(name: bytes, crc: int, size: int, offset: int) -> bytes:
    """The central directory entry of a stored member whose header is at ``offset``."""
    return CENTRAL.pack(CENTRAL_SIG, MADE_BY, VERSION, UTF8_NAMES, 0, DOS_TIME, DOS_DATE, crc,
                        size, size, len(name), 0, 0, 0, 0, FILE_ATTRIBUTES, offset) + name


def end_record(count: int, size: int, offset: int) -> bytes:
    """The end of central directory record."""
    return END.pack(END_SIG, 0, 0, count, count, size, offset, 0)


@dataclass(frozen=True)
class Member:
    """A member as found in (or written to) an archive."""

    name: str
    offset: int  # of its local header
    data_offset: int
    size: int
    crc: int  # as recorded in its local header
    actual_crc: int  # of the bytes found
    sha256: str  # of the bytes found


class Sink:
    """Where a member's bytes go while it is written; keeps its size, CRC-32 and SHA-256."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.size = 0
        self.crc = 0
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        """Append ``data`` to the member."""
        self.file.write(data)
        self.size += len(data)
        self.crc = zlib.crc32(data, self.crc)
        self.digest.update(data)


class Writer:
    """Writes members one after the other to a seekable binary file; :meth:`close` ends it."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.members: list[Member] = []

    @contextmanager
    def member(self, name: str) -> Iterator[Sink]:
        """Write one member: its header, then what is written to the sink, then the header
        again with the size and CRC-32 now known."""
        encoded, offset = name.encode("utf-8"), self.file.tell()
        self.file.write(local_header(encoded, 0, 0))
        sink = Sink(self.file)
        yield sink
        end = self.file.tell()
        if sink.size > LIMIT or end > LIMIT:
            raise LayoutError(_("{name} makes the archive larger than 4 GiB").format(name=name))
        self.file.seek(offset)
        self.file.write(local_header(encoded, sink.crc, sink.size))
        self.file.seek(end)
        self.members.append(Member(name, offset, offset + LOCAL.size + len(encoded), sink.size,
                                   sink.crc, sink.crc, sink.digest.hexdigest()))

    def close(self) -> None:
        """Write the central directory and the end record."""
        start = self.file.tell()
        directory = b"".join(central_entry(m.name.encode("utf-8"), m.crc, m.size, m.offset)
                             for m in self.members)
        self.file.write(directory + end_record(len(self.members), len(directory), start))


@dataclass(frozen=True)
class Layout:
    """What a strict reading found: the members, and the first byte that is not where and
    what this format puts there (``header_problem``), or a member whose data no longer
    matches the CRC-32 that both its headers record (``data_problem``)."""

    members: list[Member]
    header_problem: str | None
    data_problem: str | None


def read(file: BinaryIO, plausible: Callable[[str, str], bool] = lambda name, sha: True,
         ) -> Layout:
    """Read an archive written by :class:`Writer`, re-deriving every header. Where a local
    header and the central directory disagree on a name, ``plausible(name, sha256)`` tells
    which of the two is the one written."""
    members: list[Member] = []
    position, header_problem = 0, None
    while header_problem is None:
        file.seek(position)
        fixed = file.read(LOCAL.size)
        if fixed[:4] != LOCAL_SIG:
            break
        member, header_problem = _member(file, position, fixed)
        if member is not None:
            members.append(member)
            position = member.data_offset + member.size
    header_problem = header_problem or _not_a_header(position, fixed[:4])
    if header_problem is not None:
        return Layout(members, header_problem, None)
    header_problem, data_problem = _directory(file, position, members, plausible)
    return Layout(members, header_problem, data_problem)


def _member(file: BinaryIO, position: int, fixed: bytes) -> tuple[Member | None, str | None]:
    if len(fixed) < LOCAL.size:
        return None, _("the file ends inside the header at byte {position}").format(
                         position=position)
    fields = LOCAL.unpack(fixed)
    crc, name_length, extra_length = fields[6], fields[9], fields[10]
    raw_name = file.read(name_length)
    size = _size(file, position + LOCAL.size + name_length + extra_length, fields[7], fields[8])
    name = raw_name.decode("utf-8", errors="replace")
    expected = local_header(raw_name, crc, size)
    found = fixed + raw_name + file.read(extra_length)
    if found != expected:
        return None, (_("the header of member {name} changed (byte {position} of the file)").format(
                          name=name, position=position + _first_difference(found, expected)))
    digest, actual_crc, read_ = hashlib.sha256(), 0, 0
    while read_ < size:
        chunk = file.read(min(CHUNK, size - read_))
        if not chunk:
            return None, _("the file ends inside the member at byte {position}").format(
                             position=position)
        digest.update(chunk)
        actual_crc = zlib.crc32(chunk, actual_crc)
        read_ += len(chunk)
    after = file.read(4)
    if after and after not in (LOCAL_SIG, CENTRAL_SIG):
        return None, _not_a_header(position + len(expected) + size, after) or (
            _("the header of the member at byte {position} changed: its sizes or name length "
              "(bytes {position2}..{position3} of the file) do not lead to the next header").format(
                position=position, position2=position + 18, position3=position + 29))
    return Member(name, position, position + len(expected), size, crc, actual_crc,
                  digest.hexdigest()), None


def _size(file: BinaryIO, data_offset: int, compressed: int, plain: int) -> int:
    """A stored member's size, recorded twice: when the two differ, the one after which the
    next header (or the central directory) begins."""
    if compressed == plain:
        return plain
    file.seek(data_offset + compressed)
    after = file.read(4)
    file.seek(data_offset)
    return compressed if after in (LOCAL_SIG, CENTRAL_SIG) else plain


def _not_a_header(position: int, found: bytes) -> str | None:
    """A problem when the bytes at ``position`` are one byte away from the signature of a
    header (a member's, the central directory's, the end record's)."""
    if len(found) < 4 or found in (LOCAL_SIG, CENTRAL_SIG, END_SIG):
        return None
    for signature in (LOCAL_SIG, CENTRAL_SIG, END_SIG):
        if sum(a != b for a, b in zip(found, signature, strict=True)) == 1:
            return (_("the header at byte {position} changed (byte {position2} of the "
                      "file)").format(
                        position=position,
                        position2=position + _first_difference(found, signature)))
    return None


def _directory(file: BinaryIO, position: int, members: list[Member],
               plausible: Callable[[str, str], bool]) -> tuple[str | None, str | None]:
    """Compare the central directory and end record with those the members call for; the
    CRC-32 of each member's data arbitrates between its two headers."""
    file.seek(position)
    size = sum(CENTRAL.size + len(m.name.encode("utf-8")) for m in members) + END.size
    found = file.read(size + 1)
    at, data_problem = 0, None
    for m in members:
        expected = central_entry(m.name.encode("utf-8"), m.actual_crc, m.size, m.offset)
        got = found[at:at + len(expected)]
        stale = central_entry(m.name.encode("utf-8"), m.crc, m.size, m.offset)
        if got == stale and m.crc != m.actual_crc:  # both headers as written: the data changed
            data_problem = data_problem or (
                _("the data of member {m} changed (bytes {data_offset}..{data_offset2} of "
                  "the file no longer match its CRC-32)").format(
                    m=m.name, data_offset=m.data_offset, data_offset2=m.data_offset + m.size))
        elif got != expected:
            return _entry_problem(m, got, expected, position + at, plausible), None
        elif m.crc != m.actual_crc:
            local = local_header(m.name.encode("utf-8"), m.crc, m.size)
            right = local_header(m.name.encode("utf-8"), m.actual_crc, m.size)
            return (_("the header of member {m} changed (byte {offset} of the file)").format(
                        m=m.name, offset=m.offset + _first_difference(local, right))), None
        at += len(expected)
    end = end_record(len(members), at, position)
    if found[at:] == end:
        return None, data_problem
    if found[at:at + len(end)] == end:
        return (_("bytes were added after the end of the archive (byte {position})").format(
                    position=position + at + len(end))), None
    return (_("the end record of the archive changed (byte {position} of the file)").format(
                position=position + at + _first_difference(found[at:], end))), None


def _entry_problem(m: Member, got: bytes, expected: bytes, at: int,
                   plausible: Callable[[str, str], bool]) -> str:
    """Which of a member's two headers changed, when they disagree."""
    named = got[CENTRAL.size:CENTRAL.size + int.from_bytes(got[28:30], "little")]
    other = named.decode("utf-8", errors="replace")
    if other != m.name and plausible(other, m.sha256) and not plausible(m.name, m.sha256):
        where = m.offset + LOCAL.size + _first_difference(m.name.encode("utf-8"), named)
        return _("the header of member {other} changed (byte {where} of the file)").format(
                   other=other, where=where)
    return (_("the central directory entry of member {m} changed (byte {at} of the file)").format(
                m=m.name, at=at + _first_difference(got, expected)))


def _first_difference(found: bytes, expected: bytes) -> int:
    for index, (a, b) in enumerate(zip(found, expected, strict=False)):
        if a != b:
            return index
    return min(len(found), len(expected))


def member_bytes(file: BinaryIO, member: Member) -> bytes:
    """The whole data of a (small) member."""
    file.seek(member.data_offset)
    return file.read(member.size)


class LineTooLong(ValueError):
    """A line longer than the reader takes."""


def member_lines(file: BinaryIO, member: Member, max_line: int) -> Iterator[bytes]:
    """The lines of a member, without their line ends, read a chunk at a time; linear in the
    member's size however long its lines. A line longer than ``max_line`` bytes raises
    :class:`LineTooLong` as soon as it is seen."""
    position, left = member.data_offset, member.size
    parts: list[bytes] = []
    pending = 0
    while left > 0:
        file.seek(position)  # the caller may have read elsewhere between two lines
        chunk = file.read(min(CHUNK, left))
        if not chunk:
            break
        position += len(chunk)
        left -= len(chunk)
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            if pending + end - start > max_line:
                raise LineTooLong(_("longer than {max_line} bytes").format(max_line=max_line))
            parts.append(chunk[start:end])
            yield b"".join(parts)
            parts, pending, start = [], 0, end + 1
        if start < len(chunk):
            parts.append(chunk[start:])
            pending += len(chunk) - start
            if pending > max_line:
                raise LineTooLong(_("longer than {max_line} bytes").format(max_line=max_line))
    if parts:
        yield b"".join(parts)
