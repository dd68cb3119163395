#!/usr/bin/env python3
"""What retagging N images costs kustomize: N `images:` entries beside the same retagging as one patch file.

Where the threshold of wizard/core/render/images.py (IMAGES_PATCH_THRESHOLD) comes from. For each base size
(--workloads, default 50,200: the benchmark's synthetic app, rendered by k8s-wizard into a temporary folder,
never inside this repository) and each N (--images), three overlays over the same base are built with
`kubectl kustomize`, interleaved, --repeat times each:

* floor: only a namespace and an environment label (in the second pass, plus one replica-count patch, which
  a generated overlay nearly always has: strategic-merge patches have a fixed cost that such an overlay
  already pays);
* images: the floor plus N `images:` entries (one per workload's own image, as `image_tag` writes them);
* patch: the floor plus one strategic-merge patch file of N documents, each naming a Deployment and its
  container with the full new image reference (patches/images.yaml).

Both retagging overlays build the same objects (checked: same sha256 of the output). Reported: the minimum
CPU seconds (user+sys of kustomize) of each, the extra cost over the floor, and patch / images.

    python scripts/bench_images.py --workloads 50,200 --images 1,2,4,8,16,50,200
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

OTHER_PATCH = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": bench._name(0), "namespace": bench.NAMESPACE}, "spec": {"replicas": 1},
}
"""A replica count: the strategic-merge patch a generated overlay nearly always has already."""


def _overlay(folder: Path, images: list[dict], patch_docs: list[dict], other_patch: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    doc: dict = yaml.safe_load(bench.FLOOR)
    if images:
        doc["images"] = images
    (folder / "patches").mkdir(exist_ok=True)
    patches = []
    if other_patch:
        (folder / "patches" / "deployment.yaml").write_text(bench._dump(OTHER_PATCH), encoding="utf-8")
        patches.append({"path": "patches/deployment.yaml"})
    if patch_docs:
        (folder / "patches" / "images.yaml").write_text(
            "".join("---\n" + bench._dump(d) for d in patch_docs), encoding="utf-8"
        )
        patches.append({"path": "patches/images.yaml"})
    if patches:
        doc["patches"] = patches
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def measure(workdir: Path, workloads: int, counts: list[int], repeat: int, other_patch: bool) -> list[dict]:
    src = workdir / f"app-{workloads}"
    if not src.exists():
        bench.generate(src, workloads)
        bench.render_into(src)
    kust = bench.kustomize_command()
    rows = []
    for n in counts:
        if n > workloads:
            continue
        names = [bench._name(i) for i in range(n)]
        images = [{"name": f"registry.acme.io/{bench.APP}/{name}", "newTag": "9.9.9"} for name in names]
        docs = [
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": bench.NAMESPACE},
             "spec": {"template": {"spec": {"containers": [
                 {"name": "app", "image": f"registry.acme.io/{bench.APP}/{name}:9.9.9"}]}}}}
            for name in names
        ]
        root = src / "k8s"  # beside the floor: `../base` is the base
        _overlay(root / f"images-{n}", images, [], other_patch)
        _overlay(root / f"patch-{n}", [], docs, other_patch)
        if other_patch:  # the floor for this mode: the same replica patch, no retagging
            _overlay(root / "floor-patched", [], [], True)
        cpu: dict[str, list[float]] = {"floor": [], "images": [], "patch": []}
        out: dict[str, str] = {}
        for _ in range(repeat):
            floor = root / ("floor-patched" if other_patch else "floor")
            for what, folder in (("floor", floor), ("images", root / f"images-{n}"), ("patch", root / f"patch-{n}")):
                _, seconds, text = bench.run([*kust, str(folder)])
                cpu[what].append(seconds)
                out[what] = hashlib.sha256(text.encode()).hexdigest()
        if out["images"] != out["patch"]:
            sys.exit(f"bench_images: the two retaggings build different objects at {workloads} workloads, N={n}")
        row = {"workloads": workloads, "n": n, "other": other_patch, **{k: min(v) for k, v in cpu.items()}}
        rows.append(row)
        mode = " + a replica patch" if other_patch else ""
        bench.log(f"    {workloads} workloads{mode}, N={n}: floor {row['floor']:.2f}  images {row['images']:.2f}  "
                  f"patch {row['patch']:.2f} CPU s")
        shutil.rmtree(root / f"images-{n}")
        shutil.rmtree(root / f"patch-{n}")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ints = lambda s: [int(x) for x in s.split(",") if x]  # noqa: E731
    p.add_argument("--workloads", type=ints, default=[50, 200], help="base sizes (default 50,200)")
    p.add_argument("--images", type=ints, default=[1, 2, 4, 8, 16, 50, 200], help="retagged images (default 1,2,4,8,16,50,200)")
    p.add_argument("--repeat", type=int, default=3, help="builds of each overlay; the minimum is kept (default 3)")
    args = p.parse_args(argv)
    loads = [bench.load_average()]
    workdir = Path(tempfile.mkdtemp(prefix="k8s-wizard-bench-images-"))
    try:
        rows = [r for w in args.workloads for other in (False, True)
                for r in measure(workdir, w, args.images, args.repeat, other)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    loads.append(bench.load_average())
    print(f"Load average at start {loads[0]}, at end {loads[1]}; CPU s = min of {args.repeat} builds (user+sys).\n")
    print("| workloads | other patch | N images | floor CPU s | images: CPU s | patch file CPU s | images: over floor | "
          "patch over floor | patch / images: |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        other = "yes" if r["other"] else "no"
        print(f"| {r['workloads']} | {other} | {r['n']} | {r['floor']:.2f} | {r['images']:.2f} | {r['patch']:.2f} | "
              f"{r['images'] - r['floor']:+.2f} | {r['patch'] - r['floor']:+.2f} | {r['patch'] / r['images']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
