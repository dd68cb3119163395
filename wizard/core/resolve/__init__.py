"""Resolve: answers meet the app. `resolve(inventory, answers)` gives the `Resolved` model every later stage reads."""

from wizard.core.resolve.model import EnvironmentSettings, Resolved, SecretNeed
from wizard.core.resolve.stage import resolve

__all__ = ["EnvironmentSettings", "Resolved", "SecretNeed", "resolve"]
