"""The original Flume interceptors as plain functions (docs/original-system.md#flume-interceptors).

``regex_filter`` with ``^\\d{14}`` keeps only lines that start with 14 ASCII digits (the timestamp),
which drops the per-car header lines. ``CollectDayInterceptor`` appends ``,`` plus the collection date
``yyyyMMdd`` to each kept line. Hand-written because they are two lines each and must work on bytes
at millions of lines per second.
"""

from __future__ import annotations

import re

from smartcar.core.business_dates import BusinessDate

_FOURTEEN_DIGITS = re.compile(rb"[0-9]{14}")


def keep(line: bytes) -> bool:
    """The ``^\\d{14}`` regex filter (Java's ``\\d`` is ASCII-only by default, so is this one)."""
    return _FOURTEEN_DIGITS.match(line) is not None


def collect_day_suffix(collect_day: str) -> bytes:
    """What the collect-day interceptor appends: ``b",20200323"``.

    The date becomes part of every landed line, so text is parsed here (a :class:`BusinessDate`
    passes through unchecked).
    """
    return b"," + BusinessDate(collect_day).encode()


def intercept(line: bytes, suffix: bytes) -> bytes | None:
    """One status-log line through both interceptors: the landed line (with newline) or None if filtered."""
    if not keep(line):
        return None
    return line.rstrip(b"\r\n") + suffix + b"\n"
