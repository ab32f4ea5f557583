"""``thidua def schema``: a JSON Schema that every definition the loader accepts satisfies, and
that catches what an editor should flag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from tests.cli.helpers import ok
from tests.revisions import MINI
from tests.workflow.test_definitions import BASE
from thidua.workflow.language.loader import find, shipped_files
from thidua.workflow.language.reader import read_yaml


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    """A validator of the schema `def schema` prints (itself checked as a 2020-12 schema)."""
    from thidua.cli.main import root

    schema = json.loads(ok(CliRunner().invoke(root, ["def", "schema"])))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _data(text: str) -> Any:
    """The YAML as data, as the loader (and a YAML 1.2 editor) reads it: dates stay text."""
    return read_yaml(text, "x.yaml").data


def _errors(validator: jsonschema.protocols.Validator, text: str) -> list[str]:
    return [error.message for error in validator.iter_errors(_data(text))]


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.stem)
def test_every_shipped_definition_validates(validator: jsonschema.protocols.Validator,
                                            path: Path) -> None:
    """Both shipped files, the short one that extends and the whole one, satisfy the schema."""
    assert _errors(validator, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("text", [MINI, BASE, find("ccb-cluster-annual-handover-at-summary")
                                  .source], ids=["mini", "definitions-base", "resolved"])
def test_definitions_the_loader_accepts_validate(validator: jsonschema.protocols.Validator,
                                                 text: str) -> None:
    """Short forms (a guard by name or {name: {params}}, one source) and based_on validate."""
    assert _errors(validator, text) == []


@pytest.mark.parametrize(("text", "wanted"), [
    pytest.param(MINI.replace("roles: [secretariat, member_unit, council]\n", ""),
                 "'roles' is a required property", id="missing-roles"),
    pytest.param(MINI + "colour: red\n", "Additional properties are not allowed", id="unknown"),
    pytest.param(MINI.replace("    roles: [secretariat]\n",
                              "    roles: [secretariat]\n    guards: [42]\n", 1),
                 "is not valid under any of the given schemas", id="guard-a-number"),
    pytest.param(MINI.replace("name: review,", "name: Review,"),
                 "does not match", id="bad-state-name"),
    pytest.param('extends: mini-cycle@1\nversion: "2"\nstates:\n  - {due: "12-15"}\n',
                 "'name' is a required property", id="change-without-name"),
    pytest.param('extends: mini-cycle@1\nstates:\n  - {name: review, add: "yes"}\n',
                 "'yes' is not of type 'boolean'", id="add-not-boolean"),
    pytest.param('extends: mini-cycle\nversion: "2"\n', "does not match", id="extends-no-version"),
])
def test_the_schema_flags_what_the_loader_refuses(validator: jsonschema.protocols.Validator,
                                                  text: str, wanted: str) -> None:
    """A missing field, an unknown one, a bad guard or name, a malformed change are flagged."""
    errors = _errors(validator, text)
    assert any(wanted in message for message in errors), errors
