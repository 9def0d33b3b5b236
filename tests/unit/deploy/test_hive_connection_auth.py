"""``hiveserver2_default`` follows ``SMARTCAR_HIVE_AUTH_MECHANISM`` in PyHive's vocabulary.

The settings speak impyla (``PLAIN``, ``NOSASL``, ``LDAP``); Airflow's HiveServer2Hook hands the connection to
PyHive, which names SASL PLAIN ``NONE`` and refuses a password outside ``LDAP``/``CUSTOM``. Each connection is
opened through the real hook against a closed port: PyHive's argument checks pass (a ``ValueError`` would mean
a connection Airflow can never use) and the failure is the refused socket.
"""

from __future__ import annotations

import json
import socket

import pytest

from smartcar.airflow.connections import HIVESERVER2_CONN_ID, connection_env, connections
from smartcar.settings import Settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_embedded_default_keeps_pyhive_none_without_password() -> None:
    conn = connections(Settings())[HIVESERVER2_CONN_ID]
    assert conn["extra"] == {"auth_mechanism": "NONE"}
    assert conn["password"] is None
    assert connections(Settings())["impala_default"]["password"] == "smartcar"


@pytest.mark.parametrize(
    ("mechanism", "pyhive", "password"),
    [("PLAIN", "NONE", None), ("NOSASL", "NOSASL", None), ("LDAP", "LDAP", "s3cret"), ("ldap", "LDAP", "s3cret")],
)
def test_hook_accepts_the_connection_of_each_mechanism(
    monkeypatch: pytest.MonkeyPatch, mechanism: str, pyhive: str, password: str | None
) -> None:
    monkeypatch.setenv("SMARTCAR_HIVE_AUTH_MECHANISM", mechanism)
    monkeypatch.setenv("SMARTCAR_HIVE_PASSWORD", "s3cret")
    monkeypatch.setenv("SMARTCAR_HIVE_PORT", str(_closed_port()))
    env = connection_env(Settings())
    fields = json.loads(env["AIRFLOW_CONN_HIVESERVER2_DEFAULT"])
    assert fields["extra"]["auth_mechanism"] == pyhive
    assert fields.get("password") == password
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    from airflow.providers.apache.hive.hooks.hive import HiveServer2Hook
    from thrift.transport.TTransport import TTransportException

    with pytest.raises(TTransportException):
        HiveServer2Hook(hiveserver2_conn_id=HIVESERVER2_CONN_ID).get_conn()
