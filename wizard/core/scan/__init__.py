"""Scan: read today's manifests (or a new app's description) and the git remote."""
