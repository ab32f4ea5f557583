"""Working as another operator: an OS account on SQLite, a database login on PostgreSQL.

On SQLite the operator is the account the process runs as; a test names it through the
``operator`` an embedding program may pass (workflow) or by standing in for the account
database (CLI). On PostgreSQL it is the session's login, so each name is a real role.
"""

from __future__ import annotations

from collections.abc import Callable
from unittest.mock import patch

from click.testing import CliRunner, Result
from sqlalchemy import text

from thidua.workflow.services.db import Database

Opener = Callable[[str], Database]
AsLogin = Callable[..., Result]


def login_url(db_url: str, db: Database, name: str) -> str:
    """The URL that opens ``db`` as ``name`` (a PostgreSQL role created as needed)."""
    if db.engine.dialect.name == "sqlite":
        return db_url
    with db.engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                              {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{name}"'))
    return db_url.replace("postgres@", f"{name}@", 1)


def opener(db_url: str, db: Database, opened: list[Database]) -> Opener:
    """A function that opens ``db`` as a named operator (closed by the caller via
    ``opened``)."""
    def open_as(name: str) -> Database:
        url = login_url(db_url, db, name)
        handle = Database(url, operator=name) if db.engine.dialect.name == "sqlite" \
            else Database(url)
        assert handle.operator == name
        opened.append(handle)
        return handle

    return open_as


def cli_as(db_url: str, db: Database) -> AsLogin:
    """``run(login, *args, json=False)``: ``thidua --db URL --lang en ARGS`` entered by
    ``login``."""
    from thidua.cli.main import root

    def run(login: str, *args: str, json: bool = False) -> Result:
        url = login_url(db_url, db, login)
        words = ["--db", url, "--lang", "en", *(["--json"] if json else []), *args]
        with patch("thidua.store.engine.os_account", return_value=login):
            return CliRunner().invoke(root, words, catch_exceptions=False)

    return run
