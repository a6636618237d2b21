"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiKey, RefreshToken, User


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def api_key_list(*, owner_email: str | None = None) -> QuerySet[ApiKey]:
    keys = ApiKey.objects.select_related("owner").order_by("-created_at")
    if owner_email:
        keys = keys.filter(owner__email__iexact=owner_email.strip())
    return keys


def api_key_get_by_prefix(*, prefix: str) -> ApiKey | None:
    return ApiKey.objects.select_related("owner").filter(prefix=prefix.strip()).first()


def refresh_token_family(*, family_id) -> QuerySet[RefreshToken]:
    return RefreshToken.objects.filter(family_id=family_id).order_by("created_at")
