"""The ``smartcar`` command: one entry point, one sub-command group per area.

Each area keeps its own Typer app next to its code; this module only mounts them, so adding
a command never means editing another area's file.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="smartcar",
    help="Smart-car telemetry platform: run the embedded services, simulate, stream, query, export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (sub-command name, "module:attribute" of its Typer app). Add a line here when an area gains a CLI.
SUBCOMMANDS: list[tuple[str, str]] = [
    ("records", "smartcar.records.cli:app"),
    ("simulate", "simulator.cli:app"),
    ("stream", "streaming.cli:app"),
    ("export", "smartcar.export.cli:app"),
    ("quality", "smartcar.quality.cli:app"),
    ("ml", "smartcar.ml.cli:app"),
    ("query", "smartcar.warehouse.cli:app"),
    ("ingest", "smartcar.ingest.cli:app"),
]

# Top-level commands (``smartcar up`` and friends) live in the runtime's CLI module.
from smartcar.runtime.cli import register as _register_runtime  # noqa: E402

_register_runtime(app)

for _name, _target in SUBCOMMANDS:
    _module, _, _attr = _target.partition(":")
    app.add_typer(getattr(importlib.import_module(_module), _attr), name=_name)


if __name__ == "__main__":
    app()
