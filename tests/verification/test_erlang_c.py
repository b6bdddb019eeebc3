"""M/M/c queueing theory: a capacity-limited, always-open Service is an Erlang C queue.

Poisson arrivals at rate ``lambda`` and exponential service with mean ``1/mu`` (one hour) on
``c`` places of :class:`carecoord.model.services.Service`. With offered load ``a = lambda / mu``
and ``rho = a / c < 1``, Erlang's C formula gives the steady-state probability that an arrival
waits,

    C(c, a) = [a^c / c! / (1 - rho)] / [sum_{k<c} a^k / k! + a^c / c! / (1 - rho)],

and the mean wait in queue ``Wq = C(c, a) / (c mu - lambda)`` (Kleinrock 1975, §3.5; Ciw's
tests use the same check). By PASTA, arrivals see the time-stationary state, so the share of
customers who wait estimates C directly.

Tolerance: customers after a warm-up (5% of them, many relaxation times of the queue) are cut
into 20 consecutive batches; the standard error is the standard deviation of the batch means
over sqrt(20), and simulated and theoretical values must agree within 4 standard errors. Batches
hold thousands of customers, far longer than the queue's relaxation time (about
``1 / (c mu (1 - sqrt(rho))^2)``: 12 h, 30 h and 76 h here), so batch means are close to
independent; their lag-1 correlation is printed with each figure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy

from carecoord.calendar import Calendar, OpeningHours
from carecoord.model.services import Service
from carecoord.recording import M, Recorder
from carecoord.scenario.base import OpeningHoursSpec

HOUR = 1.0 / 24.0  # days
BATCHES = 20
Z = 4.0  # standard errors allowed


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with offered load ``a`` (erlangs)."""
    rho = a / c
    top = a**c / math.factorial(c) / (1.0 - rho)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_erlang_c_formula_known_values() -> None:
    """The formula used as theory: M/M/1 gives C = rho; a textbook M/M/2 value (a = 1: C = 1/3)."""
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(1, 0.9) == pytest.approx(0.9)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)  # a^2/2/(1-1/2) = 1, over 1 + 1 + 1


def simulate_mmc(c: int, rho: float, customers: int, seed: int) -> tuple[np.ndarray, Recorder]:
    """Waits (hours, in arrival order) of ``customers`` Poisson arrivals to a ``c``-place Service.

    Service times have mean one hour, so ``lambda = rho * c`` per hour. Interarrival and service
    times are drawn up front from the test's own generator.
    """
    rng = np.random.default_rng(seed)
    interarrival = rng.exponential(1.0 / (rho * c), customers) * HOUR
    service_time = rng.exponential(1.0, customers) * HOUR
    horizon = int(interarrival.sum() + service_time.max() + 10)
    calendar = Calendar(dt.date(2014, 4, 1), horizon_days=horizon, warm_up_days=0)
    env = simpy.Environment()
    recorder = Recorder(calendar, n_localities=1, n_patients=0)
    service = Service(env, "gp", c, OpeningHours(OpeningHoursSpec(), calendar), recorder, "gp:mmc")
    waits = np.full(customers, np.nan)

    def customer(i: int) -> Generator[Any, Any, None]:
        asked = env.now
        held = yield from service.acquire(0)
        waits[i] = (env.now - asked) / HOUR
        yield env.timeout(float(service_time[i]))  # Python floats, as the model's own times are
        service.release(held)

    def arrivals() -> Generator[Any, Any, None]:
        for i in range(customers):
            yield env.timeout(float(interarrival[i]))
            env.process(customer(i))

    env.process(arrivals())
    env.run()
    return waits, recorder


def batch_means(values: np.ndarray, batches: int) -> tuple[float, float, float]:
    """Grand mean, its batch-means standard error, and the lag-1 correlation of the batch means."""
    size = len(values) // batches
    means = values[: size * batches].reshape(batches, size).mean(axis=1)
    lag1 = float(np.corrcoef(means[:-1], means[1:])[0, 1])
    return float(means.mean()), float(means.std(ddof=1) / math.sqrt(batches)), lag1


LOADS = [(1, 0.5, 60_000, 11), (3, 0.8, 150_000, 12), (5, 0.9, 400_000, 13)]


@pytest.mark.parametrize(("c", "rho", "customers", "seed"), LOADS, ids=[f"c={c}-rho={r}" for c, r, _, _ in LOADS])
def test_service_matches_erlang_c(c: int, rho: float, customers: int, seed: int, figure) -> None:
    """P(wait) and mean wait in queue of an always-open Service match Erlang C within 4 batch-means SEs."""
    waits, recorder = simulate_mmc(c, rho, customers, seed)
    assert not np.isnan(waits).any(), "every customer was served"
    # The model's own record of waits is the sum of the waits the test measured.
    assert recorder.total(M.wait_hours_gp, include_warm_up=True) == pytest.approx(waits.sum(), rel=1e-9)
    assert recorder.peak_in_use["gp:mmc"] == c  # never over capacity, and the capacity was used

    steady = waits[customers // 20 :]
    a = rho * c
    p_theory = erlang_c(c, a)
    wq_theory = p_theory / (c - a)  # hours (mu = 1 per hour)
    p_sim, p_se, p_lag = batch_means((steady > 0).astype(float), BATCHES)
    wq_sim, wq_se, wq_lag = batch_means(steady, BATCHES)
    p_text = (
        f"Erlang C, c={c}, rho={rho}: P(wait) {p_sim:.4f} vs {p_theory:.4f} ± {p_se:.4f} (SE; lag-1 r {p_lag:+.2f})"
    )
    wq_text = (
        f"Erlang C, c={c}, rho={rho}: Wq {wq_sim:.4f} h vs {wq_theory:.4f} h ± {wq_se:.4f} (SE; lag-1 r {wq_lag:+.2f})"
    )
    figure(p_text)
    figure(wq_text)
    assert abs(p_sim - p_theory) <= Z * p_se, p_text
    assert abs(wq_sim - wq_theory) <= Z * wq_se, wq_text
