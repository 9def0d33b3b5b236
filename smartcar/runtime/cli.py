"""``smartcar up``, ``smartcar down`` and ``smartcar status``."""

from __future__ import annotations

import json
import os
import time

import typer
from rich.console import Console
from rich.table import Table

from smartcar.runtime.supervisor import RuntimeError_, ServiceStatus, down, status, up
from smartcar.settings import PROFILES, get_settings

console = Console()


def _split(only: str | None) -> list[str] | None:
    return [s.strip() for s in only.split(",") if s.strip()] if only else None


def _table(rows: list[ServiceStatus]) -> Table:
    table = Table(title="smartcar services")
    for col in ("service", "endpoint", "healthy", "managed", "pid", "memory MiB", "detail"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.name,
            f"{r.host}:{r.port}",
            "[green]yes[/]" if r.healthy else "[red]no[/]",
            "yes" if r.managed else "external",
            ",".join(map(str, r.pids)) or "-",
            f"{r.rss_bytes / 2**20:.0f}" if r.pids else "-",
            r.detail,
        )
    table.add_section()
    table.add_row("total", "", "", "", "", f"{sum(r.rss_bytes for r in rows) / 2**20:.0f}", "")
    return table


def up_command(
    only: str | None = typer.Option(None, "--only", help="Comma-separated services, e.g. kafka,redis."),
    profile: str | None = typer.Option(
        None,
        "--profile",
        help="embedded (one node of each engine) or cluster (Hive 4.0.1, 3 Kafka brokers, Celery workers, FAB roles,"
        " 2 stream processors); default: the one the home was first brought up with, else embedded.",
    ),
) -> None:
    """Start the embedded services (each one not configured to point elsewhere)."""
    from smartcar.runtime.services.airflow import admin_password, password_location, user_password

    if profile is not None:
        if profile not in PROFILES:
            typer.echo(f"error: unknown profile {profile!r}; known: {', '.join(PROFILES)}", err=True)
            raise typer.Exit(2)
        os.environ["SMARTCAR_PROFILE"] = profile
        get_settings.cache_clear()
    settings = get_settings()
    console.print(f"profile: {settings.profile}", highlight=False)
    started = time.monotonic()
    try:
        rows = up(_split(only), settings, echo=lambda m: console.print(m, highlight=False))
    except RuntimeError_ as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    console.print(_table(rows))
    console.print(f"up in {time.monotonic() - started:.1f}s; state and logs in {settings.home}")
    airflow = next(r for r in rows if r.name == "airflow")
    if airflow.healthy and airflow.managed:
        console.print(f"Airflow UI: {settings.airflow_url}")
        marker = settings.home / "airflow" / ".login-printed"
        password = admin_password(settings)
        if password and not marker.exists():
            console.print(
                f"Airflow login (shown once): user [bold]{settings.airflow_admin_user}[/] password [bold]{password}[/]"
            )
            viewer = settings.airflow_viewer_user
            console.print(
                f"Read-only login: user [bold]{viewer}[/] password [bold]{user_password(settings, viewer)}[/]"
            )
            console.print(f"(kept in {password_location(settings)})")
            marker.touch()


def down_command(
    only: str | None = typer.Option(None, "--only", help="Comma-separated services to stop."),
) -> None:
    """Stop the processes ``smartcar up`` started, in reverse order."""
    try:
        down(_split(only), get_settings(), echo=console.print)
    except RuntimeError_ as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def status_command(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Endpoint, pid and health of every service."""
    rows = status(get_settings())
    if as_json:
        typer.echo(json.dumps({r.name: r.as_json() for r in rows}, indent=2))
    else:
        console.print(_table(rows))


def register(app: typer.Typer) -> None:
    app.command("up")(up_command)
    app.command("down")(down_command)
    app.command("status")(status_command)
