"""E-mail digests: one message per user per edition, in the user's language (FR or EN).

Through Django's mail framework (the console backend in development, SMTP in production,
locmem in tests). An event is carried by one digest only (``WatchEvent.emailed_at``, set
in the transaction that sends): a re-run finds nothing left, and events released later (a
suspect change confirmed) go in a follow-up message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from customs.models import CustomsPublication
from watch.models import EmailDigest, EventKind, HoldState, Language, WatchEvent
from watch.selectors import EVENT_RELATED, event_data

logger = logging.getLogger(__name__)

#: Keyed by the language's stored value ("fr", "en").
TEXTS: dict[str, dict[str, str]] = {
    Language.EN: {
        "subject": "CigarSpace: {count} change(s) in {source}, effective {date}",
        "intro": "Official prices published in {source} ({title}), effective {date}:",
        EventKind.PRICE_CHANGE: "{name}: {old_unit} → {unit} {currency} per cigar; "
        "{old_pack} → {pack} {currency} for {pack_size}",
        EventKind.NEW_PRODUCT: "New: {name}, {unit} {currency} per cigar, {pack} {currency} "
        "for {pack_size}",
        EventKind.WITHDRAWN: "Withdrawn: {name}",
        EventKind.RENAMED: "Renamed: {label} → {new_label}",
        EventKind.NEW_EDITION: "A new edition: {title} ({entry_count} lines, {changed} "
        "changed, new, renamed or withdrawn)",
        "feed": "Your feed of this watchlist: {url}",
        "footer": "You receive this because your watchlists ask for e-mail digests.",
    },
    Language.FR: {
        "subject": "CigarSpace : {count} changement(s) dans {source}, en vigueur le {date}",
        "intro": "Prix officiels publiés dans {source} ({title}), en vigueur le {date} :",
        EventKind.PRICE_CHANGE: "{name} : {old_unit} → {unit} {currency} l'unité ; "
        "{old_pack} → {pack} {currency} les {pack_size}",
        EventKind.NEW_PRODUCT: "Nouveau : {name}, {unit} {currency} l'unité, {pack} "
        "{currency} les {pack_size}",
        EventKind.WITHDRAWN: "Retiré : {name}",
        EventKind.RENAMED: "Renommé : {label} → {new_label}",
        EventKind.NEW_EDITION: "Nouvelle édition : {title} ({entry_count} lignes, {changed} "
        "modifiées, nouvelles, renommées ou retirées)",
        "feed": "Le flux de cette liste : {url}",
        "footer": "Vous recevez ce message car vos listes de suivi demandent un résumé.",
    },
}


def _fields(payload: dict) -> dict:
    def shown(key: str) -> str:
        value = payload.get(key)
        return "—" if value in (None, "") else str(value)

    return {
        "name": payload.get("cigar") or payload.get("new_label") or payload.get("label") or "",
        "label": shown("label"),
        "new_label": shown("new_label"),
        "unit": shown("unit_price"),
        "pack": shown("pack_price"),
        "old_unit": shown("old_unit_price"),
        "old_pack": shown("old_pack_price"),
        "pack_size": shown("pack_size"),
        "currency": payload.get("currency") or "",
        "title": shown("title"),
        "entry_count": shown("entry_count"),
        "changed": sum((payload.get("changes") or {}).values()),
    }


def event_line(event: WatchEvent, language: str) -> str:
    return TEXTS[language][event.kind].format(**_fields(event_data(event)))


def digest_render(
    *, publication: CustomsPublication, events: list[WatchEvent], language: str
) -> tuple[str, str]:
    """(subject, body) of one user's digest."""
    texts = TEXTS[language]
    date = publication.effective_date.isoformat() if publication.effective_date else "?"
    common = {"source": publication.source.name, "date": date, "title": publication.title}
    lines = [texts["intro"].format(**common), ""]
    by_watchlist: dict[int, list[WatchEvent]] = defaultdict(list)
    for event in events:
        by_watchlist[event.watchlist_id].append(event)
    for group in by_watchlist.values():
        watchlist = group[0].watchlist
        lines.append(f"# {watchlist.name}")
        lines += [f"- {event_line(e, language)}" for e in group]
        url = f"{str(settings.SITE_URL).rstrip('/')}/feeds/watchlists/{watchlist.feed_token}/"
        lines += [texts["feed"].format(url=url), ""]
    lines.append(texts["footer"])
    subject = texts["subject"].format(count=len(events), **common)
    return subject, "\n".join(lines)


def digests_send(*, publication_id: int, now: dt.datetime | None = None) -> int:
    """Send the digests of an edition's released, not yet e-mailed events; returns how
    many messages left."""
    publication = (
        CustomsPublication.objects.select_related("source").filter(pk=publication_id).first()
    )
    if publication is None:
        return 0
    owners = (
        WatchEvent.objects.filter(
            publication_id=publication_id,
            hold=HoldState.RELEASED,
            emailed_at__isnull=True,
            watchlist__email_digest=True,
        )
        .values_list("watchlist__owner_id", flat=True)
        .distinct()
        .order_by()
    )
    sent = 0
    for owner_id in list(owners):
        with transaction.atomic():
            events = list(
                WatchEvent.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    publication_id=publication_id,
                    hold=HoldState.RELEASED,
                    emailed_at__isnull=True,
                    watchlist__email_digest=True,
                    watchlist__owner_id=owner_id,
                )
                .select_related("watchlist__owner", *EVENT_RELATED)
                .order_by("watchlist_id", "kind", "pk")
            )
            if not events:
                continue
            user = events[0].watchlist.owner
            if not user.email or not user.is_active:
                continue
            language = min(events, key=lambda e: e.watchlist_id).watchlist.language
            subject, body = digest_render(publication=publication, events=events, language=language)
            EmailMessage(subject=subject, body=body, to=[user.email]).send()
            moment = now or timezone.now()
            WatchEvent.objects.filter(pk__in=[e.pk for e in events]).update(emailed_at=moment)
            EmailDigest.objects.create(
                user=user,
                publication=publication,
                language=language,
                event_count=len(events),
                subject=subject[:300],
                sent_at=moment,
            )
            sent += 1
    logger.info("publication %s: %s digest(s) sent", publication_id, sent)
    return sent
