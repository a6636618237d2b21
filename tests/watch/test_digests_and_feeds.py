"""E-mail digests through the locmem backend (FR and EN, once per user and edition) and
the Atom feeds, parsed back with a real feed reader."""

from __future__ import annotations

import feedparser
import pytest

from tests.factories import UserFactory
from tests.watch.conftest import REPRICED, SUSPECT_LABEL, cigar_of
from watch.models import EmailDigest, WatchEvent
from watch.services import (
    ItemSpec,
    digests_send,
    publication_events_compute,
    watchlist_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def watched(demo_editions, owner):
    a, b = demo_editions
    items = [ItemSpec("cigar", cigar_of(a, label).pk) for label in (REPRICED, SUSPECT_LABEL)]
    english = watchlist_create(owner=owner, name="favourites", items=items)
    french_owner = UserFactory(email="amateur@example.fr")
    french = watchlist_create(owner=french_owner, name="mes cigares", language="fr", items=items)
    quiet = watchlist_create(
        owner=UserFactory(email="quiet@example.com"),
        name="no mail",
        email_digest=False,
        items=items,
    )
    publication_events_compute(publication_id=b.pk)
    return {"en": english, "fr": french, "quiet": quiet, "b": b}


def test_one_digest_per_user_and_edition_in_their_language(watched, mailoutbox):
    sent = digests_send(publication_id=watched["b"].pk)
    assert sent == 2
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {"watcher@example.com", "amateur@example.fr"}
    english, french = by_recipient["watcher@example.com"], by_recipient["amateur@example.fr"]
    assert english.subject.startswith("CigarSpace: 1 change(s)")
    assert "per cigar" in english.body
    assert french.subject.startswith("CigarSpace : 1 changement(s)")
    assert "l'unité" in french.body
    # The held suspect change is in no digest; the feed link is.
    assert "Decimos" not in english.body
    assert watched["en"].feed_token in english.body
    # Nothing twice.
    assert digests_send(publication_id=watched["b"].pk) == 0
    assert len(mailoutbox) == 2
    assert EmailDigest.objects.count() == 2


def test_the_watchlist_feed_is_atom_at_an_unguessable_url(watched, client):
    token = watched["en"].feed_token
    assert len(token) >= 40
    response = client.get(f"/feeds/watchlists/{token}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    released = WatchEvent.objects.filter(watchlist=watched["en"], hold="released")
    assert len(feed.entries) == released.count() == 1
    (entry,) = feed.entries
    assert "Cohiba Espléndidos: 76.00 → 77.52 EUR per cigar" in entry.title
    assert entry.id == f"urn:cigarspace:watch-event:{released.get().pk}"
    assert client.get("/feeds/watchlists/not-a-token/").status_code == 404


def test_the_public_feed_of_a_source_lists_its_editions(demo_editions, client):
    a, b = demo_editions
    response = client.get("/feeds/sources/fr-douane-opendata/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    ids = [e.id for e in feed.entries]
    assert ids == [f"urn:cigarspace:publication:{b.pk}", f"urn:cigarspace:publication:{a.pk}"]
    assert "effective 2026-11-01" in feed.entries[0].title
    assert client.get("/feeds/sources/no-such-source/").status_code == 404
