"""PostgreSQL, the export target (the original's Sqoop destination), from the system binaries.

``initdb`` runs once into the state directory with the user, password and database of
``SMARTCAR_EXPORT_DB_URL``. PostgreSQL refuses to run as root, so when we are root the server
runs as the ``postgres`` system user, which then owns the data directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


def _url_parts(settings: Settings) -> tuple[str, str, str]:
    parts = urlsplit(settings.export_db_url)
    user = unquote(parts.username or "smartcar")
    password = unquote(parts.password or "smartcar")
    database = parts.path.lstrip("/") or "smartcar"
    return user, password, database


class PostgresService(Service):
    name = "postgres"

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
        db_user, password, _ = _url_parts(settings)
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
                    "max_connections=50",
                ],
                user=_run_as(),
            )
        ]

    def _connect(self, settings: Settings, database: str):
        import psycopg2

        host, port = self.endpoint(settings)
        db_user, password, _ = _url_parts(settings)
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
        _, _, database = _url_parts(settings)
        conn = self._connect(settings, "postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{database}"')
        finally:
            conn.close()
