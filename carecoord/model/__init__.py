"""Model layer: the SimPy processes and resources of ONE replication of ONE arm.

No pandas, no files, no logging: the model reads a validated scenario and a cohort, and writes
into a :class:`~carecoord.recording.Recorder`.

Modules, lowest first (none imports one above it): ``clock`` (competing-risk clocks),
``services`` and ``caseload`` (SimPy resources), ``patient`` (per-arm patient state), ``params``
(the scenario compiled to plain numbers), ``care.plan`` (the care-plan hooks; usual care),
``world`` (shared state and books), ``social_care`` (assessments, home care, care homes),
``hospital`` and ``pathways`` (the baseline's pathways),
``care.*`` (coordinated care, one module per mechanism), ``run`` (``run_arm``).
"""
