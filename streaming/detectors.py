"""The rule engine: runs every loaded rule over the event stream and hot-swaps rule versions.

A changed rule never disturbs windows already open. The running version (a *generation*) is
fenced at a cut-over time ``T`` = the end of its newest open window (or the next window boundary
when none is open): it keeps folding events into windows that start before ``T`` until they
close, and the new version only opens windows starting at or after ``T``. So "80 -> 100" applies
from the next window on, no event is dropped, and no window is evaluated half under each version.
The same mechanism covers a changed window size or aggregate, which a threshold-only patch of
the running state could not.

Days are independent (see :mod:`streaming.windows`), so the cut-over is per day: in each day the
old version has seen, it keeps the windows up to that day's ``T``; a day it never saw (a past day
streamed after the change) is the new version's from its first window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping

from streaming.events import DrivingEvent
from streaming.rules.model import Rule
from streaming.windows import NEG_INF, POS_INF, Alert, DayWindows, WindowedAggregation

log = logging.getLogger(__name__)


class DetectorEngine:
    """All rules x their live generations x days, for one input partition; not thread-safe.

    One engine per partition keeps a partition's windows closed by that partition's own per-day
    watermarks: producers key events by car, so a car's windows never need another partition.
    """

    def __init__(
        self,
        rules: Mapping[str, Rule] | None = None,
        clock: Callable[[], float] = time.time,
        started: int | None = None,
    ) -> None:
        self.clock = clock
        self.started = int(clock()) if started is None else started
        self.generations: dict[str, list[WindowedAggregation]] = {}
        self._active: dict[str, Rule] = {}
        if rules:
            self.set_rules(rules)

    # --- rules --------------------------------------------------------------------------
    @property
    def rules(self) -> dict[str, Rule]:
        """The live rule set, swapped in one assignment so readers on other threads (the health
        record, tests) never see a rule missing half-way through a reload."""
        return self._active

    def set_rules(self, rules: Mapping[str, Rule], quiet: bool = False) -> None:
        """Install a new rule set; unchanged rules keep their state untouched."""
        for name, gens in list(self.generations.items()):
            current = gens[-1]
            if name not in rules and not current.fenced:
                if not quiet:
                    log.warning("rule %s removed: open windows of v%s finish, no new ones", name, current.rule.version)
                self._fence(current)
        for name, rule in rules.items():
            gens = self.generations.setdefault(name, [])
            current = gens[-1] if gens and not gens[-1].fenced else None
            if current is not None and current.rule == rule:
                continue
            gen = WindowedAggregation(rule, origin=0 if rule.window.time == "event" else self.started)
            if current is not None:
                self._fence(current)
            self._take_over(gens, gen)
            if not quiet:
                if current is None:
                    log.info("rule %s v%s active (%s)", name, rule.version, rule.source)
                else:
                    log.info(
                        "rule %s v%s -> v%s (%s): from the next window of each day on",
                        name,
                        current.rule.version,
                        rule.version,
                        rule.source,
                    )
            gens.append(gen)
        self._active = dict(rules)

    def _fence(self, gen: WindowedAggregation) -> None:
        """Stop ``gen`` at each day's cut-over: it finishes the windows it has, and takes no new day."""
        now = None if gen.event_time else int(self.clock())
        gen.fenced = True
        for dw in gen.days.values():
            dw.hi = gen.cutover(dw, now)

    @staticmethod
    def _take_over(older: list[WindowedAggregation], gen: WindowedAggregation) -> None:
        """The new generation starts each day the older ones know at the window after their fence."""
        step, origin = gen.spec.step, gen.origin
        for old in older:
            for day, odw in old.days.items():
                dw = gen.days.get(day)
                if dw is None:
                    dw = gen.days[day] = DayWindows()
                cut = odw.hi
                lo = cut + (-(cut - origin)) % step if NEG_INF < cut < POS_INF else cut
                dw.lo = max(dw.lo, lo)
                dw.closed_before = max(dw.closed_before, odw.closed_before)
                dw.max_time = max(dw.max_time, odw.max_time)

    # --- events -------------------------------------------------------------------------------
    def process(
        self, events: list[DrivingEvent], floors: Mapping[int, int] | None = None, below_floor: str = "below_floor"
    ) -> None:
        """Fold a batch of this partition's events into every live generation.

        ``floors``: per day, the replay floor (windows before it were already reported);
        ``below_floor``: the reason events under it are counted with (``late`` for new events).
        """
        now = None
        for gens in self.generations.values():
            for gen in gens:
                if gen.event_time:
                    gen.add(events, floors, below_floor=below_floor)
                else:
                    if now is None:
                        now = int(self.clock())
                    gen.add(events, now=now)

    def close_due(self, marks: Mapping[int, int] | int | None, idle_advance: int = 0) -> list[Alert]:
        """Close windows the watermark has passed.

        ``marks``: per day, the event time this partition has reached in that day (idleness
        included, see :mod:`streaming.watermarks`); an ``int`` applies to every day (tests,
        flushes); ``None``: unknown yet, event-time windows stay open. Each rule subtracts its
        grace. Processing-time windows use the clock.
        """
        alerts: list[Alert] = []
        now = int(self.clock())
        for name, gens in list(self.generations.items()):
            for gen in gens:
                grace = gen.spec.grace
                if not gen.event_time:
                    alerts.extend(gen.close(now))
                elif isinstance(marks, int):
                    alerts.extend(gen.close(marks + idle_advance - grace))
                elif marks:
                    alerts.extend(gen.close_days({d: m + idle_advance - grace for d, m in marks.items()}))
            keep = [g for g in gens if not g.finished()]
            if keep:
                self.generations[name] = keep
            else:
                del self.generations[name]
        return alerts

    def floors(self) -> dict[int, int]:
        """Per day, the earliest event time any open event-time window may still need (offset commits)."""
        out: dict[int, int] = {}
        for gens in self.generations.values():
            for gen in gens:
                if gen.event_time:
                    for day, floor in gen.floors().items():
                        out[day] = min(floor, out.get(day, POS_INF))
        return out

    def forget_days(self, days: Iterable[int]) -> None:
        """Drop the state of days past the retention (their windows were closed long ago)."""
        for gens in self.generations.values():
            for gen in gens:
                for day in days:
                    gen.days.pop(day, None)

    # --- introspection ----------------------------------------------------------------------
    def open_windows(self, rule: str | None = None) -> int:
        """Open accumulators (car x window), of every rule or of one."""
        return sum(g.open_keys() for name, gens in self.generations.items() if rule in (None, name) for g in gens)

    def not_windowed(self) -> dict[str, dict[str, int]]:
        """``{reason: {rule: events}}`` of events a rule could not window (late, below the replay floor)."""
        out: dict[str, dict[str, int]] = {"late": {}, "below_floor": {}}
        for name, gens in self.generations.items():
            for gen in gens:
                _add_counts(out, {reason: {name: n} for reason, n in gen.not_windowed.items()})
        return out


