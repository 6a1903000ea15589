"""Every answer carries a Content-Security-Policy that allows this origin's files only, no
inline script or style (config/settings/base.py), and a Permissions-Policy that gives no page a
device or sensor; the templates carry nothing the policy would refuse. The browser tests run
every page under it (test_browser.py), and fail on a violation."""

import re
from pathlib import Path

import pytest
from csp.exceptions import CSPNonceError

from core.auth import Role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(tuple(part.strip().split(" ", 1)) for part in policy.split(";"))


@pytest.mark.parametrize(
    "path",
    ["/console/", "/console/customers/", "/console/decisions/", "/console/no-such-page"],
)
def test_every_console_page_has_the_policy(signed_in, path):
    response = signed_in(Role.ADMIN).get(path)
    assert directives(response) == POLICY
    assert response["Permissions-Policy"].startswith("accelerometer=(), autoplay=(), ")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/console/sign-in/", "/admin/login/", "/health", "/view-loan/9"])
def test_sign_in_the_admin_and_the_api_have_it_too(client, path):
    assert directives(client.get(path)) == POLICY


def test_swagger_ui_adds_data_images_and_runs_no_inline_script(client):
    page = client.get("/api/docs")
    assert directives(page) == {**POLICY, "img-src": "'self' data:"}
    html = page.content.decode()
    assert "<script>" not in html
    assert "<style" not in html
    assert re.findall(r'<script src="([^"]+)"', html)[-1] == "/api/docs?script="
    script = client.get("/api/docs?script=")
    assert script["Content-Type"] == "application/javascript"
    assert b"SwaggerUIBundle" in script.content


# What a Content-Security-Policy without 'unsafe-inline' refuses in a page.
INLINE = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)


def test_no_template_has_inline_script_style_or_handlers():
    templates = [*ROOT.glob("*/templates/**/*.html")]
    assert len(templates) > 40
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error(client):
    """The once-built policy keeps django-csp's guard: a page that asks a nonce too late would
    get one the header does not carry, so asking is refused."""
    response = client.get("/health")
    with pytest.raises(CSPNonceError):
        str(response.wsgi_request.csp_nonce)
