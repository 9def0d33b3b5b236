"""The platform's one date type: a business date ``yyyyMMdd`` and a business month ``yyyyMM``.

A date reaches the platform as text from many edges (DAG params, run conf, asset events, CLI
options, query strings, stored names) and leaves it as text too (SQL variables, partition paths,
Redis keys, XCom). Both types are therefore ``str`` subclasses: a parsed value *is* the text it was
parsed from, so it goes into f-strings, SQL variable maps, JSON (params, XCom, asset ``extra``),
sorting and comparisons with plain strings unchanged, and no sink needs a ``str(...)``. A frozen
dataclass would have needed a conversion at every one of those places.

Parse once where the text enters (``BusinessDate(text)``); below that, take the type and do not
check again. Constructing from a value that already has the type returns it as is, so an inner
function that must also accept plain text (a public entry point) can call the constructor without
checking twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Self

DATE_PATTERN: Final = r"^\d{8}$"
"""The JSON-schema pattern of a date param (Airflow's trigger form checks it before we do)."""


def _ascii_digits(text: str, width: int) -> bool:
    return len(text) == width and text.isascii() and text.isdigit()


class _ParsedText(str):
    """Text checked once on construction; constructing from a value of the same type returns it as is."""

    __slots__ = ()
    EXPECTED = ""
    """What a bad value is told it should have been."""

    def __new__(cls, value: str) -> Self:
        if type(value) is cls:
            return value
        if not cls.is_valid(value):
            raise ValueError(f"expected {cls.EXPECTED}, got {value!r}")
        return super().__new__(cls, value)

    @staticmethod
    def is_valid(value: object) -> bool:
        raise NotImplementedError


class BusinessDate(_ParsedText):
    """A calendar day ``yyyyMMdd`` (simulation, business or load date: the same text everywhere)."""

    __slots__ = ()
    EXPECTED = "an 8-digit business date yyyyMMdd (a calendar day)"

    @staticmethod
    def is_valid(value: object) -> bool:
        """Whether ``value`` would parse; for filters that skip bad values instead of failing."""
        if not isinstance(value, str) or not _ascii_digits(value, 8):
            return False
        try:
            dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return False
        return True

    @classmethod
    def of(cls, day: dt.date) -> BusinessDate:
        """The business date of a date or datetime (its own calendar day, no time-zone shift)."""
        return cls(day.strftime("%Y%m%d"))

    @classmethod
    def utc_today(cls) -> BusinessDate:
        """Today in UTC (the stream's and the warehouse's clock)."""
        return cls.of(dt.datetime.now(dt.UTC))

    def as_date(self) -> dt.date:
        return dt.date(int(self[:4]), int(self[4:6]), int(self[6:]))

    def minus_days(self, days: int) -> BusinessDate:
        return BusinessDate.of(self.as_date() - dt.timedelta(days=days))

    def midnight_epoch(self) -> int:
        """Epoch second of 00:00 UTC starting this day."""
        return int(dt.datetime.combine(self.as_date(), dt.time(), dt.UTC).timestamp())

    @property
    def month(self) -> BusinessMonth:
        return BusinessMonth(self[:6])


class BusinessMonth(_ParsedText):
    """A calendar month ``yyyyMM`` (the buy-list mart's key)."""

    __slots__ = ()
    EXPECTED = "a 6-digit business month yyyyMM (month 01-12)"

    @staticmethod
    def is_valid(value: object) -> bool:
        """Whether ``value`` would parse; for filters that skip bad values instead of failing."""
        return isinstance(value, str) and _ascii_digits(value, 6) and 1 <= int(value[4:]) <= 12

    @classmethod
    def of(cls, day: dt.date) -> BusinessMonth:
        return cls(day.strftime("%Y%m"))


def _option(kind: type[BusinessDate] | type[BusinessMonth], text: str) -> Any:
    import typer  # only the CLIs need it

    try:
        return kind(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def date_option(text: str) -> BusinessDate:
    """A typer ``parser=`` for a business-date CLI option.

    A bad value becomes the option's usage error (exit code 2, the option named) with the type's own
    message; a plain ``ValueError`` would reach the user reworded by typer's pydantic layer. Annotate
    the option ``str`` (which a :class:`BusinessDate` is): typer shows the annotation in ``--help``,
    and the help text is an interface.
    """
    return _option(BusinessDate, text)


def month_option(text: str) -> BusinessMonth:
    """A typer ``parser=`` for a business-month CLI option (see :func:`date_option`)."""
    return _option(BusinessMonth, text)
