"""``smartcar query``: the original's Impala role, the queries of docs/analyses.md#impala-queries from the shell.

One command per file in ``include/sql/queries`` (``fastest_car_per_area.sql`` ->
``smartcar query fastest-car-per-area --date 20200322``). Queries go to the HiveServer2 of the
settings through impyla, or through an Airflow connection with ``--conn impala_default`` (Airflow's
Impala hook) or ``--conn hiveserver2_default`` (Airflow's Hive hook).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from smartcar.core.business_dates import date_option, month_option
from smartcar.settings import get_settings

app = typer.Typer(help="Interactive warehouse queries (the original's Impala queries).", no_args_is_help=True)

_DEFAULTS = {"min_avg_speed": "0"}


def _query_files() -> list[Path]:
    return sorted((get_settings().sql_dir / "queries").glob("*.sql"))


def _print(columns: list[str], rows: list[tuple], fmt: str) -> None:
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)
        Console(stderr=True).print(f"{len(rows)} row(s)")


def run_query(name: str, params: dict[str, str], conn_id: str | None = None) -> tuple[list[str], list[tuple]]:
    """Render ``queries/<name>.sql`` with ``params`` and run it; returns columns and rows."""
    from smartcar.warehouse import hql
    from smartcar.warehouse.connection import connect

    statements = hql.load(f"queries/{name}", {**_DEFAULTS, **params})
    conn = connect(conn_id)
    try:
        result = hql.execute(conn, statements)
    finally:
        conn.close()
    return result.columns, result.rows


def _register(path: Path) -> None:
    name = path.stem
    doc = " ".join(line.lstrip("- ").strip() for line in path.read_text().splitlines() if line.startswith("--"))

    def command(
        date: Annotated[
            str | None,
            typer.Option("--date", parser=date_option, help="Business date yyyyMMdd (biz_date)."),
        ] = None,
        month: Annotated[
            str | None,
            typer.Option("--month", parser=month_option, help="Business month yyyyMM (biz_month)."),
        ] = None,
        param: list[str] = typer.Option([], "--param", "-p", help="Extra variable NAME=VALUE."),  # noqa: B008
        fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
        conn: str = typer.Option(None, "--conn", help="Airflow connection id (impala_default, hiveserver2_default)."),
    ) -> None:
        from smartcar.warehouse.hql import HqlError

        params: dict[str, str] = {}
        if date:
            params["biz_date"] = date
        if month:
            params["biz_month"] = month
        for item in param:
            key, sep, value = item.partition("=")
            if not sep:
                raise typer.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
            params[key] = value
        if fmt not in ("table", "csv", "json"):
            raise typer.BadParameter("table, csv or json", param_hint="--format")
        try:
            columns, rows = run_query(name, params, conn)
        except HqlError as exc:
            typer.echo(f"error: {exc} (use --date/--month/--param)", err=True)
            raise typer.Exit(2) from None
        _print(columns, rows, fmt)

    app.command(name=name.replace("_", "-"), help=doc)(command)


for _path in _query_files():
    _register(_path)
