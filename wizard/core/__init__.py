"""The headless engine: scan, answers, plan, render, preview, write, validate, export.

Nothing in this package may import textual or questionary (enforced by tests/test_import_hygiene.py).
"""
