"""Create an operator (is_admin: the admin, and writes through the API).

The password never travels as an argument (it would sit in the shell history and in
``ps``): it comes from the CIGARSPACE_OPERATOR_PASSWORD environment variable or from a
prompt, and passes the project's password validators.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_create

PASSWORD_ENV = "CIGARSPACE_OPERATOR_PASSWORD"  # noqa: S105 (a variable name)


class Command(BaseCommand):
    help = f"Create an operator account. Password from ${PASSWORD_ENV} or a prompt."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="The operator's login email.")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Also grant every Django permission in the admin (is_superuser).",
        )

    def handle(self, *args, email: str, superuser: bool, **options) -> None:
        password = os.environ.get(PASSWORD_ENV) or self._prompt_password()
        try:
            user = user_create(email=email, password=password, is_admin=True)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser", "updated_at"])
        self.stdout.write(self.style.SUCCESS(f"Created operator {user.email} (id {user.pk})."))

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password: set ${PASSWORD_ENV} or run the command in a terminal."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match; nothing was created.")
        if not password:
            raise CommandError("An empty password is not allowed; nothing was created.")
        return password
