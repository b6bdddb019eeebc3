"""Checks made before any work starts, so that a run never fails (or misleads) half-way.

``run``, ``validate`` and ``calibrate`` call :func:`preflight` after loading the scenario. It
checks what the schema cannot see: the files the scenario names (cohort CSV), the dates against
the calendar (go-live before the start, inside the warm-up, after the end), that there are
patients at all, that the output folder can be written without losing anything, and the size of
the run (time and memory from patients x years x arms x replications): above the time limit
refused unless the user says ``--yes``, above the memory limit refused always.

Example:
    >>> loaded = load_scenario_source("scenarios/east_blackburn_pilot.yaml")
    >>> estimate = preflight(loaded, out=Path("results/pilot"))
    >>> estimate.describe()
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from carecoord.cohort_csv import read_cohort_csv
from carecoord.errors import OutputError, RunTooLargeError, ScenarioError
from carecoord.executor import default_workers
from carecoord.scenario.loader import LoadedScenario

# Cost of one patient-year in one arm: 129.7 s CPU for 316,075 patient-years (the region benchmark, 50,000
# patients + 5,000 a year x 3 years, baseline and integrated arms, one core) is ~0.41 ms; Lancashire and
# South Cumbria's run (pooled, 5 replications) 127 s CPU for ~296,000, ~0.43 ms (docs/performance.md, the
# 2026-11-30 second stop); rounded up. An integrated arm alone costs about 1.5 times a baseline. That is
# plain Python; the compiled model (mypyc, the default install): Lancashire and South Cumbria's run 70 s
# CPU for ~296,000, ~0.24 ms, the region benchmark's 58 s for 316,075, ~0.18 ms (docs/performance.md,
# the 2026-11-30 fourth stop); rounded up.
SECONDS_PER_PATIENT_YEAR_ARM = 0.5e-3
SECONDS_PER_PATIENT_YEAR_ARM_COMPILED = 0.28e-3
# Memory: the bench's peak of 446 MB for 65,003 patients x 2 arms in one process and 217 MB for 26,005
# (docs/performance.md, memory round 2) is ~5.9 kB per patient, ~3 kB per patient per arm, over a base
# of ~150 MB (assumption, above the ~65 MB the two sizes imply: the interpreter and libraries of a run).
BYTES_PER_PATIENT_ARM = 3_000
BYTES_PER_WORKER = 150e6
MAX_YEARS = 100  # assumption: no study of care for people with long-term conditions runs longer
MAX_SECONDS = 3600.0  # assumption: longer than an hour needs --yes
MAX_MEMORY_SHARE = 0.8  # assumption: more than 80% of the machine's memory is refused (no --yes)


@dataclass(frozen=True)
class RunEstimate:
    """How big a run is and what it will cost, from the benchmark's rates."""

    patients: int
    patient_years: float
    arms: int
    replications: int
    workers: int
    seconds: float
    peak_bytes: float

    def describe(self) -> str:
        return (
            f"{self.patients:,} patients x {self.arms} arms x {self.replications} "
            f"replication{'' if self.replications == 1 else 's'}: "
            f"about {_duration(self.seconds)} on {self.workers} worker(s), {self.peak_bytes / 1e9:,.1f} GB of memory"
        )


def preflight(
    loaded: LoadedScenario,
    out: Path | None = None,
    overwrite: bool = False,
    workers: int | None = None,
    yes: bool = False,
) -> RunEstimate:
    """Every check before a run; raises the first kind of problem found (scenario, output, size)."""
    csv_sizes = check_scenario(loaded)
    if out is not None:
        check_output(out, overwrite)
    scenario = loaded.scenario
    n = scenario.simulation.replications
    estimate = estimate_run(loaded, workers or default_workers(n, len(scenario.arms)), csv_sizes)
    check_size(estimate, yes, str(loaded.path))
    return estimate


def check_scenario(loaded: LoadedScenario) -> dict[str, int] | None:
    """Dates, patients and named files; returns the patients per locality of a cohort CSV, if any."""
    scenario = loaded.scenario
    csv_sizes = None
    if scenario.cohort.csv is not None:
        csv_path = Path(scenario.cohort.csv)
        if not csv_path.is_file():
            what = "is a folder, not a CSV file" if csv_path.is_dir() else "does not exist"
            file, problem = loaded.problem(("cohort", "csv"), f"{csv_path} {what}")
            raise ScenarioError(file, [problem])
        tiers = {t.name: i for i, t in enumerate(scenario.cohort.tiers)}
        rows = read_cohort_csv(Path(scenario.cohort.csv), {loc.name for loc in scenario.localities}, tiers)
        csv_sizes = {name: len(patients) for name, patients in rows.items()}
    problems = _date_problems(loaded) + _patient_problems(loaded, csv_sizes)
    if problems:
        raise ScenarioError(str(loaded.path), [p for _, p in problems], [f for f, _ in problems])
    return csv_sizes


def _date_problems(loaded: LoadedScenario) -> list[tuple[str, str]]:
    sim = loaded.scenario.simulation
    start = sim.start_date
    if sim.horizon_days > MAX_YEARS * 365.25 or sim.horizon_days > (dt.date.max - start).days:
        field = "duration_days" if sim.duration_days is not None else "end_date"
        text = f"a run of {sim.horizon_days:,} days from {start} is longer than {MAX_YEARS} years or ends after 9999"
        return [loaded.problem(("simulation", field), text)]
    end = start + dt.timedelta(days=sim.horizon_days)
    results_from = start + dt.timedelta(days=sim.warm_up_days)
    out = []
    for i, loc in enumerate(loaded.scenario.localities):
        if loc.go_live is None:
            continue
        where = ("localities", i, "go_live")
        if loc.go_live < start:
            text = (
                f"{loc.go_live} is before the run starts ({start}); integrated care cannot start before the model does"
            )
        elif loc.go_live >= end:
            text = (
                f"{loc.go_live} is on or after the end of the run ({end}): integrated care would never start in "
                f"'{loc.name}'; move the date or lengthen simulation.duration_days"
            )
        elif loc.go_live < results_from:
            text = (
                f"{loc.go_live} is inside the warm-up (results start on {results_from}): its first months would be "
                f"left out of the results; use a date on or after {results_from}, or leave go_live empty "
                "(= the end of the warm-up)"
            )
        else:
            continue
        out.append(loaded.problem(where, text))
    return out


