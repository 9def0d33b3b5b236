"""PostgreSQL, the export target (the original's Sqoop destination) and Airflow's metadata database.

``initdb`` runs once into the state directory with the user, password and database of
``SMARTCAR_EXPORT_DB_URL``; Airflow's database and user (``smartcar.airflow.environment.metadata_db_url``)
are created beside it when they live on this server. PostgreSQL refuses to run as root, so when
we are root the server runs as the ``postgres`` system user, which then owns the data directory.
``down`` sends SIGINT, PostgreSQL's fast shutdown: SIGTERM's smart shutdown would wait for every
client to disconnect.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from smartcar.airflow.environment import metadata_db_url
from smartcar.runtime.process import ProcessSpec
from smartcar.runtime.services.base import Service, ServiceError
from smartcar.settings import Settings


def pg_bindir() -> Path:
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if (directory / "postgres").exists() and (directory / "initdb").exists():
            return directory
    raise ServiceError("PostgreSQL server binaries not found (install the Debian package 'postgresql')")


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServiceError("running as root needs a 'postgres' system user to run PostgreSQL") from exc
    return "postgres"


def _url_parts(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    user = unquote(parts.username or "smartcar")
    password = unquote(parts.password or "smartcar")
    database = parts.path.lstrip("/") or "smartcar"
    return user, password, database


def _same_server(url: str, settings: Settings) -> bool:
    parts = urlsplit(url)
    return parts.scheme.startswith("postgresql") and (parts.hostname, parts.port or 5432) == (
        settings.export_db_host_port
    )


class PostgresService(Service):
    name = "postgres"
    stop_signal = signal.SIGINT
    signal_children = False

    def data_dir(self, settings: Settings) -> Path:
        return self.state_dir(settings) / "data"

    def prepare(self, settings: Settings) -> None:
        super().prepare(settings)
        data = self.data_dir(settings)
        user = _run_as()
        state = self.state_dir(settings)
        if user:
            shutil.chown(state, user)
            # every directory above the state dir must be traversable by the service user
            for parent in state.parents:
                if not parent.stat().st_mode & 0o001:
                    raise ServiceError(
                        f"{parent} is not traversable by the 'postgres' user; choose a SMARTCAR_HOME outside it"
                    )
        if (data / "PG_VERSION").exists():
            return
        db_user, password, _ = _url_parts(settings.export_db_url)
        pwfile = state / ".pwfile"
        pwfile.write_text(password + "\n")
        os.chmod(pwfile, 0o600)
        if user:
            shutil.chown(pwfile, user)
        result = subprocess.run(
            [
                str(pg_bindir() / "initdb"),
                "-D",
                str(data),
                "-U",
                db_user,
                "--pwfile",
                str(pwfile),
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ],
            capture_output=True,
            text=True,
            user=user,
        )
        pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ServiceError(f"initdb failed: {result.stderr.strip()[-800:]}")

    def processes(self, settings: Settings) -> list[ProcessSpec]:
        host, port = self.endpoint(settings)
        data = self.data_dir(settings)
        return [
            ProcessSpec(
                "postgres",
                [
                    str(pg_bindir() / "postgres"),
                    "-D",
                    str(data),
                    "-h",
                    host,
                    "-p",
                    str(port),
                    "-k",
                    str(data),
                    "-c",
                    "shared_buffers=64MB",
                    "-c",
                    "max_connections=100",
                ],
                user=_run_as(),
            )
        ]

    def _connect(self, settings: Settings, database: str):
        import psycopg2

        host, port = self.endpoint(settings)
        db_user, password, _ = _url_parts(settings.export_db_url)
        return psycopg2.connect(
            host=host, port=port, user=db_user, password=password, dbname=database, connect_timeout=2
        )

    def healthy(self, settings: Settings) -> bool:
        try:
            self._connect(settings, "postgres").close()
            return True
        except Exception:
            return False

    def after_start(self, settings: Settings) -> None:
        _, _, database = _url_parts(settings.export_db_url)
        conn = self._connect(settings, "postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                _ensure_database(cur, database)
                airflow_url = metadata_db_url(settings)
                if _same_server(airflow_url, settings):
                    user, password, airflow_db = _url_parts(airflow_url)
                    _ensure_role(cur, user, password)
                    _ensure_database(cur, airflow_db, owner=user)
        finally:
            conn.close()


def _ensure_database(cur, database: str, owner: str | None = None) -> None:
    from psycopg2 import sql

    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
    if cur.fetchone() is None:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
        if owner:
            statement += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        cur.execute(statement)


def _ensure_role(cur, user: str, password: str) -> None:
    """Create the role, or set its password to the configured one (idempotent)."""
    from psycopg2 import sql

    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
    verb = "ALTER" if cur.fetchone() else "CREATE"
    cur.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(user)), (password,))
