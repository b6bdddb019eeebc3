"""Benchmark: one replication of a region (50,000 patients x 3 years, both arms) on one core.

Reports wall and CPU time per arm and peak memory; with --profile, the top functions by internal
time (cProfile, timed in CPU seconds so that a busy machine distorts it less; it sees the compiled
model as opaque C calls: profile a plain build, CARECOORD_PURE_PYTHON=1, or use py-spy --native, as
docs/performance.md says). ``--patients`` and ``--years`` scale the scenario as ``carecoord bench``
does. Benchmarks are measured and reported, never asserted in tests.

Usage:
    python experiments/benchmark.py [--scenario experiments/region_benchmark.yaml] [--profile]
    python experiments/benchmark.py --patients 10000 --years 2 --arm integrated --profile --save out.prof
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import time
from pathlib import Path

from carecoord.bench import scaled_scenario
from carecoord.cohort import generate_cohort
from carecoord.metrics import arm_result
from carecoord.model.run import run_arm
from carecoord.scenario import load_scenario

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(HERE / "region_benchmark.yaml"))
    parser.add_argument("--profile", action="store_true", help="print the top functions (slower)")
    parser.add_argument("--patients", type=int, help="scale the scenario to this many initial patients")
    parser.add_argument("--years", type=float, default=3.0, help="simulated years when scaling (default 3)")
    parser.add_argument("--arm", action="append", help="run only this arm (repeatable)")
    parser.add_argument("--save", help="also write the profile to this file (pstats format)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    if args.patients:
        scenario = scaled_scenario(scenario, args.patients, args.years)
    patients = sum(loc.cohort_size for loc in scenario.localities)
    print(f"{scenario.name}: {patients:,} initial patients, {scenario.simulation.horizon_days} days")
    t0 = time.perf_counter()
    cohort = generate_cohort(scenario, 0)
    print(f"cohort: {len(cohort.patients):,} patients incl. incident, {time.perf_counter() - t0:.2f} s")
    total = time.perf_counter() - t0
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    for arm in args.arm or scenario.arm_names:
        t, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        recorder = run_arm(scenario, cohort, arm, 0)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - t
        cpu = time.process_time() - cpu
        total += elapsed
        result = arm_result(scenario, arm, recorder)
        print(
            f"{arm:>12}: {elapsed:6.1f} s wall, {cpu:6.1f} s CPU  "
            f"admissions {result.total('emergency_admissions'):>8,.0f}  "
            f"enrolled {result.total('patients_enrolled'):>6,.0f}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total (cohort + all arms, one core): {total:.1f} s; peak memory {peak_mb:,.0f} MB")
    if profiler:
        if args.save:
            profiler.dump_stats(args.save)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
