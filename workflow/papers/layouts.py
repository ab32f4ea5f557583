"""The shipped Word templates, written by this script so that they can be reviewed as text:
``python -m thidua.workflow.papers.layouts DIR`` writes one ``KIND.docx`` per kind into DIR
(the package keeps them in ``templates/``). An administrator may edit the written files in
Word; the ``{{ ... }}`` and ``{%p ... %}`` tags are Jinja, filled by ``thidua doc render``.

Every template has the layout of an administrative paper: the organisation and the number on
the left, the national motto and the place and date on the right, the title, the body, the
recipients (Nơi nhận) and the signature block."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# A body line: (style, text). Styles: "h" a heading, "p" a paragraph, "i" an item of a list
# (its text runs inside a paragraph-level loop written around it), "tag" a Jinja line alone.
Line = tuple[str, str]

BODIES: dict[str, list[Line]] = {
    "minutes-midyear": [
        ("p", "Thời gian: {{ meeting.dates }}."),
        ("p", "Địa điểm: {{ meeting.place }}."),
        ("p", "Chủ trì: {{ meeting.chair }}."),
        ("tag", "{%p if meeting.secretary %}"),
        ("p", "Thư ký: {{ meeting.secretary }}."),
        ("tag", "{%p endif %}"),
        ("p", "Thành phần: đại diện các đơn vị thành viên {{ members | join(', ') }}."),
        ("tag", "{%p if meeting.attendees %}"),
        ("p", "Đại biểu dự: {{ meeting.attendees | join('; ') }}."),
        ("tag", "{%p endif %}"),
        ("h", "I. KẾT QUẢ THI ĐUA 6 THÁNG ĐẦU NĂM {{ period }}"),
        ("tag", "{%p if meeting.presenters %}"),
        ("p", "{{ meeting.presenters | join('; ') }} trình bày báo cáo kết quả công tác thi đua,"
              " khen thưởng 6 tháng đầu năm {{ period }}."),
        ("tag", "{%p endif %}"),
        ("tag", "{%p for r in reports %}"),
        ("i", "- {{ r.unit }}: {{ r.summary }}"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p if meeting.speakers %}"),
        ("p", "Ý kiến phát biểu:"),
        ("tag", "{%p for s in meeting.speakers %}"),
        ("i", "- {{ s }}"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p endif %}"),
        ("p", "{{ meeting.minutes }}"),
        ("h", "II. NHIỆM VỤ 6 THÁNG CUỐI NĂM {{ period }}"),
        ("tag", "{%p for t in meeting.tasks %}"),
        ("i", "{{ loop.index }}. {{ t }}"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p if leaving %}"),
        ("h", "III. CHIA TAY CÁC ĐƠN VỊ RỜI CỤM"),
        ("p", "Cụm chia tay các đơn vị: {{ leaving | join(', ') }}."),
        ("tag", "{%p endif %}"),
        ("p", "Biên bản được thông qua tại hội nghị."),
    ],
    "minutes-yearend": [
        ("p", "Thời gian: {{ meeting.dates }}."),
        ("p", "Địa điểm: {{ meeting.place }}."),
        ("p", "Chủ trì: {{ meeting.chair }}."),
        ("p", "Thành phần: đại diện các đơn vị thành viên {{ members | join(', ') }}."),
        ("h", "I. KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA NĂM {{ period }}"),
        ("tag", "{%p for r in scoreboard %}"),
        ("i", "{{ r.rank }}. {{ r.unit }}: {{ r.total }} điểm"),
        ("tag", "{%p endfor %}"),
        ("h", "II. KẾT QUẢ BỎ PHIẾU KÍN"),
        ("tag", "{%p if ballot %}"),
        ("p", "Số phiếu phát ra: {{ ballot.ballots_issued }}; số phiếu thu về: "
              "{{ ballot.ballots_returned }}; số phiếu hợp lệ: {{ ballot.ballots_valid }}; "
              "số phiếu cần đạt: {{ ballot.needed }}/{{ ballot.members }} đơn vị."),
        ("tag", "{%p for c in ballot.candidates %}"),
        ("i", "- {{ c.unit }}: {{ c.votes }} phiếu{{ ' (đạt)' if c.passed else '' }}"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p else %}"),
        ("p", "Chưa kiểm phiếu."),
        ("tag", "{%p endif %}"),
        ("h", "III. ĐỀ NGHỊ KHEN THƯỞNG"),
        ("tag", "{%p for c in candidates %}"),
        ("i", "- {{ c.unit }}: {{ c.award }}"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p if next_head %}"),
        ("h", "IV. BẦU CỤM TRƯỞNG, CỤM PHÓ NĂM {{ period + 1 }}"),
        ("p", "Cụm trưởng: {{ next_head }}; cụm phó: {{ next_deputy }}."),
        ("tag", "{%p endif %}"),
        ("p", "Biên bản được thông qua tại hội nghị."),
    ],
    "submission": [
        ("p", "Căn cứ {{ legal_basis | join('; ') }};"),
        ("p", "Căn cứ kết quả chấm điểm, xếp hạng và bỏ phiếu kín tại hội nghị tổng kết "
              "công tác thi đua năm {{ period }} của {{ cluster }},"),
        ("p", "{{ cluster }} kính trình {{ recipient }} xem xét, khen thưởng:"),
        ("tag", "{%p for c in candidates %}"),
        ("i", "{{ loop.index }}. {{ c.award }}: {{ c.unit }} ({{ c.grounds }})"),
        ("tag", "{%p endfor %}"),
        ("p", "Hồ sơ kèm theo: biên bản hội nghị tổng kết, báo cáo thành tích của các đơn vị."),
        ("p", "Kính trình {{ recipient }} xem xét, quyết định."),
    ],
    "candidates": [
        ("p", "(Kèm theo Tờ trình của {{ cluster }} đề nghị khen thưởng năm {{ period }})"),
        ("tag", "{%p for c in candidates %}"),
        ("i", "{{ loop.index }}. {{ c.unit }} — {{ c.award }}"),
        ("i", "Căn cứ: {{ c.grounds }}"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p if not candidates %}"),
        ("p", "Chưa có đơn vị được đề nghị."),
        ("tag", "{%p endif %}"),
    ],
    "decision": [
        ("p", "Căn cứ {{ legal_basis | join('; ') }};"),
        ("p", "Xét đề nghị của {{ cluster }} và của Hội đồng Thi đua – Khen thưởng,"),
        ("h", "QUYẾT ĐỊNH:"),
        ("p", "Điều 1. Tặng thưởng cho các tập thể có thành tích xuất sắc trong phong trào thi "
              "đua năm {{ period }}:"),
        ("tag", "{%p for c in candidates %}"),
        ("i", "- {{ c.award }}: {{ c.unit }}"),
        ("tag", "{%p endfor %}"),
        ("p", "Điều 2. Quyết định có hiệu lực kể từ ngày ký."),
        ("p", "Điều 3. Các đơn vị có tên tại Điều 1 và các cơ quan liên quan chịu trách nhiệm "
              "thi hành Quyết định này."),
    ],
}

TITLES = {
    "minutes-midyear": "BIÊN BẢN",
    "minutes-yearend": "BIÊN BẢN",
    "submission": "TỜ TRÌNH",
    "candidates": "DANH SÁCH",
    "decision": "QUYẾT ĐỊNH",
}


def build(kind: str) -> Any:
    """The template of ``kind`` as a python-docx Document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    _heading_table(doc)
    for text in (TITLES[kind], "{{ subtitle }}"):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(text).bold = True
    for style_name, text in BODIES[kind]:
        para = doc.add_paragraph()
        run = para.add_run(text)
        run.bold = style_name == "h"
    _signature_table(doc)
    return doc


