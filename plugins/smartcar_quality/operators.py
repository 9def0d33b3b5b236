"""The validation task of the pipelines: GE on Spark for one table and one or more dates.

A critical failure fails the task with ``AirflowFailException`` (no retry: re-reading the same
bad data cannot succeed), so every task downstream of it, the export included, is blocked;
the failure is also sent through :mod:`smartcar.airflow.notifications`. Warnings are only logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from airflow.sdk import BaseOperator, BaseOperatorLink
from airflow.sdk.exceptions import AirflowFailException

REPORT_ROUTE = "/smartcar/quality/report"


def report_url(table: str, date: str) -> str:
    """Page of the plugin app that opens the latest Data Docs page of ``table`` for ``date``."""
    return f"{REPORT_ROUTE}/{quote(table)}/{quote(date)}"


class DataDocsLink(BaseOperatorLink):
    """Extra link on each validation task: opens its Data Docs report (first date of the run)."""

    name = "Data Docs"

    def get_link(self, operator: BaseOperator, *, ti_key: Any) -> str:
        dates = _as_dates(getattr(operator, "dates", None))
        tables = getattr(operator, "tables", None) or []
        if not tables:
            return ""
        return report_url(tables[0], dates[0] if dates else "all")


def _as_dates(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


class DataQualityOperator(BaseOperator):
    """Validate ``tables`` for ``dates`` (templated; a list from an upstream task's XCom works too).

    With ``reuse=True`` a report newer than the data is reused instead of validating again (the
    export DAG gates on the batch DAGs' checks that way). ``fail_fast`` stops at the first critical
    failure: everything downstream is blocked anyway, and each check costs Spark time.
    """

    template_fields: Sequence[str] = ("dates",)
    operator_extra_links = (DataDocsLink(),)
    ui_color = "#d9f2e6"

    def __init__(
        self,
        *,
        tables: str | Sequence[str],
        dates: Any = "{{ ds_nodash }}",
        reuse: bool = False,
        fail_fast: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.tables = [tables] if isinstance(tables, str) else list(tables)
        self.dates = dates
        self.reuse = reuse
        self.fail_fast = fail_fast

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from smartcar.airflow.notifications import SmartcarNotifier
        from smartcar.quality.runner import QualityError, check, ensure_valid
        from smartcar.quality.store import REPORTS_XCOM_KEY
        from smartcar.settings import get_settings

        settings = get_settings()
        dates = _as_dates(self.dates) or [None]
        reports, failed = [], []
        for date in dates:
            for table in self.tables:
                try:
                    report = ensure_valid(table, date, settings) if self.reuse else check(table, date, settings)
                except QualityError as exc:
                    report = exc.report
                    failed.append(report)
                    SmartcarNotifier(
                        title=f"Data quality FAILED: {report.table} {report.date}",
                        message=report.summary(),
                        details={
                            "table": report.table,
                            "date": report.date,
                            "report": report_url(report.table, report.date),
                        },
                    ).notify(context)
                self.log.info("%s\nData Docs: %s", report.summary(), report_url(report.table, report.date))
                reports.append(
                    {
                        "table": report.table,
                        "date": report.date,
                        "status": report.status,
                        "docs_page": report.docs_page,
                        "run_time": report.run_time,
                    }
                )
                if failed and self.fail_fast:
                    break
            if failed and self.fail_fast:
                break
        # pushed before failing: the "Data quality" tab of the run shows a failed run's checks too
        context["ti"].xcom_push(
            key=REPORTS_XCOM_KEY,
            value=[{k: r[k] for k in ("table", "date", "status")} | {"run_time": r["run_time"]} for r in reports],
        )
        if failed:
            names = ", ".join(f"{r.table} {r.date}" for r in failed)
            raise AirflowFailException(f"critical data-quality failure: {names}")
        return reports


def validation_task(table: str | Sequence[str], dates: Any = "{{ ds_nodash }}", **kwargs: Any) -> DataQualityOperator:
    """``validate_<table>`` task for the batch DAGs: put it right after the step that builds ``table``."""
    tables = [table] if isinstance(table, str) else list(table)
    task_id = kwargs.pop("task_id", f"validate_{tables[0].lower()}" if len(tables) == 1 else "validate")
    return DataQualityOperator(task_id=task_id, tables=tables, dates=dates, **kwargs)
