"""``SMARTCAR_HIVE_ENGINE`` picks the program behind the one ``hive`` service, and Hive 4's hive-site
keeps everything on loopback and under the state directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from smartcar.runtime.services.hive import HiveService
from smartcar.runtime.services.hive_server4 import MAIN_CLASS, site_properties
from smartcar.settings import Settings


def _settings(tmp_path: Path, engine: str) -> Settings:
    return Settings(home=tmp_path, hive_engine=engine, hive_port=10123)


def test_spark_is_the_default_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMARTCAR_HIVE_ENGINE", raising=False)
    settings = Settings(home=tmp_path, hive_port=10123)
    assert settings.hive_engine == "spark"
    [spec] = HiveService().processes(settings)
    assert "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2" in spec.argv
    assert "hive.server2.thrift.port=10123" in spec.argv


def test_hive_engine_runs_hiveserver2_of_hive4_in_its_own_state(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "hive")
    service = HiveService()
    state = service.engine_state(settings)
    assert state == tmp_path / "hive" / "hive4"  # not the Spark engine's Derby catalogue
    [spec] = service.processes(settings)
    assert spec.argv[-1] == MAIN_CLASS
    assert spec.env["HIVE_CONF_DIR"] == str(state / "conf")
    assert any(a.startswith("-Xmx") for a in spec.argv)
    classpath = spec.argv[spec.argv.index("-cp") + 1]
    assert classpath.startswith(f"{state / 'conf'}:") and classpath.endswith("jars/hive/lib/*")


def test_hive4_site_is_loopback_with_every_dir_under_the_state(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "hive")
    state = tmp_path / "hive" / "hive4"
    props = site_properties(settings, state)
    assert props["hive.server2.thrift.bind.host"] == "127.0.0.1"
    assert props["hive.server2.thrift.port"] == "10123"
    assert props["hive.metastore.warehouse.dir"] == props["hive.metastore.warehouse.external.dir"] == settings.warehouse
    assert props["hive.metastore.uris"] == ""  # embedded metastore
    assert f"databaseName={state / 'metastore_db'};" in props["javax.jdo.option.ConnectionURL"]
    for key in ("hive.exec.scratchdir", "hive.exec.local.scratchdir", "hive.user.install.directory", "tez.staging-dir"):
        assert props[key].startswith(str(state)), key


def test_an_unknown_engine_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="hive_engine"):
        Settings(home=tmp_path, hive_engine="impala")
