"""Model layer: the SimPy processes and resources of ONE replication of ONE arm.

No pandas, no files, no logging: the model reads a validated scenario and a cohort, and writes
into a :class:`~carecoord.recording.Recorder`.
"""
