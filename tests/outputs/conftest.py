"""A results folder shared by the table, plot and report tests: ``carecoord run`` on the tiny scenario.

Three replications (so confidence intervals exist), with Parquet and the event log, run once per
session through the real console script under an ordinary umask.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory: pytest.TempPathFactory, run_cli, tiny_path: Path) -> Path:
    """``carecoord run tiny.yaml --replications 3 --parquet --events --out DIR`` with umask 022."""
    out = tmp_path_factory.mktemp("outputs") / "results"
    old = os.umask(0o022)
    try:
        proc = run_cli("run", tiny_path, "--replications", "3", "--workers", "1", "--parquet", "--events", "--out", out)
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    return out
