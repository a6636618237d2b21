"""Start, inspect or stop the embedded PostgreSQL server of this data directory."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cigarspace import embedded_db


class Command(BaseCommand):
    help = (
        "Manage the embedded PostgreSQL server (used when DATABASE_URL is not set): "
        "status, start, stop, or url."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=("status", "start", "stop", "url"))

    def handle(self, *args, action: str, **options) -> None:
        if settings.DATABASES["default"]["ENGINE"] != "cigarspace.db.embedded":
            raise CommandError(
                "DATABASE_URL is set: this process uses an external PostgreSQL server, "
                "not the embedded one."
            )
        data_dir = settings.CIGARSPACE_DATA_DIR
        if action == "start":
            info = embedded_db.ensure_running(data_dir)
            self.stdout.write(
                self.style.SUCCESS(f"running: pid {info.pid}, socket {info.socket_dir}")
            )
        elif action == "status":
            info = embedded_db.status(data_dir)
            if info is None:
                self.stdout.write(f"stopped (data directory {embedded_db.pgdata_path(data_dir)})")
                raise SystemExit(3)  # like `pg_ctl status`: 3 = not running
            self.stdout.write(
                f"running: pid {info.pid}, socket {info.socket_dir}, data {info.pgdata}\n"
                f"connect: {info.uri()}"
            )
        elif action == "url":
            info = embedded_db.ensure_running(data_dir)
            self.stdout.write(info.uri())
        else:
            if embedded_db.stop(data_dir):
                self.stdout.write(self.style.SUCCESS("stopped"))
            else:
                self.stdout.write("was not running")
