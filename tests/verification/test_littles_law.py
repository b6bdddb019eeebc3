"""Little's law L = lambda W on hospital beds and on coordinator caseloads, with its boundary terms.

Over a finite window [0, T] Little's law is an identity only up to boundary terms: the area
under the occupancy curve (bed-days, enrolled-days) counts only the part of each stay inside the
window. Writing ``A`` for the stays that began in the window, ``C`` for those that also ended in
it and ``R`` for those still open at T (right-censored),

    L T = sum_C w_i + sum_R (T - a_i) (+ the in-window part of stays already open at 0),

so ``L - lambda W_C = (1/T) [sum_R ((T - a_i) - W_C) + left-boundary part]`` with
``lambda = |A| / T`` and ``W_C`` the mean completed stay. The first tests check this identity
and bound on the model's own counters; the others compare occupancy with theory:

* beds: stay lengths are independent of admission times, so given the admission times
  ``E[bed-days] = sum_i m(T - a_i)`` with ``m(x) = E[min(w, x)]`` computed from the length-of-stay
  distribution (a short stay uniform on [0.1, 0.9] days, or max(1, lognormal)); ``m(x) -> W`` far
  from T, and the difference is the right-boundary term. Its standard error is at most
  ``sqrt(n Var(w))`` (truncation is 1-Lipschitz, so it cannot raise a variance).
* caseloads: with a waiting list that never empties and death (hazard ``m``) the only way off a
  full caseload of ``K`` places, L = K exactly, W = 1/m, and enrolments after the initial fill
  are a Poisson process of rate ``K m``: ``E[enrolments] = K (1 + m T)``, the ``K`` being the
  boundary term of the patients enrolled at the start.

Tolerances are 4 standard errors.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from carecoord.locations import DEAD, HOME
from carecoord.locations import HOSPITAL as STARTS_IN_HOSPITAL
from carecoord.rates import DAYS_PER_YEAR
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario
from carecoord.scenario.services import HospitalSpec

Z = 4.0
ARMS = ("baseline", "integrated")
_PHI = NormalDist().cdf

# Beds: unlimited, nobody in hospital on day one, nobody waits to leave (a stay = its length of stay).
BEDS = (
    "simulation.duration_days=730",
    "simulation.warm_up_days=0",
    "localities.east.cohort_size=1500",
    "localities.west.cohort_size=1500",
    "services.hospital.capacity=",
    "cohort.initial.in_hospital_fraction=0",
    "services.hospital.discharge_needs.residential_care=0",
    "services.hospital.discharge_needs.home_care=0",
    "services.hospital.discharge_needs.intermediate_care=0",
)


def lognormal_parameters(h: HospitalSpec) -> tuple[float, float]:
    """(mu, sigma) of the long-stay lognormal with the scenario's mean and CV."""
    sigma2 = math.log(1.0 + h.length_of_stay_cv**2)
    return math.log(h.mean_length_of_stay_days) - sigma2 / 2.0, math.sqrt(sigma2)


def expected_min_stay(h: HospitalSpec, x: float) -> float:
    """m(x) = E[min(w, x)] for the length of stay w (x = inf gives the mean stay W)."""
    if x <= 0:
        return 0.0
    # Short stay: uniform on [0.1, 0.9].
    if x >= 0.9:
        short = 0.5
    elif x <= 0.1:
        short = x
    else:
        short = 0.1 + ((0.9 - 0.1) ** 2 - (0.9 - x) ** 2) / (2 * 0.8)
    # Long stay: max(1, X), X lognormal; E[min(max(1, X), x)] = 1 + E[min(X, x)] - E[min(X, 1)] for x >= 1.
    mu, sigma = lognormal_parameters(h)

    def e_min_lognormal(y: float) -> float:
        if math.isinf(y):
            return math.exp(mu + sigma**2 / 2)
        z = (math.log(y) - mu) / sigma
        return math.exp(mu + sigma**2 / 2) * _PHI(z - sigma) + y * (1.0 - _PHI(z))

    long = x if x < 1.0 else 1.0 + e_min_lognormal(x) - e_min_lognormal(1.0)
    return h.short_stay_share * short + (1.0 - h.short_stay_share) * long


