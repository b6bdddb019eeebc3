"""The vec bisection the clock and the weekly profile use: the standard library's ``bisect_right``, exactly."""

from __future__ import annotations

import bisect

import numpy as np
from librt.vecs import vec

from carecoord.bisection import bisect_right


def test_bisect_right_agrees_with_the_standard_library() -> None:
    """Ties (repeated times), both ends, an empty table and points between: the same index every time."""
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 7, 169):
        times = sorted(np.round(rng.uniform(0.0, 7.0, n), 1).tolist())  # rounded: repeated times occur
        table = vec[float](times)
        points = [-1.0, 0.0, 7.0, 8.0, *times, *rng.uniform(-0.5, 7.5, 50).tolist()]
        assert [bisect_right(table, t) for t in points] == [bisect.bisect_right(times, t) for t in points]
