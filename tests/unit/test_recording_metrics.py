"""The metric indices written out for the compiled model (``recording.M``) are the metrics' positions."""

from carecoord.recording import METRIC_INDEX, RECORDED_METRICS, M


def test_every_metric_has_its_position_in_m():
    assert {name: getattr(M, name) for name in RECORDED_METRICS} == METRIC_INDEX


def test_m_names_no_metric_that_is_not_recorded():
    named = {name for name in vars(M) if not name.startswith("_")}
    assert named == set(RECORDED_METRICS)
