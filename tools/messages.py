"""The message catalogues, for developers: extract, update, check, compile (Babel).

    python tools/messages.py update    # extract the messages, merge them into every .po
    python tools/messages.py check     # every message translated, none fuzzy, placeholders kept
    python tools/messages.py compile   # .po -> .mo (the install does this too)

Messages are found in ``workflow/``, ``store/`` and ``cli/``: the arguments of ``_()``,
``N_()`` and ``ngettext()``, the templates of the store's ``said()``, and in ``cli/`` also
what click shows as help, translated when shown
(``cli/help.py``): the docstring of every command and group, and every ``help="..."``.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("workflow", "store", "cli")
# The store marks its messages with said(Kind, "template", ...) (store/said.py).
KEYWORDS = {**DEFAULT_KEYWORDS, "said": (2,)}
LOCALE = ROOT / "workflow" / "locale"
DOMAIN = "thidua"
LANGUAGES = ("vi", "en")
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}(?!\})")


# Calls whose string arguments cli/output.py translates when it prints them: table headings,
# the names of name-value lines, report headings.
SHOWN = {"table", "stream_table", "show_table", "markdown_table", "pairs", "heading"}


def _shown(call: ast.Call) -> Iterator[tuple[int, str]]:
    """The texts a table, name-value or heading call prints as they are given."""
    for arg in call.args[:1]:
        items = arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]
        for item in items:
            if isinstance(item, ast.Tuple) and item.elts:  # pairs: (name, value)
                item = item.elts[0]
            if isinstance(item, ast.Starred) and isinstance(item.value, ast.GeneratorExp):
                item = item.value.elt.elts[0] if isinstance(item.value.elt, ast.Tuple) else item
            if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value:
                yield item.lineno, item.value


def _help_texts(source: str) -> Iterator[tuple[int, str]]:
    """Click's help in a cli module: command and group docstrings, ``help=`` strings, and
    what the output helpers translate as they print it (:data:`SHOWN`)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                node.func.id in SHOWN):
            yield from _shown(node)
        if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                and d.func.attr in ("command", "group") for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield node.lineno, inspect.cleandoc(doc).partition("\f")[0]
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if (kw.arg == "help" and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, str)):
                    yield kw.value.lineno, kw.value.value


def extract() -> Catalog:
    """Every message in the sources, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="thidua", charset="utf-8")
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            with path.open("rb") as source:
                for line, _func, message, *_rest in extract_python(
                        source, KEYWORDS, [], {}):
                    _add(catalog, message, where, line)
            if top == "cli":
                for line, text in _help_texts(path.read_text("utf-8")):
                    _add(catalog, text, where, line)
    return catalog


def _add(catalog: Catalog, message: Any, where: str, line: int) -> None:
    if isinstance(message, tuple):
        message = tuple(m for m in message if m is not None)
        if len(message) == 1:
            message = message[0]
    if not message:
        return
    key = message[0] if isinstance(message, tuple) else message
    found = catalog.get(key)
    if found is None:
        catalog.add(message, locations=[(where, line)])
    else:
        found.locations.append((where, line))


def po_path(lang: str) -> Path:
    """The catalogue file of ``lang``."""
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    """The catalogue of ``lang`` as it stands (empty when there is none yet)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="thidua", charset="utf-8")
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def update() -> None:
    """Merge the extracted messages into every catalogue; English translates to itself."""
    template = extract()
    for lang in LANGUAGES:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: a compiled catalogue keeps only what is not fuzzy
        catalog.version, catalog.msgid_bugs_address = "", ""
        catalog.copyright_holder = "thidua"
        catalog.language_team = {"vi": "Vietnamese", "en": "English"}[lang]
        catalog.last_translator = "thidua"
        if lang == "en":
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as target:
            write_po(target, catalog, width=100, omit_header=False, include_previous=True)


def _names(text: str | tuple[str, ...]) -> set[str]:
    texts = text if isinstance(text, tuple | list) else (text,)
    return {name for t in texts if t for name in PLACEHOLDER.findall(t)}


def _placeholders_kept(message: Any, translation: Any) -> bool:
    """A translation keeps the message's placeholders and invents none; with plural forms
    (every name is given to each form), it may leave out a name another form uses."""
    if isinstance(message, tuple | list):
        return _names(translation) <= _names(message)
    return _names(translation) == _names(message)


def problems(lang: str, template: Catalog | None = None) -> list[str]:
    """What is wrong with the catalogue of ``lang`` against the sources: a message missing,
    untranslated or fuzzy, a placeholder lost or invented, an entry no source uses."""
    template = template or extract()
    catalog = read(lang)
    found = []
    for message in template:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        entry = catalog.get(key)
        where = ":".join(map(str, message.locations[0])) if message.locations else "?"
        if entry is None:
            found.append(f"{lang}: missing ({where}): {key!r}")
        elif entry.fuzzy:
            found.append(f"{lang}: fuzzy ({where}): {key!r}")
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            found.append(f"{lang}: untranslated ({where}): {key!r}")
        elif not _placeholders_kept(message.id, entry.string):
            found.append(f"{lang}: placeholders {sorted(_names(entry.string))} instead of "
                         f"{sorted(_names(message.id))} ({where}): {key!r}")
    used = {m.id[0] if isinstance(m.id, tuple) else m.id for m in template if m.id}
    for entry in catalog:
        key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        if entry.id and key not in used:
            found.append(f"{lang}: no source uses {key!r}")
    return found


def compile_all() -> None:
    """Write every ``thidua.mo`` beside its ``thidua.po``."""
    for lang in LANGUAGES:
        with po_path(lang).open("rb") as source:
            catalog = read_po(source, locale=lang, domain=DOMAIN)
        with po_path(lang).with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


def main(argv: list[str]) -> int:
    """``update``, ``check`` or ``compile``."""
    verb = argv[0] if argv else ""
    if verb == "update":
        update()
    elif verb == "compile":
        compile_all()
    elif verb == "check":
        template = extract()
        found = [p for lang in LANGUAGES for p in problems(lang, template)]
        print("\n".join(found) or f"{len(template)} messages, every one translated")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
