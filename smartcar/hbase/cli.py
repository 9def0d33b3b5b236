"""``smartcar hbase serve``: run the embedded HBase Thrift1 server in the foreground."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from smartcar.settings import get_settings

app = typer.Typer(help="The embedded HBase Thrift1 server (happybase-compatible).", no_args_is_help=True)


def serve(
    host: str | None = typer.Option(None, "--host", help="Listen address (default: SMARTCAR_HBASE_HOST)."),
    port: int | None = typer.Option(None, "--port", help="TCP port (default: SMARTCAR_HBASE_PORT)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="RocksDB directory (default: <home>/hbase/data)."),
    transport: str | None = typer.Option(None, "--transport", help="buffered or framed (default from settings)."),
    protocol: str | None = typer.Option(None, "--protocol", help="binary or compact (default from settings)."),
    sync: bool = typer.Option(True, "--sync/--no-sync", help="fsync the WAL before acknowledging a write."),
    log_level: str = typer.Option("INFO", "--log-level", help="Logging level (logs go to stderr)."),
) -> None:
    """Serve HBase's Thrift1 API over RocksDB until SIGTERM/SIGINT."""
    from smartcar.hbase.server import run

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    s = get_settings()
    run(
        data_dir=data_dir or s.home / "hbase" / "data",
        host=host or s.hbase_host,
        port=port if port is not None else s.hbase_port,
        transport=transport or s.hbase_transport,
        protocol=protocol or s.hbase_protocol,
        sync=sync,
    )


app.command("serve")(serve)
