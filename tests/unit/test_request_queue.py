"""The services' request queue keeps SimPy's order: a stable sort by request key after each append."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from carecoord.model.resource import RequestQueue


class _Request:
    """Stands in for a SimPy request: only its sort key matters to the queue."""

    def __init__(self, serial: int, priority: int, time: float):
        self.serial = serial
        self.key = (priority, time, False)


requests = st.lists(
    st.tuples(st.integers(0, 2), st.floats(0.0, 10.0, allow_nan=False), st.booleans()),
    max_size=40,
)


@given(requests)
def test_same_order_as_simpy_sorted_queue(ops: list[tuple[int, float, bool]]) -> None:
    """Appends (with ties of key) and removals from the head give SimPy's order, request by request."""
    queue = RequestQueue()
    reference: list[_Request] = []
    for serial, (priority, time, pop_head) in enumerate(ops):
        request = _Request(serial, priority, time)
        queue.append(request)
        reference.append(request)
        reference.sort(key=lambda r: r.key)  # what simpy's SortedQueue.append does
        if pop_head and reference:
            assert queue.pop(0) is reference.pop(0)
        assert [r.serial for r in queue] == [r.serial for r in reference]
