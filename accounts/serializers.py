"""Input and output shapes of the auth endpoints (small, one per endpoint)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.services import MAX_PASSWORD_LENGTH, MAX_SECRET_LENGTH


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    # Bounded: argon2 hashes whatever it is given, and a megabyte password costs CPU.
    password = serializers.CharField(
        max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False, write_only=True
    )


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=MAX_SECRET_LENGTH, write_only=True)


class TokenPairOutputSerializer(serializers.Serializer):
    token_type = serializers.CharField(help_text="Always 'Bearer'.")
    access = serializers.CharField(help_text="JWT for 'Authorization: Bearer <access>'.")
    access_expires_at = serializers.DateTimeField()
    refresh = serializers.CharField(
        help_text="Opaque; shown once. Exchange it at auth/refresh before it expires."
    )
    refresh_expires_at = serializers.DateTimeField()


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    is_admin = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    auth_method = serializers.ChoiceField(choices=["jwt", "api_key", "session"])
    api_key_scope = serializers.ChoiceField(
        choices=["read", "operator"],
        allow_null=True,
        help_text="The scope of the API key used, if any.",
    )