def stay_variance(h: HospitalSpec) -> float:
    """Var(w) of the length of stay (second moment of the mixture minus the squared mean)."""
    mu, sigma = lognormal_parameters(h)
    short2 = 0.8**2 / 12 + 0.5**2
    long2 = _PHI(-mu / sigma) + math.exp(2 * mu + 2 * sigma**2) * _PHI((mu + 2 * sigma**2) / sigma)
    second = h.short_stay_share * short2 + (1.0 - h.short_stay_share) * long2
    return second - expected_min_stay(h, math.inf) ** 2


def test_expected_min_stay_limits(load_tiny) -> None:
    """m(x) is continuous at the breakpoints and tends to the mean stay (a check of the theory code)."""
    h = load_tiny().services.hospital
    for x in (0.1, 0.9, 1.0):
        assert expected_min_stay(h, x - 1e-9) == pytest.approx(expected_min_stay(h, x + 1e-9), abs=1e-6)
    assert expected_min_stay(h, 1e6) == pytest.approx(expected_min_stay(h, math.inf), rel=1e-9)
    rng = np.random.default_rng(5)  # Monte Carlo of the same distribution, 4 SE
    n = 400_000
    mu, sigma = lognormal_parameters(h)
    w = np.where(
        rng.random(n) < h.short_stay_share, 0.1 + 0.8 * rng.random(n), np.maximum(1.0, rng.lognormal(mu, sigma, n))
    )
    for x in (0.5, 3.0, 20.0, math.inf):
        sample = np.minimum(w, x)
        assert sample.mean() == pytest.approx(expected_min_stay(h, x), abs=Z * sample.std() / math.sqrt(n))
    assert w.var() == pytest.approx(stay_variance(h), rel=0.05)


# --- the identity over a finite window ----------------------------------------------------------


@pytest.mark.parametrize("arm", ARMS)
def test_bed_occupancy_is_lambda_w_up_to_boundary_terms(load_tiny, run_one, arm: str, figure) -> None:
    """Bed-days / T = admissions / T x mean completed stay, up to the censored and day-one stays.

    Tiny scenario, unlimited beds, no warm-up, delays and day-one inpatients as usual. The
    difference is exactly the boundary sum, and is bounded by
    (1/T) [|R| max(W_C, max_R (T - a)) + in-window days of day-one stays].
    """
    # Home care unlimited too: the tiny scenario's 40 packages per locality fill up, and one patient waiting
    # months in a bed for a package makes the boundary bound too loose to say anything.
    scenario = load_tiny("simulation.warm_up_days=0", "services.hospital.capacity=", "services.home_care.capacity=")
    cohort, rec = run_one(scenario, arm, 0)
    horizon = float(scenario.simulation.horizon_days)
    day_one = {i for i, p in enumerate(cohort.patients) if p.initial_location == STARTS_IN_HOSPITAL}
    first_stay: dict[int, int] = {}
    for i, s in enumerate(rec.stays):
        first_stay.setdefault(s.patient, i)
    left = [rec.stays[first_stay[pid]] for pid in day_one]
    run = [s for i, s in enumerate(rec.stays) if not (s.patient in day_one and first_stay[s.patient] == i)]
    completed = [s.discharged - s.admitted for s in run if s.outcome != "censored"]
    censored = [horizon - s.admitted for s in run if s.outcome == "censored"]
    assert len(run) == rec.total(M.emergency_admissions, include_warm_up=True)  # unlimited beds: no one waits
    occupancy = rec.total(M.bed_days, include_warm_up=True) / horizon
    lam = len(run) / horizon
    w_c = float(np.mean(completed))
    left_days = math.fsum(s.discharged - s.admitted for s in left)
    boundary = (math.fsum(c - w_c for c in censored) + left_days) / horizon
    bound = (len(censored) * max([w_c, *censored]) + left_days) / horizon
    figure(
        f"Little (beds, {arm}): L {occupancy:.3f} = lambda W_C {lam * w_c:.3f} + boundary {boundary:+.3f} "
        f"(|boundary| <= {bound:.3f}; {len(censored)} censored, {len(left)} day-one stays)"
    )
    assert occupancy == pytest.approx(lam * w_c + boundary, rel=1e-9)
    assert abs(occupancy - lam * w_c) <= bound
    assert bound < 0.2 * occupancy  # the bound is not vacuous


