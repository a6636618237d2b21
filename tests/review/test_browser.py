"""The review console in a real browser: headless Debian Chromium driven by Selenium.

Logs in through the admin login form, opens the queue, accepts entries with the keyboard
(`a`), re-points one through the search box (`/`, type, Enter), checks the database, and
saves screenshots of the queue and of a review page under test-output/.

The time from a key press on a review page to the next review page being ready is
measured in the browser by review.js (``Date.now()`` stamped in sessionStorage) and its
median printed: a figure to watch, not a pass/fail threshold.

Both tests run under the site's Content-Security-Policy: Chromium's network log shows
every page carrying the header and no request leaving 127.0.0.1, and its console shows no
violation (a refused script would also stop the keyboard and Swagger UI from working).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from catalogue.naming import search_key
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from tests.factories import CigarFactory, OperatorFactory
from tests.review.conftest import build_queue, grant_review

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--window-size=1400,1100",
)
OUTPUT = Path(settings.BASE_DIR) / "test-output"
PASSWORD = "a-long-browser-password"
WAIT = 20
WEB_SCHEMES = ("http", "https", "ws", "wss")
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
KEYBOARD_ACCEPTS = 5

# A live server needs committed data (pytest-django runs transactional tests last).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail(
            "Chromium and chromedriver are required: `make test` installs them "
            "(scripts/ensure-browser.sh), or `apt-get install chromium chromium-driver`."
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    # The network log (every request and response, with headers) and the console.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def _local_url(live_server) -> str:
    """The live server by its address, not by name: every request must go to 127.0.0.1."""
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


def _network_events(driver) -> list[dict]:
    """The DevTools network events logged since the last call."""
    events = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [event for event in events if event["method"].startswith("Network.")]


def _assert_local_and_under_the_csp(
    driver, *, pages: int, refused_by_the_csp: frozenset[str] = frozenset()
) -> None:
    """No request left 127.0.0.1, every HTML page carried the CSP, and the console
    reports no violation — except for ``refused_by_the_csp``: third-party URLs that a page
    tried to load and the CSP stopped before any connection. Reads (and so empties) the
    browser's logs."""
    events = _network_events(driver)
    requests = {
        e["params"]["requestId"]: e["params"]["request"]["url"]
        for e in events
        if e["method"] == "Network.requestWillBeSent"
        and urlsplit(e["params"]["request"]["url"]).scheme in WEB_SCHEMES
    }
    assert requests
    blocked = {
        requests.get(e["params"]["requestId"])
        for e in events
        if e["method"] == "Network.loadingFailed" and e["params"].get("blockedReason") == "csp"
    }
    elsewhere = {url for url in requests.values() if urlsplit(url).hostname != "127.0.0.1"}
    assert elsewhere == set(refused_by_the_csp)
    assert elsewhere <= blocked  # stopped by the browser: no connection was made
    documents = [
        e["params"]["response"]
        for e in events
        if e["method"] == "Network.responseReceived"
        and e["params"].get("type") == "Document"
        # The browser's own pages (chrome://new-tab-page…) are not ours.
        and urlsplit(e["params"]["response"]["url"]).scheme in WEB_SCHEMES
    ]
    assert len(documents) >= pages
    answered_by = {
        e["params"]["response"].get("remoteIPAddress")
        for e in events
        if e["method"] == "Network.responseReceived"
    }
    # Empty or absent: served from the browser's cache or a data: URL, not the network.
    assert answered_by <= {"127.0.0.1", "", None}
    for response in documents:
        headers = {name.lower(): value for name, value in response["headers"].items()}
        policy = headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, response["url"]
        assert "unsafe" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    console = [entry["message"] for entry in driver.get_log("browser")]
    violations = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert [m for m in violations if not any(url in m for url in refused_by_the_csp)] == []


def _review_entry(driver) -> str:
    return (
        WebDriverWait(driver, WAIT)
        .until(ec.presence_of_element_located((By.ID, "review")))
        .get_attribute("data-entry")
    )


def _press(driver, key: str) -> None:
    driver.find_element(By.TAG_NAME, "body").send_keys(key)


def _wait_for_next_page(driver, previous_entry: str) -> str:
    WebDriverWait(driver, WAIT).until(
        lambda d: (
            d.find_elements(By.ID, "review")
            and d.find_element(By.ID, "review").get_attribute("data-entry") != previous_entry
            and d.find_element(By.ID, "review").get_attribute("data-transition-ms")
        )
    )
    return _review_entry(driver)


