"""The safe YAML reader: YAML 1.2 booleans, no duplicate keys, a line for every value."""

from __future__ import annotations

import pytest

from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language.reader import read_yaml

FILE = "cluster.yaml"

NESTED = """\
# a comment first
id: mini
title:
  vi: "Chu kỳ"
  en: "Cycle"
states:
  - name: open
    initial: true
  - {name: closed, final: true}
"""


def _refusal(text: str) -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as refused:
        read_yaml(text, FILE)
    return refused.value


@pytest.mark.parametrize("word", ["on", "off", "yes", "no", "On", "OFF", "Yes", "NO", "y", "n"])
def test_yaml11_boolean_words_stay_text(word: str) -> None:
    """`on`, `off`, `yes`, `no` (in any case) are read as the text written, not as booleans."""
    assert read_yaml(f"label: {word}\n", FILE).data == {"label": word}


def test_on_as_a_key_stays_text() -> None:
    """A key spelled `on` stays the text 'on' rather than becoming True."""
    assert read_yaml("on: 1\noff: 2\n", FILE).data == {"on": 1, "off": 2}


@pytest.mark.parametrize(("word", "value"), [
    ("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_true_and_false_are_booleans(word: str, value: bool) -> None:
    """`true` and `false` are booleans."""
    data = read_yaml(f"initial: {word}\n", FILE).data
    assert data == {"initial": value}
    assert type(data["initial"]) is bool


def test_dates_stay_text() -> None:
    """A date stays text, so the model checks it and an impossible date is no crash."""
    text = "effective_from: 2024-01-01\nlater: 2024-02-30\n"
    assert read_yaml(text, FILE).data == {"effective_from": "2024-01-01", "later": "2024-02-30"}


def test_duplicate_key_is_an_error_naming_its_line() -> None:
    """A key given twice is refused at the line of its second occurrence, naming the field."""
    refused = _refusal("id: a\ntitle:\n  vi: x\n  vi: y\n")
    [problem] = refused.problems
    assert (problem.line, problem.field) == (4, "title.vi")
    assert str(refused) == "cluster.yaml:4: title.vi: duplicate key 'vi'"


def test_duplicate_key_inside_a_list_item_names_the_item() -> None:
    """A duplicate key inside a list item names the item's index in the field."""
    refused = _refusal("states:\n  - name: open\n    name: closed\n")
    assert str(refused) == "cluster.yaml:3: states[0].name: duplicate key 'name'"


def test_duplicate_top_level_key_is_an_error() -> None:
    """A top-level key given twice is refused rather than silently overwritten."""
    assert str(_refusal("id: a\nid: b\n")) == "cluster.yaml:2: id: duplicate key 'id'"


@pytest.mark.parametrize(("path", "line"), [
    (("id",), 2),
    (("title",), 3),
    (("title", "vi"), 4),
    (("title", "en"), 5),
    (("states",), 6),
    (("states", 0), 7),
    (("states", 0, "name"), 7),
    (("states", 0, "initial"), 8),
    (("states", 1), 9),
    (("states", 1, "final"), 9),
])
def test_every_value_knows_its_line(path: tuple[str | int, ...], line: int) -> None:
    """Keys, nested keys and list items (block or flow style) carry the line they stand on."""
    source = read_yaml(NESTED, FILE)
    assert source.lines[path] == line
    assert source.line_of(path) == line


def test_line_of_a_missing_field_is_its_nearest_parent() -> None:
    """A path that is not in the file (a missing field) takes the line of its nearest parent."""
    source = read_yaml(NESTED, FILE)
    assert source.line_of(("states", 1, "label", "en")) == 9
    assert source.line_of(("roles",)) == 2


def test_data_is_read_as_written() -> None:
    """The data is the plain mapping the file describes."""
    assert read_yaml(NESTED, FILE).data == {
        "id": "mini",
        "title": {"vi": "Chu kỳ", "en": "Cycle"},
        "states": [{"name": "open", "initial": True}, {"name": "closed", "final": True}],
    }


@pytest.mark.parametrize(("text", "line", "message"), [
    pytest.param("id: a\n\tversion: 1\n", 2,
                 "not valid YAML: found character '\\t' that cannot start any token", id="tab"),
    pytest.param("id: a\ntitle: Cycle: annual\n", 2,
                 "not valid YAML: mapping values are not allowed here", id="colon-in-value"),
    pytest.param("id: a\nstates: *open\n", 2,
                 "not valid YAML: found undefined alias 'open'", id="undefined-alias"),
    pytest.param("id: 'a\n", 2,
                 "not valid YAML: found unexpected end of stream "
                 "(while scanning a quoted scalar, line 1)", id="unclosed-quote"),
])
def test_text_that_is_not_yaml_is_refused_with_a_line(text: str, line: int, message: str) -> None:
    """A syntax error becomes InvalidDefinition with the file, the line and what is wrong."""
    [problem] = _refusal(text).problems
    assert (problem.file, problem.line, problem.message) == (FILE, line, message)


def test_python_tags_are_refused() -> None:
    """The loader is safe: a python/object tag is refused, never constructed."""
    [problem] = _refusal("id: a\nrun: !!python/object/apply:os.system ['true']\n").problems
    assert problem.line == 2
    assert problem.message.startswith("not valid YAML: could not determine a constructor")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_text_is_refused(text: str) -> None:
    """A file with no YAML document is refused as empty, at line 1."""
    assert str(_refusal(text)) == "cluster.yaml:1: the file is empty"
