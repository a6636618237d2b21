"""The project's HTTP client against a real server on 127.0.0.1."""

from __future__ import annotations

import blake3
import pytest

from cigarspace.http import (
    BlockedAddressError,
    DisallowedContentTypeError,
    HttpClient,
    HttpError,
    TooLargeError,
    TooManyRedirectsError,
    check_url_allowed,
)
from tests.support.http_server import Reply

ODS_BYTES = b"PK\x03\x04" + b"maquette" * 1000


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return HttpClient(max_retries=3, backoff_base=0.01, sleep=sleeps.append)


def test_get_returns_body_digest_and_sends_user_agent(http_server, client, settings):
    http_server.route("/file.ods", Reply(200, ODS_BYTES, {"ETag": '"v1"'}))
    result = client.get(http_server.url("/file.ods"))
    assert result.content == ODS_BYTES
    assert result.size == len(ODS_BYTES)
    assert result.digest == blake3.blake3(ODS_BYTES).hexdigest()
    assert result.etag == '"v1"'
    assert result.attempts == 1
    assert http_server.requests[0].headers["User-Agent"] == settings.HTTP_USER_AGENT


def test_retries_403_twice_then_succeeds_with_growing_backoff(http_server, client, sleeps):
    answers = iter([Reply(403, b"blocked"), Reply(403, b"blocked"), Reply(200, b"PK ok")])
    http_server.route("/flaky", lambda request: next(answers))
    result = client.get(http_server.url("/flaky"))
    assert result.content == b"PK ok"
    assert result.attempts == 3
    assert len(sleeps) == 2
    # Exponential steps with jitter in [0.5, 1.5]: the second wait's range is above the first's.
    assert 0.005 <= sleeps[0] <= 0.015
    assert 0.01 <= sleeps[1] <= 0.03


def test_500_forever_fails_with_the_status_and_attempt_count(http_server, client):
    http_server.route("/broken", Reply(500, b"oops"))
    with pytest.raises(HttpError) as caught:
        client.get(http_server.url("/broken"))
    assert caught.value.status == 500
    assert caught.value.attempts == 4
    assert "HTTP 500" in str(caught.value)
    assert http_server.hits("/broken") == 4


def test_404_is_not_retried(http_server, client):
    http_server.route("/gone", Reply(404, b"no"))
    with pytest.raises(HttpError) as caught:
        client.get(http_server.url("/gone"))
    assert caught.value.status == 404
    assert http_server.hits("/gone") == 1


def test_429_honours_retry_after(http_server, client, sleeps):
    answers = iter([Reply(429, b"slow down", {"Retry-After": "7"}), Reply(200, b"ok")])
    http_server.route("/limited", lambda request: next(answers))
    client.get(http_server.url("/limited"))
    assert sleeps == [7.0]


def test_conditional_get_answers_not_modified(http_server, client):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"")
        return Reply(
            200, b"body", {"ETag": '"v1"', "Last-Modified": "Tue, 01 Sep 2026 00:00:00 GMT"}
        )

    http_server.route("/index", handler)
    first = client.get(http_server.url("/index"))
    second = client.get(
        http_server.url("/index"), etag=first.etag, last_modified=first.last_modified
    )
    assert second.not_modified is True
    assert second.content is None
    assert http_server.requests[1].headers["If-Modified-Since"] == first.last_modified


