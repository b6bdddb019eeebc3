"""``carecoord bench``: how fast the model runs, against SimPy's own ceiling, at several sizes.

Each size runs in a fresh Python process, because peak memory (``ru_maxrss``) is per process.
In that process the region benchmark scenario is scaled to the size (localities of 10,000
patients), one cohort is drawn and both arms run once. The model's SimPy events are counted from
the environment's event-id counter after the run, so counting costs nothing inside the event
loop; its event rate is over the event loop's CPU time (building an arm's world, and closing its
open intervals at the horizon, are in ``cpu_s`` and in patient-years per second, not in the rate).
Bare SimPy runs in the same process, after each environment's run and with as many live processes as
it had (each waiting on one timeout at a time), because a heap's cost per event grows with its size.
Times are CPU seconds (``time.process_time``) unless named wall: the development machine is
shared, and CPU time is what moves least when others are busy.

Example:
    >>> result = run_bench([1000, 5000], years=3)
    >>> result["ratio"]  # model events per CPU second / bare SimPy's at the largest size
"""

from __future__ import annotations

import gc
import json
import math
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from carecoord.build_info import model_compiled

DEFAULT_SIZES = (1_000, 5_000, 20_000, 50_000)
LOCALITY_PATIENTS = 10_000
"""Patients per locality when a size is scaled (the region benchmark's localities)."""
BARE_MIN_EVENTS = 400_000
"""Events timed in bare SimPy (at least; more at large sizes so every process steps a few times)."""
BARE_REPEATS = 5
"""Bare SimPy is timed at least this many times at each size, each in an environment of its own, after
the model's runs in turn (:func:`measure_size`), and the median rate is the ceiling: one timing (about half
a second) moved by about +-8% from one to the next on a quiet development machine (docs/performance.md),
where the model's loop runs for seconds."""
DAYS_PER_YEAR = 365.25


def default_scenario_path() -> Path:
    """``experiments/region_benchmark.yaml`` of the source tree this package runs from."""
    return Path(__file__).resolve().parents[1] / "experiments" / "region_benchmark.yaml"


def parse_sizes(text: str) -> list[int]:
    """``"5000,20000"`` -> ``[5000, 20000]``; raises ValueError naming what is wrong."""
    sizes = []
    for part in text.split(","):
        part = part.strip().replace("_", "")
        if not part.isdigit() or int(part) < 1:
            raise ValueError(f"--sizes: '{part}' is not a positive whole number of patients")
        sizes.append(int(part))
    return sizes


