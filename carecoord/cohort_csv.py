"""Reading a cohort CSV extract (one row per patient), checked row by row before any work.

The same reader serves the preflight check and the cohort builder, so a file that passes the
check is exactly the file that is used. Problems read ``FILE: column: what is wrong (line N)``
(the first 10 are listed).

Example:
    >>> rows = read_cohort_csv(Path("patients.csv"), localities={"east"}, tiers={"high": 0})
    >>> rows["east"][0]["age"]
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from carecoord.errors import ScenarioError
from carecoord.scenario.yaml_reader import decode

REQUIRED = ("locality", "age", "tier", "lives_alone", "anxious_at_night")
MAX_PROBLEMS = 10
YES = {"1", "true", "yes", "y"}
NO = {"0", "false", "no", "n", ""}


def read_cohort_csv(path: Path, localities: set[str], tiers: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """Patients by locality: ``{"east": [{"age": 81.0, "tier": 1, "lives_alone": True, ...}]}``."""
    source = str(path)
    if path.is_dir():
        raise ScenarioError(source, ["cohort.csv: this is a folder, not a CSV file"])
    if not path.is_file():
        raise ScenarioError(source, ["cohort.csv: file not found"])
    try:
        text = decode(path.read_bytes(), source)
    except OSError as exc:
        raise ScenarioError(source, [f"(file): cannot be read: {exc.strerror}"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ScenarioError(
            source, [f"(header): the file is empty; its first line must name the columns {', '.join(REQUIRED)}"]
        )
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScenarioError(
            source, [f"(header): missing columns {', '.join(missing)}; need {', '.join(REQUIRED)} (line 1)"]
        )
    out: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        try:
            record = _record(row, localities, tiers)
        except _RowError as exc:
            problems.append(f"{exc.column}: {exc} (line {line})")
            if len(problems) >= MAX_PROBLEMS:
                problems.append(f"(stopped after {MAX_PROBLEMS} problems)")
                break
            continue
        out.setdefault(row["locality"].strip(), []).append(record)
    if problems:
        raise ScenarioError(source, problems)
    if not out:
        raise ScenarioError(source, ["(rows): the file has a header but no patients (line 1)"])
    return out


class _RowError(ValueError):
    def __init__(self, column: str, text: str):
        super().__init__(text)
        self.column = column


def _record(row: dict[str, str | None], localities: set[str], tiers: dict[str, int]) -> dict[str, Any]:
    values = {c: (row.get(c) or "").strip() for c in REQUIRED}
    if None in row:  # csv puts surplus fields under the key None
        raise _RowError("(row)", "more fields than the header has columns")
    if values["locality"] not in localities:
        raise _RowError(
            "locality", f"'{values['locality']}' is not a locality of the scenario ({', '.join(sorted(localities))})"
        )
    if values["tier"] not in tiers:
        raise _RowError("tier", f"'{values['tier']}' is not a tier of the scenario ({', '.join(tiers)})")
    try:
        age = float(values["age"])
    except ValueError:
        raise _RowError("age", f"'{values['age']}' is not a number") from None
    if not math.isfinite(age) or not 0 <= age <= 120:
        raise _RowError("age", f"{values['age']} is not an age in years (0 to 120)")
    return {
        "age": age,
        "tier": tiers[values["tier"]],
        "lives_alone": _yes_no("lives_alone", values["lives_alone"]),
        "anxious_at_night": _yes_no("anxious_at_night", values["anxious_at_night"]),
    }


def _yes_no(column: str, value: str) -> bool:
    v = value.lower()
    if v in YES:
        return True
    if v in NO:
        return False
    raise _RowError(column, f"'{value}' is not a yes/no value (yes, no, true, false, 1, 0)")
