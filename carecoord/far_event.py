"""The event of a wait held by the model until its day begins (:mod:`carecoord.model.far`).

Plain Python on purpose (not compiled with the model): SimPy's own code sets and reads an event's
attributes, and the interpreter does that fastest on an instance of a plain Python class, whose
``__init__`` it runs as it runs :class:`simpy.Timeout`'s.
"""

from __future__ import annotations

import simpy


class FarTimeout(simpy.Event):
    """A timeout not yet in SimPy's queue: it never fails and carries no value, as the model's timeouts.

    It is made ``ok`` with the value None, as :class:`simpy.Timeout` is; its entry in SimPy's queue is
    made when it is asked for and put into the queue just before its day begins.
    """

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.callbacks = []
        self._value = None
        self._ok = True


__all__ = ["FarTimeout"]
