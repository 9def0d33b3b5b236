"""
### Alert response: the stream's alerts become incidents, and someone is told

Event-driven (Airflow 3 `AssetWatcher`): the triggerer watches the alert topic with the Kafka
provider's shared-stream trigger (`smartcar.airflow.alert_topic_trigger`), and the first alert of each
car and day, for the rules named in `SMARTCAR_ALERT_RESPONSE_RULES` (default `speeding`), becomes an
event of the asset `smartcar_stream_alerts` (one per car and day, not one per 30-second window).
Alerts that arrive while a run is going are collected into the next run, so a burst of alerts makes
a few runs, not one per alert. A run also takes the asset's events stored
since its first triggering one (`inlet_events`): Airflow would otherwise leave an alert that lands
between a run's queueing and its creation for the next alert to pick up (`smartcar/airflow/alert_response.py`).

Each run records the alerts in the incident log (`smartcar_alert_incident` in the export database,
one row per rule, car and day) and sends one notification (log, webhook, e-mail: `smartcar.airflow.notifications`)
naming the cars. The original pilot only kept speeding cars in Redis for a day's dashboard; this is
the durable, queryable record of what the platform acted on.

Idempotent: a run re-run, or an alert delivered twice (the topic is at least once; the triggerer
redelivers after a crash), records nothing new and notifies nobody.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from smartcar.airflow.assets import STREAM_ALERTS


@dag(
    dag_id="smartcar_alert_response",
    schedule=[STREAM_ALERTS],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # the incident log's insert-if-absent is not meant to race with itself
    doc_md=__doc__,
    tags=["smartcar", "streaming", "alerts"],
    default_args={"owner": "smartcar-stream", "retries": 2, "retry_delay": timedelta(seconds=30)},
)
def smartcar_alert_response() -> None:
    @task(inlets=[STREAM_ALERTS])
    def record_incidents(**context) -> dict:
        from smartcar.airflow.alert_response import first_timestamp, respond
        from smartcar.settings import get_settings

        triggering = context.get("triggering_asset_events")
        first = first_timestamp(triggering)
        # events stored after the run was queued but before it was created belong to no run (see response.py)
        later = context["inlet_events"][STREAM_ALERTS].after(first.isoformat()) if first else []
        return respond(triggering, later, settings=get_settings())

    record_incidents()


dag = smartcar_alert_response()
