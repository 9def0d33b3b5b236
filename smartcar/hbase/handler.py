"""The Thrift1 ``Hbase`` service: each IDL method mapped onto :mod:`smartcar.hbase.storage`.

Semantics follow HBase 2's ``ThriftHBaseServiceHandler`` (the Thrift1 gateway) where they are
visible to a client: ``*Ts`` reads take an exclusive upper time bound, deletes remove every
version at or below their timestamp, a column without qualifier means the whole family for reads
and deletes but the empty qualifier for puts, ``mutateRow`` applies deletes before puts while
``mutateRows`` applies puts before deletes, and rows without cells are never returned.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import struct
import threading
import time
from collections.abc import Iterator

from smartcar.hbase import storage
from smartcar.hbase.filters import Filter, parse_filter
from smartcar.hbase.idl import Hbase
from smartcar.hbase.storage import (
    FOREVER,
    LATEST_TIMESTAMP,
    Family,
    InvalidArgument,
    Mutation,
    ReadSpec,
    Row,
    StorageError,
    Store,
    TableInfo,
    decode_row,
    limit_versions,
    now_ms,
    row_cells,
)

log = logging.getLogger(__name__)

TCell = Hbase.TCell
TColumn = Hbase.TColumn
TRowResult = Hbase.TRowResult
SCANNER_IDLE_SECONDS = 600
"""Scanners unused this long are dropped (HBase expires idle Thrift scanners too)."""


def _text(value: bytes | str | None, default: str = "") -> str:
    if value is None:
        return default
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _table_of(name_or_region: bytes) -> bytes:
    """A table name from a table or region name (``table,startkey,id.hash.``)."""
    return name_or_region.split(b",", 1)[0]


def _family_from_thrift(desc: object) -> Family:
    name = _text(desc.name).split(":", 1)[0]  # type: ignore[attr-defined]
    ttl = desc.timeToLive  # type: ignore[attr-defined]
    return Family(
        name=name,
        max_versions=desc.maxVersions if desc.maxVersions is not None else 3,  # type: ignore[attr-defined]
        compression=_text(desc.compression, "NONE"),  # type: ignore[attr-defined]
        in_memory=bool(desc.inMemory),  # type: ignore[attr-defined]
        bloom_filter_type=_text(desc.bloomFilterType, "NONE"),  # type: ignore[attr-defined]
        bloom_filter_vector_size=desc.bloomFilterVectorSize or 0,  # type: ignore[attr-defined]
        bloom_filter_nb_hashes=desc.bloomFilterNbHashes or 0,  # type: ignore[attr-defined]
        block_cache_enabled=bool(desc.blockCacheEnabled),  # type: ignore[attr-defined]
        time_to_live=FOREVER if ttl is None or ttl < 0 else ttl,
    )


def _result(row: bytes, cells: list[storage.Cell], sort_columns: bool) -> object:
    if sort_columns:
        return TRowResult(
            row=row, sortedColumns=[TColumn(columnName=c, cell=TCell(value=v, timestamp=t)) for c, t, v in cells]
        )
    return TRowResult(row=row, columns={c: TCell(value=v, timestamp=t) for c, t, v in cells})


_I32 = struct.Struct(">i").pack
_TS_END = struct.Struct(">bhqb").pack
"""A TCell's ``timestamp`` field (type i64, id 2), its value and the struct's stop byte."""
_COLUMN_HEADS: dict[bytes, bytes] = {}
"""Cache: column -> its map-key encoding plus the header of the TCell's ``value`` field."""


def _column_head(column: bytes) -> bytes:
    head = _COLUMN_HEADS.get(column)
    if head is None:
        head = _I32(len(column)) + column + b"\x0b\x00\x01"
        if len(_COLUMN_HEADS) < 100_000:
            _COLUMN_HEADS[column] = head
    return head


