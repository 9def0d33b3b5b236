"""The data-quality operator and its "Data Docs" extra link (plugin class in ``smartcar_quality_plugin``).

Import :class:`DataQualityOperator` or the :func:`validation_task` factory in DAG files.
"""

from __future__ import annotations

from smartcar_quality.operators import DataDocsLink, DataQualityOperator, validation_task

__all__ = ["DataDocsLink", "DataQualityOperator", "validation_task"]
