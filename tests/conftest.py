"""Test-session wiring: real services on free loopback ports, started through the runtime code.

Before collection, the session picks a temporary ``SMARTCAR_HOME`` and free ports and exports the
``SMARTCAR_*`` (and derived ``AIRFLOW__*``) variables, so every ``get_settings()`` in the tests, in
Airflow and in child processes points at this session's services and never at a developer's
running platform. Services start lazily, once per session, when a fixture asks for them, and are
stopped at the end. Set ``SMARTCAR_TEST_EXTERNAL=1`` to run against services already described by
the environment instead (for example a real HBase Thrift server or Kafka cluster).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

EXTERNAL = os.environ.get("SMARTCAR_TEST_EXTERNAL") == "1"
_SESSION_HOME: Path | None = None


def _configure_environment() -> None:
    global _SESSION_HOME
    from smartcar.runtime.health import free_port

    if EXTERNAL:
        return
    home = Path(tempfile.mkdtemp(prefix="smartcar-test-"))
    home.chmod(0o755)  # the postgres service user must be able to traverse it
    _SESSION_HOME = home
    names = ("kafka", "kafka_controller", "redis", "hbase", "zookeeper", "hive", "postgres", "airflow", "broker")
    ports = {name: free_port() for name in names}
    # SMARTCAR_PROFILE=cluster (scripts/run-tests.sh's second session): three Kafka nodes, each its own ports
    cluster = os.environ.get("SMARTCAR_PROFILE") == "cluster"
    kafka_nodes = [ports["kafka"], free_port(), free_port()] if cluster else [ports["kafka"]]
    controllers = [ports["kafka_controller"], free_port(), free_port()] if cluster else []
    os.environ.update(
        {
            "SMARTCAR_HOME": str(home),
            "SMARTCAR_KAFKA_BOOTSTRAP": ",".join(f"127.0.0.1:{port}" for port in kafka_nodes),
            "SMARTCAR_KAFKA_CONTROLLER_PORT": str(ports["kafka_controller"]),
            "SMARTCAR_KAFKA_CONTROLLER_PORTS": ",".join(map(str, controllers)),
            "SMARTCAR_HBASE_ZOOKEEPER_PORT": str(ports["zookeeper"]),
            "SMARTCAR_REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "SMARTCAR_HBASE_HOST": "127.0.0.1",
            "SMARTCAR_HBASE_PORT": str(ports["hbase"]),
            "SMARTCAR_HIVE_HOST": "127.0.0.1",
            "SMARTCAR_HIVE_PORT": str(ports["hive"]),
            "SMARTCAR_EXPORT_DB_URL": f"postgresql+psycopg2://smartcar:smartcar@127.0.0.1:{ports['postgres']}/smartcar",
            "SMARTCAR_AIRFLOW_HOST": "127.0.0.1",
            "SMARTCAR_AIRFLOW_PORT": str(ports["airflow"]),
            "SMARTCAR_AIRFLOW_BROKER_PORT": str(ports["broker"]),
            "SMARTCAR_EXTERNAL_SERVICES": "",
            # a driving day counts as complete 15 s after its last event (default 120 s): e2e pace
            "SMARTCAR_DRIVE_DAY_QUIET_S": "15",
            # local Spark sessions (quality checks, ML) bind to loopback, not the machine's address
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
    )
    from smartcar.airflow.environment import airflow_env
    from smartcar.settings import get_settings

    get_settings.cache_clear()
    # Airflow reads its configuration once, at import: set it before any test imports airflow.
    os.environ.update(airflow_env(get_settings()))
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")


def pytest_configure(config: pytest.Config) -> None:
    _configure_environment()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End-to-end tests last: their unpaused DAGs would react to the asset events of later tests."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the session's platform; a service that cannot be stopped fails the session."""
    if _SESSION_HOME is None:
        return
    from smartcar import runtime
    from smartcar.settings import get_settings

    get_settings.cache_clear()
    try:
        runtime.down(settings=get_settings(), echo=lambda _m: None)
    except runtime.RuntimeError_ as exc:
        print(f"\nsmartcar down at the end of the session: {exc}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    left = _left_behind(_SESSION_HOME)
    if left:
        print("\nsmartcar down left processes of the session's home:\n  " + "\n  ".join(left), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if os.environ.get("SMARTCAR_TEST_KEEP_HOME") != "1":
        shutil.rmtree(_SESSION_HOME, ignore_errors=True)


def _left_behind(home: Path) -> list[str]:
    """Processes of ``home`` after ``down`` (Celery workers and their broker included), other than this
    process's own children: the Spark sessions of in-process quality checks and ML name the warehouse too."""
    import psutil

    from tests.fixtures.private_platform import home_processes

    own = {p.pid for p in psutil.Process().children(recursive=True)}
    return [line for line in home_processes(home) if int(line.split(" ", 1)[0]) not in own]


def _start(name: str):
    from smartcar import runtime
    from smartcar.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    if not EXTERNAL:
        try:
            runtime.up([name], settings, echo=lambda _m: None)
        except runtime.RuntimeError_ as exc:
            pytest.fail(f"could not start {name} for the tests: {exc}", pytrace=False)
    return settings


@pytest.fixture(scope="session")
def kafka_service():
    """Apache Kafka (one KRaft node) with the platform's topics created."""
    return _start("kafka")


@pytest.fixture(scope="session")
def redis_service():
    return _start("redis")


@pytest.fixture(scope="session")
def hbase_service():
    """Apache HBase standalone and its Thrift1 gateway, with ``DriverCarInfo`` created."""
    return _start("hbase")


@pytest.fixture(scope="session")
def postgres_service():
    """PostgreSQL with the export database of ``SMARTCAR_EXPORT_DB_URL``."""
    return _start("postgres")


@pytest.fixture(scope="session")
def hive_service():
    """Spark's HiveServer2-compatible Thrift server with a Derby metastore and a temp warehouse."""
    return _start("hive")


HIVE4_HOME = "hive4-home"
"""Sub-home of the session home where the Apache Hive 4 HiveServer2 and its own platform state live."""


def _hive4_environment() -> dict[str, str]:
    """The process env that points the platform at the session's Hive 4 HiveServer2.

    Its own ``SMARTCAR_HOME`` (so its own warehouse, landing, spool, ledger and quality store: a
    scenario run on both engines never sees the other's files) and port; HBase, PostgreSQL and
    Airflow's metadata DB stay the session's. The ``AIRFLOW_CONN_*`` variables are derived again
    from these settings, as the session's were.
    """
    from smartcar.airflow.connections import connection_env
    from smartcar.runtime.health import free_port
    from smartcar.settings import Settings

    assert _SESSION_HOME is not None
    home = _SESSION_HOME / HIVE4_HOME
    home.mkdir(exist_ok=True)
    port = os.environ.get("_SMARTCAR_TEST_HIVE4_PORT") or str(free_port())
    os.environ["_SMARTCAR_TEST_HIVE4_PORT"] = port
    env = {"SMARTCAR_HOME": str(home), "SMARTCAR_HIVE_ENGINE": "hive", "SMARTCAR_HIVE_PORT": port}
    settings = Settings(**{k.removeprefix("SMARTCAR_").lower(): v for k, v in env.items()})
    return {**env, **connection_env(settings)}


@contextlib.contextmanager
def engine_environment(engine: str) -> Iterator[None]:
    """Run the body with the process env (and ``get_settings()``) pointed at ``engine``'s HiveServer2."""
    from smartcar.settings import get_settings

    if engine == "spark":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:  # puts every variable back, set or unset, on the way out
        for key, value in _hive4_environment().items():
            patch.setenv(key, value)
        get_settings.cache_clear()
        try:
            yield
        finally:
            patch.undo()
            get_settings.cache_clear()


@pytest.fixture(scope="session")
def hive_engine_environment():
    """:func:`engine_environment`, for test modules (a conftest is not importable by name)."""
    return engine_environment


@pytest.fixture(scope="session")
def hive4_service() -> Iterator[object]:
    """Apache Hive 4.0.1 HiveServer2 (Tez local, embedded Derby metastore) in its own sub-home and port."""
    from smartcar import runtime
    from smartcar.settings import get_settings

    if EXTERNAL:
        pytest.skip("the Hive 4 engine is started by the session only")
    with engine_environment("hive"):
        settings = _start("hive")
    yield settings
    try:
        runtime.down(["hive"], settings=settings, echo=lambda _m: None)
    except runtime.RuntimeError_ as exc:
        pytest.fail(f"could not stop the Hive 4 HiveServer2: {exc}", pytrace=False)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def airflow_service():
    """The whole Airflow (api-server, scheduler, dag-processor, triggerer) on a free port."""
    return _start("airflow")


@pytest.fixture(scope="session")
def airflow_home(postgres_service) -> Iterator[object]:
    """An initialised Airflow metadata DB (for ``dag.test()``), without starting Airflow's servers."""
    from smartcar.runtime.services.airflow import migrate_metadata_db
    from smartcar.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    if not EXTERNAL:
        migrate_metadata_db(settings)
    yield settings


@pytest.fixture(scope="module")
def private_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point ``SMARTCAR_WAREHOUSE_URI`` of this process at a fresh directory for one test module.

    For tests that write hand-made partitions by path (quality samples): in the session's warehouse
    those directories would collide with the managed tables other tests create through HiveServer2.
    """
    from smartcar.settings import get_settings

    previous = os.environ.get("SMARTCAR_WAREHOUSE_URI")
    os.environ["SMARTCAR_WAREHOUSE_URI"] = tmp_path_factory.mktemp("warehouse").as_uri()
    get_settings.cache_clear()
    yield
    if previous is None:
        os.environ.pop("SMARTCAR_WAREHOUSE_URI", None)
    else:
        os.environ["SMARTCAR_WAREHOUSE_URI"] = previous
    get_settings.cache_clear()


@pytest.fixture
def smartcar_cli():
    """Run ``smartcar ARGS`` in a child process with this session's environment."""

    def run(*args: str, timeout: float = 300, check: bool = False) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "smartcar.cli", *args], capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"smartcar {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    return run