def _patient_problems(loaded: LoadedScenario, csv_sizes: dict[str, int] | None) -> list[tuple[str, str]]:
    localities = loaded.scenario.localities
    sizes = [csv_sizes.get(loc.name, 0) if csv_sizes is not None else loc.cohort_size for loc in localities]
    if sum(sizes) == 0 and all(loc.incidence_per_year == 0 for loc in localities):
        return [loaded.problem(("localities",), "no patients: every cohort_size and incidence_per_year is 0")]
    out = []
    for i, (loc, size) in enumerate(zip(localities, sizes, strict=True)):
        if size == 0 and loc.incidence_per_year == 0:
            given = "no rows in cohort.csv" if csv_sizes is not None else "cohort_size 0"
            text = f"'{loc.name}' never has a patient ({given} and incidence_per_year 0); remove it or give it patients"
            out.append(loaded.problem(("localities", i), text))
    return out


def check_output(out: Path, overwrite: bool) -> None:
    """The output folder can be created and written, and nothing in it would be lost."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: --out: exists and is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / "manifest.json").is_file():
            raise OutputError(
                f"{out}: --out: a folder with other files in it (not carecoord results: no manifest.json); "
                "choose a new or empty folder (--overwrite only replaces a results folder)"
            )
        if not overwrite:
            raise OutputError(
                f"{out}: --out: already holds results; choose another --out "
                "or pass --overwrite (the old folder is kept)"
            )
    ancestor = out
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{out}: --out: cannot be created, because {ancestor} is a file, not a folder")
    try:
        probe = tempfile.mkdtemp(prefix=".carecoord-write-check-", dir=ancestor)
        os.rmdir(probe)
    except OSError as exc:
        raise OutputError(f"{out}: --out: cannot be written in {ancestor}: {exc.strerror}") from None


def check_calibration_target(source: Path, dest: Path) -> None:
    """``calibrate`` can write its result (checked before the calibration runs, not after)."""
    if dest.is_dir():
        raise OutputError(f"{dest}: --out: is a folder; give the file to write")
    folder = dest.parent
    if not folder.is_dir():
        raise OutputError(f"{dest}: --out: cannot be written, because {folder} is not an existing folder")
    if not os.access(folder, os.W_OK) or (dest.exists() and not os.access(dest, os.W_OK)):
        raise OutputError(f"{dest}: --out: cannot be written (permission denied)")


def seconds_per_patient_year_arm() -> float:
    """CPU seconds of one patient-year in one arm for this install: the compiled model's or plain Python's."""
    from carecoord.build_info import model_compiled

    return SECONDS_PER_PATIENT_YEAR_ARM_COMPILED if model_compiled() else SECONDS_PER_PATIENT_YEAR_ARM


def estimate_run(loaded: LoadedScenario, workers: int, csv_sizes: dict[str, int] | None = None) -> RunEstimate:
    """Time and memory of a run, from the benchmark's cost per patient-year and per patient."""
    scenario = loaded.scenario
    years = scenario.simulation.horizon_days / 365.25
    initial = sum(csv_sizes.values()) if csv_sizes is not None else sum(loc.cohort_size for loc in scenario.localities)
    incident = sum(loc.incidence_per_year for loc in scenario.localities) * years
    patients = int(initial + incident)
    patient_years = initial * years + incident * years / 2
    arms = len(scenario.arms)
    n = scenario.simulation.replications
    units = n * arms if workers > n else n  # arms run apart when workers outnumber replications (carecoord.experiment)
    busy = max(1, min(workers, units))
    seconds = patient_years * arms * n * seconds_per_patient_year_arm() / busy
    held = 1 if workers > n else arms  # arms run apart: a worker holds one arm's world at a time
    peak = busy * (BYTES_PER_WORKER + patients * held * BYTES_PER_PATIENT_ARM)
    return RunEstimate(patients, patient_years, arms, n, busy, seconds, peak)


def check_size(estimate: RunEstimate, yes: bool, source: str = "scenario") -> None:
    """Refuse a run above the time limit unless the user said ``--yes``, and above the memory limit always.

    Time is the user's to spend; memory is not: a run that needs more than the machine has would
    swap or be killed part-way, so ``--yes`` cannot override it.
    """
    memory = _machine_memory()
    if memory and estimate.peak_bytes > MAX_MEMORY_SHARE * memory:
        raise RunTooLargeError(
            f"{source}: run size: {estimate.describe()}: more than {MAX_MEMORY_SHARE:.0%} of this machine's "
            f"{memory / 1e9:,.1f} GB of memory, which --yes cannot override; use fewer patients or workers"
        )
    if not yes and estimate.seconds > MAX_SECONDS:
        raise RunTooLargeError(
            f"{source}: run size: {estimate.describe()}: more than {_duration(MAX_SECONDS)}; pass --yes to run it "
            "anyway, or use fewer patients, replications or years"
        )


def _machine_memory() -> float | None:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.1f} h"
