"""``smartcar stream ...``: run the processor, read alerts, validate rules, show health."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from smartcar.core.business_dates import date_option
from smartcar.settings import get_settings

app = typer.Typer(help="Kafka -> HBase + rule detectors -> Redis stream processor.", no_args_is_help=True)
rules_app = typer.Typer(help="Detector rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@app.command()
def run(
    no_hbase: bool = typer.Option(False, "--no-hbase", help="Skip the HBase sink (benchmarks)."),
    batch_size: int = typer.Option(5000, help="Messages per consume() call."),
    max_seconds: float | None = typer.Option(None, help="Bounded run: stop gracefully after this long."),
    stop_when_idle: float | None = typer.Option(None, help="Stop once input is idle this long and lag is 0."),
    idle_advance_after: float = typer.Option(10.0, help="Push event time on after this long without input."),
    rules_dir: Path | None = typer.Option(None, help="Rule directory (default: settings.rules_dir)."),  # noqa: B008
    log_level: str = typer.Option("INFO"),
) -> None:
    """Consume the driving-event topic until stopped (SIGTERM/SIGINT stop gracefully)."""
    from streaming.processor import ProcessorConfig, StreamProcessor

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = ProcessorConfig(
        batch_size=batch_size,
        hbase=not no_hbase,
        max_seconds=max_seconds,
        stop_when_idle_s=stop_when_idle,
        idle_advance_after_s=idle_advance_after,
        rules_dir=rules_dir,
    )
    counters = StreamProcessor(get_settings(), config).run()
    typer.echo(
        json.dumps(
            {
                "processed": counters.processed,
                "valid": counters.valid,
                "dead_letters": counters.dead_letters,
                "alerts": counters.alerts,
                "dead_letter_reasons": dict(counters.dead_letter_reasons),
            }
        )
    )


@app.command()
def alerts(
    date: Annotated[
        str | None,
        typer.Option(parser=date_option, help="Speeding cars on this date (yyyyMMdd), the original's set."),
    ] = None,
    car: str | None = typer.Option(None, help="Alert records of this car, newest first."),
    limit: int = typer.Option(20, help="Latest alerts to show when neither --date nor --car is given."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Read alerts (never deletes anything, unlike the original reader)."""
    from streaming import alerts_store

    settings = get_settings()
    if date:
        result: object = alerts_store.speeding_cars(date, settings)
    elif car:
        result = alerts_store.alerts_for_car(car, settings)
    else:
        result = alerts_store.latest_alerts(limit, settings)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    if isinstance(result, list) and result and isinstance(result[0], dict):
        for r in result:
            typer.echo(
                f"{r.get('rule'):<18} {r.get('car_number')} {r.get('window_start')}..{r.get('window_end')} "
                f"value={r.get('value')} n={r.get('count')} member={r.get('member')}"
            )
    else:
        for item in result or []:
            typer.echo(item)
    if not result:
        typer.echo("(none)", err=True)


@rules_app.command("validate")
def validate(files: list[Path] = typer.Argument(..., help="Rule files to check.")) -> None:  # noqa: B008
    """Check rule files against the schema; exit 1 if any is invalid."""
    from streaming.rules.loader import load_rule_file
    from streaming.rules.model import RuleError

    bad = 0
    for path in files:
        try:
            rule = load_rule_file(path)
        except RuleError as exc:
            bad += 1
            typer.echo(f"INVALID {exc}", err=True)
            continue
        w = rule.window
        typer.echo(
            f"OK {path}: {rule.name} v{rule.version} {w.type} {w.size}s/{w.step}s ({w.time} time) "
            f"{rule.aggregate.function}({rule.aggregate.field or ''}) {rule.condition.op} {rule.condition.value:g}"
        )
    if bad:
        raise typer.Exit(1)


@app.command()
def backfill(
    date: Annotated[str, typer.Option("--date", parser=date_option, help="UTC day of event time, yyyyMMdd.")],
    rule: str | None = typer.Option(None, "--rule", help="Only this rule (default: every enabled rule)."),
    overrides: list[str] = typer.Option(  # noqa: B008
        [], "--set", help="RULE.SETTING=VALUE, e.g. speeding.threshold=100 (implies --dry-run)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write nothing; compare with the alerts in Redis."),
    rules_dir: Path | None = typer.Option(None, help="Rule directory (default: settings.rules_dir)."),  # noqa: B008
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run the rule files over one stored day of HBase: raise its alerts, or backtest changed settings."""
    from streaming.backfill import backfill as run_backfill
    from streaming.rules.model import RuleError

    try:
        report = run_backfill(date, rule=rule, overrides=overrides, dry_run=dry_run, rules_dir=rules_dir)
    except (RuleError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo("\n".join(report.lines()))


@app.command()
def supervise(
    run_seconds: float = typer.Option(600.0, help="Supervise for this long, then stop the processors cleanly."),
    instances: int = typer.Option(1, help="Processors to keep running in the consumer group."),
) -> None:
    """Keep processors running and restart crashed ones (what the supervisor DAG runs)."""
    from streaming.processor_pool import supervise as run_supervisor

    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo(json.dumps(run_supervisor(duration_s=run_seconds, instances=instances).as_dict()))


def _when(epoch: float | None) -> str:
    """``2026-12-03 06:41:07 UTC (3 s ago)`` for an epoch, ``never`` for none."""
    if epoch is None:
        return "never"
    stamp = datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{stamp} ({max(time.time() - epoch, 0):.0f} s ago)"


@app.command()
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Health of the running processor(s): alive, lag, events/s, dead letters, alerts."""
    from streaming.health import read_health

    health = read_health(get_settings())
    if as_json:
        typer.echo(json.dumps(health, indent=2, default=str))
    else:
        from streaming.health import NOT_WINDOWED

        for key in ("alive", "instances", "lag", "events_per_s", "processed", "dead_letters", "alerts"):
            typer.echo(f"{key:>14}: {health[key]}")
        typer.echo(f"{'last_heartbeat':>14}: {_when(health['last_heartbeat'])}")
        typer.echo(f"{'not windowed':>14}: {sum(health['not_windowed'].values())} events stored but not windowed")
        for reason, label in NOT_WINDOWED.items():
            typer.echo(f"{reason:>14}: {health['not_windowed'][reason]}  ({label})")
    if not health["alive"]:
        sys.exit(3)


if __name__ == "__main__":
    app()
