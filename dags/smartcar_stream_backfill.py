"""
### Stream rule backfill and backtest (the stream side's on-demand backfill)

Runs the detector rule files (`include/rules/`) over one stored day of driving events in HBase
(`DriverCarInfo`), with the live processor's own window code, and compares the outcome with the
alerts already in Redis for that day. Trigger it from the UI ("Trigger DAG w/ config"):

- **date**: the UTC day of event time, `yyyyMMdd`;
- **rule**: one rule, or empty for every enabled rule;
- **overrides**: settings to try, one per line as `RULE.SETTING=VALUE`, e.g.
  `speeding.threshold=100` ("what would 100 km/h have flagged?"); with overrides nothing is written;
- **dry_run**: report only.

Otherwise the alerts are written with the live path's ids, keys and TTLs: a day the live stream
already covered stays as it was, and a day it missed (processor down past Kafka's retention, a rule
added later) gets its alerts. Idempotent for its logical date: the same params write the same keys.
The task log and its XCom hold the report: per rule, windows and cars raised, in Redis, and the
differences. `smartcar stream backfill` is the same from a terminal.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from smartcar.core.business_dates import DATE_PATTERN


@dag(
    dag_id="smartcar_stream_backfill",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,  # manual only: a trigger from the UI should run, not queue behind a pause
    doc_md=__doc__,
    tags=["smartcar", "streaming", "backfill"],
    params={
        "date": Param("20200322", type="string", pattern=DATE_PATTERN, description="UTC day of event time, yyyyMMdd."),
        "rule": Param(None, type=["null", "string"], description="One rule name; empty for every enabled rule."),
        "overrides": Param(
            [], type="array", items={"type": "string"}, description="RULE.SETTING=VALUE per line (implies dry run)."
        ),
        "dry_run": Param(False, type="boolean", description="Report only; write nothing to Redis."),
    },
    default_args={"owner": "smartcar-stream", "retries": 1, "retry_delay": timedelta(minutes=1)},
)
def smartcar_stream_backfill():
    @task(execution_timeout=timedelta(hours=1))
    def backfill_rules(params: dict | None = None) -> dict:
        from streaming.backfill import backfill

        p = params or {}
        report = backfill(  # logs its report table once
            p["date"],
            rule=p.get("rule") or None,
            overrides=[o for o in p.get("overrides") or [] if o.strip()],
            dry_run=bool(p.get("dry_run")),
        )
        return report.as_dict()

    backfill_rules()


dag = smartcar_stream_backfill()