def encode_row_result(row: bytes, stored: Row) -> bytes:
    """A ``TRowResult`` of the newest cells, encoded directly in Thrift's binary protocol.

    Byte-for-byte what thriftpy2 writes for ``TRowResult(row=..., columns={...})``, without
    building ten Python objects per row first; full scans are the server's hottest path.
    """
    parts = [b"\x0b\x00\x01", _I32(len(row)), row, b"\x0d\x00\x02\x0b\x0c", _I32(len(stored))]
    extend = parts.extend
    heads = _COLUMN_HEADS
    last_ts, ts_end = None, b""
    for column, versions in stored.items():
        ts, value = versions[0]
        if ts != last_ts:  # the cells of a row mostly share their put's timestamp
            last_ts, ts_end = ts, _TS_END(10, 2, ts, 0)
        extend((heads.get(column) or _column_head(column), _I32(len(value)), value, ts_end))
    parts.append(b"\x00")
    return b"".join(parts)


def encode_cells(row: bytes, cells: list[storage.Cell], sort_columns: bool = False) -> bytes:
    """Like :func:`encode_row_result` for a list of ``(column, ts, value)`` (one per column)."""
    parts = [b"\x0b\x00\x01", _I32(len(row)), row, b"\x0d\x00\x02\x0b\x0c", _I32(len(cells))]
    extend = parts.extend
    for column, ts, value in cells:
        extend((_column_head(column), _I32(len(value)), value, _TS_END(10, 2, ts, 0)))
    parts.append(b"\x00")
    return b"".join(parts)


def encode_scan_reply(items: list[bytes]) -> bytes:
    """The body of a ``scannerGetList`` reply (``success`` = list of encoded TRowResults)."""
    return b"\x0f\x00\x00\x0c" + _I32(len(items)) + b"".join(items) + b"\x00"


class Scanner:
    """An open scan: one storage iterator read ahead across ``scannerGetList`` calls."""

    def __init__(
        self,
        table: TableInfo,
        rows: Iterator[tuple[bytes, bytes]],
        spec: ReadSpec,
        row_filter: Filter | None,
        sort_columns: bool,
        cells_per_result: int | None,
        raw: bool = False,
    ) -> None:
        self.table, self.rows, self.spec = table, rows, spec
        self.filter, self.sort_columns = row_filter, sort_columns
        self.cells_per_result = cells_per_result
        self.fast = (
            row_filter is None
            and spec.columns is None
            and spec.max_ts is None
            and spec.versions == 1
            and not table.has_ttl
            and not sort_columns
            and cells_per_result is None
        )
        self.raw = raw and not sort_columns
        """Produce Thrift binary-protocol bytes instead of objects (see :func:`encode_row_result`)."""
        self.pending: list[object] = []
        self.done = False
        self.lock = threading.Lock()
        self.last_used = time.monotonic()

    def next_results(self, count: int) -> list[object]:
        """Up to ``count`` results: read-ahead ones first, then fresh ones from the iterator."""
        with self.lock:
            self.last_used = time.monotonic()
            out = self.pending[:count]
            del self.pending[:count]
            missing = count - len(out)
            if missing > 0 and not self.done:
                produced = self._produce(missing)
                out.extend(produced[:missing])
                self.pending.extend(produced[missing:])  # partial rows beyond the request
            return out

    def prefetch(self, count: int) -> None:
        """Prepare the next ``count`` results while the client is still decoding the last ones.

        Server and client are separate processes, so this overlaps the two halves of a scan
        instead of running them one after the other.
        """
        with self.lock:
            if not self.done and len(self.pending) < count:
                self.pending.extend(self._produce(count - len(self.pending)))

    def _produce(self, count: int) -> list[object]:
        if self.fast:
            return self._fast_raw(count) if self.raw else self._fast(count)
        return self._general(count)

    def _fast_raw(self, count: int) -> list[object]:
        out: list[object] = []
        append = out.append
        loads = decode_row
        for row, data in self.rows:
            append(encode_row_result(row, loads(data)))
            if len(out) >= count:
                return out
        self.done = True
        return out

    def _fast(self, count: int) -> list[object]:
        out: list[object] = []
        append = out.append
        loads = decode_row
        for row, data in self.rows:
            stored: Row = loads(data)
            append(
                TRowResult(row=row, columns={c: TCell(value=vs[0][1], timestamp=vs[0][0]) for c, vs in stored.items()})
            )
            if len(out) >= count:
                return out
        self.done = True
        return out

    def _general(self, count: int) -> list[object]:
        out: list[object] = []
        now = now_ms()
        while len(out) < count and not self.done:
            item = next(self.rows, None)
            if item is None:
                self.done = True
                break
            row, data = item
            cells = row_cells(self.table, decode_row(data), self.spec, now)
            if not cells:
                continue
            if self.filter is not None:
                cells = self.filter.apply(row, cells)
                if self.filter.exhausted:
                    self.done = True
            cells = limit_versions(cells, self.spec.versions)
            if not cells:
                continue
            size = self.cells_per_result
            make = encode_cells if self.raw else _result
            if size is None:
                out.append(make(row, cells, self.sort_columns))
            else:
                out.extend(make(row, cells[i : i + size], self.sort_columns) for i in range(0, len(cells), size))
        return out


