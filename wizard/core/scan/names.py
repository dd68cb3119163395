"""The names of the files the scan reads (here, not in manifests.py, so the search for manifests loads nothing else)."""

YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
