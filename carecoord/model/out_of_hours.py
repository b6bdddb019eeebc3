"""NHS 111 and the out-of-hours GP: what happens to a crisis while the practice is closed.

A share of out-of-hours crises calls NHS 111 first (the rest dial 999 and go to A&E, in
:mod:`carecoord.model.pathways`). NHS 111 sends some to A&E, passes some to the out-of-hours GP,
who may admit, and advises the rest at home (self-care). The disposition is drawn from the
crisis's own route stream, so it is the same crisis in every arm.

Example:
    >>> handled = yield from out_of_hours(world, patient, ep, disposition=0.4, fatal=False)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

from librt.vecs import vec

from carecoord.model.hospital import admit
from carecoord.model.patient import Patient
from carecoord.model.services import MINUTES_PER_DAY
from carecoord.model.world import World
from carecoord.recording import M
from carecoord.streams import SEVERITY

HOURS: Final = 1.0 / 24.0


def out_of_hours(
    world: World, p: Patient, ep: vec[float], disposition: float, fatal: bool
) -> Generator[Any, Any, bool]:
    """An NHS 111 call. Returns False when the patient is sent on to A&E (by 111, or because the
    out-of-hours GP could not see them in time), True when the crisis ended here."""
    env = world.env
    ooh = world.params.out_of_hours
    world.rec.count(M.nhs111_calls, p.locality, env._now)
    world.rec.log(p.id, env._now, "nhs111_call", "out_of_hours")
    if disposition < ooh.ae_share:
        return False
    if disposition >= ooh.ae_share + ooh.primary_care_share:
        return True  # advice and self-care: the patient stays at home
    seen = yield from world.service("out_of_hours", p).serve(
        p.locality,
        ooh.consultation_minutes / MINUTES_PER_DAY,
        patience=ooh.max_wait_hours * HOURS,
        patient=p.id,
        activity="ooh_gp_consultation",
    )
    if not seen:
        return False
    world.rec.count(M.ooh_gp_consultations, p.locality, env._now)
    if ep[SEVERITY] < ooh.admission_probability:
        yield from admit(world, p, ep, "ooh_gp", fatal)
    return True


__all__ = ["out_of_hours"]
