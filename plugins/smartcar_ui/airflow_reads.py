"""What the pages read from Airflow's metadata database, filtered by the logged-in user's permissions.

The pages are served by the api-server itself, so they read the ORM directly (one query per DAG,
not one REST call per run) and ask Airflow's configured auth manager, exactly as the REST API
does, which DAGs the user may read: a user sees only runs the UI would show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WAITING_STATES = ("up_for_reschedule", "deferred")
"""Task states of a running DAG run that mean "waiting for upstream data", not "working"."""


@dataclass
class RunInfo:
    """One DAG run, with what is needed to tell which business dates it covered."""

    dag_id: str
    run_id: str
    state: str
    logical_date: dt.datetime | None
    run_after: dt.datetime | None
    conf: dict[str, Any]
    event_extras: list[dict[str, Any]] = field(default_factory=list)
    xcoms: dict[str, Any] = field(default_factory=dict)
    """``return_value`` XComs of the tasks asked for, by task id."""
    waiting: bool = False


def readable_dag_ids(user: Any, dag_ids: Iterable[str]) -> set[str]:
    """The DAGs among ``dag_ids`` whose runs ``user`` may read."""
    from airflow.api_fastapi.app import get_auth_manager

    return set(dag_ids) & set(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


def can_read_run(user: Any, dag_id: str) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return get_auth_manager().is_authorized_dag(
        method="GET", access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=user
    )


def recent_runs(dag_id: str, xcom_tasks: Iterable[str] = (), limit: int = 200) -> list[RunInfo]:
    """The newest ``limit`` runs of ``dag_id``, newest first, with their triggering asset events' extras."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    with create_session() as session:
        runs = session.scalars(
            select(DagRun)
            .where(DagRun.dag_id == dag_id)
            .order_by(DagRun.run_after.desc(), DagRun.id.desc())
            .limit(limit)
            .options(selectinload(DagRun.consumed_asset_events))
        ).all()
        out = {
            r.run_id: RunInfo(
                dag_id=r.dag_id,
                run_id=r.run_id,
                state=str(getattr(r.state, "value", r.state)),
                logical_date=r.logical_date,
                run_after=r.run_after,
                conf=dict(r.conf or {}),
                event_extras=[dict(e.extra or {}) for e in r.consumed_asset_events],
            )
            for r in runs
        }
        tasks = list(xcom_tasks)
        if tasks and out:
            rows = session.execute(
                select(XComModel.run_id, XComModel.task_id, XComModel.value).where(
                    XComModel.dag_id == dag_id,
                    XComModel.run_id.in_(list(out)),
                    XComModel.task_id.in_(tasks),
                    XComModel.key == "return_value",
                )
            )
            for run_id, task_id, value in rows:
                out[run_id].xcoms[task_id] = XComModel.deserialize_value(_Row(value))
        running = [run_id for run_id, r in out.items() if r.state == "running"]
        if running:
            waiting = session.scalars(
                select(TaskInstance.run_id).where(
                    TaskInstance.dag_id == dag_id,
                    TaskInstance.run_id.in_(running),
                    TaskInstance.state.in_(WAITING_STATES),
                )
            )
            for run_id in set(waiting):
                out[run_id].waiting = True
    return list(out.values())


def run_quality_refs(dag_id: str, run_id: str, key: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """``(task_id, value)`` of the XComs ``key`` of one run, in task order."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(XComModel.task_id, XComModel.value)
            .where(XComModel.dag_id == dag_id, XComModel.run_id == run_id, XComModel.key == key)
            .order_by(XComModel.task_id, XComModel.map_index)
        ).all()
    return [(task_id, XComModel.deserialize_value(_Row(value)) or []) for task_id, value in rows]


def run_state(dag_id: str, run_id: str) -> str | None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        state = session.scalar(select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
    return None if state is None else str(getattr(state, "value", state))


@dataclass
class _Row:
    """What ``XComModel.deserialize_value`` reads from a result row: its ``value``."""

    value: Any
