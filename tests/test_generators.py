"""Issue 9 item 3: a source whose kustomization generates its Secrets (hashed names in today's pod templates).

Today's build is the real kustomize build of the source; the current environment's build must reference the
same Secret names (full-object comparison in test_fidelity.py), MIGRATION.md's sealing commands must look up
names that exist today, and `k8s-wizard seal production` must seal for those names.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from conftest import ALL_CASES, Migrated, make_repo, run_cli, run_cli_process
from cryptography.hazmat.primitives.asymmetric import rsa
from kube import build, key
from sealed_helpers import certificate

from wizard.cli import main

CASES = {c.id: c for c in ALL_CASES}


def _todays_secret_names(m: Migrated) -> set[str]:
    return {key(o)[2] for o in m.today() if o["kind"] == "Secret"}


def test_production_keeps_todays_hashed_secret_names(migrate) -> None:
    m: Migrated = migrate(CASES["generators"])
    today = _todays_secret_names(m)
    assert len(today) == 2 and all(re.fullmatch(r"orders-(secrets|tls)-[a-z0-9]{10}", n) for n in today), today
    deployment = next(o for o in m.objects("production") if o["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    used = {e["valueFrom"]["secretKeyRef"]["name"] for e in pod["containers"][0]["env"]}
    used.add(pod["volumes"][0]["secret"]["secretName"])
    assert used == today
    staging = next(o for o in m.objects("staging") if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert staging["volumes"][0]["secret"]["secretName"] == "orders-tls", "new environments use the plain name"


def test_migration_seals_production_from_names_that_exist_today(migrate) -> None:
    m: Migrated = migrate(CASES["generators"])
    plan = (m.repo / "MIGRATION.md").read_text(encoding="utf-8")
    looked_up = set(re.findall(r"kubectl get secret (\S+) -n orders", plan))
    assert looked_up == _todays_secret_names(m), looked_up
    assert "no pod restarts" in plan, "production's pod templates are unchanged: the plan may say so"
    script = (m.overlay("production") / "seal-secrets.sh").read_text(encoding="utf-8")
    assert all(f"--name {n}" in script for n in looked_up)


def test_without_todays_names_the_restart_is_a_planned_step(tmp_path: Path) -> None:
    """No kustomize to read today's hashed names: the plan says which workloads roll out, never 'no restarts'."""
    repo, answers = make_repo(CASES["generators"], tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_cli_process("plan", "--repo", str(repo), "--answers", str(answers), path=str(empty))
    assert result.code == 0, result.describe()
    assert "generated-secret-renamed" in result.out and "Deployment/orders roll out once" in result.out
    assert "Deployment/orders Secret references" in result.out and "those pods restart" in result.out
    assert "no pod restarts" not in result.out


def test_a_production_image_change_is_not_called_no_restart(tmp_path: Path) -> None:
    answers = yaml.safe_load(yaml.safe_dump(CASES["generators"].answers))
    answers["environments"][1]["image_tag"] = "5.3.0"
    repo, answers_file = make_repo(CASES["generators"], tmp_path, answers)
    result = run_cli("plan", "--repo", str(repo), "--answers", str(answers_file))
    assert result.code == 0, result.describe()
    assert "no pod restarts" not in result.out and "those pods restart" in result.out


def test_seal_production_seals_for_todays_names(migrate, tmp_path: Path) -> None:
    m: Migrated = migrate(CASES["generators"])
    key_pair = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = tmp_path / "pub-cert.pem"
    cert.write_bytes(certificate(key_pair, now - timedelta(days=1), now + timedelta(days=30)))
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(m.repo, repo)
    out = io.StringIO()
    values = "DATABASE_PASSWORD=x1\nSTRIPE_KEY=x2\n"
    code = main(["seal", "production", "--repo", str(repo), "--cert", str(cert), "--env-file", "-",
                 "--secret", "orders-secrets"], stdin=io.StringIO(values), stdout=out)
    assert code == 0, out.getvalue()
    objects, stderr = build(repo / "k8s/overlays/production")
    assert not stderr
    sealed = [key(o) for o in objects if o["kind"] == "SealedSecret"]
    today = {n for n in _todays_secret_names(m) if n.startswith("orders-secrets-")}
    assert sealed == [("SealedSecret", "orders", next(iter(today)))], sealed
