"""The review page: what it shows, every decision, "next", conflicts, search, create."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import AliasKind, Cigar, CigarAlias
from catalogue.services import brand_get_or_create, cigar_create, line_get_or_create
from customs.models import CustomsSource
from matching.models import (
    CigarCustomsMatch,
    LearnedVocabulary,
    MatchEvent,
    MatchStatus,
    VocabularyKind,
    VocabularyStatus,
)
from matching.services import publication_match
from tests.factories import MediaAssetFactory
from tests.matching.conftest import add_entries, new_publication

pytestmark = pytest.mark.django_db


def review_url(entry, query: str = "") -> str:
    url = reverse("admin:matching_review", args=[entry.pk])
    return f"{url}?{query}" if query else url


def _form(response) -> dict:
    best = response.context["best"]
    return {"match_id": best.pk, "expected_updated_at": best.updated_at.isoformat()}


def _post(client, entry, action: str, **fields):
    return client.post(review_url(entry), {"action": action, **fields})


def test_review_page_shows_entry_candidate_explanation_and_alternatives(reviewer_client, queue):
    entry, best = queue["entries"][0], queue["best"][0]
    MediaAssetFactory(cigar=best.cigar, is_primary=True)

    response = reviewer_client.get(review_url(entry))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<mark class="tok-ok">Siglo</mark>' in page
    assert '<mark class="tok-ok">Cohiba</mark>' in page
    assert '<mark class="tok-ok">VI,</mark>' in page  # compared without its punctuation
    assert 'id="review-cigar-name"' in page
    assert "Cohiba Siglo VI</a>" in page
    assert "Packages: 25 Box" in page
    assert "/thumbnails/256" in page
    assert 'class="review-chart waterfall"' in page
    assert page.count('class="button review-choose"') == 2
    assert "Cohiba Siglo IV" in page
    assert "Cohiba Siglo II" in page
    assert response.context["remaining"] == 3
    assert response.context["explanation"]["signals"]


def test_accept_writes_the_decision_and_opens_the_next_entry(reviewer_client, reviewer, queue):
    entry, best = queue["entries"][0], queue["best"][0]
    form = _form(reviewer_client.get(review_url(entry)))

    response = _post(reviewer_client, entry, "accept", note="box matches", **form)

    best.refresh_from_db()
    assert best.status == MatchStatus.HUMAN_ACCEPTED
    assert (best.decided_by, best.note) == (reviewer, "box matches")
    event = MatchEvent.objects.get(match=best, to_status=MatchStatus.HUMAN_ACCEPTED)
    assert event.actor == reviewer
    assert CigarAlias.objects.filter(kind=AliasKind.ACCEPTED, cigar=best.cigar).exists()
    # The cheapest entry was the queue's last: "next" wraps to the queue's first (dearest).
    assert response.status_code == 302
    assert response["Location"] == review_url(queue["entries"][2])


def test_reject_and_not_in_catalogue(reviewer_client, reviewer, queue):
    first, second = queue["entries"][:2]

    _post(reviewer_client, first, "reject", **_form(reviewer_client.get(review_url(first))))
    _post(
        reviewer_client,
        second,
        "not_in_catalogue",
        **_form(reviewer_client.get(review_url(second))),
    )

    assert CigarCustomsMatch.objects.get(pk=queue["best"][0].pk).status == (
        MatchStatus.HUMAN_REJECTED
    )
    assert CigarCustomsMatch.objects.get(pk=queue["best"][1].pk).status == (
        MatchStatus.HUMAN_REJECTED
    )
    assert CigarAlias.objects.filter(
        kind=AliasKind.NOT_IN_CATALOGUE, normalised_label=second.normalised_label
    ).exists()
    assert MatchEvent.objects.filter(actor=reviewer).count() == 2


def test_choosing_an_alternative_repoints_the_entry(reviewer_client, reviewer, queue):
    entry, best = queue["entries"][0], queue["best"][0]
    response = reviewer_client.get(review_url(entry))
    alternative = response.context["alternatives"][0]["match"]

    _post(reviewer_client, entry, "repoint", cigar_id=alternative.cigar_id, **_form(response))

    alternative.refresh_from_db()
    best.refresh_from_db()
    assert alternative.status == MatchStatus.HUMAN_ACCEPTED
    assert best.status == MatchStatus.HUMAN_REJECTED
    assert {e.to_status for e in MatchEvent.objects.filter(actor=reviewer)} == {
        MatchStatus.HUMAN_ACCEPTED,
        MatchStatus.HUMAN_REJECTED,
    }


def test_repoint_to_a_searched_cigar_outside_the_candidates(reviewer_client, queue):
    from tests.factories import CigarFactory

    entry = queue["entries"][0]
    elsewhere = CigarFactory(
        line=queue["cigars"][0].line, vitola_name="Robusto", full_name="Cohiba Siglo Robusto"
    )
    form = _form(reviewer_client.get(review_url(entry)))

    _post(reviewer_client, entry, "repoint", cigar_id=elsewhere.pk, **form)

    chosen = CigarCustomsMatch.objects.get(price_entry=entry, cigar=elsewhere)
    assert chosen.status == MatchStatus.HUMAN_ACCEPTED
    assert chosen.match_method == "human"


def test_a_second_reviewer_is_refused_visibly(reviewer_client, reviewer, queue):
    from tests.factories import OperatorFactory
    from tests.review.conftest import grant_review

    entry, best = queue["entries"][0], queue["best"][0]
    second = Client()
    second.force_login(grant_review(OperatorFactory(email="second@example.com")))
    form_first = _form(reviewer_client.get(review_url(entry)))
    form_second = _form(second.get(review_url(entry)))

    _post(reviewer_client, entry, "accept", **form_first)
    refused = _post(second, entry, "reject", **form_second)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert 'id="review-refusal"' in page
    assert "Not saved." in page
    assert "reviewer@example.com" in page
    best.refresh_from_db()
    assert (best.status, best.decided_by) == (MatchStatus.HUMAN_ACCEPTED, reviewer)
    assert MatchEvent.objects.filter(match=best).count() == 1


def test_stale_not_in_catalogue_is_refused(reviewer_client, reviewer, queue):
    from matching.services.decisions import match_reject

    entry, best = queue["entries"][0], queue["best"][0]
    form = _form(reviewer_client.get(review_url(entry)))
    match_reject(match=best, actor=reviewer)

    refused = _post(reviewer_client, entry, "not_in_catalogue", **form)

    assert refused.status_code == 409
    assert not CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).exists()


def test_decided_entry_shows_who_decided(reviewer_client, reviewer, queue):
    from matching.services.decisions import match_accept

    entry = queue["entries"][0]
    match_accept(match=queue["best"][0], actor=reviewer, note="seen the box")

    page = reviewer_client.get(review_url(entry)).content.decode()

    assert 'id="review-decided"' in page
    assert "seen the box" in page


def test_bad_input_is_refused_without_writing(reviewer_client, queue):
    entry = queue["entries"][0]
    form = _form(reviewer_client.get(review_url(entry)))

    unknown = _post(reviewer_client, entry, "delete", **form)
    no_cigar = _post(reviewer_client, entry, "repoint", cigar_id="abc", **form)
    bad_stamp = _post(reviewer_client, entry, "accept", match_id=form["match_id"],
                      expected_updated_at="yesterday")  # fmt: skip

    assert [r.status_code for r in (unknown, no_cigar, bad_stamp)] == [400, 400, 400]
    assert "Choose a cigar first." in no_cigar.content.decode()
    assert not MatchEvent.objects.exists()


def test_skip_opens_the_next_entry_without_writing(reviewer_client, queue):
    url = reverse("admin:matching_review_next")

    first = reviewer_client.get(url)
    skipped = reviewer_client.get(url, {"after": queue["best"][2].pk})

    assert first["Location"] == review_url(queue["entries"][2])
    assert skipped["Location"] == review_url(queue["entries"][1])
    assert not MatchEvent.objects.exists()


def test_next_keeps_the_queue_filters_and_ends_on_the_changelist(reviewer_client, queue):
    url = reverse("admin:matching_review_next")

    filtered = reviewer_client.get(url, {"source": "fr-douane-opendata"})
    empty = reviewer_client.get(url, {"source": "ch-ofdf"}, follow=True)

    assert filtered["Location"] == review_url(queue["entries"][2], "source=fr-douane-opendata")
    assert empty.redirect_chain[-1][0].endswith("?source=ch-ofdf")
    assert "The queue is empty" in empty.content.decode()


def test_search_returns_the_nearest_cigars(reviewer_client, queue):
    from catalogue.naming import search_key
    from tests.factories import CigarFactory

    edmundo = CigarFactory(
        vitola_name="Edmundo",
        full_name="Montecristo Edmundo",
        search_name=search_key("Montecristo Edmundo"),
        vitola_de_galera="Edmundo",
    )
    url = reverse("admin:matching_review_search")

    found = reviewer_client.get(url, {"q": "montecristo edmundo"}).json()["results"]
    empty = reviewer_client.get(url, {"q": "  "}).json()["results"]

    assert found[0]["id"] == edmundo.pk
    assert found[0]["full_name"] == "Montecristo Edmundo"
    assert found[0]["vitola_de_galera"] == "Edmundo"
    assert (found[0]["length_mm"], found[0]["ring_gauge"]) == ("124.0", 50)
    assert empty == []


def test_create_cigar_form_is_prefilled_and_creates_and_accepts(reviewer_client, reviewer, queue):
    entry = queue["entries"][0]
    url = reverse("admin:matching_review_create_cigar", args=[entry.pk])

    form = reviewer_client.get(url)
    created = reviewer_client.post(
        url,
        {"brand_name": "Cohiba", "line_name": "Siglo", "vitola_name": "VI Reserva",
         "pack_size": 25, "packaging": "box", "ring_gauge": 52, "note": "new vitola"},
    )  # fmt: skip

    assert form.status_code == 200
    assert form.context["form"].initial["brand_name"] == "Cohiba"
    assert form.context["form"].initial["pack_size"] == 25
    assert created.status_code == 302
    cigar = Cigar.objects.get(vitola_name="VI Reserva")
    assert cigar.ring_gauge == 52
    match = CigarCustomsMatch.objects.get(price_entry=entry, cigar=cigar)
    assert (match.status, match.decided_by) == (MatchStatus.HUMAN_ACCEPTED, reviewer)


def test_create_cigar_form_carries_the_version_and_a_stale_one_creates_nothing(
    reviewer_client, queue
):
    entry = queue["entries"][0]
    url = reverse("admin:matching_review_create_cigar", args=[entry.pk])
    version = reviewer_client.get(url).context["form"].initial["expected_updated_at"]
    fields = {"brand_name": "Cohiba", "line_name": "Siglo", "pack_size": 25, "packaging": "box"}

    current = reviewer_client.post(
        url, {**fields, "vitola_name": "VI Reserva", "expected_updated_at": version}
    )
    assert current.status_code == 302
    # The same page posted again: the entry was decided meanwhile (by the first post).
    stale = reviewer_client.post(
        url, {**fields, "vitola_name": "VI Gran", "expected_updated_at": version}
    )
    assert stale.status_code == 400
    assert "changed since it was loaded" in stale.content.decode()
    assert not Cigar.objects.filter(vitola_name="VI Gran").exists()


def test_create_cigar_refuses_an_incomplete_form(reviewer_client, queue):
    entry = queue["entries"][0]
    url = reverse("admin:matching_review_create_cigar", args=[entry.pk])

    response = reviewer_client.post(url, {"brand_name": "", "vitola_name": ""})

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not MatchEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("review", "get"),
        ("review", "post"),
        ("next", "get"),
        ("search", "get"),
        ("create", "get"),
        ("create", "post"),
    ],
)
def test_staff_without_review_permission_is_refused(client, staff_without_review, queue, name,
                                                    method):  # fmt: skip
    entry = queue["entries"][0]
    urls = {
        "review": review_url(entry),
        "next": reverse("admin:matching_review_next"),
        "search": reverse("admin:matching_review_search") + "?q=siglo",
        "create": reverse("admin:matching_review_create_cigar", args=[entry.pk]),
    }
    client.force_login(staff_without_review)

    response = getattr(client, method)(
        urls[name], {"action": "accept", "brand_name": "X", "vitola_name": "Y"}
    )

    assert response.status_code == 403
    assert not MatchEvent.objects.exists()
    assert not Cigar.objects.filter(vitola_name="Y").exists()


def test_anonymous_users_are_sent_to_the_login_page(client, queue):
    response = client.get(review_url(queue["entries"][0]))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_review_page_says_which_words_conflict_which_are_unexplained_and_which_learned(
    reviewer_client, db
):
    """A terse record (no line name) and a label that carries the line: the page shows the
    line's words as unexplained, a variant word as a conflict, a taught word as learned."""
    brand, _ = brand_get_or_create(name="Macanudo")
    line, _ = line_get_or_create(brand=brand, name="Macanudo")
    cigar_create(line=line, vitola_name="Hyde Park")
    LearnedVocabulary.objects.create(
        brand=brand,
        kind=VocabularyKind.LABEL_WORD,
        term="cafe",
        confirmations=3,
        status=VocabularyStatus.LEARNED,
    )
    publication = new_publication(
        CustomsSource.objects.get(slug="fr-douane-opendata"), dt.date(2026, 6, 1)
    )
    (entry,) = add_entries(publication, ["Macanudo Cafe Gold Label Hyde Park, en 25 cigares"])
    publication_match(publication=publication)

    page = reviewer_client.get(review_url(entry)).content.decode()
    assert 'id="review-evidence"' in page
    assert '<span class="evidence-unexplained"' in page
    assert ">+gold</span>" in page
    assert '<span class="evidence-learned"' in page
    assert ">+cafe</span>" in page
    assert "<dt>Conflicts</dt>" not in page