def test_dropped_download_resumes_with_range(http_server, client, tmp_path):
    body = bytes(range(256)) * 400  # 102,400 bytes

    def handler(request):
        range_header = request.headers.get("Range")
        if range_header:
            start = int(range_header.removeprefix("bytes=").rstrip("-"))
            return Reply(
                206, body[start:], {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
            )
        return Reply(200, body, drop_after=30_000)

    http_server.route("/archive.tar.gz", handler)
    dest = tmp_path / "archive.tar.gz"
    result = client.get(http_server.url("/archive.tar.gz"), dest=dest)
    assert dest.read_bytes() == body
    assert result.size == len(body)
    assert result.digest == blake3.blake3(body).hexdigest()
    assert result.attempts == 2
    assert http_server.requests[1].headers["Range"] == "bytes=30000-"


def test_size_cap_by_content_length_and_while_streaming(http_server, client, tmp_path):
    http_server.route("/big", Reply(200, b"x" * 5000))
    with pytest.raises(TooLargeError):
        client.get(http_server.url("/big"), max_bytes=1000)

    http_server.route("/lying", Reply(200, b"x" * 5000, {"Content-Length": "5000"}))
    dest = tmp_path / "partial.bin"
    with pytest.raises(TooLargeError):
        client.get(http_server.url("/lying"), max_bytes=4000, dest=dest)
    assert not dest.exists(), "an oversized download leaves no file behind"


def test_content_type_allow_list(http_server, client):
    http_server.route("/page", Reply(200, b"<html>", {"Content-Type": "text/html; charset=utf-8"}))
    with pytest.raises(DisallowedContentTypeError, match="text/html"):
        client.get(http_server.url("/page"), accept_types=("image/",))


def test_redirects_are_followed_and_loops_refused(http_server, client):
    http_server.route("/old", Reply(301, b"", {"Location": "/new"}))
    http_server.route("/new", Reply(200, b"moved"))
    result = client.get(http_server.url("/old"))
    assert result.content == b"moved"
    assert result.url == http_server.url("/new")
    assert result.redirects == [http_server.url("/old")]

    http_server.route("/a", Reply(302, b"", {"Location": "/b"}))
    http_server.route("/b", Reply(302, b"", {"Location": "/a"}))
    with pytest.raises(TooManyRedirectsError):
        client.get(http_server.url("/a"))


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1/admin",
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_redirect_to_a_private_address_is_refused_before_connecting(http_server, client, target):
    http_server.route("/jump", Reply(302, b"", {"Location": target}))
    with pytest.raises(BlockedAddressError):
        client.get(http_server.url("/jump"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/"])
def test_only_http_and_https(url):
    with pytest.raises(BlockedAddressError, match="Only http and https"):
        check_url_allowed(url)


def test_loopback_is_refused_unless_allow_listed(http_server, settings):
    http_server.route("/x", Reply(200, b"local"))
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(BlockedAddressError, match="loopback"):
        HttpClient(max_retries=0).get(http_server.url("/x"))
    assert http_server.hits("/x") == 0
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["127.0.0.0/8"]
    assert HttpClient(max_retries=0).get(http_server.url("/x")).content == b"local"


def test_connected_peer_is_checked_even_when_dns_said_public(http_server, settings, monkeypatch):
    """DNS rebinding: the name resolves to a public address for the pre-check, then the
    socket actually opened reaches loopback: the peer check refuses before any byte is sent."""
    from cigarspace.http import guard as http_guard

    http_server.route("/x", Reply(200, b"local"))
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
    public = [(2, 1, 6, "", ("93.184.216.34", 80))]
    monkeypatch.setattr(http_guard, "_resolve", lambda host, port: public)
    with pytest.raises(BlockedAddressError, match=r"reached 127\.0\.0\.1"):
        HttpClient(max_retries=0).get(http_server.url("/x"))
    assert http_server.hits("/x") == 0


def test_post_json_and_parse_json(http_server, client):
    http_server.route(
        "/search", Reply(200, b'{"results": [1, 2]}', {"Content-Type": "application/json"})
    )
    result = client.post(http_server.url("/search"), json={"fond": "JORF"})
    assert result.json() == {"results": [1, 2]}
    assert http_server.requests[0].body == b'{"fond": "JORF"}'

    http_server.route("/html", Reply(200, b"<html>", {"Content-Type": "text/html"}))
    with pytest.raises(HttpError, match="did not answer JSON"):
        client.get(http_server.url("/html")).json()


def test_a_call_cannot_lift_the_deployment_cap(http_server, settings):
    http_server.route("/big", Reply(200, b"x" * 5000))
    settings.HTTP_MAX_DOWNLOAD_BYTES = 1000
    client = HttpClient(max_retries=0, max_bytes=10_000)
    with pytest.raises(TooLargeError):
        client.get(http_server.url("/big"), max_bytes=1_000_000)
