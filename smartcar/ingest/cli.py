"""``smartcar ingest``: the Flume-style collectors from the shell (the same code the DAG runs)."""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer

from smartcar.core.business_dates import date_option

app = typer.Typer(
    help="Flume-style collection: spool-directory batch load and the driving-log tail agent.", no_args_is_help=True
)


@app.command()
def spool(
    wrk_date: Annotated[
        str | None,
        typer.Option("--wrk-date", parser=date_option, help="Load (collection) date yyyyMMdd; default today."),
    ] = None,
    disposal: str = typer.Option("delete", "--source", help="What to do with a loaded source: delete, archive, keep."),
) -> None:
    """Land every completed file of the spool directory once (status, master, buy lists)."""
    from smartcar.ingest.spool import ingest_spool

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if disposal not in ("delete", "archive", "keep"):
        raise typer.BadParameter("delete, archive or keep", param_hint="--source")
    try:
        report = ingest_spool(wrk_date, disposal=disposal)  # type: ignore[arg-type]
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for r in report.loaded:
        typer.echo(
            f"loaded {r.source_name}: in={r.lines_in} landed={r.lines_landed} filtered={r.lines_filtered}"
            f" -> {r.landed_path}"
        )
    for name in report.duplicates:
        typer.echo(f"duplicate (already loaded, not loaded again): {name}")
    for name in report.unrecognised:
        typer.echo(f"unrecognised, left in the spool: {name}", err=True)


@app.command()
def ledger(wrk_date: str = typer.Option(None, "--wrk-date", help="Only this load date.")) -> None:
    """Show the processed-files ledger with each file's count reconciliation (JSON lines)."""
    from smartcar.ingest.ledger import Ledger, ledger_path

    with Ledger(ledger_path()) as led:
        for record in led.loads(wrk_date):
            typer.echo(json.dumps(record.__dict__, ensure_ascii=False))


@app.command()
def tail(
    once: bool = typer.Option(False, "--once", help="Ship what is there now and exit."),
    interval: float = typer.Option(0.2, help="Seconds between polls."),
) -> None:
    """Follow the driving log (SMARTCAR_DRIVING_LOG) and send new lines to Kafka; resumes where it stopped."""
    from smartcar.ingest.tail import TailAgent

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    agent = TailAgent()
    if once:
        result = agent.poll()
        typer.echo(f"sent={result.sent} filtered={result.filtered} offset={result.offset}")
        return
    try:
        agent.run(interval=interval)
    except KeyboardInterrupt:
        typer.echo("stopped; offset saved")
