"""Which dates a DAG run processes, and whether the upstream data for them is there.

Three ways a run can be told its dates, in this order of precedence:

1. ``params`` given when triggering by hand (the Oozie "edit working_day, submit" of docs/schedules.md#manual-runs);
2. the asset events that triggered a data-aware run (their ``extra`` lists the dates produced, or
   the trigger payload inside it for events fired by an asset watcher);
3. the run's logical date (scheduled runs and backfills): the day ``D`` of the data interval
   ``[D 00:00, D+1 00:00)`` UTC, formatted ``yyyyMMdd`` (``yyyyMM`` for monthly keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from smartcar.core.business_dates import BusinessDate, BusinessMonth

DATE_KEYS: dict[str, type[BusinessDate] | type[BusinessMonth]] = {
    "wrk_date": BusinessDate,
    "biz_dates": BusinessDate,
    "biz_months": BusinessMonth,
}
"""The type of the dates under each asset-event key (and of the param read with it)."""


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def _parsed(
    dates: Iterable[str], kind: type[BusinessDate] | type[BusinessMonth]
) -> list[BusinessDate] | list[BusinessMonth]:
    """Parse every date once, here at the edge; the first bad one is a ``ValueError`` naming it."""
    return [kind(d) for d in sorted(set(dates))]


def event_payload(event: Any) -> Mapping[str, Any]:
    """An event's ``extra``; for events fired by an asset watcher, the trigger's payload inside it."""
    extra = getattr(event, "extra", None) or {}
    if extra.get("from_trigger") and isinstance(extra.get("payload"), Mapping):
        return extra["payload"]
    return extra


def event_dates(events: Mapping[Any, Iterable[Any]] | None, key: str) -> list[str]:
    """Dates under ``extra[key]`` of every triggering asset event (``wrk_date`` or ``biz_dates``...)."""
    found: list[str] = []
    for asset_events in (events or {}).values():
        for event in asset_events:
            found += _as_list(event_payload(event).get(key))
    return found


def logical_day(
    context: Mapping[str, Any], kind: type[BusinessDate] | type[BusinessMonth] = BusinessDate
) -> BusinessDate | BusinessMonth | None:
    """The day (or month) of the run's logical date, ``None`` for runs without one."""
    logical = context.get("logical_date")
    if logical is None:
        return None
    return kind.of(logical)


def run_dates(context: Mapping[str, Any], *, param: str, event_key: str) -> list[BusinessDate] | list[BusinessMonth]:
    """The dates this run must build (see the module docstring for the precedence), parsed.

    Business dates, or business months for ``biz_months``; ``str`` subclasses, so the list is the
    JSON an XCom or asset event carries.
    """
    kind = DATE_KEYS[event_key]
    explicit = _as_list((context.get("params") or {}).get(param))
    if explicit:
        return _parsed(explicit, kind)
    from_events = event_dates(context.get("triggering_asset_events"), event_key)
    if from_events:
        return _parsed(from_events, kind)
    day = logical_day(context, kind)
    if day is None:
        raise ValueError(f"no dates for this run: set the {param!r} param")
    return [day]


def upstream_ready(events: Iterable[Any], event_key: str, dates: Iterable[str]) -> bool:
    """Whether the upstream asset's recent events cover every date in ``dates``."""
    covered: set[str] = set()
    for event in events:
        covered.update(_as_list(event_payload(event).get(event_key)))
    return set(dates) <= covered
