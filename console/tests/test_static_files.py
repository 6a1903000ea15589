"""With DEBUG off, the production stack serves the console's and the admin's static files
itself (collectstatic, then whitenoise) and Swagger UI from drf-spectacular-sidecar: the admin
renders styled, and no page asks a CDN for anything. `make serve` as it runs in production, on
a SQLite file so it needs no server."""

import re
from pathlib import Path

import pytest
import requests

from tests.processes import PRODUCTION_SECRET_KEY, free_port, start, stop, wait_for_health

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("static")
    port = free_port()
    env = {
        "PATH": str(ROOT / ".venv" / "bin") + ":/usr/bin:/bin",
        "HOME": str(folder),
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "ALLOW_ANONYMOUS": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
    }
    server = start(["make", "--no-print-directory", "serve"], env, folder / "serve.log", ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, 90)
        yield base
    finally:
        stop(server)


def assets(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_the_admin_renders_with_its_stylesheet(production):
    page = requests.get(f"{production}/admin/login/", timeout=10)
    assert page.status_code == 200
    stylesheets = [url for url in assets(page.text) if url.endswith(".css")]
    assert any(
        re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", url) for url in stylesheets
    )
    for url in stylesheets:
        css = requests.get(f"{production}{url}", timeout=10)
        assert (css.status_code, css.headers["Content-Type"]) == (200, 'text/css; charset="utf-8"')
        assert css.headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_the_console_serves_its_css_js_and_fonts(production):
    page = requests.get(f"{production}/console/sign-in/", timeout=10).text
    found = assets(page)
    assert len(found) == 3  # console.css, htmx, console.js: nothing from elsewhere
    for url in found:
        assert requests.get(f"{production}{url}", timeout=10).status_code == 200
    css = requests.get(f"{production}{found[0]}", timeout=10).text
    fonts = re.findall(r'url\("([^"]+\.woff2)"\)', css)
    assert len(fonts) == 4
    base = found[0].rsplit("/", 1)[0]
    for font in fonts:
        assert requests.get(f"{production}{base}/{font}", timeout=10).status_code == 200


def test_swagger_ui_comes_from_the_sidecar_not_a_cdn(production):
    page = requests.get(f"{production}/api/docs", timeout=10).text
    assert "cdn." not in page
    bundle = [url for url in assets(page) if "swagger-ui-bundle" in url]
    assert bundle
    assert bundle[0].startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/")
    assert requests.get(f"{production}{bundle[0]}", timeout=10).status_code == 200


def test_the_image_collects_the_static_files_it_serves():
    """Under the production settings as they run (DEBUG=true would be refused there); that the
    image builds and serves them is tests/test_image.py's."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput" in dockerfile
    assert "DEBUG=true" not in dockerfile
    assert dockerfile.index("collectstatic") > dockerfile.index("COPY . .")
