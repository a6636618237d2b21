from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.models import ApiKey, RefreshToken, User
from accounts.services import (
    REVOKED_ADMIN,
    api_key_create,
    api_key_revoke,
    refresh_token_families_revoke,
)


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    # Password changes and deactivations made here revoke the user's refresh tokens
    # (accounts.signals), like those made through the services.
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    list_display = ("email", "is_admin", "is_superuser", "is_active", "created_at")
    list_filter = ("is_admin", "is_superuser", "is_active", "groups")
    search_fields = ("email",)
    ordering = ("email",)
    readonly_fields = ("created_at", "updated_at", "last_login")
    filter_horizontal = ("groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Access",
            {"fields": ("is_active", "is_admin", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin[RefreshToken]):
    list_display = (
        "id",
        "user",
        "family_id",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    )
    list_filter = ("revoked_reason", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "family_id")
    list_select_related = ("user",)
    # Nothing here is editable by hand: tokens are made and revoked by the auth services.
    readonly_fields = [f.name for f in RefreshToken._meta.fields]
    actions = ["revoke_families"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the sessions (whole families) of selected tokens")
    def revoke_families(self, request: HttpRequest, queryset: QuerySet[RefreshToken]) -> None:
        families = set(queryset.values_list("family_id", flat=True))
        revoked = refresh_token_families_revoke(family_ids=families, reason=REVOKED_ADMIN)
        self.message_user(
            request,
            f"Revoked {revoked} refresh token(s) in {len(families)} session(s).",
            messages.SUCCESS,
        )


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "owner", "scope", "expires_at")

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        owner, scope = cleaned.get("owner"), cleaned.get("scope")
        if owner is not None and scope == ApiKey.Scope.OPERATOR and not owner.is_admin:
            raise ValidationError({"scope": "Only an operator may own an operator-scoped key."})
        expires_at = cleaned.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError({"expires_at": "The expiry date is in the past."})
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = (
        "name",
        "prefix",
        "owner",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "owner__email")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    actions = ["revoke_keys"]
    # The secret hash is never shown; the full key exists only on the page after "Save".
    exclude = ("secret_hash",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # Only the name changes after creation; scope or owner changes need a new key.
        return (
            "prefix",
            "owner",
            "scope",
            "expires_at",
            "created_at",
            "last_used_at",
            "revoked_at",
        )

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Creation goes through the service, which makes the secret and stores its hash.
        key, secret = api_key_create(
            owner=obj.owner, name=obj.name, scope=obj.scope, expires_at=obj.expires_at
        )
        obj.pk = key.pk
        obj.refresh_from_db()
        request._accounts_api_key_secret = secret

    def response_add(self, request, obj: ApiKey, post_url_continue=None) -> HttpResponse:
        secret = getattr(request, "_accounts_api_key_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        # Rendered, not redirected with a message: a message would be stored (cookie or
        # session row) and the key must exist nowhere but on this one page.
        context = {
            **self.admin_site.each_context(request),
            "title": "API key created",
            "opts": self.opts,
            "key": obj,
            "secret": secret,
        }
        response = TemplateResponse(request, "admin/accounts/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected keys")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)
