"""The review console at scale in a real browser: a grouped item and a whole brand, by
keyboard, in headless Chromium (see ``test_browser`` for the browser set-up and the
Content-Security-Policy checks it shares).

Prints the keystrokes per decided line: one key per line before review groups (every
line was its own item), and what a group decision and a brand decision cost now.
Screenshots go to test-output/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from customs.labels import parse_label
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from tests.factories import (
    CigarCustomsMatchFactory,
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
    OperatorFactory,
)
from tests.review.conftest import build_queue, grant_review
from tests.review.test_browser import (
    OUTPUT,
    PASSWORD,
    WAIT,
    _assert_local_and_under_the_csp,
    _local_url,
    _press,
    _review_entry,
    _wait_for_next_page,
    browser,  # noqa: F401 (the fixture, requested by name)
)

pytestmark = pytest.mark.django_db(transaction=True)

LATER_LABELS = (
    "Cohiba Siglo VI, en 25",
    "Cohiba Siglo VI (tube), en 3",
    "Cohiba Siglo VI Tubos, en 10",
)


def _grouped_queue() -> dict:
    queue = build_queue(entries=3)
    later = CustomsPublicationFactory(
        source=queue["publication"].source, effective_date=dt.date(2026, 12, 1)
    )
    group = [queue["entries"][0]]
    for row, label in enumerate(LATER_LABELS):
        entry = CustomsPriceEntryFactory(
            publication=later,
            row_number=row,
            raw_label=label,
            normalised_label=parse_label(label).normalised,
            pack_size=parse_label(label).pack_size,
            pack_price=Decimal(500 + row),
        )
        CigarCustomsMatchFactory(
            cigar=queue["cigars"][0], price_entry=entry, rank=1, score=Decimal("0.700")
        )
        group.append(entry)
    return {**queue, "group": group}


def test_a_grouped_item_and_a_brand_by_keyboard_in_chromium(live_server, request):
    driver = request.getfixturevalue("browser")
    data = _grouped_queue()
    lines = CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW, rank=1).count()
    reviewer = grant_review(OperatorFactory(email="groups@example.com", password=PASSWORD))
    OUTPUT.mkdir(exist_ok=True)
    base = _local_url(live_server)

    driver.get(f"{base}/admin/login/?next=/admin/matching/cigarcustomsmatch/")
    driver.find_element(By.ID, "id_username").send_keys(reviewer.email)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD + Keys.ENTER)
    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "result_list")))
    rows = driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == 3  # six lines, three products
    assert "3 items · 6 lines" in driver.find_element(By.ID, "queue-counts").text
    driver.save_screenshot(str(OUTPUT / "review-queue-grouped.png"))

    # The grouped item: one key settles its four lines across two editions.
    first = data["group"][1]
    driver.get(f"{base}/admin/matching/cigarcustomsmatch/review/{first.pk}/")
    entry_id = _review_entry(driver)
    caption = driver.find_element(By.ID, "review-group-caption").text
    assert caption == "appears in 2 editions, 3 presentations"
    driver.save_screenshot(str(OUTPUT / "review-group.png"))
    keystrokes = 1
    _press(driver, "a")
    entry_id = _wait_for_next_page(driver, entry_id)
    group_ids = [e.pk for e in data["group"]]
    assert CigarCustomsMatch.objects.filter(
        price_entry_id__in=group_ids, status=MatchStatus.HUMAN_ACCEPTED, decided_by=reviewer
    ).count() == len(group_ids)

    # The brand: `b` and the confirmation mark every pending label of it.
    driver.save_screenshot(str(OUTPUT / "review-brand.png"))
    _press(driver, "b")
    WebDriverWait(driver, WAIT).until(ec.alert_is_present())
    driver.switch_to.alert.accept()
    keystrokes += 2
    # Nothing left: "next" ends on the (empty) queue.
    WebDriverWait(driver, WAIT).until(lambda d: "/review/" not in d.current_url)
    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "queue-counts")))
    assert not CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW).exists()
    assert MatchEvent.objects.filter(actor=reviewer, to_status__in=[
        MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED]).values(
        "match__price_entry_id").distinct().count() == lines  # fmt: skip
    driver.save_screenshot(str(OUTPUT / "review-queue-after-brand.png"))

    driver.get(f"{base}/admin/")
    assert driver.find_element(By.ID, "dashboard-progress")
    driver.save_screenshot(str(OUTPUT / "review-dashboard-progress.png"))
    _assert_local_and_under_the_csp(driver, pages=5)
    print(
        f"\nkeystrokes per decided line: before 1.00 (one item per line, {lines} keys), "
        f"now {keystrokes / lines:.2f} ({keystrokes} keys for {lines} lines: a group, a brand)"
    )
