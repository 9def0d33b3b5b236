"""What the images are built from: the build context leaves state and secrets out, Hive gets its JDBC driver.

The context check uses docker-py's own ``.dockerignore`` matcher (``docker.utils.build.exclude_paths``, the
library Debian's docker-compose builds with), run by docker-compose's interpreter, so the patterns are judged
by a real implementation and not by a re-written one.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from smartcar.settings import REPO_ROOT
from tests.unit.deploy.compose import docker_compose

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
LIST_CONTEXT = """
import json, sys
from docker.utils.build import exclude_paths
root = sys.argv[1]
patterns = [p for p in open(root + "/.dockerignore").read().splitlines() if p.strip() and not p.startswith("#")]
print(json.dumps(sorted(exclude_paths(root, patterns))))
"""


def _context(root: Path) -> set[str]:
    """Paths of ``root`` that a build with its .dockerignore sends to the engine."""
    interpreter = Path(docker_compose()).read_text().splitlines()[0].removeprefix("#!").split()
    out = subprocess.run([*interpreter, "-c", LIST_CONTEXT, str(root)], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_context_leaves_out_state_environments_and_secrets(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text((REPO_ROOT / ".dockerignore").read_text())
    files = [
        ".venv/bin/python",
        ".tools/bin/uv",
        ".smartcar/airflow/secrets/jwt_secret",
        ".env",
        ".env.local",
        "smartcar/__pycache__/x.pyc",
        "jars/hbase/lib/hbase.jar",
        "smartcar/settings.py",
        "jars/hbase/pom.xml",
        "docker/hbase/start-hbase.sh",
        "uv.lock",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    sent = _context(tmp_path)
    assert {"smartcar/settings.py", "jars/hbase/pom.xml", "docker/hbase/start-hbase.sh", "uv.lock"} <= sent
    leaked = [f for f in files[:7] if f in sent]
    assert leaked == [], f"sent to the engine: {leaked}"


def test_every_copy_source_is_in_the_context() -> None:
    sent = _context(REPO_ROOT)
    for dockerfile in (REPO_ROOT / "Dockerfile", REPO_ROOT / "docker" / "hbase" / "Dockerfile"):
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY ") and "--from=" not in line:
                for source in line.split()[1:-1]:
                    assert any(p == source or p.startswith(source.rstrip("/") + "/") for p in sent), (
                        f"{dockerfile.name}: {source} is ignored"
                    )


def test_hive_image_adds_the_pinned_jdbc_driver() -> None:
    hive = REPO_ROOT / "docker" / "hive"
    props = ET.parse(hive / "pom.xml").getroot().find("m:properties", POM_NS)
    assert re.fullmatch(r"\d+\.\d+\.\d+", props.findtext("m:postgresql.version", namespaces=POM_NS) or "")
    dockerfile = (hive / "Dockerfile").read_text()
    assert "FROM apache/hive:4.0.1" in dockerfile
    assert re.search(r"COPY --from=jdbc \S+ /opt/hive/lib/", dockerfile)
    assert "usermod -u 50000 hive" in dockerfile  # the platform image's uid: both write the warehouse


def test_platform_image_owns_its_state_and_warehouse_dirs() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "useradd --create-home --uid 50000 smartcar" in dockerfile
    assert re.search(r"chown -R smartcar \S+ /opt/smartcar-state /opt/warehouse", dockerfile)
    assert '"-m", "smartcar.airflow.container_entrypoint"' in dockerfile


def test_platform_image_installs_the_locked_production_environment_only() -> None:
    """Both ``uv sync`` steps (dependencies, then the project) install the same thing: uv.lock as it is, the
    production extra, and none of the default groups (dev, notebooks)."""
    lines = (REPO_ROOT / "Dockerfile").read_text().splitlines()
    syncs = [shlex.split(ln.removeprefix("RUN ")) for ln in lines if ln.startswith("RUN uv sync ")]
    assert len(syncs) == 2
    deps, project = syncs
    assert deps == [*project, "--no-install-project"]
    assert {"--frozen", "--no-default-groups"} <= set(project)
    assert project[project.index("--extra") + 1] == "production"
