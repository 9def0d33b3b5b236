"""The expectations of every table, written from docs/data-formats.md and docs/business-rules.md.

Severity follows one rule: whatever would make a downstream number wrong (a column missing,
a code the rules do not know, a value out of its physical range, a duplicated key, a stage
that lost or invented rows, an empty or foreign partition) is ``critical`` and stops the
pipeline; what is merely unusual for the generator (a worn-out fleet, the 7-value job list
of the shipped master file) is a ``warning`` that is reported and logged.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from smartcar.lake.catalog import MASTER_COLUMNS, TableSpec, table_spec

CRITICAL = "critical"
WARNING = "warning"

CAR_NUMBER_REGEX = r"^[A-Z][0-9]{4}$"
TIMESTAMP_REGEX = r"^[0-9]{14}$"
AREA_REGEX = r"^[A-F](0[1-9]|10)$"
STEER_CODES = ["F", "L1", "L2", "L3", "R1", "R2", "R3"]
SIGNAL_CODES = ["N", "L", "R"]
LIGHT_CODES = ["1", "2"]
GRADE_CODES = ["A", "B", "C"]
SEXES = ["남", "여"]
MARRIAGES = ["기혼", "미혼"]
REGIONS = [
    "경기", "서울", "강원", "인천", "충북", "충남", "대전", "경북", "경남",
    "대구", "전북", "전남", "울산", "부산", "광주", "제주", "세종",
]  # fmt: skip
JOBS_SHIPPED = ["회사원", "공무원", "개인사업", "전문직", "프리랜서", "주부", "학생"]
JOBS_GENERATOR_2ND = ["무직", "회사원", "자영업", "공무원", "학생"]
CAPACITIES = [1000, 1200, 1500, 1700, 2000, 2500, 3000, 3500]
SYMPTOM_LABELS = ["normal", "abnormal"]
CHECK_LABELS = {
    "tire_check": "Tire Check",
    "light_check": "Light Check",
    "engine_check": "Engine Check",
    "break_check": "Brake Check",
    "battery_check": "Battery Check",
}


def _meta(rule: str) -> dict[str, str]:
    return {"notes": rule}


def columns_exact(spec: TableSpec) -> list[Expectation]:
    cols = [*spec.columns, *([spec.partition_key] if spec.partition_key else [])]
    return [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=cols, exact_match=True, severity=CRITICAL, meta=_meta("column set of the Hive DDL")
        )
    ]


def not_null(*columns: str) -> list[Expectation]:
    """Columns that are always filled; a numeric column that did not parse is null too."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(column=c, severity=CRITICAL, meta=_meta("always filled; numeric if numeric"))
        for c in columns
    ]


def in_set(
    columns: tuple[str, ...] | list[str], values: list, rule: str, severity: str = CRITICAL
) -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(column=c, value_set=values, severity=severity, meta=_meta(rule))
        for c in columns
    ]


def between(
    columns: tuple[str, ...] | list[str], low: float | None, high: float | None, rule: str
) -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high, severity=CRITICAL, meta=_meta(rule))
        for c in columns
    ]


def regex(column: str, pattern: str, rule: str) -> Expectation:
    return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=pattern, severity=CRITICAL, meta=_meta(rule))


def unique(*columns: str) -> Expectation:
    rule = "key unique within the partition"
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], severity=CRITICAL, meta=_meta(rule))
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns), severity=CRITICAL, meta=_meta(rule))


def not_empty(rule: str = "freshness: the partition exists and has rows") -> Expectation:
    return gxe.ExpectTableRowCountToBeBetween(min_value=1, severity=CRITICAL, meta=_meta(rule))


def of_date(column: str, date: str) -> Expectation:
    """Freshness: every row of a business-date partition belongs to that date."""
    return regex(column, rf"^{date}[0-9]{{6}}$", f"freshness: every {column} falls on {date}")


def master_rules(min_age: int) -> list[Expectation]:
    return [
        regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
        *not_null(*MASTER_COLUMNS),
        *in_set(["sex"], SEXES, "sex 남/여"),
        *in_set(["marriage"], MARRIAGES, "marriage 기혼/미혼"),
        *in_set(["region"], REGIONS, "17 provinces/cities"),
        *in_set(["job"], sorted({*JOBS_SHIPPED, *JOBS_GENERATOR_2ND}), "job of either master edition"),
        *in_set(["job"], JOBS_SHIPPED, "job list of the shipped CarMaster.txt (7 values)", severity=WARNING),
        *in_set(["car_capacity"], CAPACITIES, "engine displacement list"),
        *between(["age"], min_age, 70, f"age {min_age}-70"),
        *between(["car_year"], 2000, 2016, "car year 2000-2016"),
        *in_set(["car_model"], list("ABCDEFGH"), "car model A-H"),
    ]


def status_rules() -> list[Expectation]:
    tires = ("tire_fl", "tire_fr", "tire_bl", "tire_br")
    lights = ("light_fl", "light_fr", "light_bl", "light_br")
    return [
        regex("reg_date", TIMESTAMP_REGEX, "14-digit yyyyMMddHHmmss (hour 24 allowed)"),
        regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
        *not_null(*tires, "battery", *lights, "engine", "break"),
        *between(tires, 0, 100, "tire 0-100"),
        *between(["battery"], 0, 100, "battery 0-100"),
        *in_set(lights, LIGHT_CODES, "light 1 (ok) / 2 (failed)"),
        *in_set(["engine", "break"], GRADE_CODES, "engine/brake grade A/B/C"),
        *[
            gxe.ExpectColumnMeanToBeBetween(
                column=t, min_value=75, max_value=100, severity=WARNING, meta=_meta("generator mean is about 87")
            )
            for t in tires
        ],
    ]