class HbaseHandler:
    """Implements every method of the ``Hbase`` service over a :class:`Store`."""

    def __init__(self, store: Store, host: str = "127.0.0.1", port: int = 9090) -> None:
        self.store = store
        self.host, self.port = host, port
        self._scanners: dict[int, Scanner] = {}
        self._scanner_ids = itertools.count(1)
        self._scanners_lock = threading.Lock()
        self.connection = threading.local()
        self.raw_scans = False
        """Set by the server when it speaks the binary protocol: fast scans skip Thrift objects."""

    # --- connection bookkeeping (called by the server) ----------------------------------------
    def connection_opened(self) -> None:
        self.connection.scanners = set()
        self._expire_idle_scanners()

    def connection_closed(self) -> None:
        for scanner_id in getattr(self.connection, "scanners", ()):
            self._scanners.pop(scanner_id, None)

    def _expire_idle_scanners(self) -> None:
        limit = time.monotonic() - SCANNER_IDLE_SECONDS
        with self._scanners_lock:
            for scanner_id, scanner in list(self._scanners.items()):
                if scanner.last_used < limit:
                    del self._scanners[scanner_id]

    # --- tables -------------------------------------------------------------------------------
    def enableTable(self, tableName: bytes) -> None:
        self.store.set_enabled(tableName, True)

    def disableTable(self, tableName: bytes) -> None:
        self.store.set_enabled(tableName, False)

    def isTableEnabled(self, tableName: bytes) -> bool:
        return self.store.table(tableName, enabled=False).enabled

    def compact(self, tableNameOrRegionName: bytes) -> None:
        self.store.compact(self.store.table(_table_of(tableNameOrRegionName), enabled=False))

    def majorCompact(self, tableNameOrRegionName: bytes) -> None:
        self.compact(tableNameOrRegionName)

    def getTableNames(self) -> list[bytes]:
        return [name.encode() for name in self.store.table_names()]

    def getColumnDescriptors(self, tableName: bytes) -> dict[bytes, object]:
        table = self.store.table(tableName, enabled=False)
        out = {}
        for fam in table.families.values():
            name = fam.name.encode("latin-1") + b":"
            out[name] = Hbase.ColumnDescriptor(
                name=name,
                maxVersions=fam.max_versions,
                compression=fam.compression,
                inMemory=fam.in_memory,
                bloomFilterType=fam.bloom_filter_type,
                bloomFilterVectorSize=fam.bloom_filter_vector_size,
                bloomFilterNbHashes=fam.bloom_filter_nb_hashes,
                blockCacheEnabled=fam.block_cache_enabled,
                timeToLive=fam.time_to_live,
            )
        return out

    def _region(self, table: TableInfo) -> object:
        digest = hashlib.md5(f"{table.name},,{table.created_ms}".encode(), usedforsecurity=False).hexdigest()
        return Hbase.TRegionInfo(
            startKey=b"",
            endKey=b"",
            id=table.created_ms,
            name=f"{table.name},,{table.created_ms}.{digest}.".encode(),
            version=1,
            serverName=self.host.encode(),
            port=self.port,
        )

    def getTableRegions(self, tableName: bytes) -> list[object]:
        return [self._region(self.store.table(tableName, enabled=False))]

    def getRegionInfo(self, row: bytes) -> object:
        return self._region(self.store.table(_table_of(row), enabled=False))

    def createTable(self, tableName: bytes, columnFamilies: list[object]) -> None:
        families = [_family_from_thrift(d) for d in columnFamilies or ()]
        if len({f.name for f in families}) != len(families):
            raise InvalidArgument("Duplicate column family names")
        try:
            self.store.create_table(_text(tableName), families)
        except storage.TableExists as exc:
            raise Hbase.AlreadyExists(message=str(exc)) from None

    def deleteTable(self, tableName: bytes) -> None:
        self.store.delete_table(tableName)

    # --- reads --------------------------------------------------------------------------------
    def _get(self, name: bytes, rows: list[bytes], columns: list[bytes] | None, ts: int | None) -> list[object]:
        table = self.store.table(name)
        spec = ReadSpec.from_columns(columns, ts)
        spec.check_families(table)
        now = now_ms()
        out = []
        for row, stored in zip(rows, self.store.get_rows(table, list(rows)), strict=True):
            if stored is None:
                continue
            cells = limit_versions(row_cells(table, stored, spec, now), 1)
            if cells:
                out.append(_result(row, cells, False))
        return out

    def getRow(self, tableName, row, attributes):
        return self._get(tableName, [row], None, None)

    def getRowWithColumns(self, tableName, row, columns, attributes):
        return self._get(tableName, [row], columns, None)

    def getRowTs(self, tableName, row, timestamp, attributes):
        return self._get(tableName, [row], None, timestamp)

    def getRowWithColumnsTs(self, tableName, row, columns, timestamp, attributes):
        return self._get(tableName, [row], columns, timestamp)

    def getRows(self, tableName, rows, attributes):
        return self._get(tableName, rows or [], None, None)

    def getRowsWithColumns(self, tableName, rows, columns, attributes):
        return self._get(tableName, rows or [], columns, None)

    def getRowsTs(self, tableName, rows, timestamp, attributes):
        return self._get(tableName, rows or [], None, timestamp)

    def getRowsWithColumnsTs(self, tableName, rows, columns, timestamp, attributes):
        return self._get(tableName, rows or [], columns, timestamp)

    def _versions(self, name: bytes, row: bytes, column: bytes, versions: int, ts: int | None) -> list[object]:
        if versions is None or versions < 1:
            raise InvalidArgument("numVersions must be >= 1")
        table = self.store.table(name)
        spec = ReadSpec.from_columns([column], ts, versions)
        spec.check_families(table)
        stored = self.store.get_row(table, row)
        if stored is None:
            return []
        cells = limit_versions(row_cells(table, stored, spec, now_ms()), versions)
        return [TCell(value=v, timestamp=t) for _, t, v in cells]

    def get(self, tableName, row, column, attributes):
        return self._versions(tableName, row, column, 1, None)

    def getVer(self, tableName, row, column, numVersions, attributes):
        return self._versions(tableName, row, column, numVersions, None)

    def getVerTs(self, tableName, row, column, timestamp, numVersions, attributes):
        return self._versions(tableName, row, column, numVersions, timestamp)

    def getRowOrBefore(self, tableName, row, family):
        table = self.store.table(tableName)
        spec = ReadSpec.from_columns([family])
        spec.check_families(table)
        now = now_ms()
        for _, data in self.store.iterate(table, row, None, True):
            cells = limit_versions(row_cells(table, decode_row(data), spec, now), 1)
            if cells:
                return [TCell(value=v, timestamp=t) for _, t, v in cells]
        return []

    # --- writes -------------------------------------------------------------------------------
    def _mutate_rows(self, name: bytes, batches: list[object], ts: int | None, puts_first: bool) -> None:
        table = self.store.table(name)
        stamp = now_ms() if ts is None or ts == LATEST_TIMESTAMP else ts
        changes = [(b.row, b.mutations or []) for b in batches or ()]  # type: ignore[attr-defined]
        self.store.mutate_requests(table, changes, stamp, puts_first)

    def mutateRow(self, tableName, row, mutations, attributes):
        self._mutate_rows(tableName, [Hbase.BatchMutation(row=row, mutations=mutations)], None, False)

    def mutateRowTs(self, tableName, row, mutations, timestamp, attributes):
        self._mutate_rows(tableName, [Hbase.BatchMutation(row=row, mutations=mutations)], timestamp, False)

    def mutateRows(self, tableName, rowBatches, attributes):
        self._mutate_rows(tableName, rowBatches, None, True)

    def mutateRowsTs(self, tableName, rowBatches, timestamp, attributes):
        self._mutate_rows(tableName, rowBatches, timestamp, True)

    def _delete(self, name: bytes, row: bytes, columns: list[bytes], ts: int | None) -> None:
        table = self.store.table(name)
        stamp = now_ms() if ts is None or ts == LATEST_TIMESTAMP else ts
        self.store.mutate(table, [(row, [Mutation(True, c, b"", stamp) for c in columns])])

    def deleteAll(self, tableName, row, column, attributes):
        self._delete(tableName, row, [column], None)

    def deleteAllTs(self, tableName, row, column, timestamp, attributes):
        self._delete(tableName, row, [column], timestamp)

    def deleteAllRow(self, tableName, row, attributes):
        table = self.store.table(tableName)
        self._delete(tableName, row, [f.encode("latin-1") for f in table.families], None)

    def deleteAllRowTs(self, tableName, row, timestamp, attributes):
        table = self.store.table(tableName)
        self._delete(tableName, row, [f.encode("latin-1") for f in table.families], timestamp)

    def _read_modify(self, name: bytes, row: bytes, column: bytes, update) -> object:
        """Atomically replace the newest value of one column with ``update(old_value_or_None)``."""
        table = self.store.table(name)
        family, qualifier = storage.split_column(column)
        table.family(family)
        key = family + b":" + (qualifier or b"")

        def change(row_dict: Row) -> tuple[Row, object]:
            versions = row_dict.get(key)
            now = now_ms()
            old = versions[0] if versions else None
            new_value, result, write = update(None if old is None else old[1])
            if not write:
                return row_dict, result
            ts = now if old is None else max(now, old[0])  # same ms: replace, never run ahead of the clock
            return storage.apply_mutations(row_dict, table, [Mutation(False, key, new_value, ts)]), (result, ts)

        return self.store.read_modify_write(table, row, change)

    def atomicIncrement(self, tableName, row, column, value):
        def update(old: bytes | None) -> tuple[bytes, int, bool]:
            if old is not None and len(old) != 8:
                raise InvalidArgument(f"Field is not a long, it's {len(old)} bytes wide")
            current = 0 if old is None else int.from_bytes(old, "big", signed=True)
            new = current + value
            return new.to_bytes(8, "big", signed=True), new, old is None or value != 0

        result = self._read_modify(tableName, row, column, update)
        return result[0] if isinstance(result, tuple) else result

    def increment(self, increment):
        self.atomicIncrement(increment.table, increment.row, increment.column, increment.ammount)

    def incrementRows(self, increments):
        for inc in increments or ():
            self.increment(inc)

    def append(self, append):
        cells = []
        for column, suffix in zip(append.columns or [], append.values or [], strict=True):

            def update(old: bytes | None, suffix: bytes = suffix) -> tuple[bytes, bytes, bool]:
                new = (old or b"") + suffix
                return new, new, True

            value, ts = self._read_modify(append.table, append.row, column, update)
            cells.append(TCell(value=value, timestamp=ts))
        return cells

    def checkAndPut(self, tableName, row, column, value, mput, attributes):
        table = self.store.table(tableName)
        family, qualifier = storage.split_column(column)
        table.family(family)
        key = family + b":" + (qualifier or b"")
        if mput is None or mput.isDelete:
            raise InvalidArgument("checkAndPut needs a put mutation")
        put = Mutation(False, mput.column, mput.value if mput.value is not None else b"", now_ms())

        def change(row_dict: Row) -> tuple[Row, bool]:
            versions = row_dict.get(key)
            current = versions[0][1] if versions else None
            if current != value:
                return row_dict, False
            return storage.apply_mutations(row_dict, table, [put]), True

        return self.store.read_modify_write(table, row, change)

    # --- scanners -----------------------------------------------------------------------------
    def _open(
        self,
        name: bytes,
        start: bytes | None,
        stop: bytes | None,
        columns: list[bytes] | None,
        ts: int | None,
        filter_string: bytes | None = None,
        batch: int | None = None,
        sort_columns: bool = False,
        reverse: bool = False,
    ) -> int:
        table = self.store.table(name)
        spec = ReadSpec.from_columns(columns, ts)
        spec.check_families(table)
        row_filter = parse_filter(filter_string, reverse) if filter_string else None
        if batch is not None and batch < 1:
            batch = None
        rows = self.store.iterate(table, start or b"", stop or None, reverse)
        scanner = Scanner(table, rows, spec, row_filter, sort_columns, batch, raw=self.raw_scans)
        if len(self._scanners) > 64:
            self._expire_idle_scanners()  # a client that never closes scanners nor disconnects
        with self._scanners_lock:
            scanner_id = next(self._scanner_ids) & 0x7FFFFFFF
            self._scanners[scanner_id] = scanner
        scanners = getattr(self.connection, "scanners", None)
        if scanners is not None:
            scanners.add(scanner_id)
        return scanner_id

    def scannerOpenWithScan(self, tableName, scan, attributes):
        return self._open(
            tableName,
            scan.startRow,
            scan.stopRow,
            scan.columns,
            scan.timestamp,
            scan.filterString,
            scan.batchSize,
            bool(scan.sortColumns),
            bool(scan.reversed),
        )

    def scannerOpen(self, tableName, startRow, columns, attributes):
        return self._open(tableName, startRow, None, columns, None)

    def scannerOpenWithStop(self, tableName, startRow, stopRow, columns, attributes):
        return self._open(tableName, startRow, stopRow, columns, None)

    def scannerOpenWithPrefix(self, tableName, startAndPrefix, columns, attributes):
        return self._open(tableName, startAndPrefix, _increment(startAndPrefix), columns, None)

    def scannerOpenTs(self, tableName, startRow, columns, timestamp, attributes):
        return self._open(tableName, startRow, None, columns, timestamp)

    def scannerOpenWithStopTs(self, tableName, startRow, stopRow, columns, timestamp, attributes):
        return self._open(tableName, startRow, stopRow, columns, timestamp)

    def _scanner(self, scanner_id: int) -> Scanner:
        scanner = self._scanners.get(scanner_id)
        if scanner is None:
            raise InvalidArgument("scanner ID is invalid")
        return scanner

    def scannerGet(self, id):
        return self._scanner(id).next_results(1)

    def scannerGetList(self, id, nbRows):
        count = max(1, nbRows or 1)
        scanner = self._scanner(id)
        out = scanner.next_results(count)
        if len(out) == count and not scanner.done:
            self.connection.prefetch = (scanner, count)
        return out

    def raw_scan_reply(self, scanner_id: int, nb_rows: int) -> bytes | None:
        """Encoded ``scannerGetList`` reply for raw scanners; None sends the call the normal way."""
        scanner = self._scanners.get(scanner_id)
        if scanner is None or not scanner.raw:
            return None
        count = max(1, nb_rows or 1)
        items = scanner.next_results(count)
        if len(items) == count and not scanner.done:
            self.connection.prefetch = (scanner, count)
        return encode_scan_reply(items)  # type: ignore[arg-type]

    def after_call(self) -> None:
        """Called by the server after each reply is sent: do deferred read-ahead."""
        pending = getattr(self.connection, "prefetch", None)
        if pending is not None:
            self.connection.prefetch = None
            pending[0].prefetch(pending[1])

    def scannerClose(self, id):
        if self._scanners.pop(id, None) is None:
            raise InvalidArgument("scanner ID is invalid")
        scanners = getattr(self.connection, "scanners", None)
        if scanners is not None:
            scanners.discard(id)


def _increment(prefix: bytes) -> bytes | None:
    """Smallest key after every key starting with ``prefix`` (None: to the end)."""
    b = bytearray(prefix)
    for i in range(len(b) - 1, -1, -1):
        if b[i] != 0xFF:
            b[i] += 1
            return bytes(b[: i + 1])
    return None


__all__ = ["HbaseHandler", "Scanner", "StorageError"]
