"""The install compiles the message catalogues (``.po`` → ``.mo``) with Babel, so that the
compiled catalogues are built, never committed; everything else is in ``pyproject.toml``."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).parent / "workflow" / "locale"


def compile_catalogues() -> None:
    """Write ``thidua.mo`` beside each ``thidua.po`` (skipped when already newer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(LOCALE.glob("*/LC_MESSAGES/thidua.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)


class BuildWithCatalogues(build_py):
    """``build_py`` that compiles the catalogues first: a wheel, ``pip install .`` and
    ``pip install -e .`` all find them."""

    def run(self) -> None:
        compile_catalogues()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
