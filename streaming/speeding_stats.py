"""Figures behind the speeding page's charts: alerts per hour and speeding cars per area.

A speeding member is ``<car>-<timestamp of the window's last event>`` (the original's format), so
the hour comes from the member itself and the area from that event's row in HBase (one batched
get of the members' row keys).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from smartcar.core.driving_record import TABLE, column, row_key
from smartcar.settings import Settings

MAX_AREA_LOOKUPS = 20_000
"""Members looked up in HBase for the area chart (a busy day of 100 cars has about 6,000)."""


def split_member(member: str) -> tuple[str, str]:
    car, _, stamp = member.partition("-")
    return car, stamp


def alerts_per_hour(members: Iterable[str]) -> list[int]:
    """Count of speeding windows per hour 00..23 of the event time."""
    hours = Counter(int(stamp[8:10]) for _, stamp in map(split_member, members) if len(stamp) == 14)
    return [hours.get(h, 0) for h in range(24)]


def cars_per_area(members: list[str], settings: Settings) -> dict[str, int]:
    """Distinct speeding cars per area code of the event that closed their window."""
    from smartcar.core.clients import hbase_connection

    keys = [row_key(stamp, car).encode() for car, stamp in map(split_member, members[:MAX_AREA_LOOKUPS])]
    area_column = column("area_number")
    cars: dict[str, set[str]] = {}
    conn = hbase_connection(settings)
    try:
        table = conn.table(TABLE)
        for i in range(0, len(keys), 2000):
            for key, data in table.rows(keys[i : i + 2000], columns=[area_column]):
                area = data.get(area_column, b"?").decode()
                cars.setdefault(area, set()).add(key.decode().rpartition("-")[2])
    finally:
        conn.close()
    return {area: len(c) for area, c in sorted(cars.items())}
