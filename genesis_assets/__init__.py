"""The Genesis Dagster code location: assets, asset checks and their definitions."""
