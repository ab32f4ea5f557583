"""Look-alike names: a person, unit or cluster whose name passes for one already registered —
a Cyrillic or Greek letter in a Latin word, a fullwidth letter, ``l`` for ``I`` — is refused
(exit 2) naming the one already there; Vietnamese names with every tone mark stay welcome."""

from __future__ import annotations

import pytest

from tests.attack.processes import events
from tests.cli.helpers import invoke, ok, plain_error
from tests.conftest import CLUSTER, SECRETARY
from thidua.workflow.services.db import Database

pytestmark = pytest.mark.attack

PERSON = "Lê Anh Thư"  # registered by the fixture, of Vĩnh Phúc

# (what is typed, the name already registered that it passes for)
PEOPLE = [
    ("L\u0435 Anh Thư", "Le Anh Thư"),            # Cyrillic е
    ("\uff2cê Anh Thư", PERSON),                    # fullwidth L
    ("Lê \u0391nh Thư", PERSON),                    # Greek Alpha
    ("\u0421ao Văn Thắng", SECRETARY),              # a whole Cyrillic word: Сао
]


def test_cyrillic_unit_does_not_join_as_a_second_member(sqlite_db: Database) -> None:
    """``Hà Nộі`` with a Cyrillic і does not join Cluster 5 beside Hà Nội; nothing recorded."""
    before = events(sqlite_db)
    line = plain_error(invoke(sqlite_db.url, "cluster", "member", "add", CLUSTER,
                              "Hà Nộ\u0456", "--on", "2024-03-01"), 2)
    assert "looks like 'Hà Nội', already registered" in line
    assert events(sqlite_db) == before


@pytest.mark.parametrize(("typed", "existing"), PEOPLE,
                         ids=["cyrillic-e", "fullwidth-L", "greek-alpha", "cyrillic-word"])
def test_lookalike_person_is_refused_naming_the_one_there(sqlite_db: Database, typed: str,
                                                         existing: str) -> None:
    """A person whose name passes for a registered one: exit 2 naming it, nothing recorded."""
    ok(invoke(sqlite_db.url, "actor", "add", "Le Anh Thư"))  # Lê Anh Thư is registered
    before = events(sqlite_db)
    line = plain_error(invoke(sqlite_db.url, "actor", "add", typed), 2)
    assert f"looks like {existing!r}, already registered" in line
    assert events(sqlite_db) == before


def test_lookalike_cluster_and_latin_confusables(sqlite_db: Database) -> None:
    """``Cụm 5`` written ``Cụrn 5`` (r n for m) and ``Khối l`` beside ``Khối I`` are refused."""
    ok(invoke(sqlite_db.url, "cluster", "add", "Khối I", "-m", "Hà Nội"))
    for typed, existing in (("Cụrn 5", CLUSTER), ("Khối l", "Khối I"), ("Khối 1", "Khối I")):
        line = plain_error(invoke(sqlite_db.url, "cluster", "add", typed, "-m", "Hà Nội"), 2)
        assert f"looks like {existing!r}" in line


@pytest.mark.parametrize(("typed", "why"), [
    ("\uff2cý Thị Mai", "U+FF2C (fullwidth latin capital letter l), a compatibility form: "
                       "type it 'Lý Thị Mai'"),
    ("Ly \u0422hi Mai", "U+0422 (cyrillic capital letter te) in 'Тhi'"),
    ("Đội \u0663", "U+0663 (arabic-indic digit three)"),
    ("\u4e2d Mai", "U+4E2D"),
])
def test_new_names_are_plainly_latin(sqlite_db: Database, typed: str, why: str) -> None:
    """A new name with a compatibility form, or a letter or digit not Latin, is refused with
    the character, even when nothing looks like it yet."""
    line = plain_error(invoke(sqlite_db.url, "actor", "add", typed), 2)
    assert why in line


@pytest.mark.parametrize("name", [
    "Nguyễn Thị Hường", "Đặng Văn Ơn", "Trần Quốc Toản", "Hồ Xuân Hương", "Lê Anh Thứ",
    "Ông Ích Khiêm", "H'Hen Niê", "Y-Moan Ênuôl", "Cao Văn Thắng 2",
])
def test_vietnamese_names_stay_allowed(sqlite_db: Database, name: str) -> None:
    """Vietnamese names, tone marks and Đ included, are registered as typed."""
    assert ok(invoke(sqlite_db.url, "actor", "add", name)).startswith(f"registered {name}")
