"""The one date type: parsed once, the text it was parsed from, one message for bad input."""

from __future__ import annotations

import datetime as dt
import json
import pickle

import pytest

from smartcar.core.business_dates import BusinessDate, BusinessMonth


def test_a_parsed_date_is_its_text() -> None:
    day = BusinessDate("20200322")
    assert day == "20200322" and isinstance(day, str)
    assert f"wrk_date={day}" == "wrk_date=20200322"
    assert json.dumps({"biz_dates": [day]}) == '{"biz_dates": ["20200322"]}'
    assert sorted([BusinessDate("20200323"), "20200322"]) == ["20200322", "20200323"]
    assert BusinessDate(day) is day  # parsing a parsed value checks nothing again
    assert pickle.loads(pickle.dumps(day)) == day  # crosses into the copy's worker processes


@pytest.mark.parametrize("text", ["2020032", "2020-03-22", "20201301", "20200230", "２０２００３２２", "", " 20200322"])
def test_bad_dates_are_one_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="8-digit business date yyyyMMdd"):
        BusinessDate(text)
    assert not BusinessDate.is_valid(text)


@pytest.mark.parametrize("text", ["20200", "2020-03", "202013", "202000", "abcdef"])
def test_bad_months_are_one_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="6-digit business month yyyyMM"):
        BusinessMonth(text)
    assert not BusinessMonth.is_valid(text)


def test_date_arithmetic() -> None:
    day = BusinessDate("20200301")
    assert day.minus_days(1) == "20200229"
    assert day.month == "202003" and isinstance(day.month, BusinessMonth)
    assert day.midnight_epoch() == int(dt.datetime(2020, 3, 1, tzinfo=dt.UTC).timestamp())
    assert BusinessDate.of(dt.datetime(2020, 3, 22, 23, 59, tzinfo=dt.UTC)) == "20200322"
    assert BusinessMonth.of(dt.date(2020, 3, 22)) == "202003"
