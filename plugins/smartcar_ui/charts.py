"""Inline SVG charts for the platform pages, rendered on the server: bars, lines, ranked bars, a status grid.

Hand-written rather than a charting library: the pages must work offline inside the Airflow UI's
frame, with no script and no external asset, and a test must be able to read what a person sees
(the title, the axis labels, each figure). Plotly or Vega would need a multi-megabyte script served
next to every page and render only in a browser; pygal's tooltips load a script from a CDN.
Every chart draws into a fixed ``viewBox`` and is scaled to the page's width by CSS
(``width:100%``), so it is full-width at any window size; every mark carries a ``<title>`` with its
exact figure and unit, which browsers show on hover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from smartcar_ui.render import Raw

WIDTH = 1000
EMPTY_HEIGHT = 140
LEFT, RIGHT, TOP, BOTTOM = 78, 20, 40, 52
BAR_COLOUR = "var(--chart-bar, #0d7fd4)"
SERIES_COLOURS = ("#0d7fd4", "#e8590c", "#2f9e44", "#862e9c")
STATUS_COLOURS = {"passed": "#2f9e44", "warning": "#f59f00", "failed": "#e03131"}


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def nice_ticks(peak: float, count: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 times a power of ten) up to at least ``peak``."""
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    top = math.ceil(peak / step - 1e-9) * step
    return [i * step for i in range(round(top / step) + 1)]


def _frame(title: str, height: int, x_label: str, y_label: str, kind: str) -> list[str]:
    """The ``<svg>`` opening, its title (text and accessible name) and both axis labels."""
    plot_mid_x = LEFT + (WIDTH - LEFT - RIGHT) / 2
    plot_mid_y = TOP + (height - TOP - BOTTOM) / 2
    label = escape(title, quote=True)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart {kind}" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMidYMin meet" aria-label="{label}">',
        f"<title>{escape(title)}</title>",
        f'<text class="chart-title" x="{LEFT}" y="20" font-size="16" font-weight="600" fill="currentColor">'
        f"{escape(title)}</text>",
        f'<text class="axis-label x" x="{plot_mid_x}" y="{height - 8}" font-size="13" text-anchor="middle" '
        f'fill="currentColor">{escape(x_label)}</text>',
        f'<text class="axis-label y" x="16" y="{plot_mid_y}" font-size="13" text-anchor="middle" '
        f'fill="currentColor" transform="rotate(-90 16 {plot_mid_y})">{escape(y_label)}</text>',
    ]


def _y_axis(ticks: Sequence[float], height: int) -> tuple[list[str], float]:
    """Horizontal grid lines with their values; returns the parts and the units-to-pixels scale."""
    bottom = height - BOTTOM
    scale = (bottom - TOP) / (ticks[-1] or 1)
    parts = []
    for t in ticks:
        y = bottom - t * scale
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#8c96a3" '
                     f'stroke-opacity="{0.8 if t == 0 else 0.25}"/>')  # fmt: skip
        parts.append(f'<text class="tick y" x="{LEFT - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="currentColor">{_fmt(t)}</text>')  # fmt: skip
    return parts, scale


def _x_labels(labels: Sequence[str], centres: Sequence[float], height: int, min_gap: float = 44) -> list[str]:
    """Tick labels under the axis, thinned so that neighbours never overlap."""
    n = len(labels)
    every = max(1, math.ceil(min_gap / ((WIDTH - LEFT - RIGHT) / max(n, 1))))
    return [
        f'<text class="tick x" x="{x:.1f}" y="{height - BOTTOM + 18}" font-size="12" text-anchor="middle" '
        f'fill="currentColor">{escape(str(label))}</text>'
        for i, (label, x) in enumerate(zip(labels, centres, strict=True))
        if i % every == 0 or (i == n - 1 and (n - 1) % every >= every / 2)
    ]


def _empty(parts: list[str], height: int, message: str = "no data yet") -> Raw:
    parts.append(f'<text class="empty" x="{WIDTH / 2}" y="{height / 2}" font-size="14" text-anchor="middle" '
                 f'fill="currentColor" opacity="0.6">{escape(message)}</text></svg>')  # fmt: skip
    return Raw("".join(parts))


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    x_label: str,
    y_label: str,
    unit: str = "",
    height: int = 280,
) -> Raw:
    """Vertical bars, one per label, on a y axis from 0 with round ticks."""
    if not labels:
        return _empty(_frame(title, EMPTY_HEIGHT, x_label, y_label, "bars"), EMPTY_HEIGHT)
    parts = _frame(title, height, x_label, y_label, "bars")
    grid, scale = _y_axis(nice_ticks(max([*values, 0])), height)
    parts += grid
    slot = (WIDTH - LEFT - RIGHT) / len(labels)
    bar = max(1.0, slot * 0.78)
    centres = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + (slot - bar) / 2
        h = value * scale
        centres.append(x + bar / 2)
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{height - BOTTOM - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{BAR_COLOUR}" rx="2"><title>{escape(str(label))}: {_fmt(value)}{escape(unit)}</title></rect>'
        )
    parts += _x_labels(labels, centres, height)
    parts.append("</svg>")
    return Raw("".join(parts))


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    x_label: str,
    y_label: str,
    unit: str = "",
    height: int = 280,
) -> Raw:
    """One line per series over shared x labels (time); each point has its figure on hover."""
    if not labels:
        return _empty(_frame(title, EMPTY_HEIGHT, x_label, y_label, "lines"), EMPTY_HEIGHT)
    parts = _frame(title, height, x_label, y_label, "lines")
    peak = max((v for values in series.values() for v in values), default=0)
    grid, scale = _y_axis(nice_ticks(peak), height)
    parts += grid
    step = (WIDTH - LEFT - RIGHT) / max(len(labels) - 1, 1)
    xs = [LEFT + i * step if len(labels) > 1 else (WIDTH + LEFT - RIGHT) / 2 for i in range(len(labels))]
    for k, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        points = [(x, height - BOTTOM - v * scale) for x, v in zip(xs, values, strict=True)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="line" points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), label, v in zip(points, labels, values, strict=True):
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>'
                f"{escape(name)} {escape(str(label))}: {_fmt(v)}{escape(unit)}</title></circle>"
            )
        if len(series) > 1:
            parts.append(f'<text class="legend" x="{WIDTH - RIGHT - 160 * (len(series) - k)}" y="20" font-size="13" '
                         f'fill="{colour}">— {escape(name)}</text>')  # fmt: skip
    parts += _x_labels(labels, xs, height)
    parts.append("</svg>")
    return Raw("".join(parts))


