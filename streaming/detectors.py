"""The rule engine: runs every loaded rule over the event stream and hot-swaps rule versions.

A changed rule never disturbs windows already open. The running version (a *generation*) is
fenced at a cut-over time ``T`` = the end of its newest open window (or the next window boundary
when none is open): it keeps folding events into windows that start before ``T`` until they
close, and the new version only opens windows starting at or after ``T``. So "80 -> 100" applies
from the next window on, no event is dropped, and no window is evaluated half under each version.
The same mechanism covers a changed window size or aggregate, which a threshold-only patch of
the running state could not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping

from streaming.events import DrivingEvent
from streaming.rules.model import Rule
from streaming.windows import NEG_INF, POS_INF, Alert, WindowedAggregation

log = logging.getLogger(__name__)


class DetectorEngine:
    """All rules x their live generations; not thread-safe (one per processor loop)."""

    def __init__(self, rules: Mapping[str, Rule] | None = None, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.started = int(clock())
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

    def set_rules(self, rules: Mapping[str, Rule]) -> None:
        """Install a new rule set; unchanged rules keep their state untouched."""
        for name, gens in list(self.generations.items()):
            current = gens[-1]
            if name not in rules:
                log.warning("rule %s removed: open windows of v%s finish, no new ones", name, current.rule.version)
                current.hi = self._cutover(current)
        for name, rule in rules.items():
            gens = self.generations.setdefault(name, [])
            current = gens[-1] if gens and gens[-1].hi == POS_INF else None
            if current is not None and current.rule == rule:
                continue
            origin = 0 if rule.window.time == "event" else self.started
            if current is None:
                gen = WindowedAggregation(rule, origin=origin)
                if gens:  # re-added after removal: start after the old fence
                    gen.lo = max(g.hi for g in gens)
                    gen.closed_before = gens[-1].closed_before
                    gen.max_time = gens[-1].max_time
                log.info("rule %s v%s active (%s)", name, rule.version, rule.source)
            else:
                cut = self._cutover(current)
                current.hi = cut
                # new windows start on the new version's grid, at or after the cut-over
                lo = cut + (-(cut - origin)) % rule.window.step if cut > NEG_INF else NEG_INF
                gen = WindowedAggregation(rule, lo=lo, origin=origin)
                gen.closed_before = current.closed_before
                gen.max_time = current.max_time
                log.info(
                    "rule %s v%s -> v%s (%s): windows starting from %s use the new version",
                    name,
                    current.rule.version,
                    rule.version,
                    rule.source,
                    gen.lo,
                )
            gens.append(gen)
        self._active = dict(rules)

    def _cutover(self, gen: WindowedAggregation) -> int:
        end = gen.max_open_end()
        now = gen.max_time if gen.event_time else int(self.clock())
        boundary = gen.next_boundary(now) if now > NEG_INF else NEG_INF
        return max(end if end is not None else NEG_INF, boundary)

    # --- events -------------------------------------------------------------------------------
    def process(self, events: list[DrivingEvent], min_start: int = NEG_INF) -> None:
        """Fold a batch of one partition's events into every live generation."""
        now = None
        for gens in self.generations.values():
            for gen in gens:
                if gen.event_time:
                    gen.add(events, min_start)
                else:
                    if now is None:
                        now = int(self.clock())
                    gen.add(events, now=now)

    def close_due(self, stream_time: int | None, idle_advance: int = 0) -> list[Alert]:
        """Close windows the watermark has passed.

        ``stream_time`` is the event time all inputs have reached (the processor passes the
        minimum over its active partitions; ``None``: unknown yet, event-time windows stay open);
        ``idle_advance`` pushes it on when input stalls. Processing-time windows use the clock.
        """
        alerts: list[Alert] = []
        now = int(self.clock())
        for name, gens in list(self.generations.items()):
            for gen in gens:
                if not gen.event_time:
                    alerts.extend(gen.close(now))
                elif stream_time is not None:
                    alerts.extend(gen.close(stream_time + idle_advance - gen.spec.grace))
            # drop fenced generations that have nothing left to close
            keep = [g for g in gens if g.hi == POS_INF or g.open or g.closed_before < g.hi + g.spec.size]
            if keep:
                self.generations[name] = keep
            else:
                del self.generations[name]
        return alerts

    def floor(self) -> int:
        """Earliest event time any open event-time window may still need (for offset commits)."""
        floors = [g.floor() for gens in self.generations.values() for g in gens if g.event_time]
        return min(floors, default=POS_INF)

    def reset(self) -> None:
        """Forget all window state (after a partition rebalance; it is rebuilt by replay)."""
        rules = self.rules
        self.generations = {}
        self.set_rules(rules)

    # --- introspection ----------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        return {
            "open_windows": sum(g.open_keys() for gens in self.generations.values() for g in gens),
            "late_events": sum(g.late for gens in self.generations.values() for g in gens),
        }


def run_rules(rules: Mapping[str, Rule], events: Iterable[DrivingEvent], flush_after: int = 3600) -> list[Alert]:
    """Convenience for tests/tools: all alerts of a finite event-time stream (windows flushed at the end)."""
    engine = DetectorEngine(rules)
    batch = list(events)
    engine.process(batch)
    stream_time = max((e.epoch for e in batch), default=None)
    alerts = engine.close_due(stream_time)
    alerts.extend(engine.close_due(stream_time, idle_advance=flush_after))
    return alerts
