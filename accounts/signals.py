"""Revoke refresh tokens whenever a password changes or a user is deactivated.

A signal rather than only the services, because the admin's forms and Django's
``changepassword`` command save users without going through accounts.services.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.services import (
    REVOKED_DEACTIVATED,
    REVOKED_PASSWORD_CHANGED,
    refresh_tokens_revoke_for_user,
)


@receiver(pre_save, sender=User, dispatch_uid="accounts.user_note_credential_change")
def note_credential_change(sender, instance: User, **kwargs) -> None:
    reason = ""
    if not instance._state.adding:
        # set_password() keeps the raw password in ``_password`` until the save; a hash
        # upgrade during login (check_password) clears it first, so it revokes nothing.
        if instance._password is not None:
            reason = REVOKED_PASSWORD_CHANGED
        elif not instance.is_active:
            reason = REVOKED_DEACTIVATED
    instance._accounts_revoke_reason = reason


@receiver(post_save, sender=User, dispatch_uid="accounts.user_revoke_on_credential_change")
def revoke_on_credential_change(sender, instance: User, created: bool, **kwargs) -> None:
    reason = getattr(instance, "_accounts_revoke_reason", "")
    if reason:
        refresh_tokens_revoke_for_user(user_id=instance.pk, reason=reason)
