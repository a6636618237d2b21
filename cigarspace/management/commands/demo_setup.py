"""Prepare the local demo: an operator account whose credentials are printed.

Idempotent: running it again changes nothing. The generated password is kept in the data
directory (mode 0600) so that a second run can print it again; only its hash is in the
database.
"""

from __future__ import annotations

import json
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_EMAIL = "operator@cigarspace.local"


class Command(BaseCommand):
    help = "Create the demo operator (if missing) and print how to log in."

    def handle(self, *args, **options) -> None:
        credentials_file = settings.CIGARSPACE_DATA_DIR / "demo-operator.json"
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=DEMO_EMAIL).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(email=DEMO_EMAIL, password=password)
            credentials_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump({"email": DEMO_EMAIL, "password": password}, handle)
            self.stdout.write(self.style.SUCCESS(f"Created the demo operator {DEMO_EMAIL}."))
        elif credentials_file.exists():
            stored = json.loads(credentials_file.read_text())
            if user.check_password(stored.get("password", "")):
                password = stored["password"]

        self.stdout.write("")
        self.stdout.write("  Admin:    http://127.0.0.1:8000/admin/")
        self.stdout.write("  API docs: http://127.0.0.1:8000/api/docs/")
        self.stdout.write(f"  Email:    {DEMO_EMAIL}")
        if password:
            self.stdout.write(f"  Password: {password}")
        else:
            self.stdout.write("  Password: (changed since the demo created it)")
        self.stdout.write("  Habanos reference data: cubancigarwebsite.com")
        self.stdout.write("")
