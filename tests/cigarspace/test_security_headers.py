"""Content-Security-Policy on every page, HSTS over HTTPS, and API docs served from the
project's own files (drf-spectacular-sidecar) with no inline script and no CDN."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import OperatorFactory
from tests.review.conftest import build_queue, grant_review

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/", "/health"])
def test_every_answer_carries_a_strict_script_policy(path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = _directives(response)
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


def test_the_review_pages_carry_the_policy():
    build_queue(entries=1)
    reviewer_client = Client()
    reviewer_client.force_login(grant_review(OperatorFactory()))
    response = reviewer_client.get("/admin/matching/cigarcustomsmatch/review/next/", follow=True)
    assert response.status_code == 200
    assert b'id="review"' in response.content
    assert _directives(response)["script-src"] == ["'self'"]
    # The page's own script is a file of ours, and there is no inline one.
    scripts = re.findall(rb"<script\b[^>]*>", response.content)
    assert scripts
    assert all(b" src=" in tag for tag in scripts), scripts


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_nothing_from_elsewhere(path):
    html = Client().get(path).content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), html
    assert "cdn" not in html.lower()
    assert "@latest" not in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(" src=" in tag for tag in scripts), scripts
    assert "/static/drf_spectacular_sidecar/" in html


def test_swagger_ui_is_the_pinned_sidecar_build_served_locally():
    html = Client().get("/api/docs/").content.decode()
    bundle = re.search(r'src="/static/([^"]*swagger-ui-bundle\.js)"', html)[1]
    # A static file of the project (collectstatic ships it; the real-browser test loads it).
    assert finders.find(bundle) is not None
    assert version("drf-spectacular-sidecar") == "2026.10.1"
    # The start-up script is a separate file (no inline script under the CSP).
    init = re.findall(r'src="(/api/docs/\?[^"]*script[^"]*)"', html)
    assert init
    script = Client().get(init[0].replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_hsts_over_https_only(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()  # middleware reads its settings when the client builds its chain
    over_https = client.get("/admin/login/", secure=True)
    assert over_https["Strict-Transport-Security"] == "max-age=31536000"
    behind_a_tls_proxy = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" in behind_a_tls_proxy
    assert "Strict-Transport-Security" not in client.get("/admin/login/")


def test_hsts_is_on_by_default_in_production(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.update(
        DEBUG="false",
        SECRET_KEY="Zr8-" + "q7Lm2xV9bKp4" * 5,
        CIGARSPACE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="cigarspace.settings",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) == 365 * 24 * 3600


def test_the_docs_assets_are_served_by_the_app_itself_after_collectstatic(settings, tmp_path):
    """Under gunicorn (docker compose) nothing else serves /static/: without this the
    docs page, the admin's styles and the review console's script would not load."""
    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.DEBUG = False
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # WhiteNoise indexes STATIC_ROOT when the middleware chain is built
    for path in (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/review/review.js",
        "/static/admin/css/base.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
