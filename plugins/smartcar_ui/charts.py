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


STATUS_COLOURS = {"passed": "#2e8540", "warning": "#e0a800", "failed": "#c0392b"}


def status_grid(title: str, rows: Sequence[str], columns: Sequence[str], cells: dict[tuple[str, str], str]) -> Raw:
    """A pass/fail grid: one row per table, one column per date, a coloured cell per validation.

    ``cells`` maps ``(row, column)`` to a status (``passed``/``warning``/``failed``); a pair with no
    run is left as an outlined empty cell, so a missing validation is visible, not hidden.
    Each cell links nowhere (the table below has the links) but carries its figure in ``<title>``.
    """
    size, gap, left, top = 16, 3, max((len(r) for r in rows), default=10) * 6 + 8, 30
    width = left + len(columns) * (size + gap) + gap
    height = top + len(rows) * (size + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title, quote=True)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="12" font-size="11" fill="currentColor">{escape(title)}</text>',
    ]
    for j, column in enumerate(columns):
        if j % 7 == 0 or j == len(columns) - 1:
            x = left + gap + j * (size + gap)
            parts.append(f'<text x="{x}" y="{height - 8}" font-size="9" fill="currentColor">{escape(column)}</text>')
    for i, row in enumerate(rows):
        y = top + i * (size + gap)
        parts.append(
            f'<text x="{left - 6}" y="{y + size - 4}" font-size="10" text-anchor="end" '
            f'fill="currentColor">{escape(row)}</text>'
        )
        for j, column in enumerate(columns):
            x = left + gap + j * (size + gap)
            status = cells.get((row, column))
            fill = STATUS_COLOURS.get(status or "", "none")
            parts.append(
                f'<rect class="cell {escape(status or "none")}" x="{x}" y="{y}" width="{size}" height="{size}" '
                f'fill="{fill}" stroke="#9aa5b1"><title>{escape(row)} {escape(column)}: '
                f"{escape(status or 'not validated')}</title></rect>"
            )
    parts.append("</svg>")
    return Raw("".join(parts))
