"""Scenario layer: the schema and the only code that reads YAML."""

from carecoord.scenario.loader import load_scenario, scenario_file_hash
from carecoord.scenario.schema import LocalitySpec, Scenario, SimulationSpec

__all__ = ["LocalitySpec", "Scenario", "SimulationSpec", "load_scenario", "scenario_file_hash"]
