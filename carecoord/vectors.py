"""Building librt ``vec[float]``s item by item, in C when compiled.

librt's constructor, given a list (``vec[float]([0.0] * n)``), first asks it for a buffer; a list
has none, so each call makes a ``TypeError`` with a formatted message and clears it before
iterating (about 1,300 instructions, measured with callgrind). The model builds vecs on every
arrival (a clock's four) and every discharge (a step's window), so these few lines build them
from a capacity and appends instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from librt.vecs import append, vec


def filled(value: float, n: int) -> vec[float]:
    """``n`` copies of ``value``: ``vec[float]([value] * n)``."""
    out = vec[float](capacity=n)
    for _i in range(n):  # named: compiled, ``_`` is an object (each index boxed)
        out = append(out, value)
    return out


def floats(values: Sequence[float]) -> vec[float]:
    """The ``values`` in order: ``vec[float](values)``.

    A list item by item; anything else as librt copies it (an ``array('d')``, such as a cohort's
    spell times, is a buffer: one copy, no items boxed).
    """
    if not isinstance(values, list):
        return vec[float](values)
    out = vec[float](capacity=len(values))
    for value in values:
        out = append(out, value)
    return out


__all__ = ["filled", "floats"]
