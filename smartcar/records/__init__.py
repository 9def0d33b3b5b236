"""Search and correct driving records in HBase (issue 8; docs/original-system.md#real-time-requirements, requirement 2).

Python API::

    from smartcar.records import RecordQuery, search, count, correct, history

    query = RecordQuery.build("Z0020", "2020032210", "2020032210", ["speed>100", "steer_angle in L2,L3"])
    for record in search(query):          # streams; DriverCarInfo on the configured HBase
        print(record.key, record.values["speed"])
    correct("00601030106102-Z0020", ["speed=90"], user="ops", reason="radar check")
    print(history("00601030106102-Z0020").versions["speed"])

The same code runs against a production HBase Thrift gateway: only happybase and filter-language
strings every HBase understands are used. The CLI is ``smartcar records search|correct|history``.
"""

from smartcar.records.conditions import Condition, Op, parse_condition
from smartcar.records.corrections import AUDIT_TABLE, Correction, RecordHistory, correct, history
from smartcar.records.errors import (
    ConditionError,
    CorrectionError,
    RecordsError,
    RowKeyError,
    TimeRangeError,
)
from smartcar.records.keys import TimeRange
from smartcar.records.search import Plan, Record, RecordQuery, count, plan, search

__all__ = [
    "AUDIT_TABLE",
    "Condition",
    "ConditionError",
    "Correction",
    "CorrectionError",
    "Op",
    "Plan",
    "Record",
    "RecordHistory",
    "RecordQuery",
    "RecordsError",
    "RowKeyError",
    "TimeRange",
    "TimeRangeError",
    "correct",
    "count",
    "history",
    "parse_condition",
    "plan",
    "search",
]
