"""The supervisor DAG: continuous, one run at a time, supervise then health."""

from __future__ import annotations


def test_supervisor_dag_shape():
    from airflow.dag_processing.dagbag import DagBag

    from smartcar.settings import REPO_ROOT

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "smartcar_stream_supervisor.py"))
    assert bag.import_errors == {}
    dag = bag.dags["smartcar_stream_supervisor"]
    assert dag.max_active_runs == 1
    assert type(dag.timetable).__name__ == "ContinuousTimetable"
    assert [t.task_id for t in dag.tasks] == ["supervise", "health"]
