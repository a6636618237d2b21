"""Who did something, as services receive it (defined once for every app's audit rows)."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from accounts.models import User

#: A reviewer or operator (``request.user`` in a view or the admin), an anonymous caller,
#: or ``None`` when the system itself acts (a task, a command without a user).
Actor: TypeAlias = User | AnonymousUser | None


def recorded_user(actor: Actor) -> User | None:
    """The user an audit row names: a saved user, else nobody (the system, or anonymous)."""
    return actor if isinstance(actor, User) and actor.pk is not None else None
