"""Rule backfill and backtest from stored data: the rule files over one day of ``DriverCarInfo``.

The stream side's "on-demand backfill": it answers "what would 100 km/h have flagged last week?"
and repairs a day whose alerts were never raised (a processor that was down past Kafka's retention,
a rule added later). It runs the very engine of the live processor
(:class:`~streaming.detectors.DetectorEngine`: same windows, aggregates and conditions) over the
day's events read back from HBase in event-time order, then either

* writes the alerts through the live path's :class:`~streaming.sinks.redis_sink.RedisSink` (same
  alert ids, keys and TTLs, so a day the live path already covered is left as it was), or
* with ``dry_run`` (always, when rule settings are overridden) writes nothing and reports, per rule,
  the windows and cars it would raise next to the alert records already in Redis for that day.

The day is a UTC day of event time, as the live windows are: the day's rows plus the previous day's
``...240000`` rows (the simulator stamps the next midnight that way). Cells are read at their newest
version, so a corrected record (``smartcar records correct``) counts with its corrected values.
Alerts are not published on the alert topic: a backfill of last week must not page anybody.
Processing-time rules cannot be recomputed from stored data and are reported as skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smartcar.core import driving_record
from smartcar.core.business_dates import BusinessDate
from smartcar.core.clients import hbase_connection, redis_client
from smartcar.settings import Settings, get_settings
from streaming.alerts_store import car_index_key
from streaming.detectors import DetectorEngine
from streaming.events import DeadLetter, DrivingEvent, parse_line
from streaming.rules.loader import read_rule_mapping, rule_files, validate_mapping
from streaming.rules.model import Rule, RuleError
from streaming.sinks.redis_sink import RedisSink
from streaming.windows import DAY_SECONDS, Alert

log = logging.getLogger(__name__)

ALIASES = {
    "threshold": "condition.value",
    "min_events": "condition.min_events",
    "window": "window.size_seconds",
    "grace": "window.grace_seconds",
}
"""Short names for ``--set rule.<name>=value``; any dotted path into the rule file works too."""
WRITE_CHUNK = 5000
FLUSH_AFTER_S = 2 * DAY_SECONDS
"""After the last event, every window of the day is closed (no more input can come)."""


@dataclass
class RuleReport:
    """One rule's outcome for the day, beside what Redis already holds."""

    rule: str
    version: int
    windows: int = 0
    cars: int = 0
    in_redis: int = 0
    in_redis_cars: int = 0
    missing_in_redis: int = 0
    only_in_redis: int = 0
    written: int = 0
    skipped: str = ""


