from streaming.rate import RateMeter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_spans_the_window_not_the_last_interval() -> None:
    clock = Clock()
    meter = RateMeter(window_s=10, clock=clock)
    assert meter.observe(0) == 0.0
    # a 5,000-event batch lands every 2 s: per-second figures would alternate 5,000 and 0
    rates = []
    for step in range(1, 21):
        clock.now = float(step)
        rates.append(meter.observe((step // 2) * 5000))
    assert all(r > 0 for r in rates[1:])  # from the first batch on, never a false 0
    assert 2400 <= rates[-1] <= 2600  # 2,500 events/s on average


def test_rate_drops_to_zero_when_input_stops() -> None:
    clock = Clock()
    meter = RateMeter(window_s=5, clock=clock)
    for step in range(6):
        clock.now = float(step)
        meter.observe(step * 1000)
    for step in range(6, 20):
        clock.now = float(step)
        rate = meter.observe(5000)
    assert rate == 0.0
