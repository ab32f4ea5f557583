"""Definitions that extend another: changes by name, the resolved text, and every refusal with
the file, line and field it concerns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.revisions import MINI
from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language import loader
from thidua.workflow.language.diff import diff
from thidua.workflow.language.loader import MAX_CHAIN, Loaded, load_file, parse
from thidua.workflow.services.scenarios import run_scenarios

Write = Callable[[str, str], Path]
HEAD = 'extends: mini-cycle@1\nversion: "2"\n'


@pytest.fixture
def shipped_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """The shipped definitions are those of a folder of the test: MINI (mini-cycle@1) first."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    monkeypatch.setattr(loader, "shipped_dir", lambda: folder)

    def write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    write("mini.yaml", MINI)
    return write


def _extension(tmp_path: Path, body: str, head: str = HEAD) -> Path:
    path = tmp_path / "ext.yaml"
    path.write_text(head + body, encoding="utf-8")
    return path


def _extend(tmp_path: Path, body: str) -> Loaded:
    return load_file(_extension(tmp_path, body))


def _texts(before: Loaded, after: Loaded) -> list[str]:
    return [c.text for c in diff(before, after).changes]


def _base(shipped_here: Write) -> Loaded:
    return load_file(shipped_here("mini.yaml", MINI))


VERSION = "definition mini-cycle: version changed from '1' to '2'"


def test_an_entry_changes_only_the_fields_it_gives(shipped_here: Write, tmp_path: Path) -> None:
    """A state named in the extension takes its new due date and keeps its label."""
    loaded = _extend(tmp_path, 'states:\n  - {name: review, due: "12-15"}\n')
    review = loaded.definition.state("review")
    assert (review.due, review.label and review.label.en) == ("12-15", "Review")
    assert _texts(_base(shipped_here), loaded) == [
        VERSION, "state review: due changed from '12-20' to '12-15'"]


def test_transitions_are_changed_removed_and_added_in_place(shipped_here: Write,
                                                            tmp_path: Path) -> None:
    """remove: true takes a step out; add: true with after: puts a new one in its place."""
    loaded = _extend(tmp_path, """\
transitions:
  - {trigger: return_dossier, remove: true}
  - trigger: withdraw
    add: true
    after: submit
    source: review
    dest: open
    roles: [secretariat]
    reason_required: true
    label: {vi: "Rút hồ sơ", en: "Withdraw"}
  - {trigger: decide, roles: [council, secretariat]}
""")
    d = loaded.definition
    assert [t.trigger for t in d.transitions] == ["register", "submit", "withdraw", "decide"]
    decide = d.transition("decide", "review")
    assert decide is not None and decide.roles == ["council", "secretariat"]
    assert decide.records == "decision"  # inherited
    assert sorted(_texts(_base(shipped_here), loaded)) == sorted([
        VERSION, "transition withdraw added", "transition return_dossier removed",
        "role 'secretariat' added in transition decide"])


def test_parameters_and_awards_by_name(shipped_here: Write, tmp_path: Path) -> None:
    """A parameter keeps the basis it does not restate; add: true and remove: true work by key."""
    loaded = _extend(tmp_path, """\
parameters:
  quorum: {value: 0.75}
  threshold: {add: true, value: 0.5, basis: "Quy chế", effective_from: 2024-01-01}
awards:
  bang_khen: {add: true, kind: form, label: {vi: "Bằng khen", en: "Certificate of merit"}}
""")
    d = loaded.definition
    assert (d.parameters["quorum"].value, d.parameters["quorum"].basis) == (0.75, "Quy chế cụm")
    assert set(d.parameters) == {"quorum", "threshold"}
    assert set(d.awards) == {"co_thi_dua", "bang_khen"}
    removed = load_file(_extension(tmp_path, "parameters:\n  quorum: {remove: true}\n"))
    assert removed.definition.parameters == {}


