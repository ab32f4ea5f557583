"""`thidua doc render`: Word documents filled from a cycle's records, from templates that are
reviewable (written by a script), replaceable per definition, filled in a sandbox, and
attached to their step in the same command."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import docx
import pytest

from tests.cli.helpers import advance, invoke, ok, parsed, plain_error, snapshot, start
from tests.conftest import SECRETARY, Invoke
from thidua.workflow.papers import layouts, word
from thidua.workflow.services.db import Database

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def text_of(path: Path | bytes) -> str:
    """Every paragraph of a .docx, tables included, one a line."""
    document = docx.Document(io.BytesIO(path) if isinstance(path, bytes) else str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding `thidua demo`'s cycle."""
    path = str(tmp_path_factory.mktemp("demo") / "demo.db")
    ok(invoke(path, "demo"))
    return path


@pytest.mark.parametrize("kind", word.KINDS)
def test_every_kind_renders_the_layout_of_a_paper(demo_db: str, tmp_path: Path,
                                                  kind: str) -> None:
    """Organisation, number, motto, place and date, title, recipients and signature block."""
    target = tmp_path / f"{kind}.docx"
    assert "wrote" in ok(invoke(demo_db, "doc", "render", kind, "1", "-o", str(target)))
    text = text_of(target)
    assert all(line in text for line in MOTTO)
    assert "Số: " in text and "Nơi nhận:" in text and layouts.TITLES[kind] in text
    assert "{{" not in text and "{%" not in text


def test_midyear_minutes_after_the_demo(demo_db: str, tmp_path: Path) -> None:
    """The mid-year minutes name the place and the chair, and the second-half tasks."""
    target = tmp_path / "bb.docx"
    ok(invoke(demo_db, "doc", "render", "minutes-midyear", "1", "-o", str(target)))
    text = text_of(target)
    assert "Bắc Ninh, ngày 29 tháng 6 năm 2023" in text
    assert "Chủ trì: Đào Anh Dũng" in text and "Phạm Hồng Thắng" in text
    assert "Chuẩn bị tổng kết 5 năm phong trào" in text
    assert "Cụm chia tay các đơn vị: Hội CCB tỉnh Vĩnh Phúc" in text


def test_candidates_carry_their_grounds(demo_db: str, tmp_path: Path) -> None:
    """Each candidate proposed, with its award and grounds: a unit's rank, score and votes."""
    target = tmp_path / "ds.docx"
    ok(invoke(demo_db, "doc", "render", "candidates", "1", "-o", str(target)))
    text = text_of(target)
    assert "Căn cứ: xếp thứ 1/4, 97 điểm; 4/4 phiếu bầu" in text, text
    assert "Hội viên A (minh họa) — Bằng khen\nCăn cứ: Thành tích năm 2023" in text, text


def test_the_shipped_templates_are_what_the_script_writes(tmp_path: Path) -> None:
    """The committed .docx files say what `layouts.py` writes (the script is the source)."""
    for path in layouts.write_all(tmp_path):
        origin, shipped = word.template_for(path.stem, "none")
        assert origin.startswith("(shipped)")
        assert text_of(shipped) == text_of(path), path.stem


