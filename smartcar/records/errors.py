"""Errors of the record search and correction tool: each one means "bad input, nothing was written"."""

from __future__ import annotations


class RecordsError(ValueError):
    """Base class: the message is one sentence a user can act on."""


class ConditionError(RecordsError):
    """A search condition is malformed or names an unknown column."""


class TimeRangeError(RecordsError):
    """A from/to bound is malformed, or from is after to."""


class RowKeyError(RecordsError):
    """A row key is malformed or names no stored record."""


class CorrectionError(RecordsError):
    """A correction names an unknown column or carries an invalid value."""
