"""Validation against published studies, each described by a study file (``experiments/studies/*.yaml``).

A study file says how a published evaluation is reproduced with the model: the setting (a shipped
scenario with overrides: population, selection, intervention, follow-up), and every outcome the study
reports, with the published figure, the computation that gives the model's figure and the rule that
compares the two. ``study`` reads and checks the files, ``runner`` runs the settings and computes the
rows, ``table`` writes the markdown tables and the forest plot, ``calibration`` checks the baseline
arms against their calibration targets. ``experiments/validation.py`` drives them and regenerates
docs/validation.md.

Example:
    >>> studies = load_studies(Path("experiments/studies"))
    >>> report = run_studies(studies, workers=2)
"""

from __future__ import annotations

from carecoord.validation.runner import StudyReport, run_studies
from carecoord.validation.study import Study, load_studies, load_study

__all__ = ["Study", "StudyReport", "load_studies", "load_study", "run_studies"]
