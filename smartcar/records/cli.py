"""``smartcar records``: search, correct and show the history of driving records in HBase.

Bad input (unknown column, malformed condition or time, from after to, missing row key) ends in
one ``Error: ...`` line on stderr and exit code 1, before anything is written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from smartcar.records.errors import RecordsError
from smartcar.settings import get_settings

if TYPE_CHECKING:
    from smartcar.records.corrections import AuditEntry

app = typer.Typer(
    name="records",
    help="Search and correct driving records in HBase (DriverCarInfo).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

SEARCH_HELP = """Find driving records by car, time range and column conditions (combined with AND).

CONDITIONS look like  speed>100   'steer_angle in L2,L3,R2,R3'   area_number=D04   'direct_light not in N'
   speed_pedal<=2   area_number~d0  (operators: = != > >= < <= ~ in, not in; ~ is contains, ignoring case).
speed, speed_pedal and break_pedal compare as numbers, other columns as strings.

--from/--to take any precision: 2020, 202003, 20200322, 2020032210, '2020-03-22 10:30', 20200322103000;
--to includes everything its prefix covers (--from 2020032210 --to 2020032210 is the whole hour 10).
--car and the time range address the row key; conditions address the (possibly corrected) cells.
Rows come in time order when cars and a bounded range are given, or the range is at most four hours;
otherwise in row-key order (reversed timestamps). --explain shows the plan and the HBase filter.
"""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    """Known bad input and unreachable servers become one line and exit code 1."""
    try:
        yield
    except RecordsError as exc:
        raise _fail(str(exc)) from None
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        sys.stderr.close()
    except (ConnectionError, OSError) as exc:
        raise _fail(f"cannot reach HBase Thrift: {exc}") from None


@app.command(help=SEARCH_HELP)
def search(
    conditions: Annotated[list[str] | None, typer.Argument(help="Column conditions, e.g. 'speed>100'.")] = None,
    car: Annotated[
        list[str] | None, typer.Option("--car", "-c", help="Car number(s); repeat or comma-separate.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", "-f", help="Earliest timestamp (any precision).")] = None,
    stop: Annotated[str | None, typer.Option("--to", "-t", help="Latest timestamp (any precision, inclusive).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Stop after this many records.")] = None,
    count_only: Annotated[bool, typer.Option("--count", help="Print only the number of matching records.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-o", help="table, csv or jsonl.")] = "table",
    explain: Annotated[
        bool, typer.Option("--explain", help="Print the read plan and server filter to stderr.")
    ] = False,
) -> None:
    from smartcar.core.clients import hbase_connection
    from smartcar.core.driving_record import TABLE
    from smartcar.records.output import FORMATS, write_records
    from smartcar.records.search import RecordQuery, plan
    from smartcar.records.search import search as run_search

    with _errors(), closing(hbase_connection(get_settings())) as conn:
        if fmt not in FORMATS:
            raise RecordsError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        cars = [c for item in car or [] for c in item.split(",")]
        query = RecordQuery.build(cars, start, stop, conditions or [], limit)
        chosen = plan(query)
        if explain:
            typer.echo(chosen.describe(), err=True)
        records = run_search(query, conn.table(TABLE), chosen=chosen)
        if count_only:
            typer.echo(str(sum(1 for _ in records)))
        else:
            write_records(records, fmt, sys.stdout)


@app.command()
def correct(
    row_key: Annotated[str, typer.Argument(help="Row key, e.g. 00601030106102-Z0020.")],
    changes: Annotated[list[str], typer.Argument(help="COLUMN=VALUE pairs, e.g. speed=90 area_number=D04.")],
    user: Annotated[str | None, typer.Option(help="Who corrects (default: SMARTCAR_USER or login name).")] = None,
    reason: Annotated[str, typer.Option(help="Why, stored in the audit table.")] = "",
) -> None:
    """Write corrected cells with a Put; earlier values stay readable and the change is audited."""
    from smartcar.core.clients import hbase_connection
    from smartcar.records.corrections import correct as run_correct

    with _errors(), closing(hbase_connection(get_settings())) as conn:
        done = run_correct(row_key, changes, user=user, reason=reason, connection=conn)
    for col, (old, new) in done.changes.items():
        typer.echo(f"{done.key}  {col}: {old if old is not None else '(none)'} -> {new}")
    typer.echo(f"audited as {done.audit_key} by {done.user} at {done.at}")


@app.command()
def history(
    row_key: Annotated[str, typer.Argument(help="Row key, e.g. 00601030106102-Z0020.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Show every kept version of a record's cells (newest first) and its corrections."""
    from smartcar.core.clients import hbase_connection
    from smartcar.records.corrections import history as run_history

    with _errors(), closing(hbase_connection(get_settings())) as conn:
        found = run_history(row_key, conn)
    if as_json:
        doc = {
            "row_key": found.key,
            "versions": {c: [{"timestamp": ts, "value": v} for ts, v in vs] for c, vs in found.versions.items()},
            "corrections": [a.__dict__ for a in found.audits],
        }
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    typer.echo(f"row {found.key}")
    for col, versions in found.versions.items():
        for i, (ts, value) in enumerate(versions):
            label = col if i == 0 else ""
            marker = "current" if i == 0 else "previous"
            typer.echo(f"  {label:<13} {value:<16} ts={ts}  ({marker})")
    if not found.audits:
        typer.echo("no corrections")
    for entry in found.audits:
        typer.echo(f"correction {_describe(entry)}")


@app.command()
def audit(
    user: Annotated[str | None, typer.Option(help="Only corrections by this user.")] = None,
    row_key: Annotated[str | None, typer.Option("--row-key", help="Only corrections of this record.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Stop after this many entries.")] = None,
) -> None:
    """List corrections from the audit table (record key order, then time)."""
    from smartcar.core.clients import hbase_connection
    from smartcar.records.corrections import iter_audit
    from smartcar.records.keys import parse_row_key

    with _errors(), closing(hbase_connection(get_settings())) as conn:
        if row_key:
            parse_row_key(row_key)
        for n, entry in enumerate(iter_audit(conn, row_key=row_key, user=user), 1):
            typer.echo(f"{entry.row_key}  {_describe(entry)}")
            if limit is not None and n >= limit:
                break


def _describe(entry: AuditEntry) -> str:
    changed = ", ".join(f"{c}: {o} -> {n}" for c, (o, n) in entry.changes.items())
    why = f" reason: {entry.reason}" if entry.reason else ""
    return f"{entry.at} by {entry.user} [{entry.status}] {changed}{why}"
