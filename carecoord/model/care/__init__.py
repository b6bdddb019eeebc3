"""The care plan: usual care (the baseline) and coordinated care with its mechanisms.

``plan.UsualCare`` defines the hooks the pathways call; ``coordinated.CoordinatedCare``
implements them with one object per switched-on mechanism, each in its own module
(``enrolment``, ``proactive``, ``rapid_response``, ``medication``, ``falls``, ``night_visits``,
``case_finding``, ``discharge``, ``assessment``, ``home_first``, ``care_homes``,
``end_of_life``). This package imports nothing on purpose: the world imports ``plan`` alone.
"""
