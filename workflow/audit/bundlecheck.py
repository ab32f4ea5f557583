"""Checking an audit bundle offline: no database is opened, only the ZIP file is read.

The most telling problem is reported first: a damaged ZIP header; then the first bad event of
the ledger; then a definition or document that does not hash to its name; then the manifest;
last, bytes that no longer match the CRC-32 their header records (e.g. inside the manifest's
date). Any byte changed in a bundle is caught by one of these.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from thidua.store.chain import Anchor, Walk, walk
from thidua.store.ledger import JSON_FIELDS, ORDER, canonical_json
from thidua.workflow import limits
from thidua.workflow.audit import storedzip
from thidua.workflow.audit.bundle import DOCUMENTS, FORMAT, LEDGER, MANIFEST
from thidua.workflow.audit.storedzip import Layout, Member
from thidua.workflow.errors import IntegrityFailure, InvalidInput, NotFound
from thidua.workflow.i18n import _

README = "README.txt"
EVENT_KEYS = frozenset(ORDER) | {"prev_hash", "hash"}  # the event's fields and its two hashes
DOCUMENT_KEYS = frozenset({"sha256", "name", "size", "cited_by"})


@dataclass(frozen=True)
class BundleVerified:
    """A bundle that verifies: what it holds, and the anchors it passes through."""

    file: str
    events: int
    head_seq: int
    head_hash: str
    definitions: int
    documents: int
    documents_with_content: int
    anchors: list[str] = field(default_factory=list)


class Check:
    """One bundle being checked: its file, its members as read, the errors it raises."""

    def __init__(self, file: BinaryIO, name: str, layout: Layout) -> None:
        self.file = file
        self.name = name
        self.layout = layout
        self.members = {m.name: m for m in layout.members}

    def fail(self, where: str, message: str, *, seq: int | None = None,
             kind: str = "altered") -> IntegrityFailure:
        """The error for this bundle: which member (or part of the ZIP), and what."""
        return IntegrityFailure(_("bundle {self} does not verify: {where}: {message}").format(
                                    self=self.name, where=where, message=message),
                                seq=seq, kind=kind)

    def member(self, name: str) -> Member:
        """The member ``name``; its absence is a failure."""
        if name not in self.members:
            raise self.fail(name, _("missing from the bundle"), kind="missing")
        return self.members[name]

    def unreadable(self, where: str, message: str) -> InvalidInput:
        """The error for a bundle beyond what thidua reads (not one that thidua wrote)."""
        return InvalidInput(_("bundle {self} cannot be read: {where}: {message}, beyond what "
                              "a bundle written by thidua holds").format(
                                self=self.name, where=where, message=message))

    def bounded(self, name: str, lines: Iterator[bytes]) -> Iterator[bytes]:
        """``lines``, with a line beyond the bound refused as unreadable."""
        number = 0
        try:
            for line in lines:
                number += 1
                yield line
        except storedzip.LineTooLong:
            longest = limits.size_text(limits.BUNDLE_MAX_LINE)
            raise self.unreadable(_("{name} line {number}").format(name=name, number=number + 1),
                                  _("longer than {size}").format(size=longest)) from None

    def json_lines(self, name: str, keys: frozenset[str]) -> Iterator[tuple[int, dict[str, Any]]]:
        """The lines of a JSONL member, each checked to be canonical JSON with ``keys``."""
        lines = storedzip.member_lines(self.file, self.member(name), limits.BUNDLE_MAX_LINE)
        for number, raw in enumerate(self.bounded(name, lines), 1):
            try:
                text = raw.decode("utf-8")
                value = limits.load_json(text, max_bytes=limits.BUNDLE_MAX_LINE,
                                         max_depth=limits.BUNDLE_MAX_DEPTH)
                canonical = canonical_json(value)
            except limits.TooLarge as exc:
                raise self.unreadable(f"{name} line {number}", str(exc)) from None
            except ValueError:
                raise self.fail(f"{name} line {number}", _("not valid JSON (changed)"),
                                seq=number if name == LEDGER else None) from None
            if not isinstance(value, dict) or set(value) != keys:
                raise self.fail(f"{name} line {number}", _("its fields are not the ones "
                                                           "written"))
            if canonical != text:
                raise self.fail(f"{name} line {number}", _("not in the canonical form it was "
                                                           "written in (changed)"),
                                seq=value.get("seq") if name == LEDGER else None)
            yield number, value


def verify_bundle(path: str, *, anchors: Sequence[str] = ()) -> BundleVerified:
    """Check the bundle at ``path`` with no database: the ZIP's bytes, the hash chain (and
    ``anchors``), the definitions' and documents' hashes, the manifest. Raise
    :class:`IntegrityFailure` naming the member and the event where it fails."""
    from thidua.workflow.audit.verify import parse_anchors

    checked = parse_anchors(anchors)
    target = Path(path)
    if not target.is_file():
        raise NotFound(_("no bundle {path}").format(path=path))
    try:
        with target.open("rb") as file:
            return _check(Check(file, target.name, storedzip.read(file, plausible)), checked)
    except OSError as exc:
        raise InvalidInput(_("cannot read {path}: {strerror}").format(
                               path=path, strerror=exc.strerror)) from None


def plausible(name: str, sha256: str) -> bool:
    """Whether ``name`` is one a bundle gives a member with that content."""
    return name in (README, LEDGER, DOCUMENTS, MANIFEST) or name in (
        f"definitions/{sha256}.yaml", f"documents/{sha256}")


def _check(check: Check, anchors: list[Anchor]) -> BundleVerified:
    if check.layout.header_problem is not None:
        raise check.fail(_("the ZIP structure"), check.layout.header_problem)
    if len(check.members) != len(check.layout.members):
        raise check.fail(_("the ZIP structure"), _("two members have the same name"))
    manifest = _manifest(check)
    walked = _ledger(check, anchors)
    _definitions(check, walked)
    documents, with_content = _documents(check, walked)
    _against_manifest(check, manifest, walked)
    if check.layout.data_problem is not None:
        raise check.fail(_("the ZIP structure"), check.layout.data_problem)
    return BundleVerified(check.name, walked.events, walked.head_seq, walked.head_hash,
                          len(walked.definitions), documents, with_content,
                          [str(a) for a in anchors])


def _manifest(check: Check) -> dict[str, Any]:
    member = check.member(MANIFEST)
    if check.layout.members[-1] is not member:
        raise check.fail(MANIFEST, _("it is no longer the last member"))
    if member.size > limits.BUNDLE_MAX_LINE:
        raise check.unreadable(MANIFEST, _("larger than {size_text}").format(
                                             size_text=limits.size_text(limits.BUNDLE_MAX_LINE)))
    try:
        manifest = limits.load_json(storedzip.member_bytes(check.file, member).decode("utf-8"),
                                    max_bytes=limits.BUNDLE_MAX_LINE,
                                    max_depth=limits.BUNDLE_MAX_DEPTH)
    except limits.TooLarge as exc:
        raise check.unreadable(MANIFEST, str(exc)) from None
    except ValueError:
        raise check.fail(MANIFEST, _("not valid JSON (changed)")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise check.fail(MANIFEST, _("not a {FORMAT} manifest (changed)").format(FORMAT=FORMAT))
    return manifest


def _ledger(check: Check, anchors: list[Anchor]) -> Walk:
    walked = walk(_rows(check), anchors=anchors)
    damage = walked.damage
    if damage is not None:
        raise check.fail(LEDGER, _("ledger damaged at event {seq} ({kind}): {detail}; "
                                   "{events} events before it verify").format(
                                     seq=damage.seq, kind=damage.kind, detail=damage.detail,
                                     events=walked.events),
                         seq=damage.seq, kind=damage.kind)
    return walked


def _rows(check: Check) -> Iterator[tuple[Any, ...]]:
    """The ledger's lines as the raw rows the chain walk judges."""
    for _line, event in check.json_lines(LEDGER, EVENT_KEYS):
        yield (*(canonical_json(event[k]) if k in JSON_FIELDS else event[k] for k in ORDER),
               event["prev_hash"], event["hash"])


