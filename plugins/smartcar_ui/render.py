"""Tiny server-side HTML helpers for the platform pages: escaped text, tables, one inline stylesheet.

Plain strings instead of a template engine: the pages are a few tables each, must not load any
external asset, and stay readable inside the Airflow UI's iframe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.2rem;color:#1f2933;background:#fff}
h1{font-size:1.4rem;margin:0 0 .8rem} h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
nav a{margin-right:1rem} table{border-collapse:collapse;margin:.4rem 0;font-size:.9rem}
th,td{border:1px solid #d3d8de;padding:.3rem .6rem;text-align:left;vertical-align:top} th{background:#f1f4f7}
.passed{background:#d9f2e6} .warning{background:#fff4cc} .failed{background:#fbd5d5} .muted{color:#6b7785}
.box{border:1px solid #d3d8de;border-radius:6px;padding:.6rem 1rem;margin:.5rem 0;display:inline-block;min-width:8rem}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;overflow-x:auto;margin:.5rem 0} .chart{display:block}
.box b{display:block;font-size:1.4rem} .err{background:#fbd5d5;padding:.5rem 1rem;border-radius:6px}
@media (prefers-color-scheme: dark){body{background:#111418;color:#e4e7eb}th{background:#1f2933}
th,td{border-color:#3e4c59}.passed{background:#14532d}.warning{background:#713f12}.failed{background:#7f1d1d}a{color:#7cc4fa}}
"""

NAV = (
    ("Overview", "/smartcar/"),
    ("Speeding & alerts", "/smartcar/speeding"),
    ("Stream health", "/smartcar/stream"),
    ("Data quality", "/smartcar/quality/"),
    ("Exports", "/smartcar/exports"),
)


def page(title: str, body: str) -> str:
    links = "".join(f'<a href="{href}">{escape(name)}</a>' for name, href in NAV)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · smartcar</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
        f"<body><nav>{links}</nav><h1>{escape(title)}</h1>{body}</body></html>"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], row_class: Sequence[str] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_class[i]}"' if row_class and row_class[i] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">nothing yet</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Raw(str):
    """Already-safe HTML (links built by the pages)."""


def cell(value: object) -> str:
    if isinstance(value, Raw):
        return value
    if value is None:
        return '<span class="muted">-</span>'
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return escape(str(value))


def link(href: str, text: str) -> Raw:
    return Raw(f'<a href="{escape(href, quote=True)}">{escape(text)}</a>')


def error(message: str) -> str:
    return f'<p class="err">{escape(message)}</p>'