def scaled_scenario(base: Any, patients: int, years: float) -> Any:
    """The base scenario with ``patients`` initial patients in localities of up to 10,000.

    Per-locality capacities follow each locality's size (sized by population at the base's first
    locality's capacity per 1,000 patients; coordinators likewise), shared services (hospital,
    intermediate care...) the whole size, and incidence keeps the base's share of the cohort a year.
    At 50,000 patients and 3 years this is the region benchmark itself (5 localities of 10,000,
    1,096 days).
    """
    from carecoord.scenario.capacity import BY_POPULATION, REFERENCE_PATIENTS, locality_capacity
    from carecoord.scenario.schema import Scenario
    from carecoord.scenario.services import LOCALITY_SERVICES, SHARED_SERVICES

    data = base.model_dump()
    template = data["localities"][0]
    base_size = template["cohort_size"]
    base_total = sum(loc["cohort_size"] for loc in data["localities"])
    for service in LOCALITY_SERVICES:  # the first locality's capacity per 1,000 of its patients
        capacity = locality_capacity(base, service, 0)
        if capacity is not None:
            data["services"][service].update(
                capacity=BY_POPULATION, capacity_per_1000_patients=capacity * REFERENCE_PATIENTS / base_size
            )
    n = max(1, math.ceil(patients / LOCALITY_PATIENTS))
    sizes = [patients // n + (i < patients % n) for i in range(n)]
    names = [loc["name"] for loc in data["localities"]]
    localities = []
    for i, size in enumerate(sizes):
        name = names[i] if i < len(names) else f"locality_{i + 1}"
        localities.append(
            {
                **template,
                "name": name,
                "cohort_size": size,
                "incidence_per_year": template["incidence_per_year"] * size / base_size,
                "capacity_scale": None,  # capacities follow cohort_size (by_population, above)
            }
        )
    data["localities"] = localities
    for service in SHARED_SERVICES:  # by_population ones follow the total cohort by themselves
        spec = data["services"][service]
        if isinstance(spec.get("capacity"), int | float):
            spec["capacity"] = max(1, round(spec["capacity"] * patients / base_total))
    for arm in data["arms"]:
        enrolment = arm["mechanisms"].get("enrolment")
        if enrolment and isinstance(enrolment.get("coordinators"), int):
            per_base = enrolment["coordinators"]
            enrolment["coordinators"] = {
                loc["name"]: max(1, round(per_base * loc["cohort_size"] / base_size)) for loc in localities
            }
    data["simulation"].update(duration_days=round(years * DAYS_PER_YEAR), end_date=None, warm_up_days=0, replications=1)
    return Scenario.model_validate(data)


def bare_event_rate(
    live_processes: int, min_events: int = BARE_MIN_EVENTS, repeats: int = BARE_REPEATS
) -> dict[str, float]:
    """Events per CPU second of bare SimPy with ``live_processes`` processes, each in a timeout loop.

    Delays are precomputed (no random draws inside the loop), so this is SimPy's own ceiling:
    one heap push, one heap pop and one process resumption per event, timed with the cyclic garbage
    collector paused as the model's loop is. Timed ``repeats`` times, each in a fresh environment
    (:func:`bare_summary` of the timings).
    """
    return bare_summary([bare_timing(live_processes, min_events) for _ in range(max(1, repeats))])


def bare_timing(live_processes: int, min_events: int = BARE_MIN_EVENTS) -> tuple[int, float]:
    """One timing of bare SimPy in an environment of its own: events processed and CPU seconds."""
    run = _bare_run(max(1, live_processes), min_events)
    gc.collect()  # the environment is a web of cycles (processes, events): freed before anything else runs
    return run


def bare_summary(runs: list[tuple[int, float]]) -> dict[str, float]:
    """``events_per_s``: the median rate of the timings; ``events_per_s_min`` and ``events_per_s_max`` their
    spread; ``events`` and ``cpu_s`` those of every timing together; ``repeats`` how many."""
    rates = sorted(events / cpu if cpu > 0 else 0.0 for events, cpu in runs)
    return {
        "events": float(sum(events for events, _ in runs)),
        "cpu_s": sum(cpu for _, cpu in runs),
        "events_per_s": statistics.median(rates),
        "events_per_s_min": rates[0],
        "events_per_s_max": rates[-1],
        "repeats": float(len(runs)),
    }


def _bare_run(n: int, min_events: int) -> tuple[int, float]:
    """One timing of bare SimPy with ``n`` processes: events processed and CPU seconds."""
    import numpy as np
    import simpy

    from carecoord.model.loop import collector_paused

    env = simpy.Environment()
    delays = np.random.default_rng(0).exponential(1.0, size=4096).tolist()

    def loop(start: int):
        timeout = env.timeout
        i = start
        while True:
            yield timeout(delays[i & 4095])
            i += 1

    for k in range(n):
        env.process(loop(k))
    env.run(until=1.0)  # start every process: the heap is now full
    steps = max(2.0, min_events / n)  # each process steps about once per unit of time
    first, queued = next(env._eid), len(env._queue)
    with collector_paused():  # as the model's event loop runs (carecoord.model.loop)
        cpu = time.process_time()
        env.run(until=1.0 + steps)
        cpu = time.process_time() - cpu
    return (next(env._eid) - first - 1) + queued - len(env._queue), cpu  # scheduled here + queued before - left


def measure_size(patients: int, years: float, scenario_path: str | Path) -> dict[str, Any]:
    """Run both arms of one replication at one size, and bare SimPy after each environment's run, with as many
    live processes."""
    from carecoord.cohort import generate_cohort
    from carecoord.model.loop import world_lifetime
    from carecoord.model.run import build_world, dismantle, locality_groups, merge_order, start_lives
    from carecoord.model.world import make_recorder
    from carecoord.recording import M
    from carecoord.scenario import load_scenario

    scenario = scaled_scenario(load_scenario(scenario_path), patients, years)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    cohort = generate_cohort(scenario, 0)
    cohort_cpu = time.process_time() - cpu0
    arms: dict[str, dict[str, float]] = {}
    live = 0
    groups = locality_groups(scenario)  # one world, or one per locality (simulation.shared_services: split)
    # Bare SimPy is timed after every environment's run, with that environment's live processes, at least
    # BARE_REPEATS times in all: interleaved with the model's loops, so that both see the host as it was
    # then (a shared machine's speed drifts by more than the target's margin within a minute).
    per_run = max(1, math.ceil(BARE_REPEATS / (len(groups) * len(scenario.arm_names))))
    bare_runs: list[tuple[int, float]] = []
    bare_cpu = bare_wall = 0.0  # the timings' own CPU and wall time, kept out of the model's
    for arm in scenario.arm_names:
        cpu, wall = time.process_time(), time.perf_counter()
        arm_bare_cpu, arm_bare_wall = bare_cpu, bare_wall
        rec = make_recorder(scenario, cohort) if len(groups) > 1 else None
        run_cpu = events = 0.0
        for localities in groups:
            with world_lifetime():  # as run_arm: no automatic collections; one pass frees the world
                world = build_world(scenario, cohort, arm, 0, localities=localities, recorder=rec)
                start_lives(world)
                # Every life waits on one event, and so does each service opener: the lives start together
                # at one queued event (start_lives), so they count one each instead of that event.
                world_live = len(world.env._queue) - 1 + len(world.patients)
                live = max(live, world_live)
                loop_cpu = time.process_time()
                world.run()  # the event loop alone: the censoring at the horizon is no event
                run_cpu += time.process_time() - loop_cpu
                rec = world.close()
                # the event-id counter counts every event ever scheduled; those still queued never ran; the far
                # waits' openers are the model's machinery, not its work (carecoord.model.far): counted apart
                events += next(world.env._eid) - len(world.env._queue) - world.far.openers
                dismantle(world)  # as run_arm: reference counting frees most of it
                del world
            timed_cpu, timed_wall = time.process_time(), time.perf_counter()
            bare_runs.extend(bare_timing(world_live) for _ in range(per_run))
            bare_cpu += time.process_time() - timed_cpu
            bare_wall += time.perf_counter() - timed_wall
        assert rec is not None
        if len(groups) > 1:
            merge_order(rec)
        arms[arm] = {
            "cpu_s": time.process_time() - cpu - (bare_cpu - arm_bare_cpu),
            "run_cpu_s": run_cpu,
            "wall_s": time.perf_counter() - wall - (bare_wall - arm_bare_wall),
            "events": float(events),
            "patient_years": rec.total(M.person_days, include_warm_up=True) / DAYS_PER_YEAR,
        }
        del rec
    cpu_s = time.process_time() - cpu0 - bare_cpu
    wall_s = time.perf_counter() - wall0 - bare_wall
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    bare = bare_summary(bare_runs)
    model_cpu = sum(a["cpu_s"] for a in arms.values())  # building each arm's world and running it
    run_cpu = sum(a["run_cpu_s"] for a in arms.values())  # the event loop only
    events = sum(a["events"] for a in arms.values())
    patient_years = sum(a["patient_years"] for a in arms.values())
    model_rate = events / run_cpu if run_cpu > 0 else 0.0
    return {
        "patients": patients,
        "patients_incl_incident": len(cohort.patients),
        "localities": len(scenario.localities),
        "environments": len(groups),
        "years": years,
        "arms": len(arms),
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "cohort_cpu_s": cohort_cpu,
        "events": events,
        "live_processes": live,
        "model_events_per_s": model_rate,
        "bare_events_per_s": bare["events_per_s"],
        "bare_events_per_s_min": bare["events_per_s_min"],
        "bare_events_per_s_max": bare["events_per_s_max"],
        "bare_repeats": int(bare["repeats"]),
        "ratio": model_rate / bare["events_per_s"] if bare["events_per_s"] else 0.0,
        "patient_years": patient_years,
        "patient_years_per_s": patient_years / model_cpu if model_cpu > 0 else 0.0,
        "cpu_ms_per_patient_year": 1000 * model_cpu / patient_years if patient_years else 0.0,
        "peak_memory_mb": peak_mb,
        "by_arm": arms,
    }


def run_size_in_child(patients: int, years: float, scenario_path: str | Path) -> dict[str, Any]:
    """:func:`measure_size` in a fresh interpreter (its own peak memory), result as JSON on stdout."""
    cmd = [sys.executable, "-m", "carecoord.bench", str(patients), str(years), str(scenario_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench at {patients} patients failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_bench(
    sizes: list[int], years: float = 3, scenario_path: str | Path | None = None, on_size: Any = None
) -> dict[str, Any]:
    """Every size in its own process; headline figures are the largest size's."""
    import simpy

    path = Path(scenario_path) if scenario_path else default_scenario_path()
    results = []
    for patients in sizes:
        results.append(run_size_in_child(patients, years, path))
        if on_size:
            on_size(results[-1])
    top = max(results, key=lambda r: r["patients"])
    keys = ("bare_events_per_s", "model_events_per_s", "ratio", "patient_years_per_s", "peak_memory_mb")
    return {
        **{key: top[key] for key in keys},
        "at_patients": top["patients"],
        "scenario": str(path),
        "times": "cpu_s is CPU time of the child process (time.process_time); wall_s is elapsed time",
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "compiled": model_compiled(),  # the model built with mypyc (docs/performance.md)
        "machine": f"{platform.machine()}, {platform.system()}",
        "processor": processor_name(),  # the ratio depends on the processor and its caches, not only on the code
        "sizes": results,
    }


def processor_name() -> str:
    """The processor's model name (Linux's ``/proc/cpuinfo``; else what :func:`platform.processor` says), for the
    record: a run's figures are comparable only with runs on the same kind of processor."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                key, _, value = line.partition(":")
                if not line.strip():
                    break  # the first processor's block is enough
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    name = fields.get("model name") or platform.processor() or "processor unknown"
    cache = fields.get("cache size")
    return f"{name} ({cache} cache)" if cache else name


def report_lines(result: dict[str, Any]) -> list[str]:
    """The benchmark as plain text: one line per size, then the headline."""
    return [header_line(), *(size_line(size) for size in result["sizes"]), *headline_lines(result)]


def header_line() -> str:
    return (
        f"{'patients':>9} {'incl. inc.':>10} {'years':>5} {'arms':>4} {'wall s':>7} {'CPU s':>7} "
        f"{'events':>11} {'model ev/s':>11} {'bare ev/s':>10} {'ratio':>6} {'pt-y/s':>8} "
        f"{'ms/pt-y':>8} {'peak MB':>8}"
    )


def headline_lines(result: dict[str, Any]) -> list[str]:
    return [
        f"At {result['at_patients']:,} patients: model {result['model_events_per_s']:,.0f} events per CPU s, "
        f"{result['ratio']:.2f} of bare SimPy ({result['bare_events_per_s']:,.0f}{_bare_spread(result)}) "
        "with as many live processes; "
        f"{result['patient_years_per_s']:,.0f} patient-years per CPU s; "
        f"peak memory {result['peak_memory_mb']:,.0f} MB.",
        f"CPU times (the machine may be shared); {result.get('processor', 'processor unknown')}; "
        f"python {result['python']}, simpy {result['simpy']}; "
        f"model {'compiled (mypyc)' if result.get('compiled') else 'plain Python'}.",
    ]


def _bare_spread(result: dict[str, Any]) -> str:
    """The spread of the largest size's bare SimPy timings, for the headline (empty for a result without them)."""
    top = max(result["sizes"], key=lambda r: r["patients"]) if result.get("sizes") else {}
    if "bare_events_per_s_min" not in top:
        return ""
    return (
        f", the median of {top['bare_repeats']} timings: "
        f"{top['bare_events_per_s_min']:,.0f}-{top['bare_events_per_s_max']:,.0f}"
    )


def size_line(s: dict[str, Any]) -> str:
    return (
        f"{s['patients']:>9,} {s['patients_incl_incident']:>10,} {s['years']:>5g} {s['arms']:>4} "
        f"{s['wall_s']:>7.1f} {s['cpu_s']:>7.1f} {s['events']:>11,.0f} {s['model_events_per_s']:>11,.0f} "
        f"{s['bare_events_per_s']:>10,.0f} {s['ratio']:>6.2f} {s['patient_years_per_s']:>8,.0f} "
        f"{s['cpu_ms_per_patient_year']:>8.3f} {s['peak_memory_mb']:>8,.0f}"
    )


def bench_main(sizes: str, years: float, as_json: bool, scenario_path: Path | None, load: Any) -> None:
    """What ``carecoord bench`` does: check its input, run every size, print a table or JSON.

    ``load`` is the CLI's scenario loader, so a bad scenario is reported like every other command's.
    """
    from carecoord.errors import ScenarioError

    try:
        size_list = parse_sizes(sizes)
    except ValueError as exc:
        raise ScenarioError("carecoord bench", [str(exc)]) from None
    path = scenario_path or default_scenario_path()
    load(path, [])  # fails here, with the file's own message, rather than in a child process
    if not as_json:
        print(header_line(), flush=True)
    result = run_bench(size_list, years, path, on_size=None if as_json else lambda s: print(size_line(s), flush=True))
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for line in headline_lines(result):
            print(line)


if __name__ == "__main__":  # child process of run_size_in_child: patients years scenario
    print(json.dumps(measure_size(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3])))