def _definitions(check: Check, walked: Walk) -> None:
    for digest, seq in sorted(walked.definitions.items(), key=lambda item: item[1]):
        name = f"definitions/{digest}.yaml"
        if name not in check.members:
            raise check.fail(name, _("missing: event {seq} cites this definition version").format(
                                       seq=seq),
                             seq=seq, kind="missing")
    for member in check.layout.members:
        if member.name.startswith("definitions/"):
            digest = member.name.removeprefix("definitions/").removesuffix(".yaml")
            if member.sha256 != digest:
                raise check.fail(member.name, _("the source text was changed: it hashes to "
                                                "{sha256}…").format(sha256=member.sha256[:16]),
                                 seq=walked.definitions.get(digest))


def _documents(check: Check, walked: Walk) -> tuple[int, int]:
    listed: dict[str, int] = {}
    for number, entry in check.json_lines(DOCUMENTS, DOCUMENT_KEYS):
        if not isinstance(entry["size"], int):
            raise check.fail(f"{DOCUMENTS} line {number}", _("its size is not a number"))
        listed[str(entry["sha256"])] = entry["size"]
    for digest, seq in walked.documents.items():
        if digest not in listed:
            raise check.fail(DOCUMENTS, _("document {digest}… cited by event {seq} is not "
                                          "listed").format(
                                              digest=digest[:16], seq=seq), seq=seq, kind="missing")
    with_content = 0
    for member in check.layout.members:
        if member.name.startswith("documents/"):
            digest = member.name.removeprefix("documents/")
            if member.sha256 != digest or listed.get(digest) != member.size:
                raise check.fail(member.name, _("the document was changed: it hashes to "
                                                "{sha256}…").format(sha256=member.sha256[:16]),
                                 seq=walked.documents.get(digest))
            with_content += 1
    return len(listed), with_content


def _against_manifest(check: Check, manifest: dict[str, Any], walked: Walk) -> None:
    listed = manifest.get("members")
    if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
        raise check.fail(MANIFEST, _("its list of members is not the one written (changed)"))
    recorded = {str(e.get("name")): e for e in listed}
    found = check.layout.members[:-1]
    for member in found:
        entry = recorded.get(member.name)
        if entry is None:
            raise check.fail(member.name, _("not listed in the manifest (added?)"))
        if (entry.get("size"), entry.get("sha256")) != (member.size, member.sha256):
            if member.crc == member.actual_crc:
                raise check.fail(MANIFEST, _("its entry for {member} was changed (the member "
                                             "itself is as written)").format(member=member.name))
            raise check.fail(member.name, _("changed: it hashes to {sha256}…, the manifest "
                                            "records {get}…").format(
                                              sha256=member.sha256[:16],
                                              get=str(entry.get('sha256'))[:16]))
    if [str(e.get("name")) for e in listed] != [m.name for m in found]:
        raise check.fail(MANIFEST, _("it lists members the bundle lacks, or in another order"))
    head = {"seq": walked.head_seq, "hash": walked.head_hash}
    if manifest.get("head") != head or manifest.get("events") != walked.events:
        raise check.fail(MANIFEST, _("its head is not the ledger's ({seq}:{hash}…)").format(
            seq=walked.head_seq, hash=walked.head_hash[:16]))
