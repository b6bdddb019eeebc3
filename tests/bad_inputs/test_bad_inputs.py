"""Every broken input in ``files/`` gets ``FILE: field.path: what is wrong (line N)``, exit 2, nothing written.

``manifest.csv`` gives, for each case, the file (or a fault made at test time: an output folder
whose parent is a file, an unwritable one, an unrelated non-empty one, a 100 MB scenario), the
message fragment, the field path, the file the message must name and its line. ``validate`` runs
on every case in-process; ``run`` (the real console script, one replication) on the cases marked
for it. The valid base file the others extend is checked to pass, so each failure is the fault's.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecoord.cli import app
from carecoord.scenario.yaml_reader import MAX_SCENARIO_BYTES

HERE = Path(__file__).parent
FILES = HERE / "files"
CARECOORD = Path(sys.executable).parent / "carecoord"
LINE_FORMAT = re.compile(r"^(?P<file>[^:]+): (?P<field>[^:]+): (?P<message>.+)$")
FILE_FORMAT = re.compile(r"^(?P<file>[^:]+): (?P<message>.+)$")


@dataclass(frozen=True)
class Case:
    file: str
    args: list[str]
    out: str
    commands: list[str]
    in_file: str
    field: str
    fragment: str
    line: int | None
    issue_row: str

    @property
    def id(self) -> str:
        return Path(self.file).stem + ("-" + "-".join(self.args) if self.args else "")


def _cases() -> list[Case]:
    with (HERE / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Case(
            file=row["file"],
            args=row["args"].split(" ") if row["args"] else [],
            out=row["out"],
            commands=row["commands"].split(),
            in_file=row["in_file"] or row["file"],
            field=row["field"],
            fragment=row["fragment"],
            line=int(row["line"]) if row["line"] else None,
            issue_row=row["issue_row"],
        )
        for row in rows
    ]


CASES = _cases()


def _setup(case: Case, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(scenario file, --out, a folder whose contents must not change) for one case."""
    work = tmp_path / "tests" / "bad_inputs" / "files"  # the repository's layout: some cases extend ../../../scenarios
    shutil.copytree(FILES, work)
    shutil.copytree(HERE.parent.parent / "scenarios", tmp_path / "scenarios")
    scenario = work / case.file
    if case.file == "generated_100mb.yaml":
        with scenario.open("w", encoding="utf-8") as fh:
            fh.write("name: huge\n")
            fh.write("# padding to make the file 100 MB\n" * (100_000_000 // 34))
        assert scenario.stat().st_size >= 99_000_000 > MAX_SCENARIO_BYTES
    if case.file.startswith("out_"):
        scenario = work / "_valid.yaml"
    outside = tmp_path / "outside"
    outside.mkdir()
    if case.out == "parent_is_file":
        (outside / "a_file").write_text("not a folder\n", encoding="utf-8")
        out = outside / "a_file" / "results"
    elif case.out == "unrelated_folder":
        (outside / "my_documents").mkdir()
        (outside / "my_documents" / "notes.txt").write_text("keep me\n", encoding="utf-8")
        out = outside / "my_documents"
    elif case.out == "unwritable":
        out = Path("/proc/carecoord-results")  # no one, not even root, can create a folder in /proc
    else:
        out = outside / "results"
    return scenario, out, outside


def _snapshot(folder: Path) -> dict[str, tuple[int, int] | None]:
    """Every file under ``folder`` with its size and modification time, and every folder by name.

    A folder's own time is left out: the output check may create and remove a probe in it.
    """
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def _check_stderr(case: Case, stderr: str, out: Path) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    for line in lines:
        assert FILE_FORMAT.match(line), f"not 'FILE: message': {line!r}"
    chained = case.in_file != case.file and case.in_file.endswith(".yaml")  # plus the chain's line
    assert len(lines) == 1 + chained, f"one problem, one line:\n{stderr}"
    hits = [line for line in lines if case.fragment in line]
    assert len(hits) == 1, f"{case.fragment!r} not in exactly one line of:\n{stderr}"
    hit = hits[0]
    in_file = str(out) if case.out else case.in_file
    assert hit.split(": ", 1)[0].endswith(in_file), hit
    if case.field:
        match = LINE_FORMAT.match(hit)
        assert match, hit
        assert match["field"] == case.field, hit
    if case.line is not None:
        assert hit.endswith(f"(line {case.line})"), hit
    else:
        assert "(line " not in hit, hit


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_refuses(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``carecoord validate``: the expected message, exit 2, nothing written."""
    scenario, out, _outside = _setup(case, tmp_path)
    before = _snapshot(tmp_path)
    monkeypatch.chdir(scenario.parent)
    result = CliRunner().invoke(app, ["validate", scenario.name, *case.args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    _check_stderr(case, result.stderr, out)
    assert _snapshot(tmp_path) == before
    assert not out.exists() or (out.is_dir() and case.out == "unrelated_folder")


RUN_CASES = [c for c in CASES if "run" in c.commands]


@pytest.mark.parametrize("case", RUN_CASES, ids=[c.id for c in RUN_CASES])
def test_run_refuses(case: Case, tmp_path: Path) -> None:
    """``carecoord run`` (the installed script, one replication): the same message before any work."""
    scenario, out, _outside = _setup(case, tmp_path)
    before = _snapshot(tmp_path)
    proc = subprocess.run(
        [str(CARECOORD), "run", scenario.name, *case.args, "--replications", "1", "--workers", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=scenario.parent,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    _check_stderr(case, proc.stderr, out)
    assert proc.stdout == ""
    assert _snapshot(tmp_path) == before


def test_the_corpus_is_large_and_covers_the_issue_table() -> None:
    """At least 40 broken inputs, and every fault in the issue's table has its case."""
    assert len(CASES) >= 40
    rows = {c.issue_row for c in CASES if c.issue_row}
    assert len(rows) >= 20
    listed = {c.file for c in CASES}
    on_disk = {p.name for p in FILES.iterdir() if p.suffix == ".yaml" and not p.name.startswith("_")}
    helpers = {"extends_cycle_b.yaml"}  # reached through extends_cycle_a.yaml
    assert on_disk - helpers <= listed, on_disk - helpers - listed


def test_the_base_file_is_valid_and_runs(tmp_path: Path) -> None:
    """The file the broken cases extend validates and runs, so each refusal comes from its fault."""
    out = tmp_path / "results"
    proc = subprocess.run(
        [str(CARECOORD), "run", str(FILES / "_valid.yaml"), "--replications", "1", "--workers", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "manifest.json").is_file()
