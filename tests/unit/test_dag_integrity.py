"""Every file in dags/ imports cleanly and every DAG carries what operators of the platform rely on.

Modelled on Astronomer's project template: import errors and cycles fail here, in seconds, rather
than in the scheduler; owners, tags, retries and a UI docstring are required of every DAG.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dag_bag) -> None:
    assert dag_bag.import_errors == {}, "\n".join(f"{k}:\n{v}" for k, v in dag_bag.import_errors.items())


def test_every_dag_file_defines_a_dag(dag_bag) -> None:
    files = {p.resolve() for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_")}
    assert files, "dags/ holds no DAG file"
    defining = {Path(dag.fileloc).resolve() for dag in dag_bag.dags.values()}
    assert files <= defining, f"files without a DAG: {sorted(str(f) for f in files - defining)}"


def test_dags_have_owners_tags_retries_and_docs(dag_bag) -> None:
    problems = []
    for dag_id, dag in dag_bag.dags.items():
        if not dag.tags:
            problems.append(f"{dag_id}: no tags")
        if not (dag.doc_md or "").strip():
            problems.append(f"{dag_id}: no doc_md for the UI")
        for task in dag.tasks:
            if task.owner in (None, "", "airflow"):
                problems.append(f"{dag_id}.{task.task_id}: default owner")
            if not task.retries:
                problems.append(f"{dag_id}.{task.task_id}: no retries")
    assert not problems, "\n".join(problems)


def test_no_cycles(dag_bag) -> None:
    for dag in dag_bag.dags.values():
        dag.check_cycle()


def test_asset_events_only_after_their_checks(dag_bag) -> None:
    """A task emitting a checked table's asset event runs downstream of that table's validation, so
    a partition that failed its critical checks never triggers or unblocks a consumer."""
    from smartcar_quality.operators import DataQualityOperator

    checked_somewhere: set[str] = set()
    emitted: set[str] = set()
    problems = []
    for dag_id, dag in dag_bag.dags.items():
        validators = {t: task for task in dag.tasks if isinstance(task, DataQualityOperator) for t in task.tables}
        checked_somewhere |= set(validators)
        for task in dag.tasks:
            upstream = task.get_flat_relative_ids(upstream=True)
            for outlet in task.outlets:
                name = getattr(outlet, "name", None)
                emitted.add(name)
                validator = validators.get(name)
                if validator is not None and validator.task_id not in upstream:
                    problems.append(f"{dag_id}.{task.task_id} emits {name} before {validator.task_id}")
    assert not problems, "\n".join(problems)
    # every mart is checked before it is published (the buy-list file has no checks of its own)
    assert {n for n in emitted if n.startswith("managed_")} <= checked_somewhere


def test_waiting_runs_block_no_other_date(dag_bag) -> None:
    """A run waiting in an upstream gate must not hold the DAG's only run slot, and a gate that
    times out ends skipped (an idle day), not failed; only the gate on the car master fails, since
    data waits for it that cannot be built."""
    from airflow.sdk.bases.sensor import BaseSensorOperator

    problems = []
    for dag_id, dag in dag_bag.dags.items():
        sensors = [t for t in dag.tasks if isinstance(t, BaseSensorOperator)]
        if sensors and dag.max_active_runs <= 1:
            problems.append(
                f"{dag_id}: max_active_runs={dag.max_active_runs} with gates {[s.task_id for s in sensors]}"
            )
        for sensor in sensors:
            fails_on_timeout = sensor.task_id == "wait_for_smartcar_master_over18"
            if sensor.mode != "reschedule" or sensor.soft_fail == fails_on_timeout:
                problems.append(f"{dag_id}.{sensor.task_id}: mode={sensor.mode} soft_fail={sensor.soft_fail}")
    assert not problems, "\n".join(problems)
