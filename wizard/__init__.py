"""k8s-wizard: take a Kubernetes app from one environment to several (Kustomize + FluxCD)."""

__version__ = "0.1.0"
