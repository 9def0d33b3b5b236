"""The platform pages refuse anonymous callers and render plain, self-contained HTML."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_anonymous_requests_go_to_the_airflow_login() -> None:
    from smartcar_ui.app import app

    client = TestClient(app)
    for path in ("/", "/quality/", "/quality/docs/index.html", "/exports", "/speeding"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 307, path
        assert response.headers["location"].startswith("/auth/login?next=")


def test_render_escapes_and_has_no_external_assets() -> None:
    from smartcar_ui.render import link, page, table

    html = page("Speeding <cars>", table(["car", "link"], [["<script>x</script>", link("/smartcar/x?a=1&b=2", "go")]]))
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert 'href="/smartcar/x?a=1&amp;b=2"' in html
    assert "http://" not in html and "https://" not in html
    assert "nothing yet" in table(["a"], [])


def test_the_speeding_page_says_a_bad_date_and_never_echoes_markup() -> None:
    from smartcar_ui.speeding_page import speeding

    html = speeding(date='"><script>alert(1)</script>', car="<b>x</b>", limit=5, page_no=1)
    assert "<script>alert" not in html and "<b>x</b>" not in html
    assert "expected an 8-digit business date" in html
