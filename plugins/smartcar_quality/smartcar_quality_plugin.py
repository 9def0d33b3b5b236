"""Airflow plugin entry: registers the "Data Docs" extra link of the validation tasks."""

from __future__ import annotations

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from smartcar_quality.operators import DataDocsLink


class SmartcarQualityPlugin(AirflowPlugin):
    name = "smartcar_quality"
    operator_extra_links: ClassVar[list] = [DataDocsLink()]
