"""The compose stack's Airflow runs what ``SMARTCAR_AIRFLOW_EXECUTOR`` / ``SMARTCAR_AIRFLOW_AUTH`` select in the runtime.

Compose cannot call Python, and its healthchecks (``celery inspect ping``) read the container's own variables,
not the entrypoint's: so the file keeps the ``AIRFLOW__`` values literally, and this test renders them with
:func:`smartcar.airflow.environment.executor_auth_env` from the file's ``SMARTCAR_*`` settings and wants them equal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcar.airflow.container_entrypoint import settings_from
from smartcar.airflow.environment import FAB_AUTH_MANAGER, executor_auth_env, metadata_db_url
from tests.unit.deploy.compose import generate_env, resolved

AIRFLOW_SERVICES = ("airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker")  # fmt: skip


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return resolved(generate_env(tmp_path_factory.mktemp("env")))


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_compose_airflow_env_is_what_the_settings_render(config: dict, service: str) -> None:
    environment = {k: str(v) for k, v in config["services"][service]["environment"].items()}
    settings = settings_from(environment)
    assert (settings.airflow_executor, settings.airflow_auth) == ("celery", "fab")
    rendered = executor_auth_env(settings)
    assert {k: environment.get(k) for k in rendered} == rendered
    assert rendered["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER
    assert environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == metadata_db_url(settings)


def test_two_celery_workers(config: dict) -> None:
    worker = config["services"]["airflow-worker"]
    assert worker["deploy"]["replicas"] == 2
    assert worker["command"][:3] == ["airflow", "celery", "worker"]


def test_the_embedded_switches_render_the_same_keys(tmp_path: Path) -> None:
    """Embedded celery+fab: CeleryExecutor, FAB, Airflow's own broker with a password, results in the metadata DB."""
    from urllib.parse import urlsplit

    from smartcar.settings import Settings

    settings = Settings(home=tmp_path, airflow_executor="celery", airflow_auth="fab", airflow_broker_port=6399)
    env = executor_auth_env(settings)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor" and env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.hostname, broker.port) == ("127.0.0.1", 6399) and len(broker.password or "") >= 24
    assert executor_auth_env(settings) == env  # the password is generated once
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + metadata_db_url(settings)
    local = executor_auth_env(Settings(home=tmp_path))
    assert local == {"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}