def _add_counts(into: dict[str, dict[str, int]], counts: Mapping[str, Mapping[str, int]]) -> None:
    """Add ``{reason: {rule: events}}`` into ``into``."""
    for reason, by_rule in counts.items():
        target = into.setdefault(reason, {})
        for rule, n in by_rule.items():
            target[rule] = target.get(rule, 0) + n


class Detectors:
    """The live rule set and one :class:`DetectorEngine` per owned partition (what the processor holds)."""

    def __init__(self, rules: Mapping[str, Rule] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.started = int(clock())
        self._active: dict[str, Rule] = {}
        self.engines: dict[int, DetectorEngine] = {}
        self._gone: dict[str, dict[str, int]] = {"late": {}, "below_floor": {}}
        """Counts of engines dropped on a revocation, so the totals never go backwards."""
        self.set_rules(rules or {})

    @property
    def rules(self) -> dict[str, Rule]:
        return self._active

    def set_rules(self, rules: Mapping[str, Rule]) -> None:
        """Every partition's engine cuts over (per day, see the module docstring); logged once here."""
        for engine in self.engines.values():
            engine.set_rules(rules, quiet=True)
        for name, old in self._active.items():
            if name not in rules:
                log.warning("rule %s removed: open windows of v%s finish, no new ones", name, old.version)
        for name, rule in rules.items():
            old = self._active.get(name)
            if old is None:
                log.info("rule %s v%s active (%s)", name, rule.version, rule.source)
            elif old != rule:
                log.info(
                    "rule %s v%s -> v%s (%s): from the next window of each day on",
                    name,
                    old.version,
                    rule.version,
                    rule.source,
                )
        self._active = dict(rules)

    def partition(self, p: int) -> DetectorEngine:
        engine = self.engines.get(p)
        if engine is None:
            engine = self.engines[p] = DetectorEngine(None, self.clock, self.started)
            engine.set_rules(self._active, quiet=True)
        return engine

    def drop(self, p: int) -> None:
        engine = self.engines.pop(p, None)
        if engine is not None:
            _add_counts(self._gone, engine.not_windowed())

    def not_windowed(self) -> dict[str, dict[str, int]]:
        out = {reason: dict(by_rule) for reason, by_rule in self._gone.items()}
        for engine in self.engines.values():
            _add_counts(out, engine.not_windowed())
        return out

    def open_windows(self, rule: str | None = None) -> int:
        return sum(e.open_windows(rule) for e in list(self.engines.values()))

    def stats(self) -> dict[str, int]:
        late = self.not_windowed()["late"]
        return {
            "open_windows": self.open_windows(),
            "late_events": max(late.values(), default=0),
        }
