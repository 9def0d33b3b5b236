"""``smartcar up`` of Airflow with each executor: time to healthy and memory (LocalExecutor vs Celery).

For each of ``local`` and ``celery`` (with the auth manager of ``--auth``): a fresh temporary home on free
loopback ports, ``smartcar up --only airflow`` (which starts the PostgreSQL it needs first), the seconds
``up`` reports for Airflow alone and for the whole command, then after ``--settle`` seconds idle the
memory ``smartcar status`` counts for Airflow (proportional set size of every process of the service:
components, broker, workers and their pool children), then ``smartcar down``.

    .venv/bin/python bench/bench_airflow_executors.py [--auth simple|fab] [--settle 60]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smartcar.runtime.health import free_port


def _cli(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smartcar.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=timeout,
    )


def measure(executor: str, auth: str, settle: float) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix=f"smartcar-bench-{executor}-"))
    home.chmod(0o755)
    env = {
        "SMARTCAR_HOME": str(home),
        "SMARTCAR_AIRFLOW_PORT": str(free_port()),
        "SMARTCAR_AIRFLOW_BROKER_PORT": str(free_port()),
        "SMARTCAR_EXPORT_DB_URL": f"postgresql+psycopg2://smartcar:smartcar@127.0.0.1:{free_port()}/smartcar",
        "SMARTCAR_AIRFLOW_EXECUTOR": executor,
        "SMARTCAR_AIRFLOW_AUTH": auth,
    }
    try:
        began = time.monotonic()
        up = _cli("up", "--only", "airflow", env=env)
        total = time.monotonic() - began
        if up.returncode != 0:
            raise SystemExit(f"{executor}: smartcar up failed:\n{up.stdout}\n{up.stderr}")
        airflow_s = float(re.search(r"airflow: healthy in ([\d.]+)s", up.stdout)[1])
        time.sleep(settle)
        status = json.loads(_cli("status", "--json", env=env).stdout)["airflow"]
        return {
            "airflow_s": airflow_s,
            "up_s": total,
            "memory_mb": status["memory_mb"],
            "processes": len(status["pids"]),
        }
    finally:
        _cli("down", env=env, timeout=300)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--auth", choices=("simple", "fab"), default="simple")
    parser.add_argument("--settle", type=float, default=60.0, help="idle seconds before reading the memory")
    args = parser.parse_args()
    print(f"auth manager: {args.auth}; memory after {args.settle:.0f} s idle (PSS of all the service's processes)")
    print(f"{'executor':<10}{'airflow healthy':>17}{'whole up':>11}{'started':>9}{'memory':>11}")
    for executor in ("local", "celery"):
        r = measure(executor, args.auth, args.settle)
        print(
            f"{executor:<10}{r['airflow_s']:>15.1f} s{r['up_s']:>9.1f} s{r['processes']:>9}{r['memory_mb']:>8.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
