"""Small hand-made inputs whose mart rows are worked out by hand in the tests (see test_marts.py).

Cars (master, pipe-delimited):
  A0001 age 30, B0002 age 17 (under 18: must vanish from every mart), C0003 age 18 (boundary: kept),
  D0004 45, E0005 52, F0006 23, G0007 61. Z0099 appears in the logs but not in the master.
"""

from __future__ import annotations

from smartcar.core.driving_record import row_key

DAY1 = "19990622"
DAY2 = "19990623"
LOAD1 = "19990623"  # the status file of DAY1 is collected the next day: wrk_date != biz_date
LOAD2 = "19990624"
MONTH1 = "199906"
MONTH2 = "199907"
# Unusual dates on purpose: the session's HBase table and metastore are shared with other areas' tests.

MASTER = (
    "\n".join(
        [
            "A0001|남|30|미혼|서울|회사원|2000|2010|A",
            "B0002|여|17|미혼|부산|학생|1000|2015|B",
            "C0003|남|18|기혼|경기|공무원|1500|2012|C",
            "D0004|여|45|기혼|대전|주부|2500|2008|D",
            "E0005|남|52|기혼|광주|전문직|3000|2005|E",
            "F0006|여|23|미혼|제주|프리랜서|1200|2016|F",
            "G0007|남|61|기혼|세종|개인사업|3500|2001|G",
        ]
    )
    + "\n"
)

BUYLIST = (
    "\n".join(
        [
            "A0001,Item-001,5,199906",
            "B0002,Item-002,1,199906",  # under 18
            "D0004,Item-004,4,199906",
            "Z0099,Item-009,3,199906",  # not in the master
        ]
    )
    + "\n"
)
BUYLIST_MONTH2 = "C0003,Item-003,2,199907\n"

STATUS_HEADER = (
    "SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,"
    "EngineInfo,BreakInfo,BatteryInfo"
)


def status_line(ts: str, car: str, tires=(90, 90, 90, 90), lights=(1, 1, 1, 1), engine="A", brake="A", battery=90):
    return ",".join([ts, car, *map(str, tires), *map(str, lights), engine, brake, str(battery)])


def status_day1() -> str:
    """9 lines in: 2 headers + 7 records; 5 records of adults in the master reach the mart."""
    return (
        "\n".join(
            [
                STATUS_HEADER,
                # A0001: tire_fl average (70 + 85) / 2 = 77.5 < 80 -> Tire Check only. Second record is the
                # 240000 stamp: it belongs to 20200322 (first 8 characters), not to the next day.
                status_line(f"{DAY1}000000", "A0001", tires=(70, 90, 90, 90)),
                status_line(f"{DAY1}240000", "A0001", tires=(85, 90, 90, 90)),
                STATUS_HEADER,
                # C0003 (age 18): light_bl 2, engine C, brake C, battery (20 + 30) / 2 = 25 < 30 -> four checks.
                status_line(f"{DAY1}000004", "C0003", lights=(1, 1, 2, 1), engine="C", battery=20),
                status_line(f"{DAY1}000008", "C0003", brake="C", battery=30),
                # D0004: boundaries only (tires exactly 80, battery exactly 30, engine/brake B) -> no check.
                status_line(f"{DAY1}000004", "D0004", tires=(80, 80, 80, 80), engine="B", brake="B", battery=30),
                # B0002 is under 18 and Z0099 is unknown: both vanish although they have failures.
                status_line(f"{DAY1}000004", "B0002", engine="C"),
                status_line(f"{DAY1}000004", "Z0099", brake="C"),
            ]
        )
        + "\n"
    )


def status_day2() -> str:
    """4 lines in: 1 header + 3 records (A0001 fine, F0006 battery 10 -> Battery Check, B0002 under 18)."""
    return (
        "\n".join(
            [
                STATUS_HEADER,
                status_line(f"{DAY2}000000", "A0001"),
                status_line(f"{DAY2}000000", "F0006", battery=10),
                status_line(f"{DAY2}000000", "B0002", battery=10),
            ]
        )
        + "\n"
    )


def _ts(day: str, second: int) -> str:
    return f"{day}{second // 3600:02d}{second // 60 % 60:02d}{second % 60:02d}"


def drive_events_day1() -> list[tuple[str, str, str, str, str, str, str, str]]:
    """Driving events of DAY1 as ``(date, car, speed_pedal, break_pedal, steer, light, speed, area)``.

    Rows per car and their pedals (every car in the mart except B0002, who is under 18):
      A0001 1 row   speed_pedal 0  break_pedal 3  steer L2
      C0003 2000    0              0              R3      (exactly 2000 sharp turns -> normal)
      D0004 2001    0              0              L3      (2001 -> abnormal)
      E0005 1       0              0              F       (no sharp turn -> not in the symptom mart)
      F0006 1       0              0              R2
      G0007 1       5              0              L2      (stamped 240000, still DAY1)
      B0002 1       5              3              L3      (under 18: excluded before any average)
    Worked out in test_marts.py.
    """
    rows = [(f"{DAY1}000000", "A0001", "0", "3", "L2", "L", "40", "A01")]
    rows += [(_ts(DAY1, 2 * i), "C0003", "0", "0", "R3", "R", "60", "B02") for i in range(2000)]
    rows += [(_ts(DAY1, 2 * i), "D0004", "0", "0", "L3", "L", str(100 + i % 3), "C03") for i in range(2001)]
    rows += [(f"{DAY1}000002", "E0005", "0", "0", "F", "N", "30", "A01")]
    rows += [(f"{DAY1}000002", "F0006", "0", "0", "R2", "R", "50", "A01")]
    rows += [(f"{DAY1}240000", "G0007", "5", "0", "L2", "L", "120", "C03")]
    rows += [(f"{DAY1}000004", "B0002", "5", "3", "L3", "L", "250", "A01")]
    return rows


def drive_events_day2() -> list[tuple[str, str, str, str, str, str, str, str]]:
    """DAY2: A0001 with 2 rows (speed_pedal 1 and 3, steer L2 both); F0006 1 row F; the first
    row of DAY2 at 000000 must not be confused with DAY1's 240000 row."""
    return [
        (f"{DAY2}000000", "A0001", "1", "0", "L2", "L", "70", "A01"),
        (f"{DAY2}000002", "A0001", "3", "0", "L2", "L", "90", "A02"),
        (f"{DAY2}000002", "F0006", "0", "0", "F", "N", "10", "A01"),
    ]


def drive_rows(events) -> list[tuple[str, ...]]:
    """Events -> SmartCar_Drive_Info_2 rows (r_key first, as the HBase copy produces them)."""
    return [(row_key(e[0], e[1]), *e) for e in events]
