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
