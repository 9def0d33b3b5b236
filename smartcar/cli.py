"""The ``smartcar`` command: one entry point, one sub-command group per area.

Each area keeps its own Typer app next to its code and names it in the ``smartcar.commands``
entry-point group of ``pyproject.toml``; this module only mounts what that group lists. So adding a
command never means editing another area's file, and the library imports nothing from the packages
above it (``streaming``, ``simulator``): the installed metadata does the wiring, as pytest and
Airflow find their plugins.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from smartcar.runtime.cli import register as _register_runtime

COMMAND_GROUP = "smartcar.commands"

app = typer.Typer(
    name="smartcar",
    help="Smart-car telemetry platform: run the embedded services, simulate, stream, query, export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Top-level commands (``smartcar up`` and friends) live in the runtime's CLI module.
_register_runtime(app)

for _entry in entry_points(group=COMMAND_GROUP):
    app.add_typer(_entry.load(), name=_entry.name)


if __name__ == "__main__":
    app()
