"""Make Great Expectations' Data Docs work offline.

GE 1.24's page templates load Bootstrap, jQuery, Vega, Font Awesome and friends from public
CDNs and the logo from S3. The platform runs without internet, so after every build the
pages are rewritten to use the copies vendored in ``smartcar/quality/static`` (see
VENDORED.md there), which are copied into the site. Rewriting the generated HTML is simpler
and safer across GE upgrades than forking GE's Jinja templates: a reference we do not know
is detected by :func:`external_assets` and reported.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

VENDOR_SOURCE = Path(__file__).with_name("static")
VENDOR_DIR = "static/vendor"

CDN_MAP: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/vega@5": "js/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "js/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "js/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "js/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "js/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "js/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "css/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "js/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "css/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "css/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "js/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "css/bootstrap-datepicker.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "css/bootstrap-prefers-dark.css"
    ),
}
S3_IMAGES = re.compile(r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/([\w.-]+)(\?[^\"']*)?")
SRI = re.compile(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")')
EXTERNAL_ASSET = re.compile(
    r"<(?:script|img|link)\b[^>]*?\b(?:src|href)=[\"'](https?://[^\"']+)|url\([\"']?(https?://[^\"')]+)", re.IGNORECASE
)
LOCAL_IMAGES = {"logo-long.png", "logo-long-vector.svg", "short-logo.png", "short-logo-vector.svg", "favicon.ico"}


def _local_image(name: str) -> str:
    """GE's package ships some of the S3 images; the dark-mode logo falls back to the light one."""
    return name if name in LOCAL_IMAGES else "logo-long.png"


def install_vendor(site_dir: Path) -> Path:
    """Copy the vendored assets into ``site_dir/static/vendor`` (once per GE/platform version)."""
    target = site_dir / VENDOR_DIR
    marker = target / "VENDORED.md"
    source_marker = VENDOR_SOURCE / "VENDORED.md"
    if not marker.exists() or marker.read_bytes() != source_marker.read_bytes():
        shutil.copytree(VENDOR_SOURCE, target, dirs_exist_ok=True)
    return target


def rewrite_page(html: str, to_root: str) -> str:
    """``html`` with every known CDN or S3 reference replaced by a path relative to the site root."""
    for url, local in CDN_MAP.items():
        html = html.replace(f'"{url}"', f'"{to_root}{VENDOR_DIR}/{local}"')
    html = S3_IMAGES.sub(lambda m: f"{to_root}static/images/{_local_image(m.group(1))}", html)
    return SRI.sub("", html)


def external_assets(html: str) -> list[str]:
    """Scripts, stylesheets and images a page would still load from the internet."""
    return [a or b for a, b in EXTERNAL_ASSET.findall(html)]


def make_offline(site_dir: Path, pages: list[Path] | None = None) -> list[str]:
    """Rewrite ``pages`` (default: every HTML page of the site); returns leftover external URLs."""
    install_vendor(site_dir)
    leftovers: list[str] = []
    styles = list((site_dir / "static" / "styles").glob("*.css"))
    for page in [*(pages if pages is not None else site_dir.rglob("*.html")), *styles]:
        if not page.exists():
            continue
        html = page.read_text(encoding="utf-8")
        rel = os.path.relpath(site_dir, page.parent)
        to_root = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        new = rewrite_page(html, to_root)
        if new != html:
            page.write_text(new, encoding="utf-8")
        leftovers.extend(external_assets(new))
    return sorted(set(leftovers))
