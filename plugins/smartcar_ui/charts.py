"""Inline SVG bar charts for the platform pages, rendered on the server.

Hand-written (about forty lines) rather than a charting library: the pages load no script and no
external asset (they must work offline inside the Airflow UI), and a bar chart of a few dozen
labelled counts is all they need. Bars carry a ``<title>`` so hovering shows the exact figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from smartcar_ui.render import Raw


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], unit: str = "", height: int = 160, bar: int = 22
) -> Raw:
    """A vertical bar chart: one bar per label, the axis from 0 to the largest value.

    With narrow bars (``bar`` < 18) only every sixth label is written under the axis.
    """
    n = max(len(labels), 1)
    gap, left, bottom, top = max(2, bar // 4), 48, 34, 18
    every = 1 if bar >= 18 else 6
    width = left + n * (bar + gap) + gap
    peak = max([*values, 0]) or 1
    scale = (height - bottom - top) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title, quote=True)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="12" font-size="11" fill="currentColor">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#9aa5b1"/>',
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end" fill="currentColor">{peak:g}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" font-size="10" text-anchor="end" fill="currentColor">0</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + gap + i * (bar + gap)
        h = value * scale
        y = height - bottom - h
        parts.append(
            f'<rect class="bar" x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="#3e7cb1">'
            f"<title>{escape(str(label))}: {value:g}{escape(unit)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar / 2}" y="{height - bottom + 12}" font-size="9" text-anchor="middle" '
                f'fill="currentColor">{escape(str(label))}</text>'
            )
    parts.append("</svg>")
    return Raw("".join(parts))
