"""Vietnamese first: every message a user reads comes from the catalogue, in Vietnamese under
``--lang vi`` (or a Vietnamese locale) and in English under ``--lang en``; nothing escapes."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.cli.helpers import advance, start
from tests.conftest import CLUSTER, MEMBER, SECRETARY, populate
from thidua.cli.main import root
from thidua.workflow import i18n
from thidua.workflow.services.admin import upgrade_db
from thidua.workflow.services.db import Database

messages = pytest.importorskip("tools.messages", reason="the catalogue tools need Babel")

# Words of an English sentence that no Vietnamese message holds. A message is read without
# what a user or the definition supplied (quoted names, identifiers, options, paths, numbers).
ENGLISH = re.compile(
    r"\b(the|is|are|not|of|and|with|without|refused|cannot|must|has|have|been|was|were|this|"
    r"that|which|only|needs?|found|from|for|its|be|does|there|than|more|any|every|give|"
    r"unknown|already|recorded|missing|invalid|error|usage|options|such|no|none|"
    r"message|exit|value|argument|option|command)\b", re.IGNORECASE)
SUPPLIED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|thidua( [a-z][a-z-]*)+|\S*[_@/=.:\\-]\S*|"
                      r"\b[A-Z][A-Z0-9]+\b|\d\S*")

HERE = "Cao Văn Thắng"


def english(text: str) -> list[str]:
    """The English words in ``text`` once what was supplied is taken out."""
    return ENGLISH.findall(SUPPLIED.sub(" ", text))


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    yield
    i18n.use("en")


@pytest.fixture
def walk(tmp_path: Path) -> str:
    """A SQLite database with Cluster 5, its people and a cycle in registration (cycle 1)."""
    url = f"sqlite:///{tmp_path / 'walk.db'}"
    db = Database(url, check_schema=False)
    upgrade_db(db)
    populate(db)
    cycle = start(db)
    advance(db, cycle, until="register")
    db.close()
    return url


def run(url: str, lang: str, *args: str) -> Result:
    return CliRunner().invoke(root, ["--db", url, "--lang", lang, *args])


# Every kind of failure a command can meet, with its exit code: refusals by a rule or a role,
# not found, bad input, a stale version, a fault of the database.
FAILURES: list[tuple[int, tuple[str, ...]]] = [
    (1, ("cycle", "fire", "1", "sign_compact", "--as", HERE)),
    (1, ("cycle", "fire", "1", "register", "--as", MEMBER["Hà Nội"], "--unit", "Bắc Ninh",
         "-i", "targets=x")),
    (1, ("cycle", "fire", "1", "close", "--as", HERE)),
    (1, ("cycle", "fire", "1", "launch", "--as", HERE)),
    (2, ("cycle", "fire", "1", "nope", "--as", HERE)),
    (2, ("cycle", "fire", "1", "register", "--as", HERE)),
    (2, ("cycle", "fire", "1", "sign_compact", "--as", HERE, "--at", "someday")),
    (2, ("cycle", "fire", "1", "sign_compact", "--as", HERE, "--at", "1800-01-01")),
    (2, ("cycle", "fire", "1", "sign_compact", "--as", HERE, "-i", "novalue")),
    (2, ("cycle", "fire", "1", "sign_compact", "--as", HERE, "--reason", " ")),
    (3, ("cycle", "fire", "1", "sign_compact", "--as", HERE, "--expect-version", "1")),
    (5, ("cycle", "fire", "99", "launch", "--as", HERE)),
    (5, ("cycle", "fire", "1", "sign_compact", "--as", "Không Ai")),
    (5, ("cycle", "show", "99")),
    (5, ("cycle", "list", "-c", "Cụm 9")),
    (1, ("cycle", "start", "-c", CLUSTER, "-p", "2023", "--as", HERE)),
    (2, ("cycle", "start", "--as", HERE)),
    (2, ("cycle", "state-at", "1", "never")),
    (5, ("cycle", "todo", "--as", "Không Ai")),
    (2, ("cluster", "add", CLUSTER, "-m", "Hà Nội")),
    (5, ("cluster", "show", "Cụm 9")),
    (2, ("cluster", "add", "Cụm 6")),
    (2, ("actor", "add", SECRETARY)),
    (2, ("actor", "add", "Tên\x1bẩn")),
    (2, ("actor", "grant", MEMBER["Hà Nội"], "member_unit")),
    (2, ("actor", "grant", MEMBER["Hà Nội"], "nobody")),
    (5, ("def", "show", "nope")),
    (2, ("def", "validate", "missing.yaml")),
    (2, ("doc", "show", "abc")),
    (5, ("doc", "show", "abcdef12")),
    (2, ("audit", "verify", "--anchor", "bad")),
    (2, ("audit", "export", "--since", "2024-01-01", "--until", "2023-01-01")),
    (5, ("report", "cycle", "99")),
    (2, ("db", "timezone", "Mars/Base")),
    (2, ("db", "set", "document-limit", "huge")),
    (5, ("award", "history", "Không Ai")),
    (5, ("doc", "get", "abcdef12")),
    (2, ("doc", "render", "submission", "1", "--unit", "Bắc Ninh")),
    (5, ("score", "import", "1", "missing.xlsx", "--as", HERE)),
    (2, ("report", "cycle", "1", "--format", "xlsx")),
    (2, ("cluster", "head", CLUSTER, "--period", "2023")),
    (2, ("audit", "export", "--excel")),
]


@pytest.mark.parametrize(("code", "args"), FAILURES, ids=[" ".join(a) for _c, a in FAILURES])
def test_every_failure_speaks_vietnamese_under_lang_vi(walk: str, code: int,
                                                        args: tuple[str, ...]) -> None:
    """Under --lang vi a failure is one Vietnamese line ("Lỗi: ..."), the same exit code as in
    English, where the same line is English (so that the check can fail)."""
    vi, en = run(walk, "vi", *args), run(walk, "en", *args)
    assert (vi.exit_code, en.exit_code) == (code, code), (vi.output, en.output)
    assert vi.output.lower().startswith("lỗi") and en.output.lower().startswith("error"), (
        vi.output)
    assert english(vi.output) == [], vi.output
    assert english(en.output), en.output


def test_scenarios_pass_under_lang_vi() -> None:
    """The shipped scenarios quote English reasons; they are judged the same under --lang vi,
    and the account of them is Vietnamese."""
    result = CliRunner().invoke(root, ["--lang", "vi", "def", "test"])
    assert result.exit_code == 0, result.output
    assert "kịch bản" in result.output and "không đạt" in result.output


def test_why_and_todo_give_their_reasons_in_vietnamese(walk: str) -> None:
    """What blocks a step, in `why` and `todo`, is said in Vietnamese, with the step's label."""
    why = run(walk, "vi", "cycle", "why", "1", "--as", HERE)
    todo = run(walk, "vi", "cycle", "todo", "--as", HERE)
    assert why.exit_code == todo.exit_code == 0, why.output + todo.output
    assert "các đơn vị thành viên chưa có đăng ký thi đua" in why.output
    assert "bị chặn" in todo.output
    assert english(why.output) == english(todo.output) == [], why.output + todo.output


