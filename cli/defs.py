"""``thidua def``: list, show and validate cycle definitions."""

from __future__ import annotations

import click

from cli.output import Env, emit_json, pairs, pass_env, table


@click.group("def")
def command() -> None:
    """List, show and validate cycle definitions.

    \b
    Example:
      thidua def validate definitions/ccb-cluster-annual.yaml
    """


@command.command("list")
@pass_env
def list_(env: Env) -> None:
    """List the shipped definitions.

    \b
    Example:
      thidua def list
    """
    from workflow.loader import shipped

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
@click.argument("name")
@pass_env
def show(env: Env, name: str) -> None:
    """Show a definition's states and transitions (NAME: id, id@version or file).

    \b
    Example:
      thidua def show ccb-cluster-annual
    """
    from workflow.loader import find

    loaded = find(name)
    d = loaded.definition
    if env.as_json:
        emit_json({"hash": loaded.hash, "file": loaded.file, **d.model_dump(mode="json")})
        return
    pairs([("id", d.id), ("version", d.version), ("title", env.label(d.title, d.id)),
           ("effective from", d.effective_from.isoformat()), ("hash", loaded.hash),
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
    from workflow.loader import validate_files

    results = validate_files(list(files))
    if env.as_json:
        emit_json(results)
    else:
        for result in results:
            if result["valid"]:
                click.echo(f"ok    {result['file']}  {result['ref']}  {str(result['hash'])[:12]}")
            for problem in result["problems"]:  # type: ignore[attr-defined]
                click.echo(f"error {problem}")
    if not all(r["valid"] for r in results):
        raise click.exceptions.Exit(2)
