"""Model layer: the SimPy processes and resources of ONE replication of ONE arm.

No pandas, no files, no logging: the model reads a validated scenario and a cohort, and writes
into a :class:`~carecoord.recording.Recorder`.

Modules, lowest first (none imports one above it): ``clock`` (competing-risk clocks),
``services`` and ``caseload`` (SimPy resources), ``patient`` (per-arm patient state), ``params``
(the scenario compiled to plain numbers), ``care.plan`` (the care-plan hooks; usual care),
``world`` (shared state and books), ``social_care`` (assessments, home care, care homes),
``hospital`` and ``pathways`` (the baseline's pathways),
``care.*`` (coordinated care, one module per mechanism), ``run`` (``run_arm``).

The model reads the time as SimPy's own classes do, ``env._now``: ``env.now`` is a Python property
around it, a generic look-up and a Python call at each read in the compiled model (137 reads on the
per-event path; docs/performance.md). ``tests/unit/test_simpy_time.py`` fails if a SimPy release stops
keeping ``_now`` as the time ``now`` returns.
"""
