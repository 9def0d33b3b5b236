"""The stream processor: Kafka consumer group -> HBase (every event) + rule detectors -> Redis.

Why hand-written on confluent-kafka and not quixstreams (measured 2026-11-22 on this 2-core
machine, under contention, the then-embedded broker, 200,000 simulator lines in 2 partitions):

* quixstreams 3.28.1, ``apply(parse) -> tumbling_window(30 s).mean().final()``, no sinks at all:
  about 25,000 events/s at-least-once and 22,000 events/s exactly-once (the broker accepted
  the transactions). One trivial window already uses the whole budget of the 20,000 events/s
  end-to-end target, before HBase writes and before two more rules (each rule is one more
  RocksDB-backed window in quixstreams, and every state update is a RocksDB write + changelog
  message);
* a plain confluent-kafka ``consume(5000)`` loop with ``split`` reads the same topic at about
  90,000 events/s, which leaves room for HBase and the detectors.

So windows are plain dicts (:mod:`streaming.windows`), and restart safety comes from *replay*
instead of a changelog: offsets are committed only

1. after the HBase batch, the dead letters and the Redis alerts of every consumed event have
   been written (synchronously, in that order), and
2. only up to the oldest event an open event-time window of any day may still need (its *floor*,
   kept per day and stored in Redis, with the offset read up to, before the commit).

The HBase batch of one consume() call is written by a background thread while the main thread
parses and windows the next batch (at most one batch in flight); the sink splits the batch over
several Thrift connections, because the round trips wait on HBase's CPU (real HBase 2.6.1 on two
cores: 19.6 k events/s end to end with one connection, 24.4 k with four, 600,000 events).
Every commit first waits for the batch in flight, and a failed write (after the sink's retries)
is raised in the main thread before any later commit, so rule 1 above still holds. Alerts of a
batch may reach Redis while its HBase write is still in flight; both are done before the offsets
covering them are committed.

A restarted (or ``kill -9``-ed) processor resumes from the committed offsets, rewrites the
replayed events to HBase (same row key and cell timestamp: no duplicates), rebuilds every open
window from complete input, and re-emits at most alerts it had already written (Redis sets and
alert ids make those no-ops). Replayed events older than their day's stored floor are stored but
not windowed (``below_floor``), because their windows were closed and reported before the crash;
new events there are ``late``. Event time is per partition **and day** (:mod:`streaming.watermarks`):
any mix of days is windowed exactly. An event dated more than ``stream_max_future_s`` ahead of
the wall clock is a dead letter; one older than the state retention is stored and counted
(``too_old``). Every event stored but not windowed is counted by reason in the health record.
Processing-time windows (the
original's ``time_batch``) cannot be rebuilt by replay by their nature; they do not hold back
commits and lose their open batch on a crash, as Esper did.

Scaling: several processes in the same consumer group share the partitions (eager rebalance;
on a rebalance the window state is dropped and rebuilt by replay from the committed offsets).
Each partition has its own windows (:class:`~streaming.detectors.Detectors`): per-car rules need
each car's events in one partition, so producers key messages by car number (the original topic
had one partition and no key).

This module keeps the loop; the parts live beside it: per-partition state
(:mod:`streaming.partitions`), the commit plan (:mod:`streaming.offsets`), per-day event time and
idleness (:mod:`streaming.watermarks`), the sinks behind one interface (:mod:`streaming.sinks.base`).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from smartcar.core.clients import kafka_consumer, redis_client
from smartcar.core.kafka_topics import ensure_topics, platform_topics
from smartcar.settings import Settings
from streaming import health as stream_health
from streaming.detectors import Detectors
from streaming.driving_days import DayActivity
from streaming.events import DeadLetter, parse_line
from streaming.offsets import commit_plan
from streaming.partitions import PartitionState, consumer_lag
from streaming.rate import RateMeter
from streaming.rules.loader import RulesWatcher
from streaming.sinks.base import Batch, Sink
from streaming.sinks.kafka_topics_sink import KafkaTopicsSink
from streaming.sinks.redis_sink import RedisSink
from streaming.watermarks import IdlenessProbe, day_marks
from streaming.windows import DAY_SECONDS, Alert, day_of

log = logging.getLogger(__name__)


@dataclass
class ProcessorConfig:
    batch_size: int = 5000
    poll_timeout_s: float = 0.2
    commit_interval_s: float = 1.0
    health_interval_s: float = 1.0
    rules_poll_s: float = 2.0
    idle_advance_after_s: float = 10.0
    """A day with no input for this long has its event time pushed on by the wall time that passes,
    so its last windows close (Flink's idleness); a partition silent this long with nothing left to
    read follows the others. Simulated time runs ~20x wall time, so this is safe."""
    hbase: bool = True
    max_seconds: float | None = None
    """Bounded run (the supervisor DAG's runs); ``None`` runs until stopped."""
    stop_when_idle_s: float | None = None
    """Exit once no message arrived for this long and all offsets are committed (tests, bench)."""
    rules_dir: Path | None = None
    instance: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")


@dataclass
class Counters:
    processed: int = 0
    valid: int = 0
    dead_letters: int = 0
    alerts: int = 0
    dead_letter_reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    too_old: int = 0
    """Stored in HBase but older than the state retention: not windowed."""


class StreamProcessor:
    """One consumer-group member. ``run()`` blocks; ``stop()`` ends it gracefully from any thread."""

    def __init__(self, settings: Settings, config: ProcessorConfig | None = None) -> None:
        self.settings = settings
        self.config = config or ProcessorConfig()
        self.topic = self.settings.kafka_topic
        self.group = self.settings.kafka_consumer_group
        self.watcher = RulesWatcher(self.config.rules_dir or self.settings.rules_dir)
        self.engine = Detectors(self.watcher.poll() or {})
        self.counters = Counters()
        self._rate = RateMeter()
        self._days = DayActivity()  # business days written to HBase, for the "day complete" signal
        self._stop = threading.Event()
        self.redis = RedisSink(self.settings, self.group)
        self._health_client = redis_client(self.settings)
        self.sinks: list[Sink] = []
        if self.config.hbase:
            from streaming.sinks.hbase_sink import BackgroundHBaseSink

            self.sinks.append(BackgroundHBaseSink(self.settings))
        self.sinks += [self.redis, KafkaTopicsSink(self.settings)]
        self.consumer: Consumer | None = None
        self._idleness: IdlenessProbe | None = None
        self.parts: dict[int, PartitionState] = {}

    @property
    def assigned(self) -> set[int]:
        return set(self.parts)

    # --- lifecycle --------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def _make_consumer(self) -> Consumer:
        consumer = kafka_consumer(
            self.group,
            self.settings,
            **{
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": "range",
                "fetch.wait.max.ms": 100,
                # small per-partition fetches interleave partitions, keeping their event times close
                "max.partition.fetch.bytes": 262144,
                "client.id": self.config.instance,
            },
        )
        consumer.subscribe([self.topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        return consumer

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        floors = self.redis.read_floors()
        now = time.monotonic()  # the idle clock starts at assignment
        try:  # where reading resumes: lag and idleness are right before the first message arrives
            committed = {tp.partition: tp.offset for tp in consumer.committed(partitions, timeout=10) if tp.offset >= 0}
        except KafkaException as exc:
            log.warning("could not read the committed offsets of %s: %s", partitions, exc)
            committed = {}
        for tp in partitions:
            saved = floors.get(f"{tp.topic}:{tp.partition}")
            state = PartitionState(last_seen=now, committed=committed.get(tp.partition))
            if saved is not None:
                state.replay_floors, state.replay_end = dict(saved.days), saved.end
            self.parts[tp.partition] = state
            self.engine.partition(tp.partition)
        log.info(
            "assigned partitions %s (replayed up to %s, floors of %s days)",
            sorted(self.parts),
            {p: s.replay_end for p, s in sorted(self.parts.items())},
            {p: len(s.replay_floors) for p, s in sorted(self.parts.items())},
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Called between batches: everything consumed so far is written. Commit, then drop state:
        # the next owner (maybe us) rebuilds the open windows by replay from these offsets.
        self._commit()
        for tp in partitions:
            self.parts.pop(tp.partition, None)
            self.engine.drop(tp.partition)
        log.info("revoked partitions %s", [tp.partition for tp in partitions])

    def run(self) -> Counters:
        """Consume until stopped, the time budget ends, or (optionally) the topic is drained."""
        cfg = self.config
        for sig in (signal.SIGTERM, signal.SIGINT):
            if threading.current_thread() is threading.main_thread():
                signal.signal(sig, lambda *_: self.stop())
        # Millions of short-lived tuples per minute: the default GC thresholds made collection
        # ~60% of the HBase encoding time. Freeze start-up objects and collect young ones rarely.
        gc_thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(200_000, 50, 100)
        ensure_topics(platform_topics(self.settings), self.settings)  # missing ones only
        self.consumer = self._make_consumer()
        self._idleness = IdlenessProbe(self.consumer, self.topic, cfg.idle_advance_after_s)
        started = last_input = last_commit = last_health = last_rules = time.monotonic()
        log.info("stream processor %s started: topic %s group %s", cfg.instance, self.topic, self.group)
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if cfg.max_seconds is not None and now - started >= cfg.max_seconds:
                    log.info("bounded run of %.0fs over", cfg.max_seconds)
                    break
                msgs = self.consumer.consume(cfg.batch_size, cfg.poll_timeout_s)
                now = time.monotonic()
                if msgs:
                    last_input = now
                if now - last_rules >= cfg.rules_poll_s:
                    last_rules = now
                    new_rules = self.watcher.poll()
                    if new_rules is not None:
                        self.engine.set_rules(new_rules)
                idle = now - last_input
                self._process(msgs)
                if now - last_commit >= cfg.commit_interval_s:
                    self._commit()
                    last_commit = now
                if now - last_health >= cfg.health_interval_s:
                    self._forget_old_days()
                    self._publish_health()
                    last_health = now
                if cfg.stop_when_idle_s is not None and idle >= cfg.stop_when_idle_s and self.parts:
                    self._commit()
                    if self._lag() == 0:
                        log.info("input idle for %.1fs and lag 0: stopping", idle)
                        break
        finally:
            try:
                self._commit()
                self._publish_health(stopping=True)
            finally:
                self.consumer.close()
                for sink in self.sinks:
                    sink.close()
                gc.set_threshold(*gc_thresholds)
                gc.unfreeze()
        return self.counters

    # --- the batch ---------------------------------------------------------------------------
    def _process(self, msgs: list) -> None:
        by_part: dict[int, list] = {}
        first_new: dict[int, int] = {}  # per partition: index of the first event past the replay
        batch = Batch()
        valid, dead = batch.events, batch.dead_letters
        parts = self.parts
        wall = time.monotonic()
        now = time.time()
        future_limit = int(now) + self.settings.stream_max_future_s
        retention = self.settings.stream_state_retention_days
        past_limit = int(now) - retention * DAY_SECONDS if retention else None
        too_old = 0
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() != KafkaError._PARTITION_EOF:
                    log.error("consumer error: %s", err)
                    if err.fatal():
                        raise KafkaException(err)
                continue
            p, off = m.partition(), m.offset()
            state = parts.get(p)
            if state is None:
                state = parts[p] = PartitionState(last_seen=wall)
            state.next_offset = off + 1
            ev = parse_line(m.value())
            if type(ev) is DeadLetter:
                dead.append((m, ev))
                continue
            if ev.epoch > future_limit:  # a wrong clock must not move any watermark
                dead.append((m, DeadLetter("future_timestamp", m.value())))
                continue
            valid.append(ev)
            if past_limit is not None and ev.epoch < past_limit:
                too_old += 1
                continue
            state.record(off, ev.epoch)
            events = by_part.get(p)
            if events is None:
                events = by_part[p] = []
            if off >= state.replay_end and p not in first_new:
                first_new[p] = len(events)
            events.append(ev)
        for p, events in by_part.items():
            state = parts[p]
            engine = self.engine.partition(p)
            k = first_new.get(p, len(events))
            if k:
                engine.process(events[:k] if k < len(events) else events, state.replay_floors, "below_floor")
            if k < len(events):
                engine.process(events[k:] if k else events, state.replay_floors, "late")
            state.advance(events, wall)
        idle = self._idleness.idle_at(wall) if self._idleness else lambda *_: False
        for p, marks in day_marks(parts, idle, wall, self.config.idle_advance_after_s).items():
            batch.alerts.extend(self.engine.partition(p).close_due(marks))
        # an exception in a sink ends the run before any commit (replay on restart)
        for sink in self.sinks:
            sink.write_batch(batch)
        if valid and self.config.hbase:
            self._days.add((valid[0].date, valid[-1].date), len(valid))
        c = self.counters
        for _m, d in dead:
            c.dead_letter_reasons[d.reason] += 1
        if batch.alerts:
            c.alerts += len(batch.alerts)
            self._log_alerts(batch.alerts)
        c.processed += len(valid) + len(dead)
        c.valid += len(valid)
        c.dead_letters += len(dead)
        c.too_old += too_old

    def _forget_old_days(self) -> None:
        """State retention: days before it are dropped from the clocks, floors and windows.

        Run with the heartbeat, not per batch: the retention's first day moves once a day.
        """
        retention = self.settings.stream_state_retention_days
        if not retention:
            return
        day = day_of(int(time.time()) - retention * DAY_SECONDS)
        for p, state in self.parts.items():
            gone = state.forget_days_before(day)
            if gone:
                self.engine.partition(p).forget_days(gone)

    def _log_alerts(self, alerts: list[Alert]) -> None:
        for a in alerts[:5]:
            log.info("ALERT %s %s value=%.1f window=%s..%s", a.rule, a.member, a.value, a.window_start, a.window_end)
        if len(alerts) > 5:
            log.info("... and %d more alerts", len(alerts) - 5)

    # --- commits -----------------------------------------------------------------------------
    def _commit(self) -> None:
        """Drain every sink, persist the floors, then commit offsets up to them (:mod:`streaming.offsets`)."""
        for sink in self.sinks:
            sink.drain()
        if self.consumer is None:
            return
        offsets, floors = commit_plan(self.parts, {p: e.floors() for p, e in self.engine.engines.items()})
        if not offsets:
            return
        if floors:
            self.redis.write([], floors={f"{self.topic}:{p}": f for p, f in floors.items()})
        try:
            self.consumer.commit(
                offsets=[TopicPartition(self.topic, p, o) for p, o in offsets.items()], asynchronous=False
            )
        except KafkaException as exc:
            # e.g. a rebalance in progress; never fatal: the next owner simply replays a bit more
            log.warning("offset commit failed (%s); the next owner replays from the previous commit", exc)
            return
        for p, o in offsets.items():
            if p in self.parts:
                self.parts[p].committed = o

    # --- health --------------------------------------------------------------------------------
    def _lag(self) -> int:
        return consumer_lag(self.consumer, self.topic, self.parts)

    def _not_windowed(self) -> dict[str, object]:
        """Events stored (or dead-lettered) but not windowed, by reason: the health record's counts.

        ``late`` and ``below_floor`` differ per rule (window size and grace); the flat count is the
        largest over the rules, the JSON beside it has each rule's.
        """
        by_rule = self.engine.not_windowed()
        c = self.counters
        return {
            "not_windowed_late": max(by_rule["late"].values(), default=0),
            "not_windowed_below_floor": max(by_rule["below_floor"].values(), default=0),
            "not_windowed_too_old": c.too_old,
            "not_windowed_future": c.dead_letter_reasons.get("future_timestamp", 0),
            "not_windowed_by_rule": json.dumps(by_rule, sort_keys=True),
        }

    def _publish_health(self, stopping: bool = False) -> None:
        c = self.counters
        fields = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "state": "stopping" if stopping else "running",
            "processed": c.processed,
            "valid": c.valid,
            "dead_letters": c.dead_letters,
            "alerts": c.alerts,
            "events_per_s": 0 if stopping else round(self._rate.observe(c.processed), 1),
            "lag": self._lag(),
            "partitions": ",".join(str(p) for p in sorted(self.parts)),
            "rules": ",".join(f"{n}:v{r.version}" for n, r in sorted(self.engine.rules.items())),
            "rule_errors": len(self.watcher.errors),
            "hbase": "on" if self.config.hbase else "off",
            **self.engine.stats(),
            **self._not_windowed(),
        }
        try:
            stream_health.publish(self.config.instance, fields, self.settings, client=self._health_client)
            self._days.flush(self._health_client, self.settings)
        except Exception as exc:
            log.warning("could not publish health: %s", exc)
