"""Make the Airflow plugins folder importable, as Airflow does for DAGs and workers."""

from __future__ import annotations

import sys
from pathlib import Path

PLUGINS = str(Path(__file__).resolve().parents[3] / "plugins")
if PLUGINS not in sys.path:
    sys.path.insert(0, PLUGINS)
