"""Drift between two environments: build both overlays, compare object by object, explain each difference."""
