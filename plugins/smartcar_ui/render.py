"""Server-side HTML helpers for the platform pages: the page frame, tables, cards, badges, pagers.

Plain strings instead of a template engine: the pages are a few tables and charts each, must not
load any external asset, and render inside the Airflow UI's frame. The stylesheet follows the
Airflow 3 UI (Chakra's gray scale, Inter, 6 px radii, its state colours) and its colour mode:
one inline script copies the ``dark`` class of the parent UI (same origin) onto the page, and
turns links to Airflow's own pages (``data-ui``) into navigations of the UI around the frame,
which the frame's sandbox would otherwise keep inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import urlencode

STYLE = """
:root{--fg:#18181b;--muted:#71717a;--bg:#fff;--panel:#fafafa;--border:#e4e4e7;--head:#f4f4f5;--link:#0d7fd4;
--ok:#dcfce7;--ok-fg:#166534;--warn:#fef3c7;--warn-fg:#92400e;--bad:#fee2e2;--bad-fg:#991b1b;--run:#dbeafe;
--run-fg:#1e40af;--idle:#f4f4f5;--idle-fg:#52525b;--chart-bar:#0d7fd4}
html.dark{--fg:#e4e4e7;--muted:#a1a1aa;--bg:#09090b;--panel:#18181b;--border:#3f3f46;--head:#27272a;--link:#60a5fa;
--ok:#14532d;--ok-fg:#bbf7d0;--warn:#713f12;--warn-fg:#fde68a;--bad:#7f1d1d;--bad-fg:#fecaca;--run:#1e3a8a;
--run-fg:#bfdbfe;--idle:#27272a;--idle-fg:#d4d4d8;--chart-bar:#3b9ae8}
*{box-sizing:border-box}
body{font-family:Inter,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:16px 20px;
color:var(--fg);background:var(--bg);font-size:14px;line-height:1.45}
h1{font-size:20px;font-weight:600;margin:4px 0 14px} h2{font-size:16px;font-weight:600;margin:22px 0 8px}
a{color:var(--link);text-decoration:none} a:hover{text-decoration:underline}
nav.tabs{display:flex;gap:4px;border-bottom:1px solid var(--border);margin-bottom:12px;flex-wrap:wrap}
nav.tabs a{padding:6px 12px;border-bottom:2px solid transparent;color:var(--fg)}
nav.tabs a.active{border-bottom-color:var(--link);font-weight:600}
.table-wrap{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:6px 0;font-size:13px;max-width:100%}
th,td{border-bottom:1px solid var(--border);padding:6px 10px;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600;white-space:nowrap} tr:hover td{background:var(--panel)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.passed,.success{background:var(--ok);color:var(--ok-fg)} .warning,.up_for_retry,.up_for_reschedule{background:var(--warn);color:var(--warn-fg)}
.failed,.upstream_failed{background:var(--bad);color:var(--bad-fg)} .running,.queued,.waiting{background:var(--run);color:var(--run-fg)}
.skipped,.none{background:var(--idle);color:var(--idle-fg)}
.muted{color:var(--muted)} code{font-family:"Fira Code",SFMono-Regular,Menlo,monospace;font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:8px 0}
.card{border:1px solid var(--border);border-radius:6px;padding:10px 12px;background:var(--panel)}
.card b{display:block;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.card span{color:var(--muted);font-size:12px} .card.passed span,.card.failed span,.card.warning span{color:inherit}
.badge{display:inline-block;padding:1px 8px;border-radius:9999px;font-size:12px;font-weight:500}
.chart{display:block;width:100%;height:auto;margin:8px 0 18px;color:var(--fg)}
.err{background:var(--bad);color:var(--bad-fg);padding:8px 12px;border-radius:6px}
details{margin:8px 0} summary{cursor:pointer;font-weight:600;padding:4px 0}
.pager{display:flex;gap:12px;align-items:center;margin:6px 0;color:var(--muted)}
form.inline{display:flex;gap:8px;align-items:center;margin:4px 0 8px}
input,button{font:inherit;padding:4px 8px;border:1px solid var(--border);border-radius:6px;background:var(--bg);color:var(--fg)}
button{cursor:pointer;background:var(--head)}
table.matrix td{text-align:center;white-space:nowrap} table.matrix td:first-child{text-align:left;font-weight:600}
table.matrix td a{color:inherit;display:block}
"""

SCRIPT = """
(function(){var d=document.documentElement;try{d.classList.toggle('dark',
parent!==window&&parent.document.documentElement.classList.contains('dark'))}catch(e){}
if(!d.classList.contains('dark')&&parent===window&&matchMedia('(prefers-color-scheme: dark)').matches){
d.classList.add('dark')}
document.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest('a[data-ui]');
if(!a||parent===window||e.ctrlKey||e.metaKey||e.shiftKey)return;try{e.preventDefault();
top.history.pushState(null,'',a.getAttribute('href'));top.dispatchEvent(new PopStateEvent('popstate'))}
catch(err){location.href=a.href}})})();
"""

NAV = (
    ("Overview", "/smartcar/"),
    ("Speeding & alerts", "/smartcar/speeding"),
    ("Stream health", "/smartcar/stream"),
    ("Data quality", "/smartcar/quality/"),
    ("Exports", "/smartcar/exports"),
)


class Raw(str):
    """Already-safe HTML (links and charts built by the pages)."""


def page(title: str, body: str, *, active: str | None = None, nav: bool = True) -> str:
    """A whole HTML document: the page tabs (``nav``), the title and ``body``."""
    links = "".join(
        f'<a href="{href}"{" class=active" if href == active else ""}>{escape(name)}</a>' for name, href in NAV
    )
    tabs = f'<nav class="tabs">{links}</nav>' if nav else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · smartcar</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>'
        f"<script>{SCRIPT}</script></head><body>{tabs}<h1>{escape(title)}</h1>{body}</body></html>"
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    row_class: Sequence[str] | None = None,
    *,
    css: str = "",
    empty: str = "nothing yet",
) -> str:
    """A table in a wrapper that scrolls sideways by itself, so the page never does."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_class[i]}"' if row_class and row_class[i] else ""
        body.append(f"<tr{cls}>" + "".join(_td(v) for v in row) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">{escape(empty)}</td></tr>')
    cls = f' class="{css}"' if css else ""
    return f'<div class="table-wrap"><table{cls}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _td(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{cell(value)}</td>'
    return f"<td>{cell(value)}</td>"


def cell(value: object) -> str:
    if isinstance(value, Raw):
        return value
    if value is None:
        return '<span class="muted">–</span>'
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return escape(str(value))


def link(href: str, text: str) -> Raw:
    return Raw(f'<a href="{escape(href, quote=True)}">{escape(text)}</a>')


def ui_link(href: str, text: str, *, css: str = "") -> Raw:
    """A link to a page of the Airflow UI itself (a DAG run, a task): opens in the UI, not in the frame."""
    cls = f' class="{escape(css, quote=True)}"' if css else ""
    return Raw(f'<a data-ui href="{escape(href, quote=True)}"{cls}>{escape(text)}</a>')


def badge(state: str, text: str | None = None) -> Raw:
    return Raw(f'<span class="badge {escape(state, quote=True)}">{escape(text or state)}</span>')


def cards(items: Iterable[tuple[str, object, str]]) -> str:
    """Figure cards: ``(label, value, css class)``, the figure large and the label under it."""
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card {escape(cls, quote=True)}"><b>{cell(value)}</b><span>{escape(label)}</span></div>'
            for label, value, cls in items
        )
        + "</div>"
    )


def pager(path: str, params: dict[str, object], page_no: int, pages: int, param: str = "page") -> str:
    """ "Page k of n" with previous/next links that keep the other query parameters."""
    if pages <= 1:
        return ""

    def href(n: int) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")} | {param: n}
        return f"{path}?{urlencode(query)}"

    prev = link(href(page_no - 1), "‹ previous") if page_no > 1 else '<span class="muted">‹ previous</span>'
    nxt = link(href(page_no + 1), "next ›") if page_no < pages else '<span class="muted">next ›</span>'
    return f'<div class="pager">{prev}<span>page {page_no} of {pages}</span>{nxt}</div>'


def error(message: str) -> str:
    return f'<p class="err">{escape(message)}</p>'
