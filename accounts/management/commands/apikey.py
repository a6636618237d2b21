"""Manage API keys of machine clients: create (prints the key once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ApiKey
from accounts.selectors import api_key_get_by_prefix, api_key_list, user_get_by_email
from accounts.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API keys ('Authorization: Api-Key <key>')."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key; the key is printed only once.")
        create.add_argument("--owner", required=True, help="Email of the owning user.")
        create.add_argument("--name", required=True, help="What the key is for.")
        create.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ)
        create.add_argument(
            "--expires-days", type=int, default=None, help="Lifetime in days (default: none)."
        )
        listing = sub.add_parser("list", help="List keys (never their secrets).")
        listing.add_argument("--owner", default=None, help="Only the keys of this email.")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix (cs_…).")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, *, owner: str, name: str, scope: str, expires_days: int | None, **_) -> None:
        user = user_get_by_email(email=owner)
        if user is None:
            raise CommandError(f"No user has the email {owner}.")
        if expires_days is not None and not 1 <= expires_days <= 3650:
            raise CommandError("--expires-days must be between 1 and 3650.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            key, secret = api_key_create(owner=user, name=name, scope=scope, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Created API key {key.prefix} ({key.scope}) for {user.email}.")
        self.stdout.write("Copy the key now; it is not stored and cannot be shown again:")
        self.stdout.write(secret)

    def _list(self, *, owner: str | None, **_) -> None:
        keys = list(api_key_list(owner_email=owner))
        now = timezone.now()
        for key in keys:
            if key.revoked_at is not None:
                state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
            elif key.expires_at is not None and key.expires_at <= now:
                state = f"expired {key.expires_at:%Y-%m-%d %H:%M}"
            else:
                state = "active"
            last_used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(
                f"{key.prefix}  {key.scope:<8}  {state:<24}  last used {last_used:<16}  "
                f"{key.owner.email}  {key.name}"
            )
        self.stdout.write(f"{len(keys)} key(s).")

    def _revoke(self, *, prefix: str, **_) -> None:
        key = api_key_get_by_prefix(prefix=prefix)
        if key is None:
            raise CommandError(f"No API key has the prefix {prefix}.")
        was_revoked = key.revoked_at is not None
        api_key_revoke(key=key)
        if was_revoked:
            self.stdout.write(f"API key {key.prefix} was already revoked.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Revoked API key {key.prefix} ({key.name})."))
