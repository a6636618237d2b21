"""Suspected truncation: an edition far smaller than the source's previous one.

The parse stage calls ``check_count_drop``; an operator who checked such an edition
accepts it with ``publication_accept_count_drop`` (who, when and why are kept with the
publication), then retries it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor, recorded_user
from customs.adapters import AdapterError
from customs.models import CustomsPublication
from customs.selectors import publication_previous

MAX_REASON_LENGTH = 4000

#: Where an operator's acceptance of a sharp entry-count drop is kept (who, when, why).
COUNT_DROP_ACCEPTED = "count_drop_accepted"


def check_count_drop(publication: CustomsPublication, entries: int) -> None:
    """Fail an edition far smaller than the source's previous one: a suspected truncation.

    A layout change, a cut file or a parsing gap shows up as missing entries; ingesting it
    would make every missing cigar look withdrawn. An operator who checked the edition
    accepts the drop (``publication_accept_count_drop``) and retries.
    """
    max_drop = settings.CUSTOMS_TRUNCATION_MAX_DROP
    if max_drop >= 1 or publication.metadata.get(COUNT_DROP_ACCEPTED):
        return
    previous = publication_previous(publication=publication)
    if previous is None or previous.entry_count < settings.CUSTOMS_TRUNCATION_MIN_PREVIOUS:
        return
    drop = 1 - entries / previous.entry_count
    if drop > max_drop:
        raise AdapterError(
            f"Suspected truncation: {entries} cigar entries against {previous.entry_count} "
            f"in the previous edition (publication {previous.pk}, effective "
            f"{previous.effective_date}), {drop:.0%} fewer (the limit is {max_drop:.0%}). "
            "If the edition is right, accept the drop and retry: "
            f"`manage.py retry {publication.pk} --force-count-drop --reason '…'`, or the "
            "publication admin's action."
        )


@transaction.atomic
def publication_accept_count_drop(
    *, publication: CustomsPublication, actor: Actor = None, reason: str
) -> CustomsPublication:
    """Record that an operator checked this edition and accepts its smaller entry count.

    The next parse (a retry) then lets it through; who, when and why stay in its metadata.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AdapterError("Say why the smaller edition is right (kept with the publication).")
    locked = CustomsPublication.objects.select_for_update().get(pk=publication.pk)
    user = recorded_user(actor)
    locked.metadata = {
        **locked.metadata,
        COUNT_DROP_ACCEPTED: {
            "by": str(user) if user else "manage.py",
            "by_id": user.pk if user else None,
            "at": timezone.now().isoformat(),
            "reason": reason[:MAX_REASON_LENGTH],
        },
    }
    locked.save(update_fields=["metadata", "updated_at"])
    return locked