@dataclass
class BackfillReport:
    day: str
    events: int
    unreadable: dict[str, int]
    dry_run: bool
    overrides: list[str]
    rules: list[RuleReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as a table for the terminal and the task log."""
        mode = "dry run: nothing written" if self.dry_run else "alerts written to Redis"
        bad = sum(self.unreadable.values())
        out = [
            f"backfill {self.day}: {self.events:,} events from HBase ({bad:,} unreadable rows"
            + (f": {self.unreadable}" if bad else "")
            + f"); {mode}"
            + (f"; overrides {', '.join(self.overrides)}" if self.overrides else ""),
            f"{'rule':<20}{'version':>8}{'windows':>10}{'cars':>7}{'in Redis':>10}{'cars':>7}"
            f"{'not in Redis':>14}{'only in Redis':>15}{'written':>9}",
        ]
        for r in self.rules:
            if r.skipped:
                out.append(f"{r.rule:<20}{'v' + str(r.version):>8}  skipped: {r.skipped}")
                continue
            out.append(
                f"{r.rule:<20}{'v' + str(r.version):>8}{r.windows:>10,}{r.cars:>7,}{r.in_redis:>10,}"
                f"{r.in_redis_cars:>7,}{r.missing_in_redis:>14,}{r.only_in_redis:>15,}{r.written:>9,}"
            )
        return out


def parse_overrides(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["speeding.threshold=100"]`` -> ``{"speeding": {"condition.value": 100}}``; values parsed as YAML."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, value = item.partition("=")
        rule, dot, path = target.strip().partition(".")
        if not (sep and dot and rule and path):
            raise RuleError(f"override {item!r}: expected RULE.SETTING=VALUE, e.g. speeding.threshold=100")
        out.setdefault(rule, {})[ALIASES.get(path, path)] = yaml.safe_load(value)
    return out


def _apply(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            raise RuleError(f"{source}: override {path!r}: the rule has no section {key!r}")
        node = node[key]
    if keys[-1] not in node and path not in ALIASES.values():
        raise RuleError(f"{source}: override {path!r}: the rule has no setting {keys[-1]!r}")
    node[keys[-1]] = value


def load_rules_with_overrides(
    directory: Path, overrides: Mapping[str, Mapping[str, Any]] | None = None, only: str | None = None
) -> dict[str, Rule]:
    """The enabled rules of ``directory`` (one of them with ``only``), overrides applied and re-validated."""
    overrides = overrides or {}
    rules: dict[str, Rule] = {}
    for path in rule_files(directory):
        data = read_rule_mapping(path)
        name = data.get("name") if isinstance(data, dict) else None
        if name is None or (only and name != only) or not data.get("enabled", True):
            continue
        for setting, value in overrides.get(name, {}).items():
            _apply(data, setting, value, str(path))
        rules[name] = validate_mapping(data, str(path))
    unknown = (set(overrides) | ({only} if only else set())) - set(rules)
    if unknown:
        raise RuleError(f"no enabled rule named {', '.join(sorted(unknown))} in {directory}")
    return rules


def day_start(day: BusinessDate) -> int:
    """Epoch second of midnight UTC starting ``day``."""
    return day.midnight_epoch()


def day_events(day: BusinessDate, settings: Settings) -> tuple[list[DrivingEvent], dict[str, int]]:
    """The events of UTC day ``day`` stored in ``DriverCarInfo``, by event time, and unreadable rows by reason."""
    start = day_start(day)
    previous = day.minus_days(1)
    events: list[DrivingEvent] = []
    unreadable: dict[str, int] = {}
    for values in _rows(day, previous, settings):
        ev = parse_line(",".join(values))
        if type(ev) is DeadLetter:
            unreadable[ev.reason] = unreadable.get(ev.reason, 0) + 1
        elif start <= ev.epoch < start + DAY_SECONDS:
            events.append(ev)
    events.sort(key=lambda e: e.epoch)
    return events, unreadable


def _rows(day: BusinessDate, previous: BusinessDate, s: Settings) -> Iterator[list[str]]:
    from smartcar.warehouse.hbase_copy import row_filter  # imports pyarrow: only a scan needs it

    connection = hbase_connection(s)
    try:
        table = connection.table(driving_record.TABLE)
        scans = [
            table.scan(filter=row_filter(day), batch_size=5000),
            table.scan(row_prefix=driving_record.row_key(f"{previous}240000", "").encode(), batch_size=5000),
        ]
        for scan in scans:
            for _key, data in scan:
                yield [data.get(c, b"").decode("utf-8", "replace") for c in driving_record.COLUMNS]
    finally:
        connection.close()


def backfill(
    day: str,
    *,
    rule: str | None = None,
    overrides: Sequence[str] = (),
    dry_run: bool = False,
    rules_dir: Path | None = None,
    settings: Settings | None = None,
) -> BackfillReport:
    """Run the rules over ``day``; write the alerts unless ``dry_run`` or ``overrides`` (then report only).

    The entry point of the DAG and the CLI: ``day`` is parsed here (free if it already is a
    :class:`BusinessDate`), everything below takes it typed.
    """
    day = BusinessDate(day)
    s = settings or get_settings()
    rules = load_rules_with_overrides(rules_dir or s.rules_dir, parse_overrides(overrides), rule)
    dry = dry_run or bool(overrides)
    events, unreadable = day_events(day, s)
    report = BackfillReport(day, len(events), unreadable, dry, list(overrides))
    runnable = {n: r for n, r in rules.items() if r.window.time == "event"}
    engine = DetectorEngine(runnable)
    engine.process(events)
    alerts = engine.close_due(events[-1].epoch + FLUSH_AFTER_S) if events else []
    start = day_start(day)
    alerts = [a for a in alerts if start <= a.window_start < start + DAY_SECONDS]
    stored_ids = _stored_alert_ids(day, {e.car_number for e in events}, s)
    for name, r in sorted(rules.items()):
        out = RuleReport(name, r.version)
        report.rules.append(out)
        if name not in runnable:
            out.skipped = "processing-time windows cannot be recomputed from stored data"
            continue
        mine = [a for a in alerts if a.rule == name]
        ids = {a.alert_id for a in mine}
        stored = {i for i in stored_ids if i.startswith(f"{name}:")}
        out.windows, out.cars = len(mine), len({a.car_number for a in mine})
        out.in_redis, out.in_redis_cars = len(stored), len({i.split(":")[1] for i in stored})
        out.missing_in_redis, out.only_in_redis = len(ids - stored), len(stored - ids)
        if not dry:
            _write(mine, s)
            out.written = len(mine)
    log.info("\n".join(report.lines()))
    return report


def _stored_alert_ids(day: BusinessDate, cars: set[str], s: Settings) -> set[str]:
    """Ids (``rule:car:window start``) of the alert records in Redis whose window starts on ``day``.

    Compared by id, not by the original's ``{car}-{timestamp}`` set members: overlapping windows
    (hopping rules) can share a member, never an id. Read from each car's index (scored by window end).
    """
    start = day_start(day)
    pipe = redis_client(s).pipeline(transaction=False)
    ordered = sorted(cars)
    for car in ordered:
        pipe.zrangebyscore(car_index_key(car), start, start + 2 * DAY_SECONDS)
    ids: set[str] = set()
    for found in pipe.execute():
        ids.update(i for i in found if i.rsplit(":", 1)[-1][:8] == day)
    return ids


def _write(alerts: list[Alert], s: Settings) -> None:
    sink = RedisSink(s)
    try:
        for i in range(0, len(alerts), WRITE_CHUNK):
            sink.write(alerts[i : i + WRITE_CHUNK])
    finally:
        sink.close()
