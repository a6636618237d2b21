from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import RefreshToken, User


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
class RefreshTokenAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False
