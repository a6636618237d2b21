"""The label memory edited by hand: every change leaves a ``CigarAliasEvent``.

Decisions on matches maintain aliases themselves (and leave ``MatchEvent`` rows); these
services are for the other writers, the admin and a cigar merge, so that no alias changes
without a record of who changed it and why.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.actors import Actor, recorded_user
from catalogue.models import AliasAction, CigarAlias, CigarAliasEvent


def alias_snapshot(alias: CigarAlias) -> dict[str, Any]:
    """The alias as a plain dict (kept in the audit row, which outlives the alias)."""
    return {
        "kind": alias.kind,
        "cigar_id": alias.cigar_id,
        "cigar": str(alias.cigar) if alias.cigar_id else None,
        "created_by_id": alias.created_by_id,
        "note": alias.note,
    }


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the alias changes (it is kept in the audit)."})
    return reason


def alias_event_record(
    *,
    alias: CigarAlias,
    action: str,
    actor: Actor,
    reason: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> CigarAliasEvent:
    return CigarAliasEvent.objects.create(
        alias_id=alias.pk,
        action=action,
        source_slug=alias.source_slug,
        normalised_label=alias.normalised_label,
        before=before,
        after=after,
        actor=recorded_user(actor),
        reason=_reason(reason),
    )


@transaction.atomic
def alias_save(*, alias: CigarAlias, actor: Actor, reason: str) -> CigarAlias:
    """Create or change an alias by hand; the constraints are checked before the write."""
    reason = _reason(reason)
    before = None
    if alias.pk is not None:
        stored = CigarAlias.objects.select_for_update().filter(pk=alias.pk).first()
        before = alias_snapshot(stored) if stored is not None else None
    alias.full_clean()
    alias.save()
    alias.refresh_from_db()
    action = AliasAction.CREATED if before is None else AliasAction.CHANGED
    alias_event_record(
        alias=alias,
        action=action,
        actor=actor,
        reason=reason,
        before=before,
        after=alias_snapshot(alias),
    )
    return alias


@transaction.atomic
def alias_delete(*, alias: CigarAlias, actor: Actor, reason: str) -> None:
    reason = _reason(reason)
    before = alias_snapshot(alias)
    alias_event_record(
        alias=alias,
        action=AliasAction.DELETED,
        actor=actor,
        reason=reason,
        before=before,
        after=None,
    )
    alias.delete()