def drive_rules() -> list[Expectation]:
    return [
        regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
        *not_null("speed_pedal", "break_pedal", "speed", "steer_angle", "direct_light", "area_number"),
        *between(["speed_pedal"], 0, 5, "accelerator step 0-5"),
        *between(["break_pedal"], 0, 3, "brake step 0-3"),
        *between(["speed"], 0, 250, "speed 0-250 km/h"),
        *in_set(["steer_angle"], STEER_CODES, "steering F/L1-3/R1-3"),
        *in_set(["direct_light"], SIGNAL_CODES, "turn signal N/L/R"),
        regex("area_number", AREA_REGEX, "area code [A-F]01..10"),
    ]


def build_rules(table: str, date: str | None) -> list[Expectation]:
    """The static expectations of ``table`` for partition ``date`` (reconciliations come on top)."""
    spec = table_spec(table)
    builders: dict[str, Callable[[], list[Expectation]]] = {
        "smartcar_status_info": lambda: [not_empty(), status_rules(), unique("car_number", "reg_date")],
        "smartcar_master": lambda: [not_empty(), master_rules(15), unique("car_number")],
        "smartcar_item_buylist": lambda: [
            not_empty(),
            regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
            regex("item", r"^Item-0[0-9]{2}$", "item Item-001..030"),
            not_null("score"),
            between(["score"], 1, 5, "score 1-5"),
            regex("month", r"^[0-9]{6}$", "month yyyyMM"),
        ],
        "smartcar_drive_info_2": lambda: [
            not_empty(),
            regex("r_date", TIMESTAMP_REGEX, "14-digit timestamp"),
            drive_rules(),
            unique("r_key"),
            *([of_date("r_date", date)] if date else []),
        ],
        "smartcar_master_over18": lambda: [not_empty(), master_rules(18), unique("car_number")],
        "managed_smartcar_status_info": lambda: [
            not_empty(),
            master_rules(18),
            status_rules(),
            unique("car_number", "reg_date"),
            *([of_date("reg_date", date)] if date else []),
        ],
        "managed_smartcar_drive_info": lambda: [
            not_empty(),
            master_rules(18),
            drive_rules(),
            unique("car_number", "reg_date"),
            *([of_date("reg_date", date)] if date else []),
        ],
        "managed_smartcar_symptom_info": lambda: [
            regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
            not_null("speed_p_avg", "break_p_avg", "steer_a_cnt"),
            between(["speed_p_avg"], 0, 5, "average accelerator step 0-5"),
            between(["break_p_avg"], 0, 3, "average brake step 0-3"),
            between(["steer_a_cnt"], 1, None, "inner join with sharp turns: at least one"),
            in_set(("speed_p_symptom", "break_p_symptom", "steer_p_symptom"), SYMPTOM_LABELS, "labels normal/abnormal"),
            unique("car_number"),
            *[
                gxe.ExpectColumnValuesToBeInSet(
                    column="steer_p_symptom",
                    value_set=[label],
                    row_condition=condition,
                    severity=CRITICAL,
                    meta=_meta("steer_p_symptom is abnormal exactly when there are more than 2000 sharp turns"),
                )
                for label, condition in (
                    ("abnormal", Column("steer_a_cnt") > 2000),
                    ("normal", Column("steer_a_cnt") <= 2000),
                )
            ],
        ],
        "managed_smartcar_emergency_check_info": lambda: [
            regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
            *[in_set([c], [label], f"{c} is '{label}' or null") for c, label in CHECK_LABELS.items()],
            unique("car_number"),
            gxe.ExpectColumnValuesToNotBeNull(
                column="battery_check",
                row_condition=functools.reduce(
                    operator.and_, (Column(c).is_null() for c in CHECK_LABELS if c != "battery_check")
                ),
                severity=CRITICAL,
                meta=_meta("only cars with at least one triggered check are written"),
            ),
        ],
        "managed_smartcar_item_buylist_info": lambda: [
            not_empty(),
            master_rules(18),
            regex("item", r"^Item-0[0-9]{2}$", "item Item-001..030"),
            not_null("score"),
            between(["score"], 1, 5, "score 1-5"),
        ],
        "managed_smartcar_item_recommend_info": lambda: [
            not_empty(),
            regex("car_number", CAR_NUMBER_REGEX, "car number: letter + 4 digits"),
            regex("item", r"^Item-0[0-9]{2}$", "item Item-001..030"),
            not_null("score", "rank"),
            between(["score"], 1, 5, "a weighted average of scores 1-5"),
            between(["rank"], 1, 3, "three recommendations per car"),
            unique("car_number", "rank"),
            unique("car_number", "item"),
        ],
    }
    flat: list[Expectation] = columns_exact(spec)
    for item in builders[spec.name]():
        flat.extend(item if isinstance(item, list) else [item])
    return flat
