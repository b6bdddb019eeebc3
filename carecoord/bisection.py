"""Bisection of a sorted ``vec[float]``: where a time falls among sorted change points.

A module of its own, below the model, because both the clock's step functions
(:mod:`carecoord.model.step`) and the weekly crisis profile (:mod:`carecoord.daycycle`) bisect their
tables on every event of a patient's crisis clock.
"""

from __future__ import annotations

from librt.vecs import vec


def bisect_right(times: vec[float], t: float) -> int:
    """How many of the sorted ``times`` are at or before ``t`` (``bisect.bisect_right``, exactly).

    Its own few lines because the compiled model (mypyc) calls a function of its own directly, where
    the standard library's is a module-global lookup, a boxed float and a generic call (about 1,300
    instructions for the weekly profile's 169 entries, measured with callgrind), and its items are read
    from the vec's buffer as doubles, where the standard library's would be boxed one by one.
    """
    lo, hi = 0, len(times)
    while lo < hi:
        mid = (lo + hi) // 2
        if t < times[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


__all__ = ["bisect_right"]
