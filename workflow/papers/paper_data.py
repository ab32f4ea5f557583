"""What each Word document says, taken from a cycle's records: the data a template is filled
with. Meeting records are read defensively: a field a definition does not record is left
empty, and a field recorded in another shape (a text or a list, a text or a document) is
shown as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from thidua.workflow.timeutil import business_day

Data = dict[str, Any]


def paper_date(day: dt.date | None) -> str:
    """``ngày 29 tháng 6 năm 2023`` as administrative papers write it (days 1–9 and months 1–2
    with a leading zero); dots when there is no date yet."""
    if day is None:
        return "ngày ... tháng ... năm ..."
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def span(first: dt.date | None, last: dt.date | None) -> str:
    """A meeting's days: ``28–29/6/2023``, or one day."""
    if first is None:
        return ""
    last = last or first
    end = f"{last.day}/{last.month}/{last.year}"
    if first == last:
        return end
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{end}"
    return f"{first.day}/{first.month}–{end}"


def as_list(value: Any) -> list[str]:
    """A recorded value as a list of texts (one text, a list, a document's name)."""
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else [value]
    return [item.get("name", "") if isinstance(item, dict) else str(item) for item in items]


def as_text(value: Any) -> str:
    """A recorded value as one text (a list joined, a document by its name)."""
    return "; ".join(as_list(value))


def _day(value: Any, zone: dt.tzinfo) -> dt.date | None:
    if not value:
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return dt.date.fromisoformat(value)
        return business_day(value, zone)
    except (TypeError, ValueError):
        return None


def _place_name(place: str) -> str:
    """``Bắc Ninh`` for ``tỉnh Bắc Ninh``: the place line of a paper names the place alone."""
    for prefix in ("tỉnh ", "thành phố ", "TP ", "TP. "):
        if place.startswith(prefix):
            return place[len(prefix):]
    return place


def _person(text: str) -> str:
    """The name in ``Đào Anh Dũng, Chủ tịch ...``."""
    return text.split(",", 1)[0].strip()


def meeting(fact: Any, zone: dt.tzinfo) -> Data:
    """A meeting as the minutes tell it, from the fact its step recorded."""
    fact = fact if isinstance(fact, dict) else {}
    first = _day(fact.get("starts_on"), zone) or _day(fact.get("occurred_at"), zone)
    last = _day(fact.get("ends_on"), zone) or first
    return {"place": as_text(fact.get("place")), "dates": span(first, last), "last_day": last,
            "chair": as_text(fact.get("chaired_by")),
            "secretary": as_text(fact.get("secretary")),
            "presenters": as_list(fact.get("presented_by")),
            "speakers": as_list(fact.get("speakers")),
            "attendees": as_list(fact.get("attending_people")),
            "units": as_list(fact.get("attending_units")),
            "minutes": "" if isinstance(fact.get("minutes"), dict | list)
            else as_text(fact.get("minutes")),
            "tasks": as_list(fact.get("second_half_tasks")) + as_list(fact.get("decisions")),
            "leaving": as_list(fact.get("leaving"))}


def candidates(report: Data) -> list[Data]:
    """The candidates proposed (units, then persons), each with its award and its grounds:
    rank, score and votes of a unit, the achievements given, the council's vote."""
    ranked = {r["unit"]: r for r in report["scoreboard"]}
    ballot = report["ballot"] or {}
    votes = {c["unit"]: c["votes"] for c in ballot.get("candidates", [])}
    members = len(report["cycle"]["members"])
    found = []
    for proposal in report["proposals"]:
        unit, grounds = proposal["unit"], []
        if unit in ranked:
            grounds.append(f"xếp thứ {ranked[unit]['rank']}/{len(ranked)}, "
                           f"{ranked[unit]['total']:g} điểm")
        if unit in votes:
            grounds.append(f"{votes[unit]}/{members} phiếu bầu")
        if proposal.get("achievements"):
            grounds.append(as_text(proposal["achievements"]))
        council = proposal.get("council") or {}
        found.append({"unit": unit, "award": proposal["label"], "award_id": proposal["award"],
                      "kind": proposal.get("kind", "unit"), "of_unit": proposal.get("of_unit"),
                      "accepted": council.get("accepted") if council else None,
                      "grounds": "; ".join(grounds) or "theo đề nghị của cụm"})
    return found


def _midyear(base: Data, facts: Data, zone: dt.tzinfo) -> Data:
    held = meeting(facts.get("midyear_minutes"), zone)
    handover = facts.get("leadership_handover") or {}
    held["leaving"] = held["leaving"] or as_list(handover.get("leaving"))
    reports = [{"unit": unit, "summary": as_text(fact.get("summary"))}
               for unit, fact in sorted((facts.get("midyear_report") or {}).items())
               if isinstance(fact, dict)]
    return {"meeting": held, "reports": reports, "leaving": held["leaving"],
            "members": held["units"] or base["members"],
            "day": held["last_day"], "place": held["place"], "number": "…/BB",
            "subtitle": f"Hội nghị sơ kết công tác thi đua 6 tháng đầu năm {base['period']} "
                        f"của {base['cluster']}",
            "recipients": [f"Các đơn vị thành viên {base['cluster']}"],
            "signer_title": "CHỦ TRÌ HỘI NGHỊ", "signer_name": _person(held["chair"])}


