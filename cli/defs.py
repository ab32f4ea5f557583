"""``thidua def``: list, show, check, test, publish, compare and draw cycle definitions (and
copy them and print their schema: :mod:`thidua.cli.authoring`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from thidua.cli import authoring, completion
from thidua.cli.help import Group
from thidua.cli.output import Env, emit_json, pairs, pass_env, plain, say, table
from thidua.workflow.i18n import _, ngettext


@click.group("def", cls=Group)
@click.pass_context
def command(ctx: click.Context) -> None:
    """List, show, check, test, publish, compare, copy and draw cycle definitions.

    A definition may extend a shipped one, or one published in the database of --db when it
    exists: extends: ID@VERSION, then only what differs.

    \b
    Example:
      thidua def lint definitions/ccb-cluster-annual.yaml
      thidua def publish my-cluster-2024.yaml
    """
    from thidua.workflow.language.bases import published_from

    env = ctx.find_object(Env)
    if env is not None:
        ctx.with_resource(published_from(_published(env)))


def _published(env: Env) -> Callable[[str], Any]:
    """The versions published in the database of ``--db``, when it exists, as bases that
    definitions may extend (the database is opened only for a base that is not shipped)."""
    def find(ref: str) -> Any:
        from thidua.workflow.services.publish import published_at

        return published_at(env.db_url, ref)
    return find


command.add_command(authoring.copy)
command.add_command(authoring.schema)


@command.command("list")
@pass_env
def list_(env: Env) -> None:
    """List the shipped definitions.

    \b
    Example:
      thidua def list
    """
    from thidua.workflow.language.loader import shipped

    rows = [{"id": d.definition.id, "version": d.definition.version,
             "effective_from": d.definition.effective_from.isoformat(),
             "title": env.label(d.definition.title, d.definition.id), "hash": d.hash,
             "file": d.file} for d in shipped()]
    if env.as_json:
        emit_json(rows)
        return
    table(["id", "version", "effective", "hash", "title"],
          [[r["id"], r["version"], r["effective_from"], r["hash"][:12], r["title"]] for r in rows])


@command.command("show")
@click.argument("name", shell_complete=completion.definitions)
@pass_env
def show(env: Env, name: str) -> None:
    """Show a definition's states and transitions (NAME: id, id@version or file).

    \b
    Example:
      thidua def show ccb-cluster-annual
    """
    from thidua.workflow.language.loader import find

    loaded = find(name)
    d = loaded.definition
    if env.as_json:
        emit_json({"hash": loaded.hash, "file": loaded.file, **d.model_dump(mode="json")})
        return
    based_on = [(_("based on"), f"{d.based_on.ref} ({d.based_on.hash[:12]})")] if d.based_on else []
    pairs([("id", d.id), ("version", d.version), *based_on,
           ("title", env.label(d.title, d.id)),
           (_("effective from"), d.effective_from.isoformat()), ("hash", loaded.hash),
           ("roles", ", ".join(d.roles))])
    click.echo()
    table(["state", "label", "due", ""],
          [[s.name, env.label(s.label, s.name), s.due or "",
            "initial" if s.initial else ("final" if s.final else "")] for s in d.states])
    click.echo()
    table(["trigger", "from", "to", "roles", "guards"],
          [[t.trigger, ",".join(t.source), t.dest or "(stays)", ",".join(t.roles),
            ",".join(g.name for g in t.guards)] for t in d.transitions])


@command.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@pass_env
def validate(env: Env, files: tuple[str, ...]) -> None:
    """Check definition FILES (default: every shipped definition); exit 2 if any is invalid.

    \b
    Example:
      thidua def validate my-cluster.yaml
    """
    from thidua.workflow.language.loader import validate_files

    results = validate_files(list(files))
    if env.as_json:
        emit_json(results)
    else:
        for result in results:
            if result["valid"]:
                say(_("ok    {file}  {ref}  {hash}").format(
                    file=result["file"], ref=result["ref"], hash=str(result["hash"])[:12]))
            for problem in result["problems"]:  # type: ignore[attr-defined]
                say(_("error {problem}").format(problem=problem))
    if not all(r["valid"] for r in results):
        raise click.exceptions.Exit(2)


@command.command("lint")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@pass_env
def lint(env: Env, files: tuple[str, ...]) -> None:
    """Check definition FILES (default: the shipped ones) for structure and domain rules.

    Errors (exit 2) forbid publishing the definition; warnings are shown and pass.

    \b
    Example:
      thidua def lint my-cluster.yaml
    """
    from thidua.workflow.errors import InvalidDefinition
    from thidua.workflow.language.lint import lint_files

    reports = lint_files(list(files))
    if env.as_json:
        emit_json([{"file": r.file, "ref": r.ref, "hash": r.hash, "errors": len(r.errors),
                    "warnings": len(r.warnings), "findings": r.findings} for r in reports])
    else:
        for r in reports:
            ok, invalid = _("ok"), _("invalid")
            mark = ok.ljust(len(invalid)) if not r.errors else invalid
            say(_("{mark} {file}  {ref}  {errors}, {warnings}").format(
                mark=mark, file=r.file, ref=r.ref or "",
                errors=ngettext("{count} error", "{count} errors", len(r.errors)).format(
                    count=len(r.errors)),
                warnings=ngettext("{count} warning", "{count} warnings", len(r.warnings)).format(
                    count=len(r.warnings))))
            for f in r.findings:
                say(f"  {f.severity:<7} {f}")
    errors = [f.problem() for r in reports for f in r.errors]
    if errors:
        raise InvalidDefinition(errors)


@command.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@pass_env
def test(env: Env, files: tuple[str, ...]) -> None:
    """Run the scenarios of definition FILES (default: the shipped ones); exit 1 if any fails.

    Each scenario runs on a throwaway in-memory database.

    \b
    Example:
      thidua def test my-cluster.yaml
    """
    from thidua.workflow.services.scenarios import describe, run_files

    reports = run_files(list(files))
    if env.as_json:
        emit_json([{"file": r.file, "ref": r.ref, "hash": r.hash, "passed": not r.failed,
                    "results": [{**plain(x), "passed": x.passed} for x in r.results]}
                   for r in reports])
    else:
        for r in reports:
            say(f"{r.file}  {r.ref}")
            for x in r.results:
                mark = _("PASS") if x.passed else _("FAIL")
                text = ngettext("{name} ({steps} step)", "{name} ({steps} steps)", x.steps).format(
                    name=x.name, steps=x.steps) if x.passed else describe(x)
                say(f"  {mark}  {text}")
            say(_("{count} scenarios: {count2} passed, {count3} failed").format(
                    count=len(r.results), count2=len(r.results) - len(r.failed),
                    count3=len(r.failed)) if r.results else _("no scenarios"))
    for r in reports:
        r.check()


@command.command("publish")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_env
def publish(env: Env, file: str) -> None:
    """Publish definition FILE as an immutable version, after lint and scenarios pass.

    An administrator's step. Lint errors exit 2, failing scenarios exit 1; the same content
    again is a no-op.

    \b
    Example:
      thidua def publish my-cluster-2024.yaml
    """
    from thidua.workflow.services.publish import publish as publish_file

    done = publish_file(env.db(), file)
    if env.as_json:
        emit_json(done)
        return
    ref = f"{done.id}@{done.version} ({done.hash[:12]})"
    if not done.new:
        say(_("already published: {ref} by {person} at {time}; nothing changed").format(
            ref=ref, person=done.published_by, time=done.published_at[:19]))
        return
    for warning in done.warnings:
        say(_("warning {warning}").format(warning=warning))
    if done.based_on:
        ref += _(", based on {ref}").format(ref=done.based_on['ref'])
    say(_("published {ref}, effective from {effective_from}, by {published_by}; {scenarios} "
          "scenarios passed").format(
            ref=ref, effective_from=done.effective_from, published_by=done.published_by,
            scenarios=done.scenarios))


@command.command("versions")
@click.argument("def_id", required=False)
@pass_env
def versions(env: Env, def_id: str | None) -> None:
    """List the stored definition versions (of DEF_ID), published or used by a cycle.

    \b
    Example:
      thidua def versions ccb-cluster-annual
    """
    from thidua.workflow.services.publish import versions as stored_versions

    rows = stored_versions(env.db(), def_id)
    if env.as_json:
        emit_json(rows)
        return
    table(["id", "version", "effective", "hash", "published", "by", "at", "cycles"],
          [[v.id, v.version, v.effective_from, v.hash[:12], _publication(v.published, v.status),
            v.by, env.time(v.at, date_only=True), v.cycles] for v in rows])


def _publication(published: bool, status: str) -> str:
    """yes, or no with what the version is instead (shipped, a draft)."""
    if published:
        return _("yes")
    return _("no") if status == "published" else _("no ({status})").format(status=status)


@command.command("diff")
@click.argument("a")
@click.argument("b")
@pass_env
def diff(env: Env, a: str, b: str) -> None:
    """What changed from definition A to B (each a file, id@version or id).

    \b
    Example:
      thidua def diff ccb-cluster-annual@2023.1 my-cluster-2024.yaml
    """
    from thidua.workflow.language.diff import diff_names

    result = diff_names(a, b, env.db)
    if env.as_json:
        emit_json({**plain(result), "same": result.same})
        return
    a, b = (f"{ref} ({digest[:12]}" + (_(", based on {ref}").format(
        ref=base['ref']) if base else "") + ")"
            for ref, digest, base in ((result.a, result.a_hash, result.a_based_on),
                                      (result.b, result.b_hash, result.b_based_on)))
    say(ngettext("{a} -> {b}: {count} change", "{a} -> {b}: {count} changes",
                 len(result.changes)).format(a=a, b=b, count=len(result.changes)))
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for change in result.changes:
        say(f"  {marks[change.change]} {change.text}")


@command.command("graph")
@click.argument("name", shell_complete=completion.definitions)
@click.option("--cycle", "cycle_id", type=int, help="Highlight this cycle's path and state.",
              shell_complete=completion.cycle_ids)
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True)
@pass_env
def graph(env: Env, name: str, cycle_id: int | None, fmt: str) -> None:
    """Draw definition NAME (id, id@version or file) as a Mermaid or DOT diagram.

    \b
    Example:
      thidua def graph ccb-cluster-annual --cycle 1 > cycle-1.mmd
      thidua def graph ccb-cluster-annual --format dot | dot -Tsvg > annual.svg
    """
    from thidua.workflow.services.graph import draw

    drawing = draw(name, env.db, fmt=fmt, cycle_id=cycle_id, lang=env.lang)  # type: ignore[arg-type]
    if env.as_json:
        emit_json(drawing)
        return
    for line in drawing.source.splitlines():
        say(line)
