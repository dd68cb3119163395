#!/usr/bin/env python3
"""Benchmark: `k8s-wizard apply --dry-run` beside `kubectl kustomize` on a synthetic repository.

For each size (number of workloads) it generates, in a temporary folder (never inside this repo),
a single-environment app: per workload a Deployment, a Service, a ConfigMap and a ServiceAccount,
an Ingress for every other workload and an HPA for the rest, about five documents per workload.
Most objects are one per file; some workloads are one multi-document file (with comments and YAML
anchors), and some objects sit in a `kind: List`. The answers file has five environments (dev, test,
staging, qa, production with `current: true`) that differ in replicas, resources, config, hosts,
image tags and autoscaling.

Then, in the same run, it times (median of --repeat runs, time.perf_counter around a subprocess):

* `k8s-wizard apply --dry-run` on the fresh repository: scan, plan, render and diff, all environments;
* `kubectl kustomize` of one overlay (production by default, the quickest to build), after a real
  `apply --yes` on a copy;
* `k8s-wizard validate` on that copy (every overlay built in parallel, plus the Flux checks), at 200
  workloads (it builds all five overlays, so it takes minutes at 400);
* `k8s-wizard --help` (median of --help-runs runs).

It prints a table (documents, dry-run s, kustomize s, ratio, validate s) and a linearity check
(seconds per 1,000 documents, overall and marginal between sizes).

    python scripts/bench.py            # 50, 100, 200, 400 workloads
    python scripts/bench.py --quick    # 25 and 50 workloads: a smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

APP = "shop"
NAMESPACE = "shop"
DOMAIN = "shop.example.com"
ENVIRONMENTS = ("dev", "test", "staging", "qa", "production")


# --- the synthetic repository ------------------------------------------------------------------------

def _name(i: int) -> str:
    return f"svc-{i:03d}"


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=4096)


def _deployment(i: int) -> dict:
    name = _name(i)
    env: list[dict] = [
        {"name": "PORT", "value": "8080"},
        {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"name": f"{name}-config", "key": "LOG_LEVEL"}}},
    ]
    if i % 10 == 0:
        env.append({"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": f"{APP}-db", "key": "DATABASE_URL"}}})
    spec: dict = {
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name, "tier": "backend"}},
            "spec": {
                "serviceAccountName": name,
                "containers": [{
                    "name": "app",
                    "image": f"registry.acme.io/{APP}/{name}:1.{i % 7}.{i % 13}",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
                    "env": env,
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
                    "livenessProbe": {"httpGet": {"path": "/health", "port": "http"}, "periodSeconds": 10},
                }],
            },
        },
    }
    spec = {"replicas": 3, **spec}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app": name, "tier": "backend"}},
        "spec": spec,
    }


def _service(i: int) -> dict:
    name = _name(i)
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app": name}},
        "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }


def _configmap(i: int) -> dict:
    name = _name(i)
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": f"{name}-config", "namespace": NAMESPACE},
        "data": {"LOG_LEVEL": "info", "FEATURE_X": "false", "UPSTREAM": f"http://{_name((i + 1) % 1000)}", "TIMEOUT_MS": "2500"},
    }


def _settings(i: int) -> dict:
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": f"{_name(i)}-flags", "namespace": NAMESPACE, "annotations": {"owner": "team-" + "abc"[i % 3]}},
        "data": {"NEW_CHECKOUT": "off", "BETA_USERS": "0", "banner.txt": "Welcome!\nMind the gap.\n"},
    }


def _serviceaccount(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": _name(i), "namespace": NAMESPACE}}


def _ingress(i: int) -> dict:
    name = _name(i)
    host = f"{name}.{DOMAIN}"
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": [host], "secretName": f"{name}-tls"}],
            "rules": [{"host": host, "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": name, "port": {"name": "http"}}},
            }]}}],
        },
    }


def _hpa(i: int) -> dict:
    name = _name(i)
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": 3, "maxReplicas": 10,
            "metrics": [{"type": "Resource",
                         "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 75}}}],
        },
    }


def _has_ingress(i: int) -> bool:
    return i % 2 == 0


def _has_hpa(i: int) -> bool:
    return i % 4 == 1


def _has_settings(i: int) -> bool:
    """A second ConfigMap (feature flags) for some workloads."""
    return i % 4 == 3


def _multidoc(i: int, docs: list[tuple[str, dict]]) -> str:
    """One workload in one file: comments between documents and a YAML anchor for the labels."""
    name = _name(i)
    parts = [f"# {name}: everything in one file.\n# Apply with: kubectl apply -f {name}.yaml\n"]
    for kind, doc in docs:
        text = _dump(doc)
        if kind == "Deployment":
            # An anchor and aliases: the scan must resolve them; the base copies the text verbatim.
            text = text.replace(
                f"  labels:\n    app: {name}\n    tier: backend\nspec:",
                f"  labels: &labels\n    app: {name}\n    tier: backend\nspec:",
                1,
            ).replace(f"    metadata:\n      labels:\n        app: {name}\n        tier: backend\n",
                      "    metadata:\n      labels: *labels\n", 1)
        parts.append(f"---\n# {kind}\n{text}")
    return "".join(parts)


def generate(root: Path, workloads: int, heavy: bool = False) -> int:
    """Write the synthetic repository; returns the number of Kubernetes objects (documents)."""
    src = root / "manifests"
    listed: list[dict] = []
    count = 0
    for i in range(workloads):
        name = _name(i)
        docs: list[tuple[str, dict]] = [
            ("Deployment", _deployment(i)), ("Service", _service(i)), ("ConfigMap", _configmap(i)),
            ("ServiceAccount", _serviceaccount(i)),
        ]
        if _has_ingress(i):
            docs.append(("Ingress", _ingress(i)))
        if _has_hpa(i):
            docs.append(("HorizontalPodAutoscaler", _hpa(i)))
        if _has_settings(i):
            docs.append(("ConfigMap", _settings(i)))
        count += len(docs)
        if i % 20 == 7:  # a few multi-document files
            path = src / "bundles" / f"{name}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_multidoc(i, docs), encoding="utf-8")
            continue
        if i % 25 == 3:  # some objects in a kind: List
            listed.extend(doc for kind, doc in docs if kind in ("ConfigMap", "ServiceAccount"))
            docs = [(k, d) for k, d in docs if k not in ("ConfigMap", "ServiceAccount")]
        folder = src / "apps" / name
        folder.mkdir(parents=True, exist_ok=True)
        for kind, doc in docs:
            fname = "flags" if doc["metadata"]["name"].endswith("-flags") else kind.lower()
            (folder / f"{fname}.yaml").write_text(f"# {kind} {name}\n{_dump(doc)}", encoding="utf-8")
    if listed:
        (src / "shared").mkdir(parents=True, exist_ok=True)
        text = "# Settings and service accounts, kept together as a List.\n" + _dump(
            {"apiVersion": "v1", "kind": "List", "items": listed}
        )
        (src / "shared" / "list.yaml").write_text(text, encoding="utf-8")
    (root / "answers.yaml").write_text(_dump(answers(workloads, heavy)), encoding="utf-8")
    (root / "README.md").write_text(f"# {APP}\n\nSynthetic app for the k8s-wizard benchmark.\n", encoding="utf-8")
    return count


def answers(workloads: int, heavy: bool = False) -> dict:
    """Five environments with per-environment replicas, resources, config, hosts, tags and autoscaling.

    The differences touch a share of the workloads (every environment differs in a tenth to a half of
    them), as a real app's would. `heavy` sets resources and autoscaling for every workload in every
    other environment instead: one patch per workload and environment.
    """
    names = [_name(i) for i in range(workloads)]
    plain = [n for i, n in enumerate(names) if not _has_hpa(i)]
    hosts = [f"{n}.{DOMAIN}" for i, n in enumerate(names) if _has_ingress(i)]

    def config(every: int, level: str) -> dict:
        return {f"{n}-config": {"LOG_LEVEL": level, "FEATURE_X": "true"} for n in names[::every]}

    def resources(cpu: str, memory: str, limit: str, every: int) -> dict:
        one = {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": limit}}
        return one if heavy else {n: one for n in names[::every]}

    def autoscaling(low: int, high: int, cpu: int, every: int) -> dict:
        one = {"min": low, "max": high, "cpu": cpu}
        return one if heavy else {n: one for n in plain[1::every]}

    envs = [
        {"name": "dev", "namespace": f"{APP}-dev", "replicas": 1, "config": config(5, "debug"),
         "image_tag": "1.9.0-dev.4", "resources": resources("50m", "64Mi", "128Mi", 10)},
        {"name": "test", "namespace": f"{APP}-test", "replicas": {n: 1 for n in plain[::2]},
         "host": {h: h.replace(f".{DOMAIN}", f".test.{DOMAIN}") for h in hosts},
         "config": config(10, "debug"), "image_tag": "1.9.0-rc.1", "resources": resources("50m", "96Mi", "192Mi", 10)},
        {"name": "staging", "namespace": f"{APP}-staging", "replicas": 2,
         "host": {h: h.replace(f".{DOMAIN}", f".staging.{DOMAIN}") for h in hosts},
         "config": config(10, "info"), "image_tag": "1.8.3", "resources": resources("100m", "128Mi", "256Mi", 5),
         "autoscaling": autoscaling(2, 4, 80, 10)},
        {"name": "qa", "namespace": f"{APP}-qa", "replicas": {n: 2 for n in plain[::3]},
         "config": config(20, "info"), "resources": resources("100m", "128Mi", "256Mi", 20),
         "autoscaling": autoscaling(1, 3, 85, 20)},
        {"name": "production", "namespace": NAMESPACE, "current": True},
    ]
    return {
        "version": 1, "app": APP, "source": "manifests", "output": "k8s",
        "environments": envs,
        "flux": {"url": f"https://github.com/acme/{APP}.git", "branch": "main"},
        "ci": "github-actions",
    }


# --- measuring -----------------------------------------------------------------------------------------

def wizard_command() -> list[str]:
    """The installed console script, else `python -m wizard`."""
    exe = shutil.which("k8s-wizard")
    return [exe] if exe else [sys.executable, "-m", "wizard"]


def kustomize_command() -> list[str]:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    sys.exit("bench: needs kubectl (or kustomize) on PATH")


def run(cmd: Sequence[str], *, cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Run a command once; (seconds, stdout). Exits with its output when the exit code is not in `ok`."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"bench: {' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def median_of(cmd: Sequence[str], repeat: int, **kwargs: object) -> tuple[float, list[float], str]:
    times: list[float] = []
    out = ""
    for _ in range(repeat):
        seconds, out = run(cmd, **kwargs)  # type: ignore[arg-type]
        times.append(seconds)
    return statistics.median(times), times, out


def measure(workdir: Path, workloads: int, repeat: int, *, heavy: bool, overlay: str, with_validate: bool) -> dict:
    wiz = wizard_command()
    src = workdir / f"repo-{workloads}"
    docs = generate(src, workloads, heavy)
    answers_file = src / "answers.yaml"

    dry, dry_all, out = median_of([*wiz, "apply", "--repo", str(src), "--answers", str(answers_file), "--dry-run"], repeat)
    creates = sum(1 for line in out.splitlines() if line.startswith("  create"))
    if "dry run: nothing written" not in out or (src / "k8s").exists():
        sys.exit("bench: the dry run wrote something or did not finish")

    applied = workdir / f"applied-{workloads}"
    shutil.copytree(src, applied)
    run([*wiz, "apply", "--repo", str(applied), "--answers", str(applied / "answers.yaml"), "--yes"])
    kust, kust_all, built = median_of([*kustomize_command(), str(applied / "k8s" / "overlays" / overlay)], repeat)
    built_docs = sum(1 for d in yaml.load_all(built, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if d)
    val, val_all = (median_of([*wiz, "validate", "--repo", str(applied)], repeat)[:2] if with_validate else (None, []))
    # A re-run on the applied copy: every file compared with what is on disk (all unchanged).
    rerun, _, _ = median_of([*wiz, "apply", "--repo", str(applied), "--dry-run"], repeat)
    return {
        "workloads": workloads, "documents": docs, "files": creates, "built": built_docs,
        "dry": dry, "dry_all": dry_all, "kustomize": kust, "kustomize_all": kust_all,
        "validate": val, "validate_all": val_all, "rerun": rerun,
    }


def help_time(runs: int) -> tuple[float, list[float]]:
    cmd = [*wizard_command(), "--help"]
    run(cmd)  # warm the file cache
    times = [run(cmd)[0] for _ in range(runs)]
    return statistics.median(times), times


def machine() -> dict[str, str]:
    kustomize = subprocess.run([*kustomize_command()[:1], "version", "--client"] if kustomize_command()[0] == "kubectl"
                               else ["kustomize", "version"], capture_output=True, text=True, check=False).stdout
    kver = next((line.split(":", 1)[1].strip() for line in kustomize.splitlines() if "Kustomize" in line), kustomize.strip())
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    return {
        "nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
        "kustomize": f"{' '.join(kustomize_command())} (kustomize {kver})",
        "os": f"{platform.system()} {platform.release()}", "wizard": " ".join(wizard_command()),
    }


def _secs(value: float | None, unit: str = " s") -> str:
    return "-" if value is None else f"{value:.2f}{unit}"


# --- report --------------------------------------------------------------------------------------------

def report(rows: list[dict], help_median: float, help_all: list[float], info: dict[str, str], repeat: int,
           overlay: str) -> str:
    lines = [
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        f"Each figure is the median of {repeat} runs (time.perf_counter around a subprocess).",
        "",
        f"| workloads | documents | files | dry run s | kubectl kustomize s ({overlay}) | dry run / kustomize | validate s "
        "(5 overlays) | re-run dry run s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['workloads']} | {r['documents']} | {r['files']} | {r['dry']:.2f} | {r['kustomize']:.2f} | "
            f"{r['dry'] / r['kustomize']:.2f} | {_secs(r['validate'], unit='')} | {r['rerun']:.2f} |"
        )
    lines += ["", "Linearity (dry run):", "", "| documents | s per 1,000 documents | marginal s per 1,000 documents |",
              "|---:|---:|---:|"]
    marginals: list[float] = []
    for prev, r in zip([None, *rows], rows, strict=False):
        per = r["dry"] / r["documents"] * 1000
        if prev is None:
            marginal = "-"
        else:
            m = (r["dry"] - prev["dry"]) / (r["documents"] - prev["documents"]) * 1000
            marginals.append(m)
            marginal = f"{m:.2f}"
        lines.append(f"| {r['documents']} | {per:.2f} | {marginal} |")
    if len(rows) >= 2:
        n = [r["documents"] for r in rows]
        t = [r["dry"] for r in rows]
        slope, intercept = statistics.linear_regression(n, t)
        fitted = [intercept + slope * x for x in n]
        worst = max(abs(f - y) / y for f, y in zip(fitted, t, strict=True))
        lines += ["", f"Least-squares fit: dry run = {intercept:.2f} s + {slope * 1000:.2f} s per 1,000 documents; "
                  f"largest deviation from the line {worst:.0%}."]
        if len(marginals) >= 2 and marginals[0] > 0:
            growth = marginals[-1] / marginals[0]
            verdict = "linear" if growth < 1.5 else "SUPER-LINEAR"
            lines.append(f"Marginal cost, last step vs first step: x{growth:.2f} ({verdict}).")
    target = next((r for r in rows if r["workloads"] == 200), rows[-1])
    verdict = "meets" if target["dry"] < target["kustomize"] else "MISSES"
    lines += ["", f"At {target['workloads']} workloads ({target['documents']} documents): the dry run takes "
              f"{target['dry']:.2f} s, kustomize {target['kustomize']:.2f} s for the {overlay} overlay: {verdict} the target "
              "(dry run < one overlay's build)."]
    help_verdict = "meets" if help_median < 0.15 else "MISSES"
    lines.append(f"`k8s-wizard --help`: median {help_median * 1000:.0f} ms over {len(help_all)} runs "
                 f"(min {min(help_all) * 1000:.0f}, max {max(help_all) * 1000:.0f}): {help_verdict} the 0.15 s target.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=textwrap.dedent(__doc__.split("\n\n", 1)[1]))
    p.add_argument("--quick", action="store_true", help="a small run: 25 and 50 workloads")
    p.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="workload counts (default 50,100,200,400)")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    p.add_argument("--help-runs", type=int, default=11, help="runs of `k8s-wizard --help` (default 11)")
    p.add_argument("--heavy", action="store_true",
                   help="resources and autoscaling for every workload in every other environment (one patch each)")
    p.add_argument("--overlay", default="production", choices=ENVIRONMENTS,
                   help="the overlay `kubectl kustomize` builds (default production: the one with the fewest patches, "
                   "so the quickest build and the strictest comparison)")
    p.add_argument("--validate-at", type=lambda s: [int(x) for x in s.split(",")],
                   help="sizes at which `validate` is timed (default: 200, or the largest size when 200 is not run)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    args = p.parse_args(argv)
    sizes = args.sizes or ([25, 50] if args.quick else [50, 100, 200, 400])
    validate_at = args.validate_at or ([200] if 200 in sizes else [max(sizes)])

    info = machine()
    workdir = Path(tempfile.mkdtemp(prefix="k8s-wizard-bench-"))
    try:
        rows = []
        for n in sizes:
            print(f"... {n} workloads", file=sys.stderr, flush=True)
            rows.append(measure(workdir, n, args.repeat, heavy=args.heavy, overlay=args.overlay,
                                with_validate=n in validate_at))
            r = rows[-1]
            print(f"    {r['documents']} documents: dry run {r['dry']:.2f} s {[round(x, 2) for x in r['dry_all']]}, "
                  f"kustomize {r['kustomize']:.2f} s {[round(x, 2) for x in r['kustomize_all']]}, "
                  f"validate {_secs(r['validate'])}, re-run {r['rerun']:.2f} s", file=sys.stderr, flush=True)
        help_median, help_all = help_time(args.help_runs)
        print(report(rows, help_median, help_all, info, args.repeat, args.overlay))
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
