"""Entrypoint of the platform image: derive Airflow's connections from the container's settings, then exec.

The compose stack sets only ``SMARTCAR_*`` endpoints; the ``AIRFLOW_CONN_*`` variables come from
:func:`smartcar.airflow.connections.connection_env`, the function the embedded runtime uses too
(``smartcar.airflow.environment``), so the two worlds cannot drift apart. Usage::

    python -m smartcar.airflow.container_entrypoint airflow scheduler

Nothing else is written or changed: the UI's admin lives in Airflow's database (FAB auth manager), created by
the compose file's ``airflow-init`` from ``.env``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from smartcar.airflow.connections import connection_env
from smartcar.settings import Settings

PLACEHOLDER = "change-me"
"""Value of every secret in ``.env.example``: a container refuses to start while one is left."""


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Settings from the ``SMARTCAR_*`` variables of ``environ``; they win over the process environment."""
    fields = {key.removeprefix("SMARTCAR_").lower(): value for key, value in environ.items()}
    return Settings(**{k: v for k, v in fields.items() if k in Settings.model_fields})


def container_env(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` plus the connections its settings derive; an ``AIRFLOW_CONN_*`` set explicitly wins."""
    env = dict(environ)
    for key, value in connection_env(settings_from(environ)).items():
        env.setdefault(key, value)
    return env


def placeholders(environ: Mapping[str, str]) -> list[str]:
    """Variables still carrying the ``.env.example`` placeholder (inside URLs too)."""
    return sorted(key for key, value in environ.items() if PLACEHOLDER in value)


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m smartcar.airflow.container_entrypoint COMMAND [ARG...]")
    if left := placeholders(os.environ):
        sys.exit(f"refusing to start: {', '.join(left)} still hold {PLACEHOLDER!r}; generate .env (see .env.example)")
    env = container_env(os.environ)
    os.execvpe(argv[0], argv, env)


if __name__ == "__main__":
    main(sys.argv[1:])
