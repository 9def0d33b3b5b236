"""Typed, immutable rule definitions (what a rule *says*; :mod:`streaming.windows` says how it runs).

As in quixstreams, a window is a small declarative value (:class:`WindowSpec`) kept apart from
the state machine that implements it, so a rule file can be validated, compared and hot-swapped
without touching running window state. The JSON Schema (``include/rules/rule.schema.json``)
checks shape; :func:`rule_from_dict` adds the cross-field checks a schema cannot express.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from smartcar.core.driving_record import DRIVING_FIELDS, NUMERIC_FIELDS

WindowType = Literal["tumbling", "hopping", "sliding"]
TimeMode = Literal["event", "processing"]
AggregateFunction = Literal["avg", "min", "max", "sum", "count", "count_matching"]

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
CLAUSE_OPS = ("in", "not_in", "eq", "ne", "gt", "ge", "lt", "le")


class RuleError(ValueError):
    """A rule file that cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class WindowSpec:
    """``tumbling``: size = step; ``hopping``: overlapping, every ``step``; ``sliding``: hopping at a fine step."""

    type: WindowType
    size: int
    step: int
    time: TimeMode = "event"
    grace: int = 5

    def starts(self, epoch: int) -> range:
        """Starts of every window (aligned to the epoch) that contains ``epoch``."""
        last = epoch - epoch % self.step
        first = last - (self.size - self.step)
        first += (-first) % self.step  # first aligned start > epoch - size
        return range(first, last + 1, self.step)


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: Any

    def compile(self) -> Callable[[tuple], bool]:
        idx = DRIVING_FIELDS.index(self.field)
        value = self.value
        if self.field in NUMERIC_FIELDS:
            value = frozenset(int(v) for v in value) if self.op in ("in", "not_in") else float(value)
        elif self.op in ("in", "not_in"):
            value = frozenset(str(v) for v in value)
        else:
            value = str(value)
        match self.op:
            case "in":
                return lambda e: e[idx] in value
            case "not_in":
                return lambda e: e[idx] not in value
            case "eq":
                return lambda e: e[idx] == value
            case "ne":
                return lambda e: e[idx] != value
            case "gt":
                return lambda e: e[idx] > value
            case "ge":
                return lambda e: e[idx] >= value
            case "lt":
                return lambda e: e[idx] < value
            case "le":
                return lambda e: e[idx] <= value
        raise RuleError(f"unknown clause operator {self.op!r}")


@dataclass(frozen=True)
class Aggregate:
    function: AggregateFunction
    field: str | None = None
    values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Condition:
    op: str
    value: float
    min_events: int = 1

    def holds(self, aggregate: float, count: int) -> bool:
        return count >= self.min_events and OPERATORS[self.op](aggregate, self.value)


@dataclass(frozen=True)
class RedisSetOutput:
    key: str
    member: str
    ttl_seconds: int = 604_800


@dataclass(frozen=True)
class Rule:
    name: str
    version: int
    key: str
    window: WindowSpec
    aggregate: Aggregate
    condition: Condition
    output: RedisSetOutput
    where: tuple[Clause, ...] = ()
    description: str = ""
    enabled: bool = True
    source: str = field(default="", compare=False)


def rule_from_dict(data: dict[str, Any], source: str = "") -> Rule:
    """Build a :class:`Rule` from a schema-valid mapping; raises :class:`RuleError` on semantic errors."""
    w = data["window"]
    wtype = w["type"]
    size = int(w["size_seconds"])
    step = int(w.get("step_seconds", size)) if wtype != "tumbling" else size
    if wtype == "tumbling" and "step_seconds" in w and int(w["step_seconds"]) != size:
        raise RuleError(f"{source}: a tumbling window has step = size; use type hopping for step {w['step_seconds']}")
    if step > size:
        raise RuleError(f"{source}: window step_seconds {step} is larger than size_seconds {size}")
    if size % step:
        raise RuleError(f"{source}: window size_seconds {size} must be a multiple of step_seconds {step}")
    window = WindowSpec(wtype, size, step, w.get("time", "event"), int(w.get("grace_seconds", 5)))
    a = data["aggregate"]
    values: tuple[Any, ...] = tuple(a.get("values", ()))
    if a["function"] == "count_matching" and a["field"] in NUMERIC_FIELDS:
        try:
            values = tuple(int(v) for v in values)
        except ValueError as exc:
            raise RuleError(f"{source}: count_matching values of {a['field']} must be integers") from exc
    elif a["function"] == "count_matching":
        values = tuple(str(v) for v in values)
    aggregate = Aggregate(a["function"], a.get("field"), values)
    where = []
    for clause in data.get("where", ()):
        ((op, value),) = [(k, v) for k, v in clause.items() if k != "field"]
        if clause["field"] in NUMERIC_FIELDS:
            items = value if isinstance(value, list) else [value]
            for item in items:
                try:
                    float(item)
                except (TypeError, ValueError) as exc:
                    raise RuleError(f"{source}: where {clause['field']} compares with non-number {item!r}") from exc
        where.append(Clause(clause["field"], op, tuple(value) if isinstance(value, list) else value))
    c = data["condition"]
    condition = Condition(c["op"], float(c["value"]), int(c.get("min_events", 1)))
    o = data["output"]["redis_set"]
    for template, allowed in ((o["key"], {"date", "rule"}), (o["member"], {"car", "timestamp", "rule"})):
        try:
            template.format(**dict.fromkeys(allowed, "x"))
        except (KeyError, IndexError, ValueError) as exc:
            raise RuleError(f"{source}: output template {template!r} uses unknown placeholder {exc}") from exc
    output = RedisSetOutput(o["key"], o["member"], int(o.get("ttl_seconds", 604_800)))
    return Rule(
        name=data["name"],
        version=int(data["version"]),
        key=data["key"],
        window=window,
        aggregate=aggregate,
        condition=condition,
        output=output,
        where=tuple(where),
        description=data.get("description", ""),
        enabled=bool(data.get("enabled", True)),
        source=source,
    )
