"""Validate: build every overlay with the real kustomize and check the written objects."""
