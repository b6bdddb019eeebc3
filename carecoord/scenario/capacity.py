"""Service capacities resolved for each locality: given, or sized to the population.

A capacity-limited service either states its capacity (``services.X.capacity: 4``), is unlimited
(``capacity: null``), or is sized to the population (``capacity: by_population``, the default):
``capacity_per_1000_patients`` times the patients it serves over 1,000. Precedence for a
community service (GP, nursing, social work, home care) in locality ``i``:

1. ``capacity: null``: unlimited.
2. base = ``capacity`` if it is a number, else ``capacity_per_1000_patients``.
3. scale = ``localities[i].capacity_scale`` if it is given (an override, as before); otherwise 1
   when ``capacity`` is a number (the figure is the locality's capacity), or
   ``cohort_size / 1,000`` when it is sized to the population.
4. capacity = ``round(base x scale)``, at least one.

Services shared by the whole scenario (intermediate care, and hospital, A&E and care homes when
capped) use the total cohort in step 3 and ignore ``capacity_scale``. With
``simulation.shared_services: split`` and several localities, each locality runs in its own
environment with its own piece of every shared service (:func:`split_capacities`): sized by
population on its own cohort, or a stated number (and an arm's ``added_capacity``) shared in
proportion to cohort sizes by largest remainders, at least one place each.

Example:
    >>> locality_capacity(scenario, "gp", 0)
    18
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carecoord.scenario.schema import Scenario

BY_POPULATION = "by_population"
"""The capacity value that sizes a service to the population it serves."""
REFERENCE_PATIENTS = 1000.0
"""Patients that ``capacity_per_1000_patients`` refers to."""
SIZED_LOCALITY = ("gp", "community_nursing", "social_work", "home_care")
"""Community services sized per locality (same as ``services.LOCALITY_SERVICES``)."""
SIZED_SHARED = ("intermediate_care", "out_of_hours")
"""Services shared by the whole scenario that can be sized by population."""
FAR_BELOW = 0.25
"""A stated capacity under this share of the per-1,000 sizing is flagged by ``validate`` (assumption: a
quarter of the usual staffing makes a queue all but certain, e.g. 2 social workers for 14,000 patients)."""


def sized(per_1000: float, patients: float, scale: float | None = None) -> int:
    """Capacity for ``patients`` at ``per_1000`` per 1,000 (or at ``per_1000 x scale``), at least one."""
    factor = patients / REFERENCE_PATIENTS if scale is None else scale
    return max(1, round(per_1000 * factor))


def _resolve(spec: Any, patients: float, scale: float | None) -> int | None:
    capacity = spec.capacity
    if capacity is None:
        return None
    if capacity == BY_POPULATION:
        return sized(spec.capacity_per_1000_patients, patients, scale)
    return max(1, round(capacity * (1.0 if scale is None else scale)))


def locality_capacity(scenario: Scenario, service: str, locality: int) -> int | None:
    """Capacity of a community service in one locality (None: unlimited), before any arm's additions."""
    loc = scenario.localities[locality]
    return _resolve(getattr(scenario.services, service), loc.cohort_size, loc.capacity_scale)


def shared_capacity(scenario: Scenario, service: str) -> int | None:
    """Capacity of a service shared by the whole scenario (None: unlimited), before any arm's additions."""
    patients = sum(loc.cohort_size for loc in scenario.localities)
    spec = getattr(scenario.services, service)
    if spec.capacity is None:
        return None
    if spec.capacity == BY_POPULATION:
        return sized(spec.capacity_per_1000_patients, patients)
    return int(spec.capacity)


