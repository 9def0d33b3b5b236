"""The pages' SVG charts: titled, both axes labelled, exact figures on hover, scaled to the page width."""

from __future__ import annotations

import re

from smartcar_ui.charts import bar_chart, line_chart, nice_ticks, ranked_bars, status_grid

from streaming.speeding_stats import alerts_per_hour, split_member


def test_alerts_per_hour_from_members() -> None:
    members = ["A0001-20200322000058", "B0002-20200322000128", "A0001-20200322235958", "bad"]
    hours = alerts_per_hour(members)
    assert len(hours) == 24 and hours[0] == 2 and hours[23] == 1 and sum(hours) == 3
    assert split_member("K0042-20200322010000") == ("K0042", "20200322010000")


def test_bar_chart_is_self_contained_svg_with_exact_figures() -> None:
    svg = bar_chart("Cars per area", ["A01", "B<2>"], [3, 7], x_label="area", y_label="cars", unit=" cars")
    assert svg.startswith("<svg") and svg.count('class="bar"') == 2
    assert "<title>B&lt;2&gt;: 7 cars</title>" in svg  # labels escaped, exact value on hover
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert 'class="chart-title"' in svg and ">Cars per area</text>" in svg
    assert re.search(r'class="axis-label x"[^>]*>area<', svg) and re.search(r'class="axis-label y"[^>]*>cars<', svg)
    # drawn in a viewBox without a fixed width: CSS scales it to the page
    assert 'viewBox="0 0 1000 ' in svg and ' width="' not in svg.split(">", 1)[0]


def test_bar_heights_are_proportional_on_a_round_axis() -> None:
    svg = bar_chart("t", ["a", "b"], [5, 10], x_label="x", y_label="y")
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([0-9.]+)"', svg)]
    assert heights[1] == 2 * heights[0]
    assert [t for t in re.findall(r'class="tick y"[^>]*>([0-9,.]+)<', svg)] == ["0", "2", "4", "6", "8", "10"]


def test_nice_ticks_cover_the_peak_with_round_steps() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(7)[-1] >= 7 and nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(950.5) == [0, 200, 400, 600, 800, 1000]
    assert nice_ticks(12) == [0, 2.5, 5, 7.5, 10, 12.5]


def test_many_labels_are_thinned_so_they_do_not_overlap() -> None:
    labels = [f"{m:02d}:00" for m in range(60)]
    svg = line_chart("Lag", labels, {"lag": list(range(60))}, x_label="minute", y_label="events")
    shown = re.findall(r'class="tick x"[^>]*>([^<]+)<', svg)
    assert 8 <= len(shown) < 30 and shown[0] == "00:00"
    assert svg.count('class="point"') == 60 and "<title>lag 59:00: 59</title>" in svg


def test_empty_charts_say_so_instead_of_drawing_nothing() -> None:
    for svg in (
        bar_chart("t", [], [], x_label="x", y_label="y"),
        line_chart("t", [], {"a": []}, x_label="x", y_label="y"),
        ranked_bars("t", [], [], x_label="x", y_label="y"),
    ):
        assert "no data yet" in svg and svg.endswith("</svg>")


def test_ranked_bars_and_status_grid() -> None:
    svg = ranked_bars("Top cars", ["K1", "K2"], [9, 3], x_label="windows", y_label="car", unit=" windows")
    assert "<title>K1: 9 windows</title>" in svg and svg.index(">K1<") < svg.index(">K2<")
    grid = status_grid(
        "Checks",
        ["t1", "t2"],
        ["20200322", "20200323"],
        {("t1", "20200322"): "failed"},
        x_label="date",
        y_label="table",
    )
    assert grid.count('class="cell failed"') == 1 and grid.count('class="cell none"') == 3
    assert "t2 20200323: not validated" in grid
