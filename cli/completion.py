"""Shell completion of values: cycle ids, the steps a cycle can take now, definition ids,
cluster names (``eval "$(_THIDUA_COMPLETE=bash_source thidua)"``).

Completing command and option names needs none of this and imports nothing heavy. These
callbacks read the database named by ``--db`` or ``THIDUA_DB`` only when it exists with the
current schema; a completion that cannot be computed offers nothing and never fails, because a
traceback in the middle of the user's command line helps nobody.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from thidua.cli.output import default_lang

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from thidua.workflow.services.db import Database

Completer = Callable[[click.Context, click.Parameter, str], list["CompletionItem"]]


def _root_params(ctx: click.Context) -> dict[str, Any]:
    return ctx.find_root().params


def _lang(ctx: click.Context) -> str:
    lang = _root_params(ctx).get("lang")
    return str(lang) if lang else default_lang()


@contextmanager
def _database(ctx: click.Context) -> Iterator[Database | None]:
    from thidua.workflow.services.db import existing

    db = existing(_root_params(ctx).get("db_url") or os.environ.get("THIDUA_DB"))
    try:
        yield db
    finally:
        if db is not None:
            db.close()


def _safe(fn: Completer) -> Completer:
    """Run a completer; whatever goes wrong (no database, an old one, a server that does not
    answer), offer nothing rather than print a traceback into the shell."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str
                 ) -> list[CompletionItem]:
        try:
            return fn(ctx, param, incomplete)
        except Exception:  # completion must never fail: see the module docstring
            return []
    complete.__doc__ = fn.__doc__
    return complete


@_safe
def cycle_ids(ctx: click.Context, param: click.Parameter, incomplete: str
              ) -> list[CompletionItem]:
    """Cycle ids, each with its cluster, year and state."""
    from click.shell_completion import CompletionItem

    from thidua.workflow.services.views import list_cycles

    with _database(ctx) as db:
        if db is None:
            return []
        rows = list_cycles(db)
    return [CompletionItem(str(r["id"]), help=f"{r['cluster']} {r['period']} {r['state']}")
            for r in rows if str(r["id"]).startswith(incomplete)]


@_safe
def triggers(ctx: click.Context, param: click.Parameter, incomplete: str
             ) -> list[CompletionItem]:
    """The steps the cycle on the command line can take from its state now, those that
    nothing blocks first."""
    from click.shell_completion import CompletionItem

    from thidua.workflow.services.views import why

    cycle_id = ctx.params.get("cycle_id")
    if cycle_id is None:
        return []
    lang = _lang(ctx)
    with _database(ctx) as db:
        if db is None:
            return []
        options = why(db, int(cycle_id), actor=ctx.params.get("actor"))
    options.sort(key=lambda o: not o.allowed)
    return [CompletionItem(o.trigger, help=(str(o.label.get(lang)) if o.label else "")
                           + ("" if o.allowed else " (blocked)"))
            for o in options if o.trigger.startswith(incomplete)]


@_safe
def definitions(ctx: click.Context, param: click.Parameter, incomplete: str
                ) -> list[CompletionItem]:
    """The shipped definitions, as ``id`` and ``id@version``; files complete as paths."""
    from click.shell_completion import CompletionItem

    from thidua.workflow.language.loader import shipped

    if "/" in incomplete or incomplete.endswith((".yaml", ".yml")):
        return [CompletionItem(incomplete, type="file")]
    lang = _lang(ctx)
    items = []
    for loaded in shipped():
        d = loaded.definition
        title = str(d.title.get(lang))
        items += [CompletionItem(d.id, help=title),
                  CompletionItem(f"{d.id}@{d.version}", help=title)]
    unique = {item.value: item for item in items}
    return [item for value, item in unique.items() if value.startswith(incomplete)]


@_safe
def clusters(ctx: click.Context, param: click.Parameter, incomplete: str
             ) -> list[CompletionItem]:
    """Cluster names."""
    from click.shell_completion import CompletionItem

    from thidua.workflow.services.directory import list_clusters

    with _database(ctx) as db:
        if db is None:
            return []
        names = list_clusters(db)
    folded = incomplete.casefold()
    return [CompletionItem(name) for name in names if name.casefold().startswith(folded)]