def test_a_vietnamese_locale_chooses_vietnamese_and_lang_en_overrides_it(walk: str) -> None:
    """LANG=vi_VN.UTF-8 gives the refusal in Vietnamese; --lang en, then in English."""
    args = ["--db", walk, "cycle", "fire", "1", "sign_compact", "--as", HERE]
    env = {"LANG": "vi_VN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "THIDUA_LANG": None}
    vi = CliRunner().invoke(root, args, env=env)
    en = CliRunner().invoke(root, ["--lang", "en", *args], env=env)
    units = "Bắc Giang, Bắc Ninh, Hà Nội, Vĩnh Phúc"
    assert vi.output == ("Lỗi: sign_compact bị từ chối: các đơn vị thành viên chưa có đăng ký "
                         f"thi đua: {units}\n")
    assert en.output == f"Error: sign_compact refused: member units without registration: {units}\n"
    assert vi.exit_code == en.exit_code == 1


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = [(), *_commands(root)]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "thidua")
def test_every_help_and_usage_error_is_vietnamese(path: tuple[str, ...]) -> None:
    """`thidua --lang vi ... --help` is Vietnamese (headings, text, options); so is a usage
    error of every command."""
    helped = CliRunner().invoke(root, ["--lang", "vi", *path, "--help"])
    assert helped.exit_code == 0, helped.output
    assert helped.output.startswith("Cách dùng: ") and "Tùy chọn:" in helped.output
    assert english(helped.output) == [], helped.output
    wrong = CliRunner().invoke(root, ["--lang", "vi", *path, "--no-such-option"])
    assert wrong.exit_code == 2, wrong.output
    assert wrong.output.startswith("Lỗi: ") and english(wrong.output) == [], wrong.output


