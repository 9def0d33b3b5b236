"""
### Stream processor supervisor (replaces the Storm topology's Nimbus/Supervisor, docs/original-system.md#storm-topology)

**Design: bounded runs of a `@continuous` DAG.** Airflow's documentation warns against tasks that
never end (no retry/log rotation, zombie detection, blocked deploys). Each run of this DAG
therefore supervises the stream processor for a bounded time (`run_seconds`, default 10 min):

1. **supervise**: starts `instances` processors (`python -m streaming.cli run`, one consumer
   group; default `SMARTCAR_STREAM_PROCESSORS`: 1, 2 in the cluster profile), restarts any that exits or is killed within ~2 s (well inside the 60 s
   requirement), logs health (lag, events/s, dead letters, alerts) every 30 s, and at the end sends
   SIGTERM so every processor commits and exits cleanly. `@continuous` with `max_active_runs=1`
   starts the next run as soon as this one ends, so exactly one supervised set runs at a time;
   the hand-over is a few seconds, and the new processors replay only the open windows.
2. **health**: records the processor health after the run (also published continuously to Redis
   and read by the UI through `streaming.health.read_health`).

Why not an external daemon plus a health-check DAG: a check DAG scheduled every minute would
restart a crashed processor only after up to a minute plus scheduling latency (the requirement
is 60 s), and the processor's life would be invisible in Airflow. Here every run, crash and
restart is a task log line. Processors die with their supervisor (`PR_SET_PDEATHSIG`), so a
killed worker never leaves unsupervised extras behind; the failed run is followed at once by a
new one. Idempotent for its logical date: it owns no data; the processors' writes are idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

log = logging.getLogger(__name__)


@dag(
    dag_id="smartcar_stream_supervisor",
    schedule="@continuous",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["smartcar", "streaming"],
    params={
        "run_seconds": Param(600, type="integer", minimum=10, description="Length of one bounded run."),
        "instances": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            maximum=16,
            description="Processors in the group; empty: SMARTCAR_STREAM_PROCESSORS (1, or 2 in the cluster profile).",
        ),
    },
    # a supervise task that fails outright (e.g. Redis down at start) is retried in 5 s
    default_args={"owner": "smartcar-stream", "retries": 2, "retry_delay": timedelta(seconds=5)},
)
def smartcar_stream_supervisor():
    @task(execution_timeout=timedelta(hours=2))
    def supervise(params: dict | None = None) -> dict:
        from smartcar.airflow.notifications import StallWatch
        from smartcar.settings import get_settings
        from streaming.health import read_health
        from streaming.processor_pool import supervise as run

        p = params or {}
        settings = get_settings()
        watch = StallWatch()  # notifies (log, webhook, e-mail) once per stall episode

        def tick(report) -> None:
            health = read_health(settings)
            log.info(
                "stream health: alive=%s lag=%s events/s=%s processed=%s dead_letters=%s alerts=%s restarts=%s",
                health["alive"],
                health["lag"],
                health["events_per_s"],
                health["processed"],
                health["dead_letters"],
                health["alerts"],
                report.crashes,
            )
            watch.observe(health)

        instances = int(p.get("instances") or settings.stream_processors)
        report = run(duration_s=float(p.get("run_seconds", 600)), instances=instances, settings=settings, on_tick=tick)
        return report.as_dict()

    @task
    def health(report: dict) -> dict:
        from smartcar.settings import get_settings
        from streaming.health import read_health

        result = {k: v for k, v in read_health(get_settings()).items() if k != "details"}
        result["supervision"] = report
        log.info("stream processor run: %s", result)
        return result

    health(supervise())


smartcar_stream_supervisor()
