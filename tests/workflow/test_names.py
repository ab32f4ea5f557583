"""Names are one thing: one Unicode form at the boundary, nothing hidden, bounded, escaped
when shown; the services' public functions check them as the command line does."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from tests.cli.helpers import start
from tests.conftest import CLUSTER, SECRETARY
from thidua.workflow import names
from thidua.workflow.errors import InvalidInput, NotFound
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import list_cycles, todo

NFD = unicodedata.normalize("NFD", "Bắc Ninh")


def test_a_name_typed_in_nfd_is_stored_in_nfc() -> None:
    """Combining accents and precomposed letters give the same name."""
    assert NFD != "Bắc Ninh"
    assert names.name(NFD) == "Bắc Ninh"


def test_white_space_inside_a_name_is_one_space() -> None:
    """Runs of spaces and no-break spaces collapse; white space around a name goes."""
    assert names.name("  Bắc\u00a0 Ninh ") == "Bắc Ninh"


@pytest.mark.attack
@pytest.mark.parametrize(("text", "code"), [
    ("Bắc\x1b[2KNinh", "U+001B"), ("Bắc\u200bNinh", "U+200B"), ("\ufeffBắc Ninh", "U+FEFF"),
    ("Bắc\u202eNinh", "U+202E"), ("Bắc\u2066Ninh", "U+2066"), ("Bắc\x9bNinh", "U+009B"),
    ("Bắc\nNinh", "U+000A"), ("Bắc\u2028Ninh", "U+2028"),
])
def test_hidden_characters_are_refused_in_names(text: str, code: str) -> None:
    """Controls, zero-width characters, the BOM and bidi overrides are refused, by code."""
    with pytest.raises(InvalidInput, match=re.escape(f"unit contains {code}")):
        names.name(text, "unit")


@pytest.mark.attack
@pytest.mark.parametrize("text", ["", "   ", "\u3164", "\u00a0\u2800"])
def test_an_empty_name_is_refused(text: str) -> None:
    """Nothing, white space or blank letters alone is no name."""
    with pytest.raises(InvalidInput, match="person is empty"):
        names.name(text, "person")


@pytest.mark.attack
def test_a_100_kb_name_is_refused() -> None:
    """A name is at most 200 characters; the limit is counted in code, in characters."""
    assert names.name("ư" * 200) == "ư" * 200
    with pytest.raises(InvalidInput, match="102400 characters long: at most 200"):
        names.name("x" * 102400)


@pytest.mark.attack
@pytest.mark.parametrize(("text", "problem"), [
    ("r\x1b[2K\rledger intact: 0 events", "U+001B"), ("\u200b\u200b", "U+200B"),
    ("đúng\u202eusuoh", "U+202E"), ("  \n\t ", "reason is empty"), ("x" * 2001, "at most 2000"),
])
def test_bad_reasons_are_refused(text: str, problem: str) -> None:
    """A reason may span lines, but holds nothing hidden, something visible, 2,000 at most."""
    with pytest.raises(InvalidInput, match=re.escape(problem)):
        names.reason(text)


def test_a_reason_may_span_lines() -> None:
    """Line breaks and tabs stay in a reason; Windows line ends become one."""
    assert names.reason(" thiếu\r\nxác nhận\t(bản 2) ") == "thiếu\nxác nhận\t(bản 2)"
    assert names.reason(None) is None


def test_escape_shows_hidden_characters() -> None:
    """Escapes as Python writes them; Vietnamese text is left as it is."""
    assert names.escape("a\x1b[2K\rb\u200bc\u202ed\x9b") == "a\\x1b[2K\\rb\\u200bc\\u202ed\\x9b"
    assert names.escape("Bắc Ninh") == "Bắc Ninh"
    assert names.escape(None) == ""


def test_suggestions_ignore_accents() -> None:
    """A name typed without accents finds the accented one."""
    assert names.suggest("Cum 5", ["Cụm 5", "Cụm 12", "Khối 1"])[0] == "Cụm 5"
    assert names.did_you_mean("zzz", ["Cụm 5"]) == ""


@pytest.mark.attack
def test_nfd_twins_are_one_record(populated: Database) -> None:
    """A unit or person typed in NFD is the record stored in NFC: no second unit, no second
    person, and lookups in either form find it."""
    directory.add_cluster(populated, "Cụm 6", members=[NFD], head=None, deputy=None,
                          period=2023, joined_on=dt.date(2023, 1, 1))
    view = directory.show_cluster(populated, unicodedata.normalize("NFD", "Cụm 6"))
    assert view.members == ["Bắc Ninh"]
    with pytest.raises(InvalidInput, match="already registered"):
        directory.add_actor(populated, unicodedata.normalize("NFD", SECRETARY), unit_name=None)
    with pytest.raises(InvalidInput, match="already exists"):
        directory.add_cluster(populated, unicodedata.normalize("NFD", CLUSTER), members=["X"],
                              head=None, deputy=None, period=2023,
                              joined_on=dt.date(2023, 1, 1))
    assert sorted(identity.people(populated)).count(SECRETARY) == 1


@pytest.mark.attack
def test_the_python_api_is_a_boundary_too(populated: Database) -> None:
    """The services refuse what the command line refuses, before anything is written."""
    with pytest.raises(InvalidInput, match=re.escape("U+200B")):
        directory.add_actor(populated, "Lê\u200b Anh", unit_name=None)
    with pytest.raises(InvalidInput, match=re.escape("U+001B")):
        identity.grant(populated, SECRETARY, "secretariat\x1b", cluster_name=CLUSTER)
    cycle_id = start(populated)
    with pytest.raises(InvalidInput, match=re.escape("U+202E")):
        fire(populated, cycle_id, "launch", actor="Đào Anh Dũng",
             inputs={"plan": "Kế hoạch\u202e"}, occurred_at="2023-01-16")
    with pytest.raises(InvalidInput, match=re.escape("U+200B")):
        fire(populated, cycle_id, "launch", actor="Đào Anh Dũng", inputs={"plan": "Kế hoạch"},
             reason="\u200b ", occurred_at="2023-01-16")
    with pytest.raises(InvalidInput, match="at most 10000"):
        fire(populated, cycle_id, "launch", actor="Đào Anh Dũng",
             inputs={"plan": "x" * 10001}, occurred_at="2023-01-16")


def test_a_step_typed_in_nfd_is_taken(populated: Database) -> None:
    """Names in the step's arguments, typed in NFD, find the records stored in NFC."""
    cycle_id = start(populated)
    fired = fire(populated, cycle_id, "launch", actor=unicodedata.normalize("NFD", "Đào Anh Dũng"),
                 inputs={"plan": unicodedata.normalize("NFD", "Kế hoạch")},
                 occurred_at="2023-01-16")
    assert fired.to_state == "launched"


@pytest.mark.attack
def test_filters_that_name_nothing_are_not_found(populated: Database) -> None:
    """A cluster or person that does not exist is not found, with the closest names."""
    with pytest.raises(NotFound, match="did you mean: 'Cụm 5'"):
        list_cycles(populated, cluster="Cum 5")
    with pytest.raises(NotFound, match="did you mean: 'Cao Văn Thắng'"):
        todo(populated, actor="Cao Van Thang")
