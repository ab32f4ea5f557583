"""Word documents from templates: ``doc render KIND CYCLE`` fills the template of KIND (the
shipped one, one an administrator put in the templates folder for the definition, or one
given) with the cycle's records, and may attach the result to the step that takes it, in the
same command (its hash then enters the ledger with that step)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from thidua.workflow import limits
from thidua.workflow.engine.inputs import Attachment
from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.i18n import _
from thidua.workflow.names import escape
from thidua.workflow.papers import paper_data, sheets
from thidua.workflow.services.cycles import Fired, fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.outfile import write_file
from thidua.workflow.services.report import cycle_report
from thidua.workflow.services.views import definition_for, show, why

KINDS = tuple(paper_data.KINDS)
TEMPLATES_VARIABLE = "THIDUA_TEMPLATES"  # a folder of templates that replace the shipped ones
# The input of a step each kind of document can be attached as: the shipped definitions take
# the year-end minutes and the submission in the dossier; a definition that gives a step a
# document input of one of the other names takes those too.
INPUT_OF = {"minutes-midyear": "minutes", "minutes-yearend": "minutes",
            "submission": "submission", "candidates": "candidates",
            "decision": "decision_document"}


@dataclass(frozen=True)
class Rendered:
    """A document written: where, from which template, and the step it was attached to."""

    file: str
    kind: str
    template: str
    size: int
    fired: Fired | None = None


def template_for(kind: str, definition_id: str, given: str | None = None) -> tuple[str, bytes]:
    """The template of ``kind`` and where it came from: ``given``; else, in the folder
    ``$THIDUA_TEMPLATES``, ``DEFINITION-ID/KIND.docx`` then ``KIND.docx``; else the shipped
    one. A template is bounded like any file from a user."""
    if kind not in KINDS:
        raise InvalidInput(_("no document kind {kind!r} (kinds: {kinds})").format(
            kind=kind, kinds=", ".join(KINDS)))
    for candidate in _candidates(kind, definition_id, given):
        if given is not None or candidate.is_file():
            return str(candidate), _read_template(candidate)
    shipped = resources.files("thidua.workflow.papers") / "templates" / f"{kind}.docx"
    return f"(shipped) {kind}.docx", shipped.read_bytes()


def _candidates(kind: str, definition_id: str, given: str | None) -> Iterator[Path]:
    if given is not None:
        yield Path(given)
        return
    folder = os.environ.get(TEMPLATES_VARIABLE)
    if folder:
        yield Path(folder) / definition_id / f"{kind}.docx"
        yield Path(folder) / f"{kind}.docx"


def _read_template(path: Path) -> bytes:
    try:
        if path.stat().st_size > limits.WORKBOOK_MAX_BYTES:
            raise InvalidInput(_("the template {path} is larger than {size}").format(
                path=path, size=limits.size_text(limits.WORKBOOK_MAX_BYTES)))
        content = path.read_bytes()[: limits.WORKBOOK_MAX_BYTES + 1]
    except FileNotFoundError:
        raise NotFound(_("no template {path}").format(path=path)) from None
    except OSError as exc:
        raise InvalidInput(_("cannot read the template {path}: {strerror}").format(
            path=path, strerror=exc.strerror)) from None
    sheets.unpacked(io.BytesIO(content), str(path), _("a Word document (.docx)"))
    return content


def _clean(value: Any) -> Any:
    """Every text in ``value`` with its control and format characters escaped (line breaks
    kept): a stored name cannot break the document's XML."""
    if isinstance(value, str):
        return escape(value, "\n")
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def fill(template: bytes, data: dict[str, Any], origin: str) -> bytes:
    """``template`` filled with ``data`` in a sandbox (a template may come from anyone who
    can write the templates folder), every value escaped for XML."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    out = io.BytesIO()
    try:
        document = DocxTemplate(io.BytesIO(template))
        document.render(_clean(data), SandboxedEnvironment(autoescape=True), autoescape=True)
        document.save(out)
    except TemplateError as exc:
        raise InvalidInput(_("the template {origin} cannot be filled: {problem}").format(
            origin=origin, problem=exc)) from None
    # A hostile template can break python-docx or lxml in ways they do not list.
    except Exception as exc:
        raise InvalidInput(_("the template {origin} is not a Word template thidua can fill "
                             "({problem})").format(
                                 origin=origin,
                                 problem=f"{type(exc).__name__}: {str(exc)[:120]}")) from None
    return out.getvalue()


@dataclass(frozen=True)
class Attach:
    """Attach the rendered document to the step that takes it now, with these."""

    actor: str | None = None
    inputs: dict[str, Any] | None = None
    unit: str | None = None
    reason: str | None = None
    occurred_at: str | None = None
    request_id: str | None = None


def render(db: Database, kind: str, cycle_id: int, path: str, *,
           template: str | None = None, attach: Attach | None = None) -> Rendered:
    """Write the document ``kind`` of cycle ``cycle_id`` to ``path`` (whole or not at all);
    with ``attach``, record the step that takes it in the same command, citing it: when the
    step is refused, no file is written either."""
    view = show(db, cycle_id)
    loaded = definition_for(db, cycle_id)
    origin, source = template_for(kind, loaded.definition.id, template)
    data = paper_data.paper(kind, cycle_report(db, cycle_id, "vi"), view.facts,
                            loaded.definition, db.zone)
    content = fill(source, data, origin)
    fired: list[Fired] = []

    def write(file: BinaryIO) -> None:
        file.write(content)
        file.flush()
        if attach is not None:
            fired.append(_attach(db, cycle_id, kind, path, file.name, len(content), attach))

    write_file(path, write)
    return Rendered(path, kind, origin, len(content), fired[0] if fired else None)


def _attach(db: Database, cycle_id: int, kind: str, path: str, written: str, size: int,
            attach: Attach) -> Fired:
    """Fire the step possible now that takes a document as the input ``kind`` fills."""
    name = INPUT_OF[kind]
    steps = [o.trigger for o in why(db, cycle_id, actor=attach.actor)
             if _takes_document(db, cycle_id, o.trigger, name)]
    if not steps:
        raise InvalidInput(_("no step of cycle {cycle} possible now takes a document {name!r}; "
                             "render it without --attach").format(cycle=cycle_id, name=name))
    document = Attachment(Path(path).name, path=written, size=size)
    inputs = dict(attach.inputs or {})
    if name in inputs:
        raise InvalidInput(_("the input {name!r} is the rendered document: do not give "
                             "it").format(name=name))
    inputs[name] = [document] if _input_type(db, cycle_id, steps[0], name) == "documents" \
        else document
    return fire(db, cycle_id, steps[0], actor=attach.actor, inputs=inputs, unit=attach.unit,
                reason=attach.reason, occurred_at=attach.occurred_at,
                request_id=attach.request_id)


def _input_type(db: Database, cycle_id: int, trigger: str, name: str) -> str | None:
    definition = definition_for(db, cycle_id).definition
    for step in definition.transitions:
        if step.trigger == trigger and name in step.inputs:
            return step.inputs[name].type
    return None


def _takes_document(db: Database, cycle_id: int, trigger: str, name: str) -> bool:
    return _input_type(db, cycle_id, trigger, name) in ("document", "documents")
