"""The one place that knows where every service lives.

Every endpoint, path and name the platform uses is read here from environment variables
prefixed ``SMARTCAR_``. With nothing set, the values describe the embedded default that
``smartcar up`` starts on 127.0.0.1; in production the same variables point at the real
Kafka, HBase Thrift, HiveServer2/Impala, Redis and PostgreSQL. Code never branches on
which world it is in: it asks :func:`get_settings` and talks the real protocol.
"""

from __future__ import annotations

import functools
import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES: tuple[str, ...] = ("kafka", "redis", "hbase", "postgres", "hive", "airflow")
"""Services of the platform, in start order (``smartcar down`` stops them in reverse)."""

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_home() -> Path:
    # Inside the checkout (git-ignored), so a clone is self-contained and service users such
    # as ``postgres`` can reach it even when the checkout's owner is root.
    return REPO_ROOT / ".smartcar"


PROFILE_FILE = "profile"
"""``<home>/profile``: the profile a home was first brought up with (see :func:`recorded_profile`)."""

PROFILES: dict[str, dict[str, object]] = {
    "embedded": {},
    "cluster": {
        "hive_engine": "hive",
        "kafka_brokers": 3,
        "kafka_bootstrap": "127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292",
        "kafka_controller_ports": "9093,9193,9293",
        "airflow_executor": "celery",
        "airflow_auth": "fab",
        "stream_processors": 2,
    },
}
"""What each profile changes from the field defaults: ``cluster`` is the production topology of
``docker-compose.yaml`` on one machine (Hive 4.0.1, three replicated Kafka brokers, Celery workers, FAB
roles, two stream processors). A variable set explicitly (``SMARTCAR_KAFKA_BROKERS=1``) wins over the profile."""


def recorded_profile(home: Path) -> str | None:
    """The profile ``smartcar up`` recorded in ``home``, so later commands (``status``, ``simulate``, the
    tests' CLI calls) describe the platform that runs there without the variable being exported again."""
    try:
        value = (home / PROFILE_FILE).read_text().strip()
    except OSError:
        return None
    return value if value in PROFILES else None


