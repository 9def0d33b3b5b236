"""``smartcar hbase serve``: run the embedded HBase Thrift1 server in the foreground."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from smartcar.settings import get_settings

app = typer.Typer(help="The embedded HBase Thrift1 server (happybase-compatible).", no_args_is_help=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default: SMARTCAR_HBASE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (default: SMARTCAR_HBASE_PORT).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="RocksDB directory (default: <home>/hbase/data).")] = None,
    transport: Annotated[str | None, typer.Option(help="buffered or framed (default from settings).")] = None,
    protocol: Annotated[str | None, typer.Option(help="binary or compact (default from settings).")] = None,
    sync: Annotated[bool, typer.Option("--sync/--no-sync", help="fsync the WAL before acknowledging.")] = True,
    log_level: Annotated[str, typer.Option(help="Logging level (logs go to stderr).")] = "INFO",
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
