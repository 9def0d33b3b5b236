"""Where model runs are kept: ``<home>/ml/<kind>/<run_date>/``, replaced whole on a re-run.

A run directory is written under a temporary name and swapped in, so a re-run or backfill of a
date leaves exactly one complete result for it (metrics.json, the Spark model, outputs).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from smartcar.settings import Settings


def run_dir(kind: str, run_date: str, settings: Settings) -> Path:
    return settings.home / "ml" / kind / run_date


def staging_dir(kind: str, run_date: str, settings: Settings) -> Path:
    final = run_dir(kind, run_date, settings)
    staging = final.with_name(f".{final.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def publish(staging: Path, kind: str, run_date: str, metrics: dict, settings: Settings) -> Path:
    (staging / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    final = run_dir(kind, run_date, settings)
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def read_metrics(kind: str, run_date: str, settings: Settings) -> dict | None:
    try:
        return json.loads((run_dir(kind, run_date, settings) / "metrics.json").read_text())
    except (OSError, ValueError):
        return None