def test_review_with_the_keyboard_in_chromium(live_server, browser):
    data = build_queue(entries=KEYBOARD_ACCEPTS + 2)
    elsewhere = CigarFactory(
        line=data["cigars"][0].line,
        vitola_name="Behike 52",
        full_name="Cohiba Behike 52",
        search_name=search_key("Cohiba Behike 52"),
        vitola_de_galera="Laguito No.4",
    )
    reviewer = grant_review(OperatorFactory(email="browser@example.com", password=PASSWORD))
    OUTPUT.mkdir(exist_ok=True)

    # Log in through the real form.
    browser.get(f"{_local_url(live_server)}/admin/login/?next=/admin/matching/cigarcustomsmatch/")
    browser.find_element(By.ID, "id_username").send_keys(reviewer.email)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD + Keys.ENTER)

    # The queue.
    WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.ID, "result_list")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == KEYBOARD_ACCEPTS + 2
    browser.save_screenshot(str(OUTPUT / "review-queue.png"))

    # Open the first entry of the queue, then accept entries with `a`.
    browser.find_element(By.ID, "review-start").click()
    entry_id = _review_entry(browser)
    browser.save_screenshot(str(OUTPUT / "review-page.png"))
    accepted_entries, timings = [], []
    for _ in range(KEYBOARD_ACCEPTS):
        accepted_entries.append(int(entry_id))
        _press(browser, "a")
        entry_id = _wait_for_next_page(browser, entry_id)
        timings.append(
            int(browser.find_element(By.ID, "review").get_attribute("data-transition-ms"))
        )

    # Re-point the current entry through the search box: `/`, a query, Enter.
    repointed_entry = int(entry_id)
    _press(browser, "/")
    search = browser.switch_to.active_element
    assert search.get_attribute("id") == "review-search-input"
    search.send_keys("behike 52")
    WebDriverWait(browser, WAIT).until(
        ec.text_to_be_present_in_element((By.ID, "review-search-results"), "Cohiba Behike 52")
    )
    browser.save_screenshot(str(OUTPUT / "review-search.png"))
    search.send_keys(Keys.ENTER)
    _wait_for_next_page(browser, entry_id)

    # What the browser did is in the database, with the audit trail.
    for entry in accepted_entries:
        best = CigarCustomsMatch.objects.get(price_entry_id=entry, rank=1)
        assert best.status == MatchStatus.HUMAN_ACCEPTED
        assert best.decided_by_id == reviewer.pk
    repointed = CigarCustomsMatch.objects.get(price_entry_id=repointed_entry, cigar=elsewhere)
    assert repointed.status == MatchStatus.HUMAN_ACCEPTED
    assert (
        CigarCustomsMatch.objects.filter(
            price_entry_id=repointed_entry, status=MatchStatus.HUMAN_REJECTED
        ).count()
        == 1
    )
    assert MatchEvent.objects.filter(actor=reviewer).count() == KEYBOARD_ACCEPTS + 2

    # The dashboard counts the decisions just made; the cigar page lists its price line.
    browser.get(f"{_local_url(live_server)}/admin/")
    pending = browser.find_element(By.ID, "dashboard-pending").text
    assert pending == str(CigarCustomsMatch.objects.filter(
        status=MatchStatus.PENDING_REVIEW, rank=1).count())  # fmt: skip
    browser.save_screenshot(str(OUTPUT / "review-dashboard.png"))
    browser.get(f"{_local_url(live_server)}/admin/catalogue/cigar/{elsewhere.pk}/change/")
    assert "accepted price lines" in browser.page_source.lower()
    browser.save_screenshot(str(OUTPUT / "review-cigar.png"))
    for name in ("review-queue", "review-page", "review-search", "review-dashboard"):
        assert (OUTPUT / f"{name}.png").stat().st_size > 0
    # The login, the queue, review pages, the dashboard and the cigar page.
    _assert_local_and_under_the_csp(browser, pages=KEYBOARD_ACCEPTS + 5)
    print(
        f"\nreview page → next review page after `a` (browser-measured, {len(timings)} "
        f"decisions): median {statistics.median(timings):.0f} ms, "
        f"min {min(timings)} ms, max {max(timings)} ms"
    )


def test_api_docs_work_under_the_csp_in_chromium(live_server, browser):
    """Swagger UI from the project's static files (drf-spectacular-sidecar), its start-up
    script a file: it renders the operations of the schema with no request elsewhere."""
    OUTPUT.mkdir(exist_ok=True)
    browser.get(f"{_local_url(live_server)}/api/docs/")

    WebDriverWait(browser, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .opblock"))
    )
    assert "auth/token" in browser.find_element(By.CSS_SELECTOR, ".swagger-ui").text
    browser.save_screenshot(str(OUTPUT / "api-docs.png"))
    _assert_local_and_under_the_csp(browser, pages=1)


def test_redoc_works_under_the_csp_in_chromium(live_server, browser):
    browser.get(f"{_local_url(live_server)}/api/redoc/")

    WebDriverWait(browser, WAIT).until(
        ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "auth/token")
    )
    # Redoc's bundle always shows Redocly's logo from their CDN (no option turns it off):
    # the CSP refuses it, the logo hides itself, and nothing else is asked of anyone.
    _assert_local_and_under_the_csp(browser, pages=1, refused_by_the_csp=frozenset({REDOCLY_LOGO}))
