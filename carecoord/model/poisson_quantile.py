"""The Poisson quantile of a large mean, from ``scipy.special`` (imported on first use, or by :func:`preload`).

``scipy.stats.poisson.ppf`` computes exactly this (``_ppf`` of ``scipy.stats``' Poisson: the
ceiling of ``pdtrik``, stepped down by one where ``pdtr`` already reaches the quantile), but
importing ``scipy.stats`` costs every model process about 48 MB of memory and a second of CPU;
``scipy.special`` alone costs a third of that (docs/performance.md). A test compares the two.

Example:
    >>> poisson_quantile(0.5, 800.0)
    800
"""

from __future__ import annotations

import math


def poisson_quantile(u: float, mean: float) -> int:
    """The smallest count whose Poisson(``mean``) distribution function reaches ``u`` (0 < ``u`` < 1)."""
    from scipy.special import pdtr, pdtrik

    count = math.ceil(pdtrik(u, mean))
    below = max(count - 1, 0)
    return below if pdtr(below, mean) >= u else count


def preload() -> None:
    """Import ``scipy.special`` now, where :func:`poisson_quantile` would import it on its first call: a
    world whose bookings may need it imports it while it is built, not in its event loop (a third of a
    second of CPU, and idle BLAS threads spinning after it: docs/performance.md)."""
    import scipy.special  # noqa: F401


__all__ = ["poisson_quantile", "preload"]