def _yearend(base: Data, facts: Data, zone: dt.tzinfo) -> Data:
    ballot = facts.get("ballot") or {}
    held = meeting(facts.get("yearend_minutes") or ballot, zone)
    return {"meeting": held, "scoreboard": base["report"]["scoreboard"],
            "members": held["units"] or base["members"],
            "ballot": base["report"]["ballot"], "candidates": base["candidates"],
            "next_head": as_text(ballot.get("next_head")),
            "next_deputy": as_text(ballot.get("next_deputy")) or "…",
            "day": held["last_day"], "place": held["place"], "number": "…/BB",
            "subtitle": f"Hội nghị tổng kết công tác thi đua năm {base['period']} "
                        f"của {base['cluster']}",
            "recipients": [f"Các đơn vị thành viên {base['cluster']}", base["recipient"]],
            "signer_title": "TM. CỤM THI ĐUA\nCỤM TRƯỞNG", "signer_name": held["chair"] and
            _person(held["chair"])}


def _submission(base: Data, facts: Data, zone: dt.tzinfo) -> Data:
    dossier = facts.get("dossier") or {}
    return {"day": _day(dossier.get("occurred_at"), zone), "place": "", "number": "…/TTr",
            "subtitle": f"Về việc đề nghị khen thưởng năm {base['period']}",
            "recipients": [base["recipient"]],
            "signer_title": "TM. CỤM THI ĐUA\nCỤM TRƯỞNG", "signer_name": ""}


def _candidates(base: Data, facts: Data, zone: dt.tzinfo) -> Data:
    whom = ("Tập thể và cá nhân" if any(c["kind"] == "person" for c in base["candidates"])
            else "Tập thể")
    return {**_submission(base, facts, zone), "number": "…/DS",
            "subtitle": f"{whom} được đề nghị khen thưởng năm {base['period']}"}


def _decision(base: Data, facts: Data, zone: dt.tzinfo) -> Data:
    decision = facts.get("decision") or {}
    awarded = _awarded(base)
    return {"day": _day(decision.get("date"), zone), "place": "Hà Nội",
            "number": as_text(decision.get("number")) or "…/QĐ",
            "organisation": (base["level"] or base["cluster"]).upper(),
            "candidates": awarded,
            "subtitle": f"Về việc tặng thưởng thi đua năm {base['period']}",
            "recipients": ["Như Điều 3", f"Các đơn vị thành viên {base['cluster']}"],
            "signer_title": as_text(decision.get("signer")).upper() or "CHỦ TỊCH",
            "signer_name": ""}


def _awarded(base: Data) -> list[Data]:
    """Who the decision awards: its award lines once it is issued; before, the candidates the
    council accepted (all of them while it has not voted)."""
    lines = base["report"].get("awards") or []
    if lines:
        labels = {c["award_id"]: c["award"] for c in base["candidates"]}
        return [{"unit": line["candidate"],
                 "award": labels.get(line["award"], line.get("award_label") or line["award"])}
                for line in lines]
    voted = [c for c in base["candidates"] if c["accepted"] is not None]
    chosen = [c for c in voted if c["accepted"]] if voted else base["candidates"]
    return [{"unit": c["unit"], "award": c["award"]} for c in chosen]


KINDS: dict[str, Callable[[Data, Data, dt.tzinfo], Data]] = {
    "minutes-midyear": _midyear, "minutes-yearend": _yearend, "submission": _submission,
    "candidates": _candidates, "decision": _decision,
}


def paper(kind: str, report: Data, facts: Data, definition: Any, zone: dt.tzinfo) -> Data:
    """Everything the template of ``kind`` is filled with, for the cycle ``report`` and
    ``facts`` describe (``report`` as :func:`workflow.services.report.cycle_report` gives it
    in Vietnamese)."""
    cycle = report["cycle"]
    awards = [definition.awards[p["award"]] for p in report["proposals"]
              if p["award"] in definition.awards]
    level = awards[0].level if awards and getattr(awards[0], "level", None) else ""
    base: Data = {
        "cluster": cycle["cluster"], "period": cycle["period"], "members": cycle["members"],
        "organisation": cycle["cluster"].upper(), "legal_basis": list(definition.legal_basis),
        "level": level, "report": report, "candidates": candidates(report),
        "recipient": f"Hội đồng Thi đua – Khen thưởng {level}".strip(),
    }
    data = {**base, **KINDS[kind](base, facts, zone)}
    data["place_date"] = f"{_place_name(data['place']) or '…'}, {paper_date(data['day'])}"
    return data
