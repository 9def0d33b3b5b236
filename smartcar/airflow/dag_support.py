"""Shared pieces of the batch DAGs: defaults, the daily timetable, and the upstream-asset gate.

Oozie ordered the subjects by hour offsets (01:00, 02:00, ...), which silently computed on missing
data whenever a step ran late. Here each DAG keeps a daily data-interval schedule (so the UI's
backfill works for any date range) AND is triggered by its upstream asset; a time-scheduled run
first waits (sensor, reschedule mode) until the upstream asset has an event covering its date.
A mart that joins the car master also waits until the master has been loaded and passed its checks
once: a driving day the stream completes before the first master arrives is built late, not empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronDataIntervalTimetable, Param, PokeReturnValue, dag, task

from smartcar.airflow.run_dates import run_dates, upstream_ready

OWNER = "smartcar-batch"
START = pendulum.datetime(1990, 1, 1, tz="UTC")
"""Early on purpose: a run (or backfill) for a date before ``start_date`` would silently have no tasks.
Simulated data can carry any past date; ``catchup=False`` keeps the scheduler from walking back."""
TAGS = ["smartcar", "warehouse", "batch"]

DAGRUN_TIMEOUT = timedelta(hours=8)
"""A day's run that is still going after 8 hours (upstream gate included) has failed: fail loudly."""

DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "execution_timeout": timedelta(minutes=30),
}


def daily() -> CronDataIntervalTimetable:
    """One run per UTC day D, after the day is over; the run's logical date is D."""
    return CronDataIntervalTimetable("0 0 * * *", timezone="UTC")


def daily_or_asset(*assets: Asset) -> AssetOrTimeSchedule:
    """Daily time schedule (backfillable) that also runs as soon as any of ``assets`` is updated."""
    condition: Any = assets[0]
    for asset in assets[1:]:
        condition = condition | asset
    return AssetOrTimeSchedule(timetable=daily(), assets=condition)


def _asset_gate(
    asset: Asset,
    done: Callable[[Iterable[Any], Sequence[str]], bool],
    *,
    look_back: int,
    poke_interval: int,
    timeout: timedelta,
    soft_fail: bool,
):
    """The sensor every gate is: ``wait_for_<asset>``, in reschedule mode, done when ``done(the asset's
    newest look_back events, the dates)``; it passes its dates on unchanged."""

    @task.sensor(
        task_id=f"wait_for_{asset.name}",
        inlets=[asset],
        poke_interval=poke_interval,
        timeout=timeout.total_seconds(),
        mode="reschedule",
        soft_fail=soft_fail,
    )
    def wait(dates: Sequence[str], inlet_events: Any = None) -> PokeReturnValue:
        recent = inlet_events[asset].ascending(False).limit(look_back)
        return PokeReturnValue(is_done=done(recent, dates), xcom_value=list(dates))

    return wait


def upstream_gate(asset: Asset, event_key: str, *, timeout: timedelta = timedelta(hours=6)):
    """A sensor task factory: done when ``asset`` has an event whose ``extra[event_key]`` covers the dates.

    Reschedule mode holds no worker slot while waiting, and no DAG here limits its active runs to
    one, so a run waiting for a date that never gets data blocks no run of another date. When
    nothing arrives within ``timeout`` the gate is *skipped* (``soft_fail``), not failed: an idle
    day is not an incident, and the skipped tasks say "no input for this date" in the UI. A date
    whose upstream partition failed its checks stays unpublished (see :func:`publish_after_checks`),
    so it is waited for and then skipped too, never built on.
    """
    return _asset_gate(
        asset,
        lambda recent, dates: upstream_ready(recent, event_key, dates),
        look_back=500,
        poke_interval=60,
        timeout=timeout,
        soft_fail=True,
    )


def dimension_gate(asset: Asset, *, timeout: timedelta = timedelta(hours=6)):
    """A sensor task factory: done once ``asset`` (a dimension such as the car master) has any event.

    The stream can announce a driving day complete before the first ingest has landed the master;
    joined then, the mart would be an empty partition failing its checks. The gate passes its input
    through unchanged. Unlike :func:`upstream_gate` a timeout *fails* the run: data is waiting and
    cannot be built, which someone must see, whereas a date with no input is only an idle day.
    """
    return _asset_gate(
        asset,
        lambda recent, _dates: any(True for _ in recent),
        look_back=1,
        poke_interval=30,
        timeout=timeout,
        soft_fail=False,
    )


def publish_after_checks(*assets: Asset, key: str | None = "biz_dates", task_id: str | None = None):
    """A task factory: emits the event of ``assets`` (``extra[key]`` = the dates, plus ``extra``).

    Put it downstream of the validation task of those assets: an asset event is what triggers and
    unblocks every consumer (the next subjects, ML, the export), so it must only exist for a
    partition whose critical checks passed. A failed validation leaves this task
    ``upstream_failed``, no event is emitted, and the consumers' gates keep waiting for the date.
    """

    @task(task_id=task_id or f"publish_{assets[0].name}", outlets=list(assets))
    def publish(dates: Any = None, extra: dict[str, Any] | None = None, *, outlet_events: Any = None) -> Any:
        fields = dict(extra or {})
        if key is not None:
            fields[key] = dates
        for asset in assets:
            outlet_events[asset].extra = fields
        return dates

    return publish


def subject_dag(dag_id: str, *, schedule: Any, tag: str, doc_md: str | None, param: str, description: str):
    """``@dag`` with what every subject DAG shares: start, no catchup, defaults, timeout, tags, one date param.

    ``param`` is the Oozie "edit working_day and submit" of the original: a manual run may name the
    date(s) (comma-separated) instead of the logical date.
    """
    return dag(
        dag_id=dag_id,
        schedule=schedule,
        start_date=START,
        catchup=False,
        default_args=DEFAULT_ARGS,
        dagrun_timeout=DAGRUN_TIMEOUT,
        tags=[*TAGS, tag],
        doc_md=doc_md,
        params={param: Param(None, type=["null", "string"], description=description)},
    )


def run_dates_task(task_id: str, *, param: str, event_key: str):
    """The first task of a subject DAG: the dates this run processes (param, asset events or logical date)."""

    @task(task_id=task_id)
    def dates(**context: Any) -> list[str]:
        return run_dates(context, param=param, event_key=event_key)

    return dates
