"""What SMARTCAR_AIRFLOW_EXECUTOR and SMARTCAR_AIRFLOW_AUTH change in Airflow's environment and processes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from smartcar.airflow.environment import FAB_AUTH_MANAGER, airflow_env, fab_password, simple_passwords_file
from smartcar.runtime.services.airflow import AirflowService, password_location, user_password
from smartcar.settings import Settings


def test_the_default_is_local_and_simple(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    env = airflow_env(settings)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(simple_passwords_file(settings))
    assert "AIRFLOW__CORE__AUTH_MANAGER" not in env and "AIRFLOW__CELERY__BROKER_URL" not in env
    names = [spec.name for spec in AirflowService().processes(settings)]
    assert names == ["airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]


def test_celery_adds_a_password_protected_broker_and_two_workers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, airflow_executor="celery", airflow_broker_port=6391)
    specs = {spec.name: spec for spec in AirflowService().processes(settings)}
    assert [n for n in specs if n.startswith("airflow-worker")] == ["airflow-worker-1", "airflow-worker-2"]
    for name in ("airflow-worker-1", "airflow-worker-2"):
        argv = specs[name].argv
        assert argv[argv.index("celery") : argv.index("celery") + 2] == ["celery", "worker"]
        assert "--skip-serve-logs" in argv and argv[argv.index("--celery-hostname") + 1] == f"worker{name[-1]}@%h"
    broker = specs["airflow-broker"].argv
    assert broker[broker.index("--port") + 1] == "6391" and broker[broker.index("--bind") + 1] == "127.0.0.1"
    conf = Path(broker[1])
    password = (tmp_path / "airflow" / "secrets" / "broker_password").read_text()
    assert conf.read_text() == f"requirepass {password}\n" and stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert not any(password in arg for spec in specs.values() for arg in spec.argv)
    assert f":{password}@127.0.0.1:6391/" in airflow_env(settings)["AIRFLOW__CELERY__BROKER_URL"]


def test_an_external_broker_starts_none(tmp_path: Path) -> None:
    url = "redis://:secret@broker.example:6379/1"
    settings = Settings(home=tmp_path, airflow_executor="celery", airflow_broker_url=url)
    names = [spec.name for spec in AirflowService().processes(settings)]
    assert "airflow-broker" not in names and len([n for n in names if "worker" in n]) == 2
    assert airflow_env(settings)["AIRFLOW__CELERY__BROKER_URL"] == url


def test_passwords_are_read_where_each_auth_manager_keeps_them(tmp_path: Path) -> None:
    simple = Settings(home=tmp_path)
    assert user_password(simple, "viewer") is None
    simple_passwords_file(simple).parent.mkdir(parents=True)
    simple_passwords_file(simple).write_text(json.dumps({"admin": "a1", "viewer": "v1"}))
    assert (user_password(simple, "admin"), user_password(simple, "viewer")) == ("a1", "v1")

    fab = Settings(home=tmp_path, airflow_auth="fab")
    env = airflow_env(fab)
    assert env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER
    assert not any(k.startswith("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER") for k in env)
    assert user_password(fab, "viewer") is None  # not generated until `up` creates the users
    generated = fab_password(fab, "viewer")
    assert user_password(fab, "viewer") == generated != "v1" and fab_password(fab, "viewer") == generated
    assert password_location(fab) == tmp_path / "airflow" / "secrets"


def test_bad_switch_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="airflow_executor"):
        Settings(home=tmp_path, airflow_executor="kubernetes")
    with pytest.raises(ValidationError, match="airflow_auth"):
        Settings(home=tmp_path, airflow_auth="ldap")
    with pytest.raises(ValueError, match="cannot name a password file"):
        fab_password(Settings(home=tmp_path, airflow_auth="fab"), "../admin")
