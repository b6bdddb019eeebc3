"""The report's staff-time table: each arm's use of every staff group against the hours it has.

Read from the results folder's ``staff_utilisation.csv`` (:mod:`carecoord.utilisation`); folders
written before that table existed give no rows and the report leaves the section out.

Example:
    >>> staff_rows(load("results/pilot"))[0]["utilisation"]
    '38%'
"""

from __future__ import annotations

from typing import Any

from carecoord.results import ALL, Results

SERVICE_LABELS = {
    "gp": "GP",
    "ae": "A&E",
    "community_nursing": "Community nursing",
    "social_work": "Social work",
    "coordinator": "Named coordinators",
}


def staff_rows(results: Results) -> list[dict[str, Any]]:
    """Rows of the staff-time table: arm, service, locality, hours used and available, utilisation, warning.

    With several localities, each staff group's whole-scenario row and only the localities that saturate
    (a board paper's table stays short; ``staff_utilisation.csv`` has every locality).
    """
    table = results.staff_utilisation
    if table.empty:
        return []
    several = len(results.localities) > 1
    rows = []
    for r in table.itertuples(index=False):
        if several and r.locality != ALL and not r.saturated:
            continue  # whole-scenario rows, and any locality that saturates; every row is in the CSV
        if several and r.locality == ALL and r.service != "coordinator" and not _per_locality(table, r):
            where = "shared"
        else:
            where = "all localities" if r.locality == ALL else str(r.locality)
        rows.append(
            {
                "arm": r.arm,
                "service": SERVICE_LABELS.get(r.service, r.service),
                "locality": where if several else "",
                "used": f"{r.hours_used:,.0f}",
                "available": f"{r.hours_available:,.0f}",
                "utilisation": f"{r.utilisation:.0%}",
                "saturated": bool(r.saturated),
            }
        )
    return rows


def _per_locality(table: Any, row: Any) -> bool:
    """Whether the service has per-locality rows in the arm (so its ``all`` row is their total)."""
    mine = table[(table["arm"] == row.arm) & (table["service"] == row.service)]
    return bool((mine["locality"] != ALL).any())
