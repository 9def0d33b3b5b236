"""``smartcar export``: migrate the target database, export marts by date, show the export log."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from smartcar.export.schema import MONTHLY, TARGETS
from smartcar.settings import get_settings

app = typer.Typer(help="Sqoop-style export of the marts to the SQL database of SMARTCAR_EXPORT_DB_URL.")


@app.command()
def migrate(revision: str = "head") -> None:
    """Create or evolve the export tables (alembic)."""
    from smartcar.core.clients import export_engine
    from smartcar.export.migrate import upgrade

    typer.echo(f"export schema at revision {upgrade(export_engine(get_settings()), revision)}")


@app.command()
def run(
    date: Annotated[str, typer.Option("--date", "-d", help="Business date yyyyMMdd (yyyyMM for recommend).")],
    mart: Annotated[
        list[str] | None, typer.Option("--mart", "-m", help="symptom, emergency (default: both) or recommend.")
    ] = None,
    chunk_size: int = 5000,
) -> None:
    """Export the marts of one date (delete-by-date then insert, one transaction per mart)."""
    from smartcar.export.loader import export_date

    for name in mart or [n for n in TARGETS if n not in MONTHLY]:
        if name not in TARGETS:
            raise typer.BadParameter(f"unknown mart {name!r}; known: {', '.join(TARGETS)}")
        result = export_date(name, date, chunk_size=chunk_size)
        typer.echo(json.dumps(result.to_dict()))


@app.command()
def status(limit: int = 20) -> None:
    """The latest export per date and table, with source and target counts."""
    from smartcar.core.clients import export_engine
    from smartcar.export.loader import latest_exports

    for row in latest_exports(export_engine(get_settings()), limit):
        typer.echo(
            f"{row['biz_date']} {row['table_name']:<32} source={row['source_rows']:<6} "
            f"target={row['target_rows']:<6} {row['status']} {row['started_at']:%Y-%m-%d %H:%M:%S}"
        )
