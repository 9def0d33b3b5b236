"""The hand-encoded scan reply must be byte-identical to what thriftpy2 would write."""

from __future__ import annotations

from thriftpy2.protocol import TCyBinaryProtocolFactory
from thriftpy2.transport import TCyMemoryBuffer

from smartcar.hbase.handler import encode_cells, encode_row_result, encode_scan_reply
from smartcar.hbase.idl import Hbase


def thriftpy_bytes(rows: list[tuple[bytes, dict]]) -> bytes:
    buf = TCyMemoryBuffer()
    result = Hbase.Hbase.scannerGetList_result(
        success=[
            Hbase.TRowResult(row=r, columns={c: Hbase.TCell(value=v[0][1], timestamp=v[0][0]) for c, v in cols.items()})
            for r, cols in rows
        ]
    )
    result.write(TCyBinaryProtocolFactory().get_protocol(buf))
    return buf.getvalue()


def test_raw_scan_reply_matches_thriftpy2() -> None:
    rows = [
        (b"r\x00\xff", {b"cf1:a": [(1_700_000_000_000, b"v\x00"), (1, b"old")], b"cf1:b": [(-1, b"")]}),
        (b"", {}),
        ("차".encode(), {"cf:이".encode(): [(2**62, bytes(range(256)))]}),
    ]
    assert encode_scan_reply([encode_row_result(r, c) for r, c in rows]) == thriftpy_bytes(rows)
    assert encode_scan_reply([]) == thriftpy_bytes([])


def test_encoded_cells_match_encoded_rows() -> None:
    stored = {b"cf1:a": [(5, b"x"), (1, b"y")], b"cf1:b": [(7, b"")]}
    cells = [(c, v[0][0], v[0][1]) for c, v in stored.items()]
    assert encode_cells(b"r", cells) == encode_row_result(b"r", stored)
