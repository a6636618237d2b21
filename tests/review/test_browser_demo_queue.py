"""The demo's review queue worked to the end by keyboard in headless Chromium.

Loads the whole demo (``manage.py demo_setup``: both editions through the real pipeline
and the scripted review), then a reviewer opens the queue and presses `a` on every item
until the queue is empty. Prints the keystrokes per decided line — before review groups
every pending line was an item (one key per line) — and the browser-measured figures: the
time from a key to the next page, and the median seconds per decision the dashboard shows.
Figures are printed, never asserted; what is asserted is that each product shows once and
one key settles all of its lines.
"""

from __future__ import annotations

import io
import statistics

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from matching.group_selectors import queue_counts
from matching.models import CigarCustomsMatch, MatchStatus, ReviewTiming
from matching.selectors import review_queue
from tests.factories import OperatorFactory
from tests.review.conftest import grant_review
from tests.review.test_browser import (
    OUTPUT,
    PASSWORD,
    WAIT,
    _local_url,
    _press,
    _review_entry,
    browser,  # noqa: F401 (the fixture, requested by name)
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_queue_by_keyboard_one_key_per_product(
    live_server, request, monkeypatch, tmp_path
):
    driver = request.getfixturevalue("browser")
    monkeypatch.setattr("demo.setup.credentials_file", lambda: tmp_path / "demo-operator.json")
    call_command("demo_setup", stdout=io.StringIO(), verbosity=0)
    counts = queue_counts(review_queue())
    assert counts.lines > counts.items > 0
    reviewer = grant_review(OperatorFactory(email="demo-reviewer@example.com", password=PASSWORD))
    OUTPUT.mkdir(exist_ok=True)

    driver.get(f"{_local_url(live_server)}/admin/login/?next=/admin/matching/cigarcustomsmatch/")
    driver.find_element(By.ID, "id_username").send_keys(reviewer.email)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD + Keys.ENTER)
    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "result_list")))
    rows = driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == counts.items  # each demo product once
    driver.save_screenshot(str(OUTPUT / "review-demo-queue.png"))

    driver.find_element(By.ID, "review-start").click()
    keys, transitions = 0, []
    for _ in range(counts.items + 5):
        if "/review/" not in driver.current_url:
            break
        entry = _review_entry(driver)
        _press(driver, "a")
        keys += 1
        WebDriverWait(driver, WAIT).until(
            lambda d, entry=entry: (
                "/review/" not in d.current_url
                or (
                    d.find_elements(By.ID, "review")
                    and d.find_element(By.ID, "review").get_attribute("data-entry") != entry
                )
            )
        )
        if "/review/" in driver.current_url:
            transitions.append(
                int(driver.find_element(By.ID, "review").get_attribute("data-transition-ms"))
            )

    assert not CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW).exists()
    assert keys == counts.items
    timings = list(ReviewTiming.objects.filter(actor=reviewer).values_list("seconds", flat=True))
    assert sum(ReviewTiming.objects.filter(actor=reviewer).values_list("lines", flat=True)) == (
        counts.lines
    )
    driver.get(f"{_local_url(live_server)}/admin/")
    driver.save_screenshot(str(OUTPUT / "review-demo-dashboard.png"))
    print(
        f"\ndemo queue (two editions): {counts.lines} lines in {counts.items} items; "
        f"keystrokes per decided line: before 1.00 ({counts.lines} keys), "
        f"now {keys / counts.lines:.2f} ({keys} keys); "
        f"key → next page median {statistics.median(transitions or [0]):.0f} ms; "
        f"median seconds per decision (browser) {statistics.median(timings):.2f}"
    )