def enrolment_spells(rec: Recorder, horizon: float) -> list[tuple[float, float, bool]]:
    """(enrolled, left, completed) per enrolment, from the event log: left at death or a care-home move."""
    assert rec.events is not None
    start: dict[int, float] = {}
    spells: list[tuple[float, float, bool]] = []
    for pid, t, activity, _ in rec.events:
        if activity == "enrolled":
            assert pid not in start, f"patient {pid} enrolled twice without leaving"
            start[pid] = t
        elif activity in ("death", "residential_admission") and pid in start:
            spells.append((start.pop(pid), t, True))
    spells += [(t, horizon, False) for t in start.values()]
    return spells


def test_caseload_occupancy_is_lambda_w_up_to_boundary_terms(load_tiny, run_one, figure) -> None:
    """Enrolled-days / T = enrolments / T x mean completed time enrolled, up to the censored spells.

    Spells are read from the event log (enrolled, then death or a care-home move, else censored
    at T); the counter ``enrolled_days`` must equal their in-window lengths.
    """
    scenario = load_tiny(
        "simulation.warm_up_days=0",
        "localities.west.go_live=2014-04-01",
        # High mortality, so that most enrolments end inside the window and the bound says something.
        "cohort.tiers.moderate.mortality_per_year=2",
        "cohort.tiers.high.mortality_per_year=3",
    )
    _, rec = run_one(scenario, "integrated", 0, log_events=True)
    horizon = float(scenario.simulation.horizon_days)
    spells = enrolment_spells(rec, horizon)
    assert len(spells) == rec.total(M.patients_enrolled, include_warm_up=True)
    completed = [end - begin for begin, end, done in spells if done]
    censored = [end - begin for begin, end, done in spells if not done]
    assert len(completed) >= 20 and censored
    occupancy = rec.total(M.enrolled_days, include_warm_up=True) / horizon
    lam = len(spells) / horizon
    w_c = float(np.mean(completed))
    boundary = math.fsum(c - w_c for c in censored) / horizon
    bound = len(censored) * max([w_c, *censored]) / horizon
    figure(
        f"Little (caseload): L {occupancy:.3f} = lambda W_C {lam * w_c:.3f} + boundary {boundary:+.3f} "
        f"(|boundary| <= {bound:.3f}; {len(completed)} completed, {len(censored)} censored)"
    )
    assert occupancy == pytest.approx(lam * w_c + boundary, rel=1e-9)
    assert abs(occupancy - lam * w_c) <= bound
    assert bound < 0.5 * occupancy  # the bound is not vacuous


# --- against theory -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def beds(load_tiny) -> Scenario:
    """3,000 patients for two years, unlimited beds, no day-one inpatients, no delayed discharge."""
    return load_tiny(*BEDS)


