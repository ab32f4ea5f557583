"""The stress and crash tests report their counts at the end of the run, whatever ``-s`` and
whether or not the tests ran in xdist workers: each line travels in its test's report."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import COUNTS_KEY as KEY


@pytest.fixture
def report(record_property: Callable[[str, object], None]) -> Callable[[str], None]:
    """Keep a line for the terminal summary (and print it, for ``-s`` runs)."""

    def add(line: str) -> None:
        print(line)
        record_property(KEY, line)

    return add
