"""The event log in the layouts other tools read: pm4py (process mining) and vidigi (animation).

The model appends one tuple per row while it runs (see :meth:`carecoord.recording.Recorder.log`):
an instant (a crisis, an admission, a death) has ``start == end``; an activity (a GP appointment,
an A&E attendance, a nursing visit, a hospital stay, a wait for a bed) runs from ``start`` (when the
clinician began, after any wait, or when the stay began) to ``end``. Everything here is a pure
function of that table (``events.csv``), run after the simulation.

Example:
    >>> pm4py_layout(result.events, "2014-04-01")  # doctest: +SKIP
"""

from __future__ import annotations

import heapq

import pandas as pd

PM4PY_COLUMNS = [
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "start_timestamp",
    "org:resource",
    "lifecycle:transition",
    "arm",
    "replication",
]
VIDIGI_COLUMNS = ["entity_id", "event_type", "event", "time", "pathway", "run_number", "resource_id"]


def event_files(events: pd.DataFrame, start_date: str) -> dict[str, pd.DataFrame]:
    """Both layouts, by file stem, written beside ``events.csv`` (none when there is no log).

    Always both: they are small next to the run, and a user should not have to rerun a
    simulation because they picked the other tool.
    """
    if events.empty:
        return {}
    return {"events_pm4py": pm4py_layout(events, start_date), "events_vidigi": vidigi_layout(events)}


def pm4py_layout(events: pd.DataFrame, start_date: str) -> pd.DataFrame:
    """One row per activity with pm4py's standard column names.

    A case is one patient in one arm (``arm:patient``): the arms share patient numbers, and mixing
    them would merge two different lives. ``time:timestamp`` is the end (pm4py's completion time)
    and ``start_timestamp`` the start, which pm4py's performance views use for durations.
    """
    day0 = pd.Timestamp(start_date)
    return pd.DataFrame(
        {
            "case:concept:name": events["arm"].astype(str) + ":" + events["patient"].astype(str),
            "concept:name": events["activity"],
            "time:timestamp": day0 + pd.to_timedelta(events["end"], unit="D"),
            "start_timestamp": day0 + pd.to_timedelta(events["start"], unit="D"),
            "org:resource": events["resource"].fillna(""),
            "lifecycle:transition": "complete",
            "arm": events["arm"],
            "replication": events["replication"],
        }
    )[PM4PY_COLUMNS]


def vidigi_layout(events: pd.DataFrame) -> pd.DataFrame:
    """vidigi's long event log: arrivals and departures, steps, and resource use begin/end.

    ``time`` stays in days (the simulation's unit); ``pathway`` is the arm and ``run_number`` the
    replication. Instants become ``queue`` steps (vidigi places the patient at that step); an
    activity becomes ``resource_use`` at its start and ``resource_use_end`` at its end, with a
    ``resource_id`` numbered per arm and resource (the lowest number free at the start: the model
    does not record which clinician it was, only that one was busy). Arrival is the patient's first
    row, departure their last.
    """
    frame = events.reset_index(drop=True)
    rows: list[tuple] = []
    for row, slot in zip(frame.itertuples(index=False), _slots(frame), strict=True):
        if row.end > row.start:
            rows.append(
                (row.patient, "resource_use", f"{row.activity}_begins", row.start, row.arm, row.replication, slot)
            )
            rows.append(
                (row.patient, "resource_use_end", f"{row.activity}_ends", row.end, row.arm, row.replication, slot)
            )
        else:
            rows.append((row.patient, "queue", row.activity, row.start, row.arm, row.replication, pd.NA))
    body = pd.DataFrame(rows, columns=VIDIGI_COLUMNS)
    keys = ["pathway", "run_number", "entity_id"]
    span = body.groupby(keys, sort=False)["time"].agg(["min", "max"]).reset_index()
    arrive = span.assign(event_type="arrival_departure", event="arrival", time=span["min"], resource_id=pd.NA)
    depart = span.assign(event_type="arrival_departure", event="depart", time=span["max"], resource_id=pd.NA)
    order = {"arrival": 0, "depart": 2}
    out = pd.concat([arrive[VIDIGI_COLUMNS], body, depart[VIDIGI_COLUMNS]], ignore_index=True)
    rank = out["event"].map(order).fillna(1)
    out = out.assign(_rank=rank).sort_values([*keys, "time", "_rank"], kind="stable").drop(columns="_rank")
    out["resource_id"] = out["resource_id"].astype("Int64")
    return out.reset_index(drop=True)


def _slots(events: pd.DataFrame) -> list[int | None]:
    """A resource number for every activity row (None for instants): interval partitioning by start
    time per (replication, arm, resource), so two activities that overlap never share a number."""
    slots: list[int | None] = [None] * len(events)
    order = events.sort_values(["start", "end"], kind="stable").index
    free: dict[tuple, list[int]] = {}
    busy: dict[tuple, list[tuple[float, int]]] = {}
    count: dict[tuple, int] = {}
    starts, ends = events["start"].to_numpy(), events["end"].to_numpy()
    groups = list(zip(events["replication"], events["arm"], events["resource"], strict=True))
    for i in order:
        if ends[i] <= starts[i]:
            continue
        key = groups[i]
        running, idle = busy.setdefault(key, []), free.setdefault(key, [])
        while running and running[0][0] <= starts[i]:
            heapq.heappush(idle, heapq.heappop(running)[1])
        if idle:
            slot = heapq.heappop(idle)
        else:
            slot = count.get(key, 0) + 1
            count[key] = slot
        heapq.heappush(running, (float(ends[i]), slot))
        slots[i] = slot
    return slots