def ranked_bars(
    title: str, labels: Sequence[str], values: Sequence[float], *, x_label: str, y_label: str, unit: str = ""
) -> Raw:
    """Horizontal bars, largest first (the top N of something), the label left of each bar."""
    row = 26
    height = TOP + max(len(labels), 1) * row + BOTTOM
    parts = _frame(title, height, x_label, y_label, "ranked")
    if not labels:
        return _empty(parts, height)
    ticks = nice_ticks(max(values))
    scale = (WIDTH - LEFT - RIGHT - 60) / (ticks[-1] or 1)
    for t in ticks:
        x = LEFT + t * scale
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height - BOTTOM}" '
                     f'stroke="#8c96a3" stroke-opacity="{0.8 if t == 0 else 0.25}"/>')  # fmt: skip
        parts.append(f'<text class="tick x" x="{x:.1f}" y="{height - BOTTOM + 18}" font-size="12" '
                     f'text-anchor="middle" fill="currentColor">{_fmt(t)}</text>')  # fmt: skip
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * row + 4
        w = value * scale
        parts.append(
            f'<text class="tick y" x="{LEFT - 8}" y="{y + row / 2 + 1}" font-size="12" text-anchor="end" '
            f'fill="currentColor">{escape(str(label))}</text>'
            f'<rect class="bar" x="{LEFT}" y="{y}" width="{w:.1f}" height="{row - 8}" fill="{BAR_COLOUR}" rx="2">'
            f"<title>{escape(str(label))}: {_fmt(value)}{escape(unit)}</title></rect>"
            f'<text class="value" x="{LEFT + w + 6:.1f}" y="{y + row / 2 + 1}" font-size="12" '
            f'fill="currentColor">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return Raw("".join(parts))


def status_grid(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], str],
    *,
    x_label: str,
    y_label: str,
) -> Raw:
    """A pass/fail grid: one row per table, one column per date, a coloured cell per validation.

    ``cells`` maps ``(row, column)`` to a status (``passed``/``warning``/``failed``); a pair with no
    run is an outlined empty cell, so a missing validation is visible, not hidden. Each cell carries
    its status in ``<title>``.
    """
    left = max(LEFT, max((len(r) for r in rows), default=10) * 7 + 40)
    size = min(28.0, (WIDTH - left - RIGHT) / max(len(columns), 1))
    height = TOP + len(rows) * size + BOTTOM
    parts = _frame(title, int(height), x_label, y_label, "grid")
    if not rows or not columns:
        return _empty(parts, int(height))
    for i, row in enumerate(rows):
        y = TOP + i * size
        parts.append(f'<text class="tick y" x="{left - 8}" y="{y + size / 2 + 4:.1f}" font-size="12" '
                     f'text-anchor="end" fill="currentColor">{escape(row)}</text>')  # fmt: skip
        for j, column in enumerate(columns):
            status = cells.get((row, column))
            fill = STATUS_COLOURS.get(status or "", "none")
            parts.append(
                f'<rect class="cell {escape(status or "none")}" x="{left + j * size + 1:.1f}" y="{y + 1:.1f}" '
                f'width="{size - 2:.1f}" height="{size - 2:.1f}" rx="3" fill="{fill}" stroke="#8c96a3" '
                f'stroke-opacity="0.5"><title>{escape(row)} {escape(column)}: '
                f"{escape(status or 'not validated')}</title></rect>"
            )
    every = max(1, math.ceil(80 / size))
    for j, column in enumerate(columns):
        if j % every == 0:
            parts.append(f'<text class="tick x" x="{left + j * size + size / 2:.1f}" y="{height - BOTTOM + 18:.1f}" '
                         f'font-size="12" text-anchor="middle" fill="currentColor">{escape(column)}</text>')  # fmt: skip
    parts.append("</svg>")
    return Raw("".join(parts))
