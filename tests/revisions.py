"""Revised copies of the shipped annual definition, as an administrator would write them."""

from __future__ import annotations

import re
from pathlib import Path

from thidua.workflow.language.loader import shipped_dir

SHIPPED = shipped_dir() / "ccb-cluster-annual.yaml"
V1 = "ccb-cluster-annual@2023.1"

# A small definition that lints clean and whose scenario passes; tests edit it.
MINI = """\
id: mini-cycle
version: "1"
title: {vi: "Chu kỳ nhỏ", en: "Small cycle"}
effective_from: 2024-01-01
roles: [secretariat, member_unit, council]
start_roles: [secretariat]
parameters:
  quorum: {type: fraction, value: 0.5, basis: "Quy chế cụm", effective_from: 2024-01-01}
awards:
  co_thi_dua: {kind: title, label: {vi: "Cờ thi đua", en: "Emulation flag"}}
states:
  - {name: open, initial: true, due: "03-31", label: {vi: "Đăng ký", en: "Registration"}}
  - {name: review, due: "12-20", label: {vi: "Xét duyệt", en: "Review"}}
  - {name: closed, final: true, label: {vi: "Đã khóa sổ", en: "Closed"}}
transitions:
  - trigger: register
    source: open
    roles: [member_unit]
    label: {vi: "Đăng ký", en: "Register"}
    records: registration
    per_unit: true
    inputs:
      titles_sought: {type: list, choices: ["Cờ thi đua"], label: {vi: "Danh hiệu", en: "Titles"}}
  - trigger: submit
    source: open
    dest: review
    roles: [secretariat]
    label: {vi: "Gửi hồ sơ", en: "Submit"}
  - trigger: return_dossier
    source: review
    dest: open
    roles: [council]
    reason_required: true
    label: {vi: "Trả lại hồ sơ", en: "Return the dossier"}
  - trigger: decide
    source: review
    dest: closed
    roles: [council]
    label: {vi: "Quyết định", en: "Decide"}
    records: decision
    inputs:
      award: {type: award, label: {vi: "Khen thưởng", en: "Award"}}
scenarios:
  - name: happy path
    setup:
      period: 2024
      members: ["Hà Nội"]
      people:
        - {name: "Thư ký", roles: [secretariat]}
        - {name: "Hội đồng", roles: [council]}
      start: {as: "Thư ký"}
    steps:
      - {as: "Thư ký", fire: submit, expect_state: review}
      - {as: "Hội đồng", fire: decide, inputs: {award: co_thi_dua}, expect_state: closed}
"""


def revise(text: str, *edits: tuple[str, str]) -> str:
    """``text`` with each ``(old, new)`` applied; ``old`` must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


def version_2(folder: Path, *, effective: str = "2024-01-01", rename: bool = True,
              label: str = "2024.1") -> Path:
    """The shipped definition as version ``label``, effective from ``effective``; with
    ``rename`` its state ``first_half`` is called ``implementation``."""
    text = revise(SHIPPED.read_text(encoding="utf-8"),
                  ('version: "2023.1"', f'version: "{label}"'),
                  ("effective_from: 2023-01-01\nlegal_basis", f"effective_from: {effective}\n"
                                                              "legal_basis"),
                  ('en: "Launch the plan"', 'en: "Launch the year\'s plan"'))
    if rename:
        text = re.sub(r"\bfirst_half\b", "implementation", text)
    path = folder / f"annual-{label}.yaml"
    path.write_text(text, encoding="utf-8")
    return path
