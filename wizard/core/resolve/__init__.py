"""Resolve: where the answers meet the app."""
