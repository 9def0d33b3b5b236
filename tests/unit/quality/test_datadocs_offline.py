"""Offline Data Docs: every CDN reference of GE's templates maps to a vendored file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import great_expectations

from smartcar.quality.datadocs import CDN_MAP, VENDOR_SOURCE, external_assets, make_offline, rewrite_page

TEMPLATES = Path(great_expectations.__file__).parent / "render" / "view" / "templates"


def test_every_asset_url_in_ge_templates_is_mapped_and_vendored() -> None:
    urls = set()
    for template in TEMPLATES.glob("*.j2"):
        urls |= set(re.findall(r'<(?:script|link)[^>]*(?:src|href)="(https://[^"]+)"', template.read_text()))
    assert urls, "GE templates changed: no CDN reference found"
    assert urls <= set(CDN_MAP), f"unmapped CDN assets: {sorted(urls - set(CDN_MAP))}"
    for local in CDN_MAP.values():
        assert (VENDOR_SOURCE / local).stat().st_size > 100, local


def test_rewrite_uses_relative_paths_and_drops_sri() -> None:
    html = (
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" integrity="sha384-x" '
        'crossorigin="anonymous"></script><img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/'
        "logo-long.png?d=123\"><style>a{background:url('https://great-expectations-web-assets.s3.us-east-2.amazonaws"
        ".com/full_logo_dark.png')}</style>"
    )
    out = rewrite_page(html, "../../")
    assert '<script src="../../static/vendor/js/bootstrap.min.js"></script>' in out
    assert 'src="../../static/images/logo-long.png"' in out and "url('../../static/images/logo-long.png')" in out
    assert external_assets(out) == []
    assert external_assets(html) != []


def test_make_offline_on_a_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    page = site / "validations" / "t" / "d" / "r" / "b.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>'
    )
    (site / "index.html").write_text('<a href="https://greatexpectations.io">GX</a>')
    assert make_offline(site) == []
    assert 'href="../../../../static/vendor/css/bootstrap.min.css"' in page.read_text()
    assert (site / "static" / "vendor" / "css" / "bootstrap.min.css").is_file()
    assert (site / "static" / "vendor" / "webfonts" / "fa-solid-900.woff2").is_file()
