"""Training frames: the HiveQL of ``include/sql/ml`` over views of the warehouse tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartcar.lake.catalog import table_spec
from smartcar.lake.reader import spark_partition, spark_table
from smartcar.lake.spark_session import spark_session
from smartcar.settings import Settings
from smartcar.warehouse import hql

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def _query(name: str, params: dict[str, str], settings: Settings) -> DataFrame:
    (statement,) = hql.load(name, params, settings)
    return spark_session().sql(statement)


def classification_frame(from_date: str, to_date: str, settings: Settings) -> DataFrame:
    """Rows of the status mart for ``from_date..to_date`` with the original's ``status`` label."""
    spark_table(table_spec("managed_smartcar_status_info"), settings, min_partition=from_date).createOrReplaceTempView(
        "managed_smartcar_status_info"
    )
    return _query("ml/classification_dataset", {"from_date": from_date, "to_date": to_date}, settings)


def clustering_frame(settings: Settings) -> DataFrame:
    """Every car of ``smartcar_master`` (all ages, as the original) with its derived classes."""
    spark_table(table_spec("smartcar_master"), settings).createOrReplaceTempView("smartcar_master")
    return _query("ml/clustering_input", {}, settings)


def buylist_frame(biz_month: str, settings: Settings) -> DataFrame:
    """The buy-list mart of one month (Subject 5): ``car_number, item, score`` per purchase."""
    frame = spark_partition(table_spec("managed_smartcar_item_buylist_info"), biz_month, settings)
    return frame.select("car_number", "item", "score")