def test_cycle_help_under_a_vietnamese_locale() -> None:
    """Without --lang, a Vietnamese locale gives the help in Vietnamese; THIDUA_LANG wins."""
    vi = CliRunner().invoke(root, ["cycle", "--help"], env={"LANG": "vi_VN.UTF-8",
                                                            "LC_ALL": None, "THIDUA_LANG": None})
    en = CliRunner().invoke(root, ["cycle", "--help"], env={"LANG": "vi_VN.UTF-8",
                                                            "LC_ALL": None, "THIDUA_LANG": "en"})
    assert "Bắt đầu chu kỳ, thực hiện các bước" in vi.output, vi.output
    assert "Start cycles, take their steps" in en.output, en.output


@pytest.mark.parametrize(("option", "env", "expected"), [
    ("en", {"THIDUA_LANG": "vi", "LANG": "vi_VN.UTF-8"}, "en"),
    (None, {"THIDUA_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"THIDUA_LANG": "fr", "LANG": "vi_VN.UTF-8"}, "vi"),
    (None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"LC_MESSAGES": "vi_VN", "LANG": "C"}, "vi"),
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {}, "en"),
])
def test_the_language_comes_from_lang_then_thidua_lang_then_the_locale(
        option: str | None, env: dict[str, str], expected: str) -> None:
    """--lang, then THIDUA_LANG (a value that is no language is passed over), then the locale."""
    assert i18n.language(option, env) == expected


def test_the_catalogues_hold_every_message_translated() -> None:
    """Extracting the sources (Babel) finds no message missing from a catalogue, untranslated,
    fuzzy, with a placeholder lost or invented, nor an entry no source uses."""
    template = messages.extract()
    assert len(template) > 500
    assert [p for lang in i18n.LANGUAGES for p in messages.problems(lang, template)] == []


def test_the_check_finds_an_untranslated_message(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A message added to the sources and not to the catalogue is reported (the check can
    fail), and so is a placeholder the translation lost."""
    template = messages.extract()
    template.add("a new message about {thing}", locations=[("cli/new.py", 1)])
    found = messages.problems("vi", template)
    assert found == ["vi: missing (cli/new.py:1): 'a new message about {thing}'"]
    assert not messages._placeholders_kept("no cycle {cycle_id}", "không có chu kỳ {cycle}")


def test_the_installed_catalogue_is_compiled_from_the_po() -> None:
    """The install compiled each .po into the .mo beside it, and the .mo is not stale (after
    editing a .po: python tools/messages.py compile, or reinstall)."""
    for lang in i18n.LANGUAGES:
        mo = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "thidua.mo"
        assert mo.exists(), f"{mo} missing: the install compiles it"
        with mo.open("rb") as compiled:
            catalogue = gettext.GNUTranslations(compiled)
        for message in messages.read(lang):
            if message.id and isinstance(message.id, str):
                assert catalogue.gettext(message.id) == message.string, message.id


def test_a_missing_catalogue_leaves_english(walk: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a compiled catalogue thidua speaks English rather than fail."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(i18n, "_catalogues", {})
    result = run(walk, "vi", "cycle", "fire", "1", "sign_compact", "--as", HERE)
    assert result.exit_code == 1
    assert result.output.startswith("Error: sign_compact refused: member units without")
    helped = CliRunner().invoke(root, ["--lang", "vi", "cycle", "--help"])
    assert helped.exit_code == 0 and "Usage:" in helped.output


@pytest.mark.parametrize("count", [1, 2])
def test_plural_forms_in_both_languages(walk: str, count: int) -> None:
    """A count says `1 cycle` / `2 cycles` in English, `1 chu kỳ` / `2 chu kỳ` in Vietnamese."""
    i18n.use("en")
    english_form = i18n.ngettext("{count} cycle", "{count} cycles", count).format(count=count)
    i18n.use("vi")
    vietnamese = i18n.ngettext("{count} cycle", "{count} cycles", count).format(count=count)
    assert english_form == f"{count} cycle" + ("s" if count > 1 else "")
    assert vietnamese == f"{count} chu kỳ"
