"""Help in the chosen language: click's ``Command`` and ``Group`` whose texts (the command's
docstring, its options' ``help=``) are written in English and translated when shown, so that
``--lang`` chooses them at every call. ``tools/messages.py`` extracts these texts for the
catalogue as it extracts ``_()``."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from thidua.workflow.i18n import _


def help_text(text: str) -> str:
    """A docstring as click shows it: dedented, cut at a form feed."""
    return inspect.cleandoc(text).partition("\f")[0]


@contextmanager
def translated(*objects: Any) -> Iterator[None]:
    """While formatting, each object's ``help`` in the language in use."""
    kept = [(o, o.help) for o in objects if getattr(o, "help", None)]
    try:
        for o, text in kept:
            o.help = _(help_text(text))
        yield
    finally:
        for o, text in kept:
            o.help = text


class Command(click.Command):
    """A command whose help is shown in the language in use."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with translated(self):
            return super().get_short_help_str(limit)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(*self.get_params(ctx)):
            super().format_options(ctx, formatter)


class Group(Command, click.Group):
    """A group whose help, and its commands' help, is shown in the language in use."""

    command_class = Command
    group_class = type  # a sub-group is a Group too
