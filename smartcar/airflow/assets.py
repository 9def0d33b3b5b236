"""Airflow assets of the batch warehouse: one per landed lake table and per mart.

Import these (never re-declare them) to schedule on the warehouse, e.g. the data-quality and export
DAGs. Every event a producing task emits carries the dates it covered in its ``extra``:
``{"wrk_date": "yyyyMMdd"}`` for landings, ``{"biz_dates": ["yyyyMMdd", ...]}`` for daily marts and
``{"biz_months": ["yyyyMM"]}`` for the buy-list mart. URIs are logical names (``smartcar://``), the
same in every deployment, so the asset graph does not change when the warehouse moves.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetWatcher

from smartcar.airflow.alert_topic_trigger import AlertTopicTrigger
from smartcar.airflow.driving_day_trigger import DrivingDayQuietTrigger
from smartcar.settings import get_settings

STATUS_LANDED = Asset(name="smartcar_status_info", uri="smartcar://warehouse/smartcar_status_info", group="smartcar")
"""Status batch log landed under ``car-batch-log/wrk_date=...`` and its partition registered."""
MASTER_LANDED = Asset(name="smartcar_master", uri="smartcar://warehouse/smartcar_master", group="smartcar")
BUYLIST_LANDED = Asset(name="smartcar_item_buylist", uri="smartcar://warehouse/smartcar_item_buylist", group="smartcar")
MASTER_OVER18 = Asset(
    name="smartcar_master_over18", uri="smartcar://warehouse/smartcar_master_over18", group="smartcar"
)
DRIVE_EVENTS = Asset(
    name="hbase_drivercarinfo",
    uri="smartcar://hbase/drivercarinfo",
    group="smartcar",
    watchers=[AssetWatcher(name="driving_day_quiet", trigger=DrivingDayQuietTrigger())],
)
"""Driving events of a business day are in HBase ``DriverCarInfo`` and the day has gone quiet.

Events come from the triggerer (no task produces them): ``extra["payload"]["biz_dates"]``."""
_settings = get_settings()
STREAM_ALERTS = Asset(
    name="smartcar_stream_alerts",
    uri="smartcar://kafka/alerts",
    group="smartcar",
    watchers=[
        AssetWatcher(
            name="alert_topic",
            trigger=AlertTopicTrigger(
                topics=[_settings.kafka_alert_topic],
                rules=_settings.alert_response_rule_names,
                dlq_topic=_settings.kafka_dead_letter_topic,
            ),
        )
    ],
)
"""Alerts of the rules in ``SMARTCAR_ALERT_RESPONSE_RULES`` on the alert topic, one event per rule, car and day.

Events come from the triggerer: ``extra["payload"]`` is the alert record (``id``, ``rule``, ``car_number``...)."""
DRIVE_INFO_2 = Asset(name="smartcar_drive_info_2", uri="smartcar://warehouse/smartcar_drive_info_2", group="smartcar")
STATUS_MART = Asset(
    name="managed_smartcar_status_info", uri="smartcar://warehouse/managed_smartcar_status_info", group="smartcar"
)
DRIVE_MART = Asset(
    name="managed_smartcar_drive_info", uri="smartcar://warehouse/managed_smartcar_drive_info", group="smartcar"
)
SYMPTOM_MART = Asset(
    name="managed_smartcar_symptom_info", uri="smartcar://warehouse/managed_smartcar_symptom_info", group="smartcar"
)
EMERGENCY_MART = Asset(
    name="managed_smartcar_emergency_check_info",
    uri="smartcar://warehouse/managed_smartcar_emergency_check_info",
    group="smartcar",
)
BUYLIST_MART = Asset(
    name="managed_smartcar_item_buylist_info",
    uri="smartcar://warehouse/managed_smartcar_item_buylist_info",
    group="smartcar",
)

ALL = (
    STATUS_LANDED,
    MASTER_LANDED,
    BUYLIST_LANDED,
    MASTER_OVER18,
    DRIVE_INFO_2,
    STATUS_MART,
    DRIVE_MART,
    SYMPTOM_MART,
    EMERGENCY_MART,
    BUYLIST_MART,
)
