"""The price watch's step of ``make demo`` (``watch.demo``), on the two demo editions:
events, a webhook to the receiver it starts, the digest, the suspect change held; a second
run sends nothing twice."""

from __future__ import annotations

import pytest

from tests.factories import OperatorFactory
from watch.demo import watch_demo
from watch.models import WebhookAttempt

pytestmark = pytest.mark.django_db


def test_the_demo_step_notifies_once(demo_editions, mailoutbox):
    _a, b = demo_editions
    operator = OperatorFactory()
    first = watch_demo(actor=operator, publication=b)
    assert first.events["price_change"] >= 1
    assert first.events["withdrawn"] >= 1
    assert first.events["renamed"] == 1
    assert first.events["new_product"] >= 1
    assert first.held == 1
    assert first.delivered == first.received_now == first.valid_signatures
    assert first.delivered == sum(first.events.values()) - first.held
    assert first.digests_now == 1
    assert len(mailoutbox) == 1
    assert any("Decimos" in s for s in first.suspects)

    again = watch_demo(actor=operator, publication=b)
    assert again.events == first.events
    assert again.received_now == 0
    assert again.digests_now == 0
    assert len(mailoutbox) == 1
    assert WebhookAttempt.objects.count() == first.delivered
