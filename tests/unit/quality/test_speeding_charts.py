"""The speeding page's chart figures and SVG (server-rendered, no external asset)."""

from __future__ import annotations

from smartcar_ui.charts import bar_chart

from smartcar.speeding_stats import alerts_per_hour, split_member


def test_alerts_per_hour_from_members() -> None:
    members = ["A0001-20200322000058", "B0002-20200322000128", "A0001-20200322235958", "bad"]
    hours = alerts_per_hour(members)
    assert len(hours) == 24 and hours[0] == 2 and hours[23] == 1 and sum(hours) == 3
    assert split_member("K0042-20200322010000") == ("K0042", "20200322010000")


def test_bar_chart_is_self_contained_svg_with_exact_figures() -> None:
    svg = bar_chart("cars per area", ["A01", "B<2>"], [3, 7], " cars")
    assert svg.startswith("<svg") and svg.count('class="bar"') == 2
    assert "<title>B&lt;2&gt;: 7 cars</title>" in svg  # labels escaped, exact value on hover
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