def test_top_level_fields_replace_the_bases(shipped_here: Write, tmp_path: Path) -> None:
    """id, title and effective_from given replace the base's; the rest is inherited."""
    loaded = load_file(_extension(tmp_path, 'title: {vi: "Chu kỳ", en: "Cycle"}\n'
                                            "effective_from: 2025-01-01\n",
                                  head="extends: mini-cycle@1\nid: mini-variant\n"))
    d = loaded.definition
    assert (loaded.ref, d.title.en, d.effective_from.isoformat()) == (
        "mini-variant@1", "Cycle", "2025-01-01")
    assert d.roles == _base(shipped_here).definition.roles


def test_a_scenario_changed_by_name_keeps_its_setup(shipped_here: Write, tmp_path: Path) -> None:
    """New steps for a scenario of the base run in the base's setup."""
    loaded = _extend(tmp_path, """\
scenarios:
  - name: happy path
    steps:
      - {as: "Thư ký", fire: submit, expect_state: review}
""")
    [scenario] = loaded.definition.scenarios
    assert scenario.setup is not None and scenario.setup.period == 2024
    assert len(scenario.steps) == 1
    assert [r.passed for r in run_scenarios(loaded).results] == [True]


def test_the_resolved_text_stands_alone_and_names_its_base(shipped_here: Write,
                                                           tmp_path: Path) -> None:
    """The stored text has based_on instead of extends and parses, alone, to the same."""
    base = _base(shipped_here)
    loaded = _extend(tmp_path, 'states:\n  - {name: review, due: "12-15"}\n')
    assert "extends" not in loaded.source
    again = parse(loaded.source, "stored.yaml")
    assert (again.definition, again.hash) == (loaded.definition, loaded.hash)
    based_on = loaded.definition.based_on
    assert based_on is not None and (based_on.ref, based_on.hash) == (base.ref, base.hash)
    assert loaded.source.startswith('id: mini-cycle\nversion: \'2\'\nbased_on:\n')


def test_a_trigger_with_several_transitions_is_named_with_its_source(shipped_here: Write,
                                                                      tmp_path: Path) -> None:
    """Where a trigger has several transitions, source selects one; without it, refused."""
    added = """\
transitions:
  - {trigger: submit, add: true, source: review, roles: [secretariat], records: note,
     label: {vi: "Bổ sung", en: "Add a note"}}
"""
    chosen = _extend(tmp_path, added + "  - {trigger: submit, source: open, roles: [council]}\n")
    submit = chosen.definition.transition("submit", "open")
    assert submit is not None and submit.roles == ["council"]
    with pytest.raises(InvalidDefinition) as refused:
        _extend(tmp_path, added + "  - {trigger: submit, roles: [council]}\n")
    assert str(refused.value).endswith(
        "transitions[1]: submit has several transitions (from open; from review): give the "
        "source of the one meant")


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


