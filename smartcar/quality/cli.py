"""``smartcar quality``: validate a table partition, list the kept reports."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Great Expectations checks of the warehouse tables (reports and Data Docs).")


@app.command()
def validate(
    table: Annotated[str, typer.Argument(help="Table name, e.g. managed_smartcar_status_info.")],
    date: Annotated[str | None, typer.Option("--date", "-d", help="Partition value (yyyyMMdd or yyyyMM).")] = None,
) -> None:
    """Validate one partition; exit code 1 when a critical expectation failed."""
    from smartcar.quality.runner import validate as run

    report = run(table, date)
    typer.echo(report.summary())
    raise typer.Exit(1 if report.status == "failed" else 0)


@app.command("reports")
def reports(limit: int = 10) -> None:
    """Latest status of every table, newest dates first."""
    from smartcar.quality.store import index

    for date, tables in list(index().items())[:limit]:
        for table, report in tables.items():
            typer.echo(
                f"{date} {table:<40} {report.status:<8} {report.successful}/{report.evaluated} {report.rows} rows"
            )
