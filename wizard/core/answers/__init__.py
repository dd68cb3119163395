"""Answers: the answers file (schema v1), parsed and validated, and edits to its environments."""