def test_bed_occupancy_matches_admissions_times_mean_stay(beds: Scenario, run_one, figure) -> None:
    """Mean bed occupancy = admission rate x theoretical mean stay, with the right-boundary term computed.

    ``E[bed-days | admission times] = sum_i m(T - a_i)``; SE = sqrt(n Var(w)) / T.
    """
    _, rec = run_one(beds, "baseline", 0)
    h = beds.services.hospital
    horizon = float(beds.simulation.horizon_days)
    admitted = np.array([s.admitted for s in rec.stays])
    n = len(admitted)
    assert n == rec.total(M.emergency_admissions, include_warm_up=True) and n > 2000
    assert all(s.discharged == s.fit for s in rec.stays)  # no delayed discharges: a stay is its length of stay
    occupancy = rec.total(M.bed_days, include_warm_up=True) / horizon
    w = expected_min_stay(h, math.inf)
    lam_w = n / horizon * w
    expected = math.fsum(expected_min_stay(h, horizon - a) for a in admitted) / horizon
    se = math.sqrt(n * stay_variance(h)) / horizon
    text = (
        f"Little (beds): L {occupancy:.3f} vs lambda W {lam_w:.3f} + boundary {expected - lam_w:+.3f} "
        f"= {expected:.3f} ± {se:.3f} (W {w:.3f} d, {n} admissions)"
    )
    figure(text)
    assert abs(occupancy - expected) <= Z * se, text
    completed = np.array([s.discharged - s.admitted for s in rec.stays if s.outcome != "censored"])
    w_se = completed.std() / math.sqrt(len(completed))
    w_text = f"Mean length of stay: {completed.mean():.3f} d vs {w:.3f} d ± {w_se:.3f}"
    figure(w_text)
    # Completed stays are slightly short-biased near T; the bias is below (censored share) x W, far below 1 SE here.
    assert abs(completed.mean() - w) <= Z * w_se, w_text


CASELOAD = (
    "simulation.duration_days=730",
    "simulation.warm_up_days=0",
    "localities.east.cohort_size=1500",
    "localities.west.cohort_size=1500",
    "localities.east.incidence_per_year=0",
    "localities.west.incidence_per_year=0",
    "localities.west.go_live=2014-04-01",
    # Nobody ever leaves home: no crises, falls, social crises or declines; death is the only exit.
    "cohort.tiers.moderate.crisis_rate_per_year=0",
    "cohort.tiers.high.crisis_rate_per_year=0",
    "cohort.tiers.moderate.mortality_per_year=0.4",
    "cohort.tiers.high.mortality_per_year=0.4",
    "cohort.events.fall_rate_per_year=0",
    "cohort.events.fall_rate_per_year_80plus=0",
    "cohort.events.social_crisis_rate_per_year=0",
    "cohort.events.social_crisis_rate_per_year_alone=0",
    "cohort.events.decline_rate_per_year=0",
    "cohort.initial.in_hospital_fraction=0",
    "cohort.initial.in_residential_fraction=0",
    "arms.integrated.mechanisms.case_finding.enabled=false",
    "arms.integrated.mechanisms.enrolment.coordinators=3",
    "arms.integrated.mechanisms.enrolment.caseload=100",
)


def test_caseload_enrolments_match_littles_law(load_tiny, run_one, figure) -> None:
    """A full caseload of K: L = K exactly; enrolments = K (1 + m T) ± 4 sqrt(K m T) (Poisson exits)."""
    scenario = load_tiny(*CASELOAD)
    _, rec = run_one(scenario, "integrated", 0, log_events=True)
    horizon = float(scenario.simulation.horizon_days)
    places = 3 * 100
    localities = len(scenario.localities)
    m = 0.4 / DAYS_PER_YEAR
    assert all(days[HOME] + days[DEAD] == pytest.approx(horizon) for days in rec.state_days)  # only home or dead
    enrolments = rec.total(M.patients_enrolled, include_warm_up=True)
    assert enrolments < 1500 * localities * 0.9  # the waiting list never emptied (checked again by L = K below)
    occupancy = rec.total(M.enrolled_days, include_warm_up=True) / horizon
    assert occupancy == pytest.approx(places * localities, rel=1e-9), "a full caseload has L = K exactly"
    exits = places * localities * m * horizon
    expected = places * localities + exits
    se = math.sqrt(exits)
    lam_w = enrolments / horizon / m
    l_plus_boundary = occupancy + places * localities / (m * horizon)
    text = (
        f"Little (caseload): L {occupancy:.1f} = K; enrolments {enrolments:.0f} vs K (1 + mT) {expected:.1f} "
        f"± {se:.1f} (lambda W {lam_w:.1f} vs L + boundary K W/T {l_plus_boundary:.1f})"
    )
    figure(text)
    assert abs(enrolments - expected) <= Z * se, text
