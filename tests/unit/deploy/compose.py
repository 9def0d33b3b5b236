"""Helpers of the deploy tests: the compose file as Docker Compose itself resolves it.

``docker-compose config`` (Debian's docker-compose 1.29.2, installed by scripts/install-system-deps.sh)
validates the file against the Compose schema and interpolates ``.env`` without a Docker engine; it rejects
unknown keys, bad ``depends_on`` conditions and missing ``${VAR:?}`` values, so no vendored JSON schema is
needed. Its absence is a failure, not a skip: CI installs it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from smartcar.settings import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"


def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        pytest.fail("docker-compose is missing: run scripts/install-system-deps.sh")
    return found


def run_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    """``docker-compose config`` of the repository's compose file with ``env_file`` and nothing else."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(env_file.parent)}
    files = ["-f", str(COMPOSE_FILE), "--project-directory", str(REPO_ROOT), "--env-file", str(env_file)]
    return subprocess.run(
        [docker_compose(), *files, "config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def resolved(env_file: Path) -> dict:
    result = run_config(env_file)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def generate_env(directory: Path) -> Path:
    """Run the generator one-liner documented in ``.env.example`` in ``directory``; returns the new .env."""
    shutil.copy(ENV_EXAMPLE, directory / ".env.example")
    line = next(ln for ln in ENV_EXAMPLE.read_text().splitlines() if ln.startswith("#   python3 -c"))
    command = re.sub(r"^#\s+", "", line)
    subprocess.run(["sh", "-c", command], cwd=directory, check=True, timeout=60)
    return directory / ".env"


def env_values(env_file: Path) -> dict[str, str]:
    pairs = (ln.split("=", 1) for ln in env_file.read_text().splitlines() if ln and not ln.startswith("#"))
    return {k: v for k, v in pairs}
