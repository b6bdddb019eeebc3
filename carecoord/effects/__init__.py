"""Named effect sets (YAML package data): evidence_based and pilot_claimed."""
