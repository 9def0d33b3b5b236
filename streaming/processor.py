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
2. only up to the oldest event an open event-time window may still need (its *floor*, stored in
   Redis in the same transaction as the alerts, before the commit).

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
alert ids make those no-ops). Events older than the stored floor are stored but not windowed,
because their windows were closed and reported before the crash. Processing-time windows (the
original's ``time_batch``) cannot be rebuilt by replay by their nature; they do not hold back
commits and lose their open batch on a crash, as Esper did.

Scaling: several processes in the same consumer group share the partitions (eager rebalance;
on a rebalance the window state is dropped and rebuilt by replay from the committed offsets).
Per-car rules are exact only if each car's events stay in one partition, so producers must key
messages by car number (the original topic had one partition and no key).
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from smartcar import stream_health
from smartcar.clients import kafka_consumer, kafka_producer, redis_client
from smartcar.driving_days import DayActivity
from smartcar.kafka_topics import ensure_topics, platform_topics
from smartcar.settings import Settings, get_settings
from streaming.detectors import DetectorEngine
from streaming.events import DeadLetter, parse_line
from streaming.rate import RateMeter
from streaming.rules.loader import RulesWatcher
from streaming.sinks.redis_sink import RedisSink
from streaming.windows import NEG_INF, POS_INF, Alert

log = logging.getLogger(__name__)

BUCKET_SHIFT = 4
"""Offsets are tracked per 16-second bucket of event time and partition (bounded, cheap)."""


@dataclass
class ProcessorConfig:
    batch_size: int = 5000
    poll_timeout_s: float = 0.2
    commit_interval_s: float = 1.0
    health_interval_s: float = 1.0
    rules_poll_s: float = 2.0
    idle_advance_after_s: float = 10.0
    """With no input for this long, event time is pushed on by the wall time that passes, so the
    last windows close (Flink's idleness). Simulated time runs ~20x wall time, so this is safe."""
    align_ahead_s: int = 60
    """A partition more than this far ahead of the slowest active one (event time) is paused."""
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


class StreamProcessor:
    """One consumer-group member. ``run()`` blocks; ``stop()`` ends it gracefully from any thread."""

    def __init__(self, settings: Settings | None = None, config: ProcessorConfig | None = None) -> None:
        self.settings = settings or get_settings()
        self.config = config or ProcessorConfig()
        self.topic = self.settings.kafka_topic
        self.group = self.settings.kafka_consumer_group
        self.watcher = RulesWatcher(self.config.rules_dir or self.settings.rules_dir)
        self.engine = DetectorEngine(self.watcher.poll() or {})
        self.counters = Counters()
        self._rate = RateMeter()
        self._days = DayActivity()  # business days written to HBase, for the "day complete" signal
        self._stop = threading.Event()
        self.redis = RedisSink(self.settings, self.group)
        self._health_client = redis_client(self.settings)
        self.hbase = None
        self._hbase_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hbase-writer")
        self._hbase_in_flight: Future[None] | None = None
        if self.config.hbase:
            from streaming.sinks.hbase_sink import HBaseSink

            self.hbase = HBaseSink(self.settings)
        self.consumer: Consumer | None = None
        self.producer = kafka_producer(self.settings)
        # per partition: event-time bucket -> first offset seen; next offset to read; replay floor
        self.buckets: dict[int, dict[int, int]] = defaultdict(dict)
        self.next_offset: dict[int, int] = {}
        self.committed: dict[int, int] = {}
        self.replay_floor: dict[int, int] = {}
        self.part_time: dict[int, int] = {}
        self.part_seen: dict[int, float] = {}
        self.paused: set[int] = set()
        self.part_first: dict[int, int] = {}
        self._idle_checked: dict[int, tuple[float, bool]] = {}
        self.assigned: set[int] = set()
        self._delivery_errors: list[str] = []

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
        for tp in partitions:
            self.assigned.add(tp.partition)
            self.part_seen[tp.partition] = time.monotonic()  # idle clock starts at assignment
            floor = floors.get(f"{tp.topic}:{tp.partition}")
            self.replay_floor[tp.partition] = floor if floor is not None else NEG_INF
        log.info(
            "assigned partitions %s (replay floors %s)",
            sorted(self.assigned),
            {p: self.replay_floor[p] for p in sorted(self.assigned)},
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Called between batches: everything consumed so far is written. Commit, then drop state:
        # the next owner (maybe us) rebuilds the open windows by replay from these offsets.
        self._commit(force=True)
        self.engine.reset()
        # librdkafka can keep a partition's pause flag across a rebalance: a partition we paused
        # and get back later would then never be fetched again (seen as a processor that never
        # drained its partition after another instance joined). Resume while we still own it.
        paused = [tp for tp in partitions if tp.partition in self.paused]
        if paused:
            try:
                consumer.resume(paused)
            except KafkaException as exc:
                log.warning("could not resume %s before revocation: %s", paused, exc)
        for tp in partitions:
            self.assigned.discard(tp.partition)
            self.buckets.pop(tp.partition, None)
            self.next_offset.pop(tp.partition, None)
            self.committed.pop(tp.partition, None)
            self.part_time.pop(tp.partition, None)
            self.part_seen.pop(tp.partition, None)
            self.paused.discard(tp.partition)
            self.part_first.pop(tp.partition, None)
            self._idle_checked.pop(tp.partition, None)
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
                advance = int(idle - cfg.idle_advance_after_s) if idle > cfg.idle_advance_after_s else 0
                self._process(msgs, advance)
                if now - last_commit >= cfg.commit_interval_s:
                    self._commit()
                    last_commit = now
                if now - last_health >= cfg.health_interval_s:
                    self._publish_health()
                    last_health = now
                if cfg.stop_when_idle_s is not None and idle >= cfg.stop_when_idle_s and self.assigned:
                    self._commit(force=True)
                    if self._lag() == 0:
                        log.info("input idle for %.1fs and lag 0: stopping", idle)
                        break
        finally:
            try:
                self._commit(force=True)
                self._publish_health(stopping=True)
            finally:
                self.consumer.close()
                self.producer.flush(10)
                self.producer = None  # type: ignore[assignment]  # drop librdkafka's threads now
                self._hbase_thread.shutdown(wait=True)
                if self.hbase is not None:
                    self.hbase.close()
                gc.set_threshold(*gc_thresholds)
                gc.unfreeze()
        return self.counters

    # --- the batch ---------------------------------------------------------------------------
    def _process(self, msgs: list, idle_advance: int) -> None:
        by_part: dict[int, list] = {}
        valid: list = []
        dead: list[tuple[object, DeadLetter]] = []
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() != KafkaError._PARTITION_EOF:
                    log.error("consumer error: %s", err)
                    if err.fatal():
                        raise KafkaException(err)
                continue
            p, off = m.partition(), m.offset()
            self.next_offset[p] = off + 1
            ev = parse_line(m.value())
            if type(ev) is DeadLetter:
                dead.append((m, ev))
                continue
            bucket = self.buckets[p]
            b = ev.epoch >> BUCKET_SHIFT
            if b not in bucket:
                bucket[b] = off
            events = by_part.get(p)
            if events is None:
                events = by_part[p] = []
            events.append(ev)
            valid.append(ev)
        wall = time.monotonic()
        for p, events in by_part.items():
            self.engine.process(events, self.replay_floor.get(p, NEG_INF))
            top = max(e.epoch for e in events)
            if p not in self.part_first:
                self.part_first[p] = min(e.epoch for e in events)
            if top > self.part_time.get(p, NEG_INF):
                self.part_time[p] = top
            self.part_seen[p] = wall
        stream_time = self._stream_time(wall)
        alerts = self.engine.close_due(stream_time, idle_advance)
        self._align(stream_time)
        # writes, in order; an exception here ends the run before any commit (replay on restart)
        if self.hbase is not None and valid:
            self._hbase_submit(valid)
            self._days.add((valid[0].date, valid[-1].date), len(valid))
        if dead:
            self._produce_dead_letters(dead)
        if alerts:
            self.redis.write(alerts)
            self._produce_alerts(alerts)
            self.counters.alerts += len(alerts)
            self._log_alerts(alerts)
        if dead or alerts:
            self._flush_producer()
        c = self.counters
        c.processed += len(valid) + len(dead)
        c.valid += len(valid)
        c.dead_letters += len(dead)

    def _hbase_submit(self, events: list) -> None:
        """Hand a batch to the writer thread once the previous one is written (one in flight)."""
        self._hbase_wait()
        self._hbase_in_flight = self._hbase_thread.submit(self.hbase.write, events)  # type: ignore[union-attr]

    def _hbase_wait(self) -> None:
        """Block until the batch in flight is in HBase; re-raises its error (then nothing is committed)."""
        pending, self._hbase_in_flight = self._hbase_in_flight, None
        if pending is not None:
            pending.result()

    def _log_alerts(self, alerts: list[Alert]) -> None:
        for a in alerts[:5]:
            log.info("ALERT %s %s value=%.1f window=%s..%s", a.rule, a.member, a.value, a.window_start, a.window_end)
        if len(alerts) > 5:
            log.info("... and %d more alerts", len(alerts) - 5)

    def _on_delivery(self, err: object, _msg: object) -> None:
        if err is not None:
            self._delivery_errors.append(str(err))

    def _produce_dead_letters(self, dead: list[tuple[object, DeadLetter]]) -> None:
        """The original line, unchanged, with its reason and source offset as headers."""
        dlq = self.settings.kafka_dead_letter_topic
        for m, d in dead:
            self.counters.dead_letter_reasons[d.reason] += 1
            headers = [
                ("reason", d.reason.encode()),
                ("source", f"{m.topic()}:{m.partition()}:{m.offset()}".encode()),
            ]
            self.producer.produce(dlq, m.value(), key=m.key(), headers=headers, on_delivery=self._on_delivery)

    def _produce_alerts(self, alerts: list[Alert]) -> None:
        """Alerts as JSON on the alert topic, keyed by car, for applications that subscribe instead of polling Redis.

        At least once: a replay after a crash may publish an alert again with the same ``id``
        (rule, car, window start), which is the consumer's key for dropping repeats.
        """
        topic = self.settings.kafka_alert_topic
        for a in alerts:
            self.producer.produce(
                topic,
                json.dumps(a.as_record()).encode(),
                key=a.car_number.encode(),
                headers=[("alert_id", a.alert_id.encode())],
                on_delivery=self._on_delivery,
            )

    def _flush_producer(self) -> None:
        """Wait for every dead letter and alert of the batch to be acknowledged (before any commit)."""
        remaining = self.producer.flush(30)
        errors = self._delivery_errors
        if remaining or errors:
            msg = f"dead-letter/alert topics: {remaining} undelivered, errors {errors[:3]}"
            errors.clear()
            raise KafkaException(KafkaError(KafkaError._MSG_TIMED_OUT, msg))

    def _is_idle(self, p: int, wall: float) -> bool:
        """Silent for ``idle_advance_after_s`` *and* nothing left to read (checked at most once a second)."""
        if p in self.paused or wall - self.part_seen.get(p, wall) < self.config.idle_advance_after_s:
            return False
        checked, idle = self._idle_checked.get(p, (0.0, False))
        if wall - checked < 1.0:
            return idle
        try:
            _low, high = self.consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=2)  # type: ignore[union-attr]
            position = self.next_offset.get(p, self.committed.get(p))
            idle = high <= 0 or (position is not None and position >= high)
        except KafkaException:
            idle = False
        self._idle_checked[p] = (wall, idle)
        return idle

    def _stream_time(self, wall: float) -> int | None:
        """Event time every active partition has reached (min of their maxima).

        A partition that delivered nothing for ``idle_advance_after_s`` and has nothing left to
        read does not hold the watermark back (per-input idleness, as in Flink); ``None`` while an
        active partition has delivered nothing yet.
        """
        active = [self.part_time.get(p, NEG_INF) for p in self.assigned if not self._is_idle(p, wall)]
        if active:
            low = min(active)
            return None if low <= NEG_INF else low
        return max(self.part_time.values(), default=None)

    def _align(self, stream_time: int | None) -> None:
        """Pause partitions running far ahead in event time so the others catch up.

        librdkafka drains one partition's prefetched queue before the next, so without this a
        backlog (or a replay) of partition 0 would push the watermark past partition 1's open
        windows and make its events late (watermark alignment, as in Flink).
        """
        if self.consumer is None:
            return
        if stream_time is None:
            # a partition with input has delivered nothing yet: hold the others near where they began
            firsts = [t for t in self.part_first.values()]
            if not firsts:
                return
            stream_time = min(firsts)
        ahead = self.config.align_ahead_s
        pause, resume = [], []
        for p in self.assigned:
            t = self.part_time.get(p, NEG_INF)
            if p not in self.paused and t > stream_time + ahead:
                pause.append(p)
            elif p in self.paused and t <= stream_time + ahead // 2:
                resume.append(p)
        if pause:
            self.consumer.pause([TopicPartition(self.topic, p) for p in pause])
            self.paused.update(pause)
        if resume:
            # resume re-fetches from the consumed position; nothing is skipped
            self.consumer.resume([TopicPartition(self.topic, p) for p in resume])
            self.paused.difference_update(resume)

    # --- commits -----------------------------------------------------------------------------
    def _commit(self, force: bool = False) -> None:
        """Commit offsets up to the replay floor; persist the floor first (same Redis write path)."""
        self._hbase_wait()
        if self.consumer is None or not self.next_offset:
            return
        engine_floor = self.engine.floor()
        if engine_floor >= POS_INF:
            # no event-time rule: nothing needs replaying; everything read so far is committable
            engine_floor = max(self.part_time.values(), default=NEG_INF) + 1
        offsets: dict[int, int] = {}
        floors: dict[int, int] = {}
        for p, nxt in self.next_offset.items():
            # never below the floor this partition was replayed with: those windows are reported
            floor = max(engine_floor, self.replay_floor.get(p, NEG_INF))
            bucket = self.buckets[p]
            if floor > NEG_INF:
                cut = floor >> BUCKET_SHIFT
                for b in [b for b in bucket if b < cut]:
                    del bucket[b]
                floors[p] = floor
            offsets[p] = min(bucket.values(), default=nxt)
        changed = {p: o for p, o in offsets.items() if self.committed.get(p) != o}
        if not changed:
            return
        stored = {f"{self.topic}:{p}": floors[p] for p in changed if p in floors}
        if stored:
            self.redis.write([], floors=stored)
        try:
            self.consumer.commit(
                offsets=[TopicPartition(self.topic, p, o) for p, o in changed.items()], asynchronous=False
            )
        except KafkaException as exc:
            # e.g. a rebalance in progress; never fatal: the next owner simply replays a bit more
            log.warning("offset commit failed (%s); the next owner replays from the previous commit", exc)
            return
        self.committed.update(changed)

    # --- health --------------------------------------------------------------------------------
    def _lag(self) -> int:
        if self.consumer is None or not self.assigned:
            return 0
        total = 0
        for p in self.assigned:
            try:
                _low, high = self.consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=2)
            except KafkaException:
                continue
            position = self.next_offset.get(p)
            if position is None:
                position = self.committed.get(p, 0)
            total += max(high - position, 0)
        return total

    def _publish_health(self, stopping: bool = False) -> None:
        c = self.counters
        stats = self.engine.stats()
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
            "partitions": ",".join(str(p) for p in sorted(self.assigned)),
            "rules": ",".join(f"{n}:v{r.version}" for n, r in sorted(self.engine.rules.items())),
            "rule_errors": len(self.watcher.errors),
            "hbase": "on" if self.hbase is not None else "off",
            **stats,
        }
        try:
            stream_health.publish(self.config.instance, fields, self.settings, client=self._health_client)
            self._days.flush(self._health_client, self.settings)
        except Exception as exc:
            log.warning("could not publish health: %s", exc)
