"""Render: the files the wizard writes (base, overlays, Flux objects, sealing steps, workflows)."""
