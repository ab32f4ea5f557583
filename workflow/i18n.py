"""Every message a user reads, in the chosen language: gettext catalogues, Vietnamese and English.

A message is written in English in the code and marked: ``_("no cycle {cycle} (see: thidua
cycle list)").format(cycle=cycle_id)`` translates it now, ``N_("...")`` only marks a text that
is translated where it is shown (help texts, table headings), ``ngettext`` chooses the plural
form. Placeholders carry names (``{cycle}``), never positions, so a translation may reorder
them. The catalogues are ``locale/LANG/LC_MESSAGES/thidua.po`` beside this file; the install
compiles them to ``.mo`` (``setup.py``), and a missing ``.mo`` leaves the English text.

The language is one per process, chosen by the command line (``--lang``, then ``THIDUA_LANG``,
then the locale: ``LC_ALL``, ``LC_MESSAGES``, ``LANG``) before anything is said; a caller of the
Python API gets English unless it calls :func:`use`. Only the standard library's ``gettext`` is
imported here: choosing a language costs nothing at start-up.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "thidua"
LANGUAGES = ("vi", "en")
LOCALE_DIR = Path(__file__).with_name("locale")

_catalogues: dict[str, gettext.NullTranslations] = {}
_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``; without one, the English texts as written."""
    found = _catalogues.get(lang)
    if found is None:
        found = _catalogues[lang] = gettext.translation(
            DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return found


def use(lang: str) -> None:
    """Speak ``lang`` from now on in this process: thidua's messages and click's own (its
    usage errors and help headings, which it looks up with the standard ``gettext``)."""
    global _current, _language
    _current, _language = catalogue(lang), lang
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang  # what the standard gettext reads to choose a catalogue


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` for the block, then the language in use before it again."""
    before = _language
    use(lang)
    try:
        yield
    finally:
        use(before)


def current() -> str:
    """The language in use (``vi`` or ``en``)."""
    return _language


def language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: ``option`` (``--lang``), else ``THIDUA_LANG``, else ``vi`` under
    a Vietnamese locale (``LC_ALL``, ``LC_MESSAGES`` or ``LANG``, the first one set), else
    ``en``. A value that is not a known language is passed over."""
    env = os.environ if environ is None else environ
    for chosen in (option, env.get("THIDUA_LANG")):
        if chosen in LANGUAGES:
            return chosen
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG", "")
    return "vi" if locale.lower().startswith("vi") else "en"


def _(message: str) -> str:
    """``message`` in the language in use; an empty text stays empty (gettext would give the
    catalogue's header for it: an empty table heading is one)."""
    return _current.gettext(message) if message else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` things, in the language in use."""
    return _current.ngettext(singular, plural, count)


def told(error: BaseException) -> str:
    """What ``error`` says, in the language in use: a message of the store (which imports no
    gettext, ``store/said.py``) is translated from its template and values."""
    template = getattr(error, "template", None)
    if isinstance(template, str):
        return _(template).format(**getattr(error, "values", {}))
    return str(error)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue; it is translated where it is shown."""
    return message