ERRORS = [
    pytest.param('states:\n  - {name: reviw, due: "12-15"}\n', "reviw", "states[0].name",
                 "mini-cycle@1 has no state 'reviw' (to add one, write add: true)",
                 id="unknown-state"),
    pytest.param("transitions:\n  - {trigger: decid, remove: true}\n", "decid",
                 "transitions[0].trigger",
                 "mini-cycle@1 has no transition 'decid' (to add one, write add: true)",
                 id="unknown-transition"),
    pytest.param("parameters:\n  quorom: {value: 1}\n", "quorom", "parameters.quorom",
                 "mini-cycle@1 has no parameter 'quorom' (to add one, write add: true)",
                 id="unknown-parameter"),
    pytest.param("scenarios:\n  - {name: sad path, steps: []}\n", "sad path",
                 "scenarios[0].name",
                 "mini-cycle@1 has no scenario 'sad path' (to add one, write add: true)",
                 id="unknown-scenario"),
    pytest.param("states:\n  - {name: review, add: true}\n", "add: true", "states[0]",
                 "state 'review' is already in mini-cycle@1: leave out add: true to change it",
                 id="add-existing"),
    pytest.param('states:\n  - {name: review, remove: true, due: "12-15"}\n', "remove",
                 "states[0]", "remove: true takes no other field than name",
                 id="remove-with-fields"),
    pytest.param("states:\n  - {name: review, after: nowhere}\n", "nowhere",
                 "states[0].after", "no state 'nowhere' to place it after", id="after-unknown"),
    pytest.param("states:\n  - {name: review, add: yes}\n", "add: yes", "states[0].add",
                 "add: write true, or leave it out", id="add-not-boolean"),
    pytest.param("states:\n  review: {due: 12-15}\n", "states:", "states",
                 "list the states to change, add or remove", id="states-not-a-list"),
    pytest.param("based_on: {ref: x@1, hash: abc}\n", "based_on", "based_on",
                 "based_on is written when extends is resolved: leave it out of a definition "
                 "that extends another", id="based-on-given"),
    pytest.param('states:\n  - {name: review, due: "13-01"}\n', "13-01", "states[1].due",
                 "'13-01' is not a due date: write MM-DD, or +1-MM-DD for a date in the "
                 "following year", id="bad-value-in-a-change"),
]


@pytest.mark.parametrize(("body", "needle", "field", "message"), ERRORS)
def test_a_bad_change_names_the_line_of_the_extending_file(
        shipped_here: Write, tmp_path: Path, body: str, needle: str, field: str,
        message: str) -> None:
    """Each mistake in an extension is one problem at its own line of the extending file."""
    path = _extension(tmp_path, body)
    with pytest.raises(InvalidDefinition) as refused:
        load_file(path)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}:{_line(path, needle)}: {field}: {message}"]


def test_a_problem_in_an_inherited_field_names_the_base_file(shipped_here: Write,
                                                             tmp_path: Path) -> None:
    """Dropping a role the base's steps use: the problem points at the base's line."""
    base = shipped_here("mini.yaml", MINI)
    path = _extension(tmp_path, "roles: [secretariat, council]\n")
    with pytest.raises(InvalidDefinition) as refused:
        load_file(path)
    [problem] = refused.value.problems
    assert (problem.file, problem.line, problem.field) == (
        str(base), _line(base, "roles: [member_unit]"), "transitions[0].roles[0]")


BASES = [
    pytest.param("extends: mini-cycle@1\ntitle: {vi: Khác, en: Other}\n",
                 "extends its own id@version mini-cycle@1: give the definition an id or a "
                 "version of its own", id="itself"),
    pytest.param('extends: mini-cycle@9\nversion: "2"\n',
                 "no shipped or published definition mini-cycle@9 to extend (see: thidua def "
                 "list, thidua def versions)", id="unknown-base"),
    pytest.param('extends: mini-cycle\nversion: "2"\n',
                 "write the definition extended as id@version (e.g. ccb-cluster-annual@2023.1)",
                 id="no-version"),
]


@pytest.mark.parametrize(("text", "message"), BASES)
def test_a_base_that_cannot_be_extended(shipped_here: Write, tmp_path: Path, text: str,
                                        message: str) -> None:
    """A definition extending itself, an unknown or unnamed base: one problem at extends."""
    path = tmp_path / "ext.yaml"
    path.write_text("# a variant\n" + text, encoding="utf-8")
    with pytest.raises(InvalidDefinition) as refused:
        load_file(path)
    assert str(refused.value) == f"{path}:2: extends: {message}"


def test_a_loop_of_extends_is_refused(shipped_here: Write) -> None:
    """a extends b, b extends a: refused, naming the loop, at b's extends line."""
    a = shipped_here("a.yaml", 'extends: b@1\nid: a\nversion: "1"\n')
    b = shipped_here("b.yaml", 'id: b\nversion: "1"\nextends: a@1\n')
    with pytest.raises(InvalidDefinition) as refused:
        load_file(a)
    assert str(refused.value) == f"{b}:3: extends: extends loop: a@1 → b@1 → a@1"


