"""Every valid event -> HBase ``DriverCarInfo`` through happybase's Thrift client, one call per batch.

Idempotent by construction: the row key is the original's (reversed timestamp + car, see
:mod:`smartcar.core.driving_record`) and the cell timestamp is the *event* time in milliseconds, so a
replayed event rewrites the very same cell version instead of adding a new one. Corrections made
later (issue 8) carry the wall-clock time and stay newer than the original value. Rows are sent
with ``mutateRowsTs`` grouped by event second (a simulator batch shares a few seconds), which is
happybase's ``Batch`` without building a per-put Python dict first.

One batch is split into ``hbase_writer_connections`` slices written at once, each over its own
Thrift connection: one connection leaves the region server idle during every round trip, and
the slices are independent rows (idempotent cells), so a retried slice never duplicates anything.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import happybase  # loads the Hbase_thrift module
from Hbase_thrift import BatchMutation, Mutation

from smartcar.core.clients import hbase_connection
from smartcar.core.driving_record import COLUMNS, ensure_table, row_key
from smartcar.settings import Settings
from streaming.events import DrivingEvent
from streaming.sinks.base import Batch

log = logging.getLogger(__name__)


class HBaseSink:
    """Writes batches of events over one or more connections; raises only when HBase stays down."""

    MIN_SLICE = 500
    """Below this many events per connection a batch goes over one connection (no thread hop)."""

    def __init__(self, settings: Settings, retries: int = 5, wal: bool = True, connections: int | None = None) -> None:
        self.settings = settings
        n = connections or self.settings.hbase_writer_connections
        self.writers = [ConnectionWriter(self.settings, retries, wal) for _ in range(n)]
        self._pool = ThreadPoolExecutor(n - 1, thread_name_prefix="hbase-slice") if n > 1 else None

    def write(self, events: Sequence[DrivingEvent]) -> None:
        n = min(len(self.writers), len(events) // self.MIN_SLICE) if self._pool is not None else 1
        if n <= 1:
            self.writers[0].write(events)
            return
        bounds = [len(events) * i // n for i in range(n + 1)]
        futures = [
            self._pool.submit(self.writers[i].write, events[bounds[i] : bounds[i + 1]])  # type: ignore[union-attr]
            for i in range(1, n)
        ]
        try:
            self.writers[0].write(events[bounds[0] : bounds[1]])
        finally:
            for f in futures:
                f.exception()  # wait for every slice before raising any failure
        for f in futures:
            f.result()

    def close(self) -> None:
        for w in self.writers:
            w.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class BackgroundHBaseSink:
    """The processor's HBase sink: a batch is written by one thread while the next is parsed.

    At most one batch is in flight: ``write_batch`` first waits for the previous one, and
    ``drain`` (called before every commit) waits for the last and re-raises its failure, so no
    offset is ever committed past an event HBase has not acknowledged.
    """

    def __init__(self, settings: Settings) -> None:
        self.sink = HBaseSink(settings)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hbase-writer")
        self._in_flight: Future[None] | None = None

    def write_batch(self, batch: Batch) -> None:
        if batch.events:
            self.drain()
            self._in_flight = self._thread.submit(self.sink.write, batch.events)

    def drain(self) -> None:
        pending, self._in_flight = self._in_flight, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self.sink.close()


class ConnectionWriter:
    """One Thrift connection: writes a batch, reconnects and retries with backoff."""

    def __init__(self, settings: Settings, retries: int = 5, wal: bool = True) -> None:
        self.settings = settings
        self.retries = retries
        self.wal = wal
        self.connection: happybase.Connection | None = None
        self.table_name = b""

    def _connect(self) -> None:
        self.close()
        self.connection = hbase_connection(self.settings)
        table = ensure_table(self.connection)
        self.table_name = table.name

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing a broken socket
                self.connection.close()
            self.connection = None

    def _batches(self, events: Sequence[DrivingEvent]) -> dict[int, list[BatchMutation]]:
        # thriftpy2 structs built without their keyword __init__ (about 2x faster on this hot path)
        by_second: dict[int, list[BatchMutation]] = defaultdict(list)
        cols, wal, new = COLUMNS, self.wal, object.__new__
        for e in events:
            mutations = []
            for c, v in zip(cols, e.source, strict=True):
                m = new(Mutation)
                m.isDelete = False
                m.column = c
                m.value = v
                m.writeToWAL = wal
                mutations.append(m)
            bm = new(BatchMutation)
            bm.row = row_key(e.date, e.car_number).encode()
            bm.mutations = mutations
            by_second[e.epoch].append(bm)
        return by_second

    def write(self, events: Sequence[DrivingEvent]) -> None:
        if not events:
            return
        batches = self._batches(events)
        delay = 0.2
        for attempt in range(self.retries + 1):
            try:
                if self.connection is None:
                    self._connect()
                client = self.connection.client  # type: ignore[union-attr]
                for second, rows in batches.items():
                    client.mutateRowsTs(self.table_name, rows, second * 1000, {})
                return
            except Exception as exc:
                if attempt >= self.retries:
                    raise
                log.warning("HBase write failed (%s), retry %d/%d in %.1fs", exc, attempt + 1, self.retries, delay)
                self.close()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