def test_a_template_replaced_for_one_definition(demo_db: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """$THIDUA_TEMPLATES/DEFINITION-ID/KIND.docx replaces the shipped template for that
    definition's cycles; another definition's folder does not."""
    folder = tmp_path / "templates"
    (folder / "ccb-cluster-annual").mkdir(parents=True)
    (folder / "other").mkdir()
    mine = layouts.build("decision")
    mine.add_paragraph("Mẫu riêng của cụm: {{ cluster }}")
    mine.save(str(folder / "ccb-cluster-annual" / "decision.docx"))
    layouts.build("submission").save(str(folder / "other" / "submission.docx"))
    monkeypatch.setenv(word.TEMPLATES_VARIABLE, str(folder))
    target = tmp_path / "qd.docx"
    out = ok(invoke(demo_db, "doc", "render", "decision", "1", "-o", str(target)))
    assert "ccb-cluster-annual/decision.docx" in out
    assert "Mẫu riêng của cụm: Cụm thi đua số 5" in text_of(target)
    assert "(shipped)" in ok(invoke(demo_db, "doc", "render", "submission", "1",
                                    "-o", str(tmp_path / "tt.docx")))


def _template_with(paragraph: str, path: Path) -> Path:
    document = layouts.build("candidates")
    document.add_paragraph(paragraph)
    document.save(str(path))
    return path


@pytest.mark.attack
@pytest.mark.parametrize(("make", "says"), [
    (lambda p: (p.write_bytes(b"not a zip"), p)[1], "is not a Word document (.docx)"),
    (lambda p: _zip_of(p, {"hello.txt": b"x"}), "not a Word template thidua can fill"),
    (lambda p: _template_with("{{ cluster.__class__.__mro__[1].__subclasses__() }}", p),
     "cannot be filled"),
    (lambda p: _template_with("{% for x in %}", p), "cannot be filled"),
])
def test_hostile_templates_are_refused(demo_db: str, tmp_path: Path, make: object,
                                       says: str) -> None:
    """Not a ZIP, a ZIP of something else, a tag that reaches for Python's internals (the
    sandbox refuses it), a tag that does not parse: one line, exit 2, no file."""
    template = make(tmp_path / "t.docx")  # type: ignore[operator]
    target = tmp_path / "out.docx"
    assert says in plain_error(invoke(demo_db, "doc", "render", "candidates", "1",
                                      "--template", str(template), "-o", str(target)), 2)
    assert not target.exists()


def _zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.mark.attack
def test_a_stored_control_character_does_not_break_the_document(
        cli: Invoke, populated: Database, tmp_path: Path) -> None:
    """A meeting place holding an escape and a NUL (forged in the database) is written
    escaped: the document opens and holds no control character."""
    from sqlalchemy import text

    cycle_id = start(populated)
    advance(populated, cycle_id, until="hand_over")
    forged = '"Bắc\\u001b[2K\\u0000Ninh"'
    with populated.engine.begin() as conn:
        facts = conn.execute(text("SELECT facts FROM cycles")).scalar_one()
        conn.execute(text("UPDATE cycles SET facts = :f"),
                     {"f": facts.replace('"place": "Bắc Ninh"', f'"place": {forged}')
                      .replace('"place":"Bắc Ninh"', f'"place":{forged}')})
    target = tmp_path / "bb.docx"
    ok(cli("doc", "render", "minutes-midyear", str(cycle_id), "-o", str(target)))
    content = text_of(target)
    assert "Bắc\\x1b[2K\\x00Ninh" in content and "\x1b" not in content


def test_attach_records_the_step_citing_the_document(cli: Invoke, populated: Database,
                                                     tmp_path: Path) -> None:
    """`--attach` renders the submission and records submit_proposal with it (the other
    dossier papers given with -i): the ledger cites its hash, `doc get` gives its bytes."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="submit_proposal")
    paper = tmp_path / "thanh-tich.txt"
    paper.write_text("Báo cáo thành tích", encoding="utf-8")
    target = tmp_path / "to-trinh.docx"
    done = parsed(cli("doc", "render", "submission", str(cycle_id), "-o", str(target),
                      "--attach", "-i", f"minutes=@{paper}", "-i",
                      f"achievement_reports=@{paper}", "--as", SECRETARY, json=True))
    assert done["fired"]["trigger"] == "submit_proposal"
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    event = parsed(cli("audit", "log", "--limit", "1", json=True))[-1]
    assert event["inputs"]["submission"] == {"name": "to-trinh.docx", "sha256": digest,
                                             "size": target.stat().st_size}
    assert digest in event["documents"]
    assert hashlib.sha256(cli("doc", "get", digest).stdout_bytes).hexdigest() == digest
    assert "ledger intact" in ok(cli("audit", "verify"))


def test_a_refused_attach_writes_nothing(cli: Invoke, populated: Database,
                                         tmp_path: Path) -> None:
    """A step refused (its other inputs missing) or no step taking the document: exit 1 or
    2, no file, no event."""
    cycle_id = start(populated)
    advance(populated, cycle_id, until="submit_proposal")
    target = tmp_path / "to-trinh.docx"
    before = snapshot(cli, cycle_id)
    assert "missing input 'minutes'" in plain_error(
        cli("doc", "render", "submission", str(cycle_id), "-o", str(target), "--attach",
            "--as", SECRETARY), 2)
    assert "no step of cycle" in plain_error(
        cli("doc", "render", "candidates", str(cycle_id), "-o", str(target), "--attach",
            "--as", SECRETARY), 2)
    assert not target.exists() and not list(tmp_path.glob("*.partial"))
    assert snapshot(cli, cycle_id) == before
    assert "go with --attach" in plain_error(
        cli("doc", "render", "submission", str(cycle_id), "--as", SECRETARY), 2)
