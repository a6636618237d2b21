"""Users of the admin and the API, their refresh tokens and their API keys.

One user model serves both: an operator (``is_admin``) is staff in the admin and may
write through the API. No secret is ever stored in clear: refresh tokens and API keys
keep only the sha256 of their random secret.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> User:
        # Email is unique case-insensitively (see the constraint below).
        return self.get(email__iexact=email)

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).strip(), **fields)
        user.set_password(password)  # None makes an unusable password
        user.full_clean(exclude=["password"], validate_unique=False)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_admin", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_admin"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=254)
    is_admin = models.BooleanField(
        default=False,
        help_text="Operators: may use the admin and write through the API.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "api_user"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="api_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        # The admin asks for is_staff; CigarSpace calls the same thing is_admin.
        return self.is_admin


class RefreshToken(models.Model):
    """One opaque refresh secret, stored only as its sha256.

    Tokens of one login form a family (rotation keeps the family id, ``parent`` points to
    the token it replaced) so that reuse of a revoked token can revoke the whole family.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    family_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=512, blank=True)

    class Meta:
        db_table = "refresh_token"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106
                name="refresh_token_hash_is_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"refresh token {self.pk} of {self.user_id} (family {self.family_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ApiKey(models.Model):
    """A machine client's credential, sent as ``Authorization: Api-Key <prefix>.<secret>``.

    The prefix is public (it names the key in lists and logs, and finds the row); only the
    sha256 of the secret is stored, so the full key is shown once, when it is created.
    The key acts for its owner but never with more than its scope allows.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read"
        OPERATOR = "operator", "Operator"

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "api_key"
        ordering = ["-created_at"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(secret_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106
                name="api_key_secret_hash_is_sha256_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "operator"]),
                name="api_key_scope_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def api_key_scope(self) -> str:
        # accounts.permissions reads this attribute from ``request.auth``.
        return self.scope

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class RateLimit(models.Model):
    """The state of one throttled client (one row per throttle scope and client).

    GCRA (the generic cell rate algorithm): a single number, the *theoretical arrival
    time* — when the client's budget will be whole again — rather than the list of recent
    request times that DRF keeps in its cache. One ``INSERT … ON CONFLICT DO UPDATE`` per
    request both counts and decides (accounts/rate_limits.py). The table is UNLOGGED
    (migration 0005): after a crash every client starts with a whole budget, nothing worse.
    """

    key = models.CharField(primary_key=True, max_length=250)
    theoretical_arrival = models.FloatField(help_text="Unix time; the past means a full budget.")

    class Meta:
        db_table = "accounts_rate_limit"

    def __str__(self) -> str:
        return self.key