def is_loopback(host: str) -> bool:
    """True when ``host`` names this machine, i.e. a service we may start ourselves."""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Endpoints and paths of the platform; see the README for the variable list."""

    model_config = SettingsConfigDict(env_prefix="SMARTCAR_", extra="ignore")

    # --- state -------------------------------------------------------------------------
    home: Path = Field(default_factory=_default_home, description="State directory of the embedded runtime.")
    profile: Literal["embedded", "cluster"] | None = None
    """Topology of the embedded runtime (``PROFILES``); unset: the one recorded in the home, else ``embedded``."""
    external_services: str = Field(
        default="",
        description="Comma-separated services that run elsewhere even though their host is loopback.",
    )

    # --- Kafka ---------------------------------------------------------------------------
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic: str = "SmartCar-Topic"
    kafka_dead_letter_topic: str = "SmartCar-Topic-deadletter"
    kafka_alert_topic: str = "SmartCar-Alerts"
    kafka_retention_ms: int = 7 * 24 * 3_600_000
    """Driving topic: 7 days, so a stopped processor (or a paused supervisor DAG) loses nothing for a week.
    The pilot cut it to 10 minutes (docs/schedules.md#kafka-retention) and lost events whenever Storm lagged."""
    kafka_dead_letter_retention_ms: int = 30 * 24 * 3_600_000
    """Dead letters are kept longer than the events they came with: someone has to read them."""
    kafka_alert_retention_ms: int = 7 * 24 * 3_600_000
    """Alerts live as long as the Redis copy (the 7-day TTL of the speeding rule)."""
    alert_response_rules: str = "speeding"
    """Comma-separated rules whose alerts start the alert-response DAG (incident log + notification);
    alerts of other rules stay in Redis and on the alert topic only."""
    kafka_session_timeout_ms: int = 6000
    kafka_consumer_group: str = "smartcar-stream"
    kafka_partitions: int = 4
    """Partitions of the driving-event topic: the most stream processors one group can use."""
    kafka_controller_port: int = 9093
    """KRaft controller listener of the embedded broker (loopback; not used by clients)."""
    kafka_brokers: Literal[1, 3] = 1
    """Nodes of the Kafka cluster. ``1``: the single embedded node of old, topics unreplicated. ``3``: every
    topic (the internal ones too) on three brokers with ``min.insync.replicas=2``, so a broker may die without
    losing an acknowledged write or stopping producers (docs/kafka-replication.md). With three embedded nodes,
    ``kafka_bootstrap`` lists their three client addresses (node 1, 2, 3 in that order) and
    ``kafka_controller_ports`` their three controller ports; in production it is the size of the real cluster."""
    kafka_controller_ports: str = ""
    """Comma-separated KRaft controller ports of the three embedded nodes (``kafka_brokers=3`` only; one node
    uses ``kafka_controller_port``), e.g. ``9093,9193,9293``."""
    kafka_heap: str = "512m"
    stream_processors: int = Field(default=1, ge=1, le=16)
    """Processors the stream supervisor DAG runs in one consumer group (more than ``kafka_partitions`` idle)."""
    drive_day_quiet_s: float = Field(default=120.0, gt=0)
    """A business day whose driving events stopped arriving this long ago, with the stream caught up,
    is announced to Airflow as complete (subject 2 builds it); see ``streaming.driving_days``."""
    stream_max_future_s: int = Field(default=3600, ge=0)
    """An event dated further ahead of the wall clock than this is a car with a wrong clock: it goes to
    the dead-letter topic (reason ``future_timestamp``) and moves no watermark."""
    stream_state_retention_days: int = Field(default=0, ge=0)
    """Days of event time, back from the wall clock, for which the stream keeps window state; an event
    older than that is stored in HBase and counted (``too_old``), not windowed. ``0`` keeps every day:
    the platform's simulated and reference data are years old (2016, 2020), and each day costs a few
    numbers. Set it (e.g. 7, Kafka's retention) where cars report real time."""

    # --- Redis -----------------------------------------------------------------------------
    redis_url: str = "redis://127.0.0.1:6379/0"

    # --- HBase (Thrift1 gateway) ------------------------------------------------------------
    hbase_host: str = "127.0.0.1"
    hbase_port: int = 9090
    hbase_transport: Literal["buffered", "framed"] = "buffered"
    hbase_protocol: Literal["binary", "compact"] = "binary"
    hbase_table_prefix: str = ""
    hbase_zookeeper_port: int = 2181
    """ZooKeeper of the embedded standalone HBase (in the master's JVM; loopback)."""
    hbase_heap: str = "1g"
    hbase_thrift_heap: str = "256m"
    hbase_writer_connections: int = Field(default=4, ge=1, le=16)
    """Thrift connections the stream's HBase sink writes one batch over, in parallel: a single
    connection waits on every round trip (measured warm on this machine: 1 -> 30 k, 2 -> 34 k,
    4 -> 39 k rows/s into real HBase 2.6.1)."""

    # --- HiveServer2 / Impala ----------------------------------------------------------------
    hive_host: str = "127.0.0.1"
    hive_port: int = 10000
    hive_user: str = "smartcar"
    hive_database: str = "default"
    hive_auth_mechanism: str = Field(default="PLAIN", description="impyla auth_mechanism for HiveServer2.")
    hive_password: str = "smartcar"
    """Sent with ``hive_user`` over SASL PLAIN/LDAP; an empty value sends none. HiveServer2 with
    ``hive.server2.authentication=NONE`` (the embedded Spark Thrift server, the compose stack) ignores it."""
    hive_driver_memory: str = "1g"
    hive_engine: Literal["spark", "hive"] = "spark"
    """Which HiveServer2 the embedded ``hive`` service runs: Spark's Thrift server (``spark``) or
    Apache Hive 4.0.1 with Tez in local mode and an embedded Derby metastore (``hive``, the jars of
    ``jars/hive``); docs/hive-engine.md. Clients see the same HiveServer2 protocol on ``hive_port``."""
    hive_heap: str = "2g"
    """Maximum heap of the Apache Hive 4 HiveServer2 JVM (``hive_engine=hive``); Spark's is ``hive_driver_memory``."""
    warehouse_uri: str = ""
    """Where table data lives (file:// here, hdfs:// or s3a:// in production); default under home."""

    # --- ML tracking (MLflow) and the bar a model must pass to be registered -------------------------
    mlflow_tracking_uri: str = ""
    """MLflow tracking and registry store; default a SQLite file under ``<home>/mlflow`` (MLflow 3 keeps its
    plain-file store in maintenance mode), in production the team's tracking server (``http://...``)."""
    ml_register_min_accuracy: float = Field(default=0.85, ge=0, le=1)
    """The status classifier is registered only at or above this test accuracy ..."""
    ml_register_min_recall_abnormal: float = Field(default=0.6, ge=0, le=1)
    """... and this recall of the abnormal class (the book: a missed abnormal car costs the most)."""

    # --- export database (the Sqoop target) ------------------------------------------------------
    export_db_url: str = "postgresql+psycopg2://smartcar:smartcar@127.0.0.1:5432/smartcar"

    # --- notifications (data-quality failures, stalled stream); always logged -----------------
    notify_webhook_url: str = ""
    """POST a JSON message here when set (Slack/Teams/Mattermost-style incoming webhook)."""
    notify_email_to: str = ""
    """Comma-separated recipients; mail goes through ``smtp_host:smtp_port`` when set."""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "smartcar@localhost"

    # --- Airflow -------------------------------------------------------------------------------
    airflow_host: str = "127.0.0.1"
    airflow_port: int = 8080
    airflow_admin_user: str = "admin"
    airflow_viewer_user: str = "viewer"
    """A read-only login of the embedded Airflow (simple auth manager role ``viewer``): it sees the DAGs, runs
    and the platform's pages and can change nothing. Its generated password is kept beside the admin's."""
    airflow_db_url: str = ""
    """Airflow's metadata database (SQLAlchemy URL). Default: database ``airflow`` with its own user and a
    generated password in the platform's PostgreSQL (the export database's server), not SQLite, which
    Airflow keeps for development and which four components and their tasks write at once."""
    airflow_executor: Literal["local", "celery"] = "local"
    """``local``: tasks run as children of the scheduler (LocalExecutor). ``celery``: CeleryExecutor, two
    ``airflow celery worker`` processes take the tasks from a password-protected Redis broker, results in the
    metadata database (docs/airflow-distributed.md)."""
    airflow_auth: Literal["simple", "fab"] = "simple"
    """``simple``: Airflow's simple auth manager (users ``admin``/``viewer`` from a passwords file). ``fab``: the
    FAB auth manager, users and roles (``Admin``, ``Viewer``) in the metadata database."""
    airflow_broker_url: str = ""
    """Celery broker (``redis://:password@host:port/db``) when ``airflow_executor`` is ``celery``. Default: a
    Redis of Airflow's own that ``smartcar up`` starts on 127.0.0.1:``airflow_broker_port`` with a generated
    password (the platform's Redis, which the stream and pages use without one, is left as it is)."""
    airflow_broker_port: int = 6380
    """Port of that embedded broker (used only when ``airflow_broker_url`` is empty)."""

    # --- files ----------------------------------------------------------------------------------
    spool_dir: Path | None = None
    """Flume-style spool directory for batch files; default ``<home>/spool``."""
    landing_dir: Path | None = None
    """Where landed raw files go before Hive reads them; default ``<warehouse>/collect``."""
    driving_log: Path | None = None
    """Growing driving-log file followed by the tail agent; default ``<home>/driver-realtime-log/SmartCarDriverInfo.log``."""
    rules_dir: Path = REPO_ROOT / "include" / "rules"
    sql_dir: Path = REPO_ROOT / "include" / "sql"
    java_home: Path | None = None
    jars_dir: Path = REPO_ROOT / "jars"
    """Where ``make install`` put the Maven-resolved engine jars (``<engine>/lib``)."""

    @model_validator(mode="after")
    def _apply_profile(self) -> Settings:
        if self.profile is None:
            self.profile = recorded_profile(self.home) or "embedded"  # type: ignore[assignment]
        explicit = self.model_fields_set
        for name, value in PROFILES[self.profile].items():
            if name not in explicit:
                setattr(self, name, value)
        return self

    @field_validator("kafka_brokers", mode="before")
    @classmethod
    def _broker_count(cls, value: object) -> object:
        # the environment gives text; Literal[1, 3] does not coerce it
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @model_validator(mode="after")
    def _embedded_kafka_nodes(self) -> Settings:
        """Three embedded nodes need three client and three controller ports, all different."""
        if self.kafka_brokers == 1:
            if self.kafka_controller_ports.strip():
                raise ValueError(
                    "SMARTCAR_KAFKA_CONTROLLER_PORTS is for three nodes; one node uses SMARTCAR_KAFKA_CONTROLLER_PORT"
                )
            return self
        if not self.is_managed("kafka"):
            return self
        example = "(e.g. SMARTCAR_KAFKA_BOOTSTRAP=127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292 and SMARTCAR_KAFKA_CONTROLLER_PORTS=9093,9193,9293)"
        if len(self.kafka_node_addresses) != 3:
            raise ValueError(
                f"SMARTCAR_KAFKA_BROKERS=3 starts three nodes: SMARTCAR_KAFKA_BOOTSTRAP must list their three addresses {example}"
            )
        controllers = self.kafka_controller_port_list
        if len(controllers) != 3:
            raise ValueError(
                f"SMARTCAR_KAFKA_BROKERS=3 starts three nodes: SMARTCAR_KAFKA_CONTROLLER_PORTS must list their three controller ports {example}"
            )
        ports = [port for _, port in self.kafka_node_addresses] + controllers
        if len(set(ports)) != len(ports):
            raise ValueError(f"the three Kafka nodes' client and controller ports must all differ, got {ports}")
        return self

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    # --- derived values ---------------------------------------------------------------------------
    @property
    def warehouse_path(self) -> Path:
        """Local path of the warehouse when it is a file:// URI (the embedded default)."""
        uri = self.warehouse_uri or (self.home / "warehouse").as_uri()
        parts = urlsplit(uri)
        if parts.scheme not in ("", "file"):
            raise ValueError(f"warehouse {uri!r} is not a local path")
        return Path(parts.path)

    @property
    def warehouse(self) -> str:
        return self.warehouse_uri or (self.home / "warehouse").as_uri()

    @property
    def mlflow_path(self) -> Path:
        """Local MLflow state: the SQLite store and the run artifacts."""
        return self.home / "mlflow"

    @property
    def mlflow_uri(self) -> str:
        return self.mlflow_tracking_uri or f"sqlite:///{self.mlflow_path / 'mlflow.db'}"

    @property
    def spool_path(self) -> Path:
        return self.spool_dir or self.home / "spool"

    @property
    def landing_path(self) -> Path:
        return self.landing_dir or self.warehouse_path / "collect"

    @property
    def driving_log_path(self) -> Path:
        return self.driving_log or self.home / "driver-realtime-log" / "SmartCarDriverInfo.log"

    @property
    def kafka_host_port(self) -> tuple[str, int]:
        return self.kafka_node_addresses[0]

    @property
    def kafka_node_addresses(self) -> list[tuple[str, int]]:
        """``(host, port)`` of every address in ``kafka_bootstrap`` (the embedded nodes' client listeners, in order)."""
        addresses = []
        for item in self.kafka_bootstrap.split(","):
            host, _, port = item.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"SMARTCAR_KAFKA_BOOTSTRAP entry {item.strip()!r} is not host:port")
            addresses.append((host, int(port)))
        return addresses

    @property
    def kafka_controller_port_list(self) -> list[int]:
        """Controller ports of the embedded nodes, node 1 first."""
        if self.kafka_brokers == 1:
            return [self.kafka_controller_port]
        ports = [p.strip() for p in self.kafka_controller_ports.split(",") if p.strip()]
        if not all(p.isdigit() for p in ports):
            raise ValueError(f"SMARTCAR_KAFKA_CONTROLLER_PORTS {self.kafka_controller_ports!r} is not a list of ports")
        return [int(p) for p in ports]

    @property
    def kafka_replication_factor(self) -> int:
        """Replicas of every topic: one per broker, at most three."""
        return min(3, self.kafka_brokers)

    @property
    def kafka_min_insync_replicas(self) -> int:
        """Replicas that must have a write before ``acks=all`` acknowledges it: 2 of 3 (one broker may be down), 1 of 1."""
        return 2 if self.kafka_replication_factor >= 3 else 1

    @property
    def redis_host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.redis_url)
        return parts.hostname or "127.0.0.1", parts.port or 6379

    @property
    def export_db_host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.export_db_url)
        return parts.hostname or "127.0.0.1", parts.port or 5432

    @property
    def airflow_url(self) -> str:
        return f"http://{self.airflow_host}:{self.airflow_port}"

    def endpoint(self, service: str) -> tuple[str, int]:
        """``(host, port)`` of a platform service by name."""
        match service:
            case "kafka":
                return self.kafka_host_port
            case "redis":
                return self.redis_host_port
            case "hbase":
                return self.hbase_host, self.hbase_port
            case "hive":
                return self.hive_host, self.hive_port
            case "postgres":
                return self.export_db_host_port
            case "airflow":
                return self.airflow_host, self.airflow_port
        raise KeyError(f"unknown service {service!r}; known: {', '.join(SERVICE_NAMES)}")

    def is_managed(self, service: str) -> bool:
        """Whether the embedded runtime starts ``service`` (loopback host and not declared external)."""
        external = {s.strip() for s in self.external_services.split(",") if s.strip()}
        return service not in external and is_loopback(self.endpoint(service)[0])

    @property
    def alert_response_rule_names(self) -> list[str]:
        return sorted({r.strip() for r in self.alert_response_rules.split(",") if r.strip()})

    def kafka_client_config(self, **extra: object) -> dict[str, object]:
        """librdkafka settings every client of ours starts from (see ``smartcar.core.clients.kafka_producer``).

        Consumer-only properties (``session.timeout.ms``) are added by ``kafka_consumer``: a producer
        given them logs a configuration warning on every start.
        """
        return {"bootstrap.servers": self.kafka_bootstrap, **extra}


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings; call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()
