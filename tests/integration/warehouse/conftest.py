"""Fixtures of the warehouse integration tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the hand-made inputs module next to the tests


@pytest.fixture(scope="session")
def warehouse_services(hive_service, hbase_service, airflow_home):
    """HiveServer2, HBase and an Airflow DB, all of this test session."""
    return hive_service