def split_shares(total: int, weights: list[float], at_least_one: bool = True) -> list[int]:
    """``total`` divided in proportion to ``weights`` by largest remainders (ties: the earlier locality).

    With ``at_least_one``, a locality whose share rounds to nothing gets one place, taken from the
    locality whose share is furthest above its exact quota (a service with no place at all would
    never serve); when there are fewer places than localities the shares then sum to more than
    ``total`` (:func:`shared_rule` says so). Equal weights when every weight is zero. A negative
    ``total`` (an arm removing places) is divided as its magnitude, with the sign kept.
    """
    n = len(weights)
    if total < 0:
        return [-share for share in split_shares(-total, weights, at_least_one=False)]
    whole = float(sum(weights))
    quotas = [total * w / whole for w in weights] if whole > 0 else [total / n] * n
    shares = [int(q) for q in quotas]
    by_remainder = sorted(range(n), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    if at_least_one:
        for i in range(n):
            if shares[i] == 0:
                donors = [j for j in range(n) if shares[j] > 1]
                if donors:
                    j = max(donors, key=lambda j: (shares[j] - quotas[j], -j))
                    shares[j] -= 1
                shares[i] = 1
    return shares


def is_split(scenario: Scenario) -> bool:
    """Whether each locality runs in its own environment (``split`` and more than one locality)."""
    return scenario.simulation.shared_services == "split" and len(scenario.localities) > 1


def split_capacities(scenario: Scenario, service: str, added: int = 0) -> list[int | None]:
    """Each locality's piece of a shared service under ``split`` (None: unlimited), an arm's ``added`` included.

    Sized by population: on the locality's own cohort. A stated number and ``added``: shared in
    proportion to cohort sizes (:func:`split_shares`). Never below one place.
    """
    spec = getattr(scenario.services, service)
    sizes = [float(loc.cohort_size) for loc in scenario.localities]
    if spec.capacity is None:
        return [None] * len(sizes)
    if spec.capacity == BY_POPULATION:
        base = [sized(spec.capacity_per_1000_patients, size) for size in sizes]
    else:
        base = split_shares(int(spec.capacity), sizes)
    extra = split_shares(added, sizes, at_least_one=False) if added else [0] * len(sizes)
    return [max(1, b + e) for b, e in zip(base, extra, strict=True)]


def shared_rule(scenario: Scenario) -> str | None:
    """One line for ``validate``: how a multi-locality scenario treats its shared services (None: one locality)."""
    if len(scenario.localities) < 2:
        return None
    if not is_split(scenario):
        return (
            "shared services: pooled (simulation.shared_services): all localities in one environment, "
            "hospital, A&E, intermediate care, care homes and out of hours shared by all"
        )
    from carecoord.scenario.services import SHARED_SERVICES

    parts = []
    for service in SHARED_SERVICES:
        pieces = split_capacities(scenario, service)
        if pieces[0] is None:
            continue
        text = f"{service} {'/'.join(str(p) for p in pieces)}"
        stated = shared_capacity(scenario, service)
        if stated is not None and sum(pieces) != stated:  # type: ignore[arg-type]
            text += f" ({sum(pieces)} in all, not {stated})"  # type: ignore[arg-type]
        parts.append(text)
    capped = "; ".join(parts) if parts else "none is capacity-limited"
    return (
        "shared services: split (simulation.shared_services): each locality in its own environment "
        f"with its own piece of each capacity-limited shared service, by locality: {capped} "
        "(an arm's added_capacity divided the same way; docs/model.md, 'Shared services')"
    )


def capacity_basis(scenario: Scenario, service: str, locality: int | None = None) -> str:
    """How a capacity was obtained, in words (for the capacity table and warnings)."""
    spec = getattr(scenario.services, service)
    if spec.capacity is None:
        return "unlimited"
    scale = None if locality is None else scenario.localities[locality].capacity_scale
    if spec.capacity == BY_POPULATION:
        per = spec.capacity_per_1000_patients
        if scale is not None:
            return f"{per:g} per 1,000 patients x capacity_scale {scale:g}"
        return f"{per:g} per 1,000 patients"
    if scale is not None:
        return f"services.{service}.capacity {spec.capacity} x capacity_scale {scale:g}"
    return f"services.{service}.capacity {spec.capacity}"


def capacity_fix(scenario: Scenario, service: str, locality: str | None) -> str:
    """What to change to add capacity, given how the capacity was obtained (a saturation warning's hint).

    A stated number ignores ``capacity_per_1000_patients``, so the hint names the field that acts.
    """
    spec = getattr(scenario.services, service)
    names = [loc.name for loc in scenario.localities]
    index = names.index(locality) if locality in names and service in SIZED_LOCALITY else None
    basis = capacity_basis(scenario, service, index)
    if spec.capacity == BY_POPULATION:
        where = f"raise services.{service}.capacity_per_1000_patients"
    elif hasattr(spec, "capacity_per_1000_patients"):
        where = (
            f"raise services.{service}.capacity (a stated number, so capacity_per_1000_patients has no effect), "
            "or set it to by_population"
        )
    else:
        where = f"raise services.{service}.capacity (or leave it empty: unlimited)"
    if index is not None:
        where += f", or localities.{locality}.capacity_scale"
    return f"capacity is {basis}; to add capacity, {where}"


def stated_capacity_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Stated capacities far below the per-1,000 sizing: (field path, message), for ``validate``.

    A number is taken as given, however large the population; this catches a pilot's figure
    carried into a whole-area run before hours are spent simulating a queue.
    """
    out = []
    total = sum(loc.cohort_size for loc in scenario.localities)
    for service in (*SIZED_LOCALITY, *SIZED_SHARED):
        spec = getattr(scenario.services, service)
        if spec.capacity is None or spec.capacity == BY_POPULATION:
            continue
        per_1000 = spec.capacity_per_1000_patients
        if service in SIZED_SHARED:
            places = [(None, total, shared_capacity(scenario, service))]
        else:
            places = [
                (loc.name, loc.cohort_size, locality_capacity(scenario, service, i))
                for i, loc in enumerate(scenario.localities)
            ]
        for name, patients, capacity in places:
            if patients <= 0 or capacity is None:
                continue
            stated = capacity / patients * REFERENCE_PATIENTS
            if stated < FAR_BELOW * per_1000:
                where = f"locality '{name}'" if name else "the scenario"
                out.append(
                    (
                        ("services", service, "capacity"),
                        f"{capacity} for {patients:,} patients in {where} is {stated:.2g} per 1,000, far below "
                        f"capacity_per_1000_patients {per_1000:g}: expect a saturated service; raise it, or set "
                        "capacity: by_population",
                    )
                )
    return out