def test_a_chain_of_extends_is_capped(shipped_here: Write) -> None:
    """Up to MAX_CHAIN definitions may extend one another; one more is refused."""
    files = {version: shipped_here(f"v{version}.yaml", f"extends: mini-cycle@{version - 1}\n"
                                                       f'version: "{version}"\n')
             for version in range(2, MAX_CHAIN + 3)}
    assert load_file(files[MAX_CHAIN + 1]).definition.based_on is not None
    with pytest.raises(InvalidDefinition, match=f"more than {MAX_CHAIN} definitions extend"):
        load_file(files[MAX_CHAIN + 2])


def test_a_chain_names_its_nearest_base_and_the_first_file(shipped_here: Write,
                                                           tmp_path: Path) -> None:
    """c extends b extends mini: c is based on b; a field from mini still names mini.yaml."""
    mini = shipped_here("mini.yaml", MINI)
    b = load_file(shipped_here("b.yaml", 'extends: mini-cycle@1\nversion: "2"\n'))
    c = load_file(_extension(tmp_path, "", head='extends: mini-cycle@2\nversion: "3"\n'))
    assert c.definition.based_on is not None
    assert (c.definition.based_on.ref, c.definition.based_on.hash) == ("mini-cycle@2", b.hash)
    assert c.where(("transitions", 0, "roles")) == (str(mini), _line(mini, "[member_unit]"))
    assert c.where(("version",)) == (str(tmp_path / "ext.yaml"), 2)


def test_a_failing_inherited_scenario_names_the_base_files_line(shipped_here: Write,
                                                                tmp_path: Path) -> None:
    """A base's scenario that fails on the extension names the step's line in the base file."""
    from thidua.workflow.services.scenarios import describe

    mini = shipped_here("mini.yaml", MINI)
    loaded = _extend(tmp_path, "transitions:\n  - {trigger: decide, roles: [secretariat]}\n")
    [result] = run_scenarios(loaded).results
    assert describe(result).startswith(
        f"'happy path' failed at step 2 (decide as Hội đồng) at {mini}:"
        f"{_line(mini, 'fire: decide')}: refused:")
    mended = _extend(tmp_path, "transitions:\n  - {trigger: decide, roles: [secretariat]}\n"
                               "scenarios:\n  - name: happy path\n    steps:\n"
                               '      - {as: "Hội đồng", fire: submit}\n')
    [result] = run_scenarios(mended).results
    assert describe(result).startswith(
        "'happy path' failed at step 1 (submit as Hội đồng) at line 8: refused:")


def test_the_dump_reads_back_as_the_same_data() -> None:
    """The writer of resolved texts round-trips a whole shipped definition, value for value."""
    from thidua.workflow.language.reader import read_yaml
    from thidua.workflow.language.writer import dump

    text = (loader.shipped_dir() / "ccb-cluster-annual.yaml").read_text(encoding="utf-8")
    data = read_yaml(text, "annual.yaml").data
    written = dump(data)
    assert read_yaml(written, "dumped.yaml").data == data
    assert dump(read_yaml(written, "dumped.yaml").data) == written


def test_a_name_the_base_gives_twice_cannot_be_changed(shipped_here: Write,
                                                       tmp_path: Path) -> None:
    """A scenario name used twice in the base: a change of it is refused, not guessed."""
    twice = MINI + MINI[MINI.index("  - name: happy path"):]
    shipped_here("mini.yaml", twice)
    path = _extension(tmp_path, "scenarios:\n  - {name: happy path, steps: []}\n")
    with pytest.raises(InvalidDefinition) as refused:
        load_file(path)
    assert str(refused.value) == (f"{path}:4: scenarios[0]: mini-cycle@1 has several scenarios "
                                  "named 'happy path': which one is meant cannot be told")
