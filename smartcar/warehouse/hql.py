"""Render and run HiveQL files against any HiveServer2 (Spark Thrift server here, Hive or Spark in production).

The files in ``include/sql`` use Hive's ``${name}`` variables. Substitution happens here rather than
through ``hivevar`` because not every HiveServer2 (Spark's, Impala) supports it; an unknown variable is
an error, never an empty string. Statements are split on ``;`` outside quotes and comments and run
one by one in ONE session, so ``SET`` statements apply to the statements after them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartcar.settings import Settings, get_settings

log = logging.getLogger(__name__)

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

SESSION_SETTINGS: tuple[tuple[str, str], ...] = (
    # Hive semantics on Spark: a malformed number cast gives NULL instead of an error.
    ("spark.sql.ansi.enabled", "false"),
    # INSERT OVERWRITE ... PARTITION replaces only the partitions written, never the whole table.
    ("spark.sql.sources.partitionOverwriteMode", "dynamic"),
    ("hive.exec.dynamic.partition", "true"),
    ("hive.exec.dynamic.partition.mode", "nonstrict"),
)
"""Sent at the start of every session. On Hive the ``spark.*`` keys are inert variables."""


class HqlError(ValueError):
    """A HiveQL file could not be rendered (missing file or variable)."""


def sql_path(name: str, settings: Settings | None = None) -> Path:
    """``build/subject1_status_info`` -> ``<sql_dir>/build/subject1_status_info.sql``."""
    base = (settings or get_settings()).sql_dir
    path = base / (name if name.endswith(".sql") else f"{name}.sql")
    if not path.is_file():
        raise HqlError(f"no HiveQL file {path}")
    return path


def variables(text: str) -> set[str]:
    """Names of the ``${...}`` variables a HiveQL text uses."""
    return set(_VARIABLE.findall(_strip_comments(text)))


def render(text: str, params: Mapping[str, object]) -> str:
    """Replace ``${name}`` with ``params[name]``; every variable must be given."""
    missing = variables(text) - set(params)
    if missing:
        raise HqlError(f"missing HiveQL variables: {', '.join(sorted(missing))}")
    return _VARIABLE.sub(lambda m: str(params[m.group(1)]), _strip_comments(text))


def _strip_comments(text: str) -> str:
    """Drop ``--`` line comments outside quotes (they may contain ``;`` or ``${}``)."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in ("'", '"', "`"):
            quote = ch
            out.append(ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def split_statements(text: str) -> list[str]:
    """Split comment-free HiveQL on ``;`` outside quotes; empty statements are dropped."""
    statements: list[str] = []
    current: list[str] = []
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in ("'", '"', "`"):
            quote = ch
        elif ch == ";":
            statements.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def load(name: str, params: Mapping[str, object], settings: Settings | None = None) -> list[str]:
    """Statements of one HiveQL file with its variables filled in (``landing`` is always provided)."""
    s = settings or get_settings()
    text = sql_path(name, s).read_text(encoding="utf-8")
    full = {"landing": landing_uri(s), **params}
    return split_statements(render(text, full))


def landing_uri(settings: Settings) -> str:
    """URI of the landing root the external tables point at (``file:///...`` here)."""
    if settings.landing_dir is None and settings.warehouse_uri and not settings.warehouse_uri.startswith("file:"):
        return settings.warehouse_uri.rstrip("/") + "/collect"
    return settings.landing_path.resolve().as_uri()


@dataclass
class Result:
    """Columns and rows of the last statement that returned rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def execute(conn: Any, statements: Sequence[str], *, session: Iterable[tuple[str, str]] = SESSION_SETTINGS) -> Result:
    """Run statements in one cursor (one session) and return the rows of the last query."""
    result = Result([], [])
    cur = conn.cursor()
    try:
        for key, value in session:
            cur.execute(f"SET {key}={value}")
        for statement in statements:
            started = time.monotonic()
            cur.execute(statement)
            if _returns_rows(statement) and cur.description:
                result = Result([d[0] for d in cur.description], [tuple(r) for r in cur.fetchall()])
            log.info("HiveQL done in %.1fs: %s", time.monotonic() - started, " ".join(statement.split())[:160])
    finally:
        cur.close()
    return result


def _returns_rows(statement: str) -> bool:
    """Only queries are fetched (Spark describes DDL results that then cannot be fetched)."""
    return statement.lstrip("( \n").split(None, 1)[0].lower() in ("select", "with", "show", "describe", "desc")


def run_file(
    conn: Any, name: str, params: Mapping[str, object] | None = None, settings: Settings | None = None
) -> Result:
    """Render and run one file from ``include/sql`` on ``conn``."""
    return execute(conn, load(name, params or {}, settings))


def ddl_files(settings: Settings) -> list[str]:
    """Every DDL file, in name order (creation order)."""
    base = settings.sql_dir / "ddl"
    return [f"ddl/{p.stem}" for p in sorted(base.glob("*.sql"))]


_CREATE = re.compile(r"CREATE\s+(?:EXTERNAL\s+)?TABLE\s+IF\s+NOT\s+EXISTS\s+`?(\w+)`?", re.IGNORECASE)


def table_names(conn: Any) -> set[str]:
    """The current database's table names, lower case (Spark and Hive lay out SHOW TABLES differently)."""
    return {str(row[-2] if len(row) > 2 else row[0]).lower() for row in execute(conn, ["SHOW TABLES"]).rows}


def create_if_missing(conn: Any, statement: str, table: str) -> bool:
    """Run one ``CREATE TABLE``; True if this call created ``table``, False if a concurrent task did.

    ``IF NOT EXISTS`` is not atomic in the metastore: two tasks creating the same table at once (the
    DAGs' ``create_tables`` on two Celery workers) both pass the existence check and the slower insert
    fails with a duplicate key (Hive 4: ``UNIQUETABLE`` on ``TBLS``). The table then exists, which is
    all the statement asks, so that failure is success; any other failure is raised as it came.
    """
    try:
        execute(conn, [statement])
        return True
    except Exception:
        if table.lower() not in table_names(conn):
            raise
        log.info("%s was created by a concurrent task meanwhile", table)
        return False


def create_tables(conn: Any, settings: Settings | None = None) -> list[str]:
    """Create every lake table and mart that does not exist yet; returns the tables this call created.

    One ``SHOW TABLES`` first: ten ``CREATE ... IF NOT EXISTS`` cost seconds each on a busy metastore.
    """
    s = settings or get_settings()
    existing = table_names(conn)
    created: list[str] = []
    for name in ddl_files(s):
        for stmt in load(name, {}, s):
            m = _CREATE.search(stmt)
            if m is None:
                execute(conn, [stmt])
            elif m.group(1).lower() not in existing and create_if_missing(conn, stmt, m.group(1)):
                created.append(m.group(1))
    return created
