"""The local demo, end to end through the real pipeline (``manage.py demo_setup``).

catalogue (the Habanos 2016 file) → the demo operator → edition A (``ingest_file`` path:
store, parse, ingest, diff) → embed + match → a scripted review of part of edition A's
queue by the operator (so that the label memory has something to teach) → edition B
(renames, withdrawals, new lines, price changes) → embed + match (accepted labels come
back as aliases) → a summary per edition.

Everything is idempotent: the catalogue import upserts, the same file bytes map to the
same publication, matching is incremental, and the scripted reviewer picks its entries by
a stable rule and skips those that already carry a human decision. A second run changes
nothing and duplicates nothing. This module is its own app (``demo``), above every domain
app, because it wires four of them together (catalogue, customs, matching, accounts); each
step calls that app's services. The kernel (``cigarspace``) never imports it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from catalogue.importer import catalogue_import
from catalogue.models import Cigar
from customs.demo import DEMO_DIR
from customs.demo.editions import (
    EDITION_A_FILE,
    EDITION_B_FILE,
    REVIEWED_IN_DEMO,
    label_key,
    truth_by_label,
)
from customs.models import ChangeKind, CustomsPriceEntry, CustomsPublication, CustomsSource
from customs.rows import is_cigar_category
from customs.services.runs import publication_ingest_file_run

logger = logging.getLogger(__name__)

DEMO_EMAIL = "operator@cigarspace.local"
DEMO_SOURCE = "fr-douane-opendata"
CATALOGUE_FILE = Path(settings.BASE_DIR) / "catalogue" / "fixtures" / "habanos-2016.csv"
EDITION_FILES = (("A", DEMO_DIR / EDITION_A_FILE), ("B", DEMO_DIR / EDITION_B_FILE))
REVIEW_NOTE = "demo: scripted review of edition A"


@dataclass
class Operator:
    email: str
    password: str | None
    created: bool


@dataclass
class EditionSummary:
    edition: str
    publication_id: int
    effective_date: str
    entries: int
    cigar_entries: int
    auto_accepted: int
    via_alias: int
    human_accepted: int
    pending_review: int
    rejected: int
    diff: dict[str, int] = field(default_factory=dict)


@dataclass
class DemoResult:
    catalogue: dict[str, int]
    operator: Operator
    reviewed: dict[str, int]
    editions: list[EditionSummary]
    #: The source's thresholds (the review budget's floor) and the learned vocabulary.
    matching: dict | None = None
    #: The price watch on edition B (watch.demo).
    watch: object | None = None
    #: Spain's publications and one cigar across countries (``demo.spain``).
    spain: object | None = None


def credentials_file() -> Path:
    """Per database: several databases (demo, soak…) can share one data directory."""
    name = settings.DATABASES["default"]["NAME"]
    suffix = "" if name == "cigarspace" else f"-{name}"
    return settings.CIGARSPACE_DATA_DIR / f"demo-operator{suffix}.json"


def demo_operator_ensure() -> Operator:
    """The demo operator (a superuser), created once; its password kept for re-printing.

    The password is stored in the data directory (mode 0600) so that a later run can print
    it again; only its hash is in the database.
    """
    path = credentials_file()
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=DEMO_EMAIL).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(email=DEMO_EMAIL, password=password)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"email": DEMO_EMAIL, "password": password}, handle)
        return Operator(DEMO_EMAIL, password, created=True)
    password = None
    if path.exists():
        stored = json.loads(path.read_text())
        if user.check_password(stored.get("password", "")):
            password = stored["password"]
    return Operator(DEMO_EMAIL, password, created=False)


def _cigar_entries(publication: CustomsPublication):
    categories = (
        publication.entries.values_list("category", flat=True).distinct().order_by("category")
    )
    wanted = [c for c in categories if is_cigar_category(c)]
    return publication.entries.filter(category__in=wanted)


def demo_match(*, publication: CustomsPublication) -> dict:
    """Embed and match the publication exactly as the worker does after an ingestion
    (``matching.tasks.publication_embed_and_match``), but now, so that the summary below
    reflects it. Incremental: the task the ingestion hook queued finds nothing left to do.
    """
    from matching.tasks import publication_embed_and_match

    return publication_embed_and_match(publication.pk)


def demo_review(*, publication: CustomsPublication, actor) -> dict[str, int]:
    """The operator settles the labels of ``REVIEWED_IN_DEMO`` in this publication.

    As a careful reviewer would, by the answer key: a label naming a catalogue cigar that
    the matcher did not accept is re-pointed to it (a miss fixed, or a pending match
    settled); a label the catalogue does not hold, if proposed at all, is marked "not in
    the catalogue". Every other uncertain entry stays in the review queue for whoever
    opens the admin. Entries that already carry a human decision are skipped, so running
    this again changes nothing.
    """
    from matching.models import HUMAN_STATUSES, CigarCustomsMatch, MatchStatus
    from matching.services import entry_mark_not_in_catalogue, entry_repoint

    truth = truth_by_label()
    reviewed = {label_key(label) for label in REVIEWED_IN_DEMO}
    counts = {"repointed": 0, "not_in_catalogue": 0}
    cigars = dict(Cigar.objects.values_list("external_id", "pk"))
    entries = (
        CustomsPriceEntry.objects.filter(publication=publication)
        .exclude(matches__status__in=HUMAN_STATUSES)
        .order_by("row_number")
    )
    for entry in entries:
        label = label_key(entry.new_label or entry.raw_label)
        if label not in reviewed:
            continue
        rows = CigarCustomsMatch.objects.filter(price_entry=entry)
        expected = truth.get(label)
        if expected is not None and expected in cigars:
            if rows.filter(status=MatchStatus.AUTO_ACCEPTED, cigar_id=cigars[expected]).exists():
                continue  # the matcher got it: nothing to teach
            entry_repoint(
                entry=entry,
                cigar=Cigar.objects.get(pk=cigars[expected]),
                actor=actor,
                note=REVIEW_NOTE,
            )
            counts["repointed"] += 1
        elif rows.filter(
            status__in=[MatchStatus.AUTO_ACCEPTED, MatchStatus.PENDING_REVIEW]
        ).exists():
            entry_mark_not_in_catalogue(entry=entry, actor=actor, note=REVIEW_NOTE)
            counts["not_in_catalogue"] += 1
    return counts


def edition_summary(*, edition: str, publication: CustomsPublication) -> EditionSummary:
    """Per entry, its best status: accepted (auto, of which via an alias, or human),
    pending review, or rejected (every candidate rejected, or none at all)."""
    from matching.models import MatchMethod, MatchStatus

    cigar_entries = _cigar_entries(publication)

    def having(status: str, **extra):
        return Q(matches__status=status, **extra)

    counts = cigar_entries.aggregate(
        total=Count("pk", distinct=True),
        human_accepted=Count("pk", filter=having(MatchStatus.HUMAN_ACCEPTED), distinct=True),
        auto_accepted=Count(
            "pk",
            filter=having(MatchStatus.AUTO_ACCEPTED)
            & ~Q(matches__status=MatchStatus.HUMAN_ACCEPTED),
            distinct=True,
        ),
        via_alias=Count(
            "pk",
            filter=having(MatchStatus.AUTO_ACCEPTED, matches__match_method=MatchMethod.ALIAS),
            distinct=True,
        ),
        pending=Count(
            "pk",
            filter=having(MatchStatus.PENDING_REVIEW)
            & ~Q(matches__status__in=[MatchStatus.HUMAN_ACCEPTED, MatchStatus.AUTO_ACCEPTED]),
            distinct=True,
        ),
    )
    accepted_or_pending = counts["human_accepted"] + counts["auto_accepted"] + counts["pending"]
    diff = dict(
        publication.entries.exclude(change_kind="")
        .values_list("change_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return EditionSummary(
        edition=edition,
        publication_id=publication.pk,
        effective_date=str(publication.effective_date or ""),
        entries=publication.entry_count,
        cigar_entries=counts["total"],
        auto_accepted=counts["auto_accepted"],
        via_alias=counts["via_alias"],
        human_accepted=counts["human_accepted"],
        pending_review=counts["pending"],
        rejected=counts["total"] - accepted_or_pending,
        diff={kind: diff.get(kind, 0) for kind in ChangeKind.values},
    )


def demo_setup(
    *,
    review: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Load the whole demo (see the module docstring); safe to run any number of times."""
    say = progress or (lambda message: None)
    started = time.monotonic()

    say(f"Catalogue: {CATALOGUE_FILE.name}")
    imported = catalogue_import(path=CATALOGUE_FILE)
    if imported.invalid:
        raise ValueError(f"{CATALOGUE_FILE.name}: {len(imported.invalid)} invalid rows")

    operator = demo_operator_ensure()
    actor = get_user_model().objects.get(email__iexact=operator.email)
    source = CustomsSource.objects.get(slug=DEMO_SOURCE)

    editions: list[EditionSummary] = []
    reviewed = {"repointed": 0, "not_in_catalogue": 0}
    watch = None
    for edition, path in EDITION_FILES:
        say(f"Edition {edition}: ingest_file {path.name}")
        _run, publication = publication_ingest_file_run(
            source=source, path=path, note="CigarSpace demo edition", trigger="demo"
        )
        say(f"Edition {edition}: embed and match publication {publication.pk}")
        demo_match(publication=publication)
        if review and edition == "A":
            say("Edition A: the operator settles a few labels")
            reviewed = demo_review(publication=publication, actor=actor)
        editions.append(edition_summary(edition=edition, publication=publication))
        if edition == "B":
            from watch.demo import watch_demo

            say("Edition B: the price watch (events, webhook, e-mail digest)")
            watch = watch_demo(actor=actor, publication=publication)

    from demo.spain import demo_spain

    spain = demo_spain(progress=say)
    editions += spain.editions

    logger.info(
        "demo loaded",
        extra={
            "catalogue": imported.summary,
            "reviewed": reviewed,
            "publications": [e.publication_id for e in editions],
            "duration_s": round(time.monotonic() - started, 3),
        },
    )
    from demo.review_queue import demo_review_queue
    from matching.selectors import source_thresholds, vocabulary_summary

    return DemoResult(
        catalogue=imported.summary,
        operator=operator,
        reviewed=reviewed,
        editions=editions,
        matching={
            "thresholds": source_thresholds(source_slug=DEMO_SOURCE),
            "vocabulary": vocabulary_summary(),
            "queue": demo_review_queue(),
        },
        watch=watch,
        spain=spain,
    )
