"""Event-log rows that only say how long something lasted (shared by the trace tests).

The trace tests compare the sequence of instants a patient goes through; these span rows (a stay,
a visit's duration) carry a start time too and are left out of those sequences.
"""

SPAN_ACTIVITIES = frozenset(
    {
        "delayed_discharge",
        "falls_assessment",
        "hospital_stay",
        "intermediate_care",
        "medication_review",
        "nursing_home_treatment",
        "nursing_visit",
        "palliative_visit",
        "post_discharge_visit",
        "proactive_visit",
        "rapid_response_visit",
        "self_management_session",
        "trolley_wait",
    }
)
