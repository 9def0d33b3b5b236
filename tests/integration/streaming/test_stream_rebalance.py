"""A second processor joins the group mid-stream: partitions move, window state is rebuilt by replay."""

from __future__ import annotations

import pytest

from simulator.scripted import car_numbers, produce, scripted_lines
from smartcar.settings import REPO_ROOT
from streaming import alerts_store
from streaming.events import parse_line
from streaming.rules import load_rules
from tests.fixtures.stream_results import count_rows, run_rules

pytestmark = pytest.mark.integration
DATE = "20200404"


def test_second_instance_joins_mid_stream(stream_settings, run_processor, wait_for):
    s = stream_settings
    cars = car_numbers(100, "S")

    def speed(car: str, t: int) -> int:
        return 100 if int(car[1:]) % 4 == 0 and (t // 30) % 3 == 0 else 55 + t % 11

    pairs = list(scripted_lines(cars, f"{DATE}000000", 800, speed))
    pairs.append(("S0001", f"{DATE}002000,S0001,1,0,F,N,0,A01"))
    pairs.append(("S0002", f"{DATE}002000,S0002,1,0,F,N,0,A01"))
    produce(pairs, s, partitions=2)
    expected = {
        a.member
        for a in run_rules(load_rules(REPO_ROOT / "include" / "rules"), [parse_line(line) for _, line in pairs])
        if a.rule == "speeding"
    }

    first = run_processor(s, stop_when_idle_s=8, idle_advance_after_s=3, batch_size=1000)
    wait_for(lambda: first.counters.valid >= 10_000, 120, "first instance under way")
    second = run_processor(s, stop_when_idle_s=8, idle_advance_after_s=3, batch_size=1000)
    wait_for(lambda: len(first.assigned) == 1 and len(second.assigned) == 1, 60, "partitions shared")
    first.thread.join(180)
    second.thread.join(180)
    assert first.error is None and second.error is None
    assert not first.thread.is_alive() and not second.thread.is_alive()

    assert count_rows(s) == len(pairs)  # replayed events rewrote the same rows
    assert set(alerts_store.speeding_cars(DATE, s)) == expected
    assert first.counters.valid + second.counters.valid >= len(pairs)