def _heading_table(doc: Any) -> None:
    """The organisation and number (left), the motto and the place and date (right)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _lines(left, [("{{ organisation }}", "b"), ("Số: {{ number }}", "")],
           WD_ALIGN_PARAGRAPH.CENTER)
    _lines(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b"),
                   ("Độc lập - Tự do - Hạnh phúc", "bu"), ("{{ place_date }}", "i")],
           WD_ALIGN_PARAGRAPH.CENTER)


def _signature_table(doc: Any) -> None:
    """The recipients (left) and the signature block (right)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _lines(left, [("Nơi nhận:", "bi"), ("{%p for r in recipients %}", ""),
                  ("- {{ r }};", ""), ("{%p endfor %}", ""), ("- Lưu: VT.", "")],
           WD_ALIGN_PARAGRAPH.LEFT)
    _lines(right, [("{{ signer_title }}", "b"), ("", ""), ("", ""), ("{{ signer_name }}", "b")],
           WD_ALIGN_PARAGRAPH.CENTER)


def _lines(cell: Any, lines: list[tuple[str, str]], alignment: Any) -> None:
    first = True
    for text, marks in lines:
        para = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        para.alignment = alignment
        run = para.add_run(text)
        run.bold, run.italic, run.underline = "b" in marks, "i" in marks, "u" in marks


def write_all(folder: Path) -> list[Path]:
    """Write every kind's template into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in BODIES:
        path = folder / f"{kind}.docx"
        build(kind).save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    for done in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else
                               Path(__file__).parent / "templates")):
        print(done)
