"""Users: creation, password changes, deactivation, and checking credentials."""

from __future__ import annotations

import secrets
from functools import lru_cache

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services.common import AuthenticationError


@transaction.atomic
def user_create(*, email: str, password: str, is_admin: bool = False) -> User:
    """Create a user after running the project's password validators."""
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"A user with the email {email} already exists."})
    password_validation.validate_password(password, user=User(email=email))
    return User.objects.create_user(email=email, password=password, is_admin=is_admin)


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """Change a password. The post_save signal then revokes every refresh family."""
    password_validation.validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate a user. The post_save signal revokes every refresh family; access
    tokens and API keys stop working because authentication checks ``is_active``."""
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    return user


@lru_cache(maxsize=1)
def _dummy_password_hash() -> str:
    return make_password(secrets.token_urlsafe(16))


def user_authenticate(*, email: str, password: str) -> User:
    """The user with these credentials, or ``AuthenticationError`` with one generic message.

    An unknown email, a wrong password, a deactivated user and an account without a usable
    password all give the same answer, and all cost one argon2 verification (a dummy hash
    stands in where there is no real one), so the response time does not tell whether
    the account exists.
    """
    generic = AuthenticationError("No active account matches these credentials.")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.has_usable_password():
        # Django answers an unusable password without hashing: verify the dummy instead.
        check_password(password, _dummy_password_hash())
        raise generic
    # check_password also upgrades an outdated hash (e.g. PBKDF2 -> argon2) in place.
    if not user.check_password(password) or not user.is_active:
        raise generic
    return user
