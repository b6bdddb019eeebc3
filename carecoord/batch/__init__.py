"""Batch experiments: sweeps over an experiment file's design, comparisons of scenarios, a resumable store.

Example:
    >>> from carecoord.batch import run_sweep, compare
    >>> result = run_sweep("experiments/coordinator_caseload.yaml", replications=5, workers=2)
    >>> result.summary
"""

from carecoord.batch.store import ResultsStore
from carecoord.batch.sweep import BatchResult, compare, run_sweep

__all__ = ["BatchResult", "ResultsStore", "compare", "run_sweep"]
