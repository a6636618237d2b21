"""``manage.py demo_serve``: runserver and a django-q2 worker side by side; Ctrl-C stops both."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from cigarspace.supervisor import supervise


class Command(BaseCommand):
    help = "Serve the admin and the API with a task worker beside it (Ctrl-C stops both)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--grace", type=float, default=10.0, help="Seconds each child gets to stop."
        )

    def handle(self, *args, host: str, port: int, grace: float, **options) -> None:
        manage = [sys.executable, sys.argv[0]]
        commands = {
            # --noreload: the autoreloader forks a grandchild that a signal would miss.
            "web": [*manage, "runserver", f"{host}:{port}", "--noreload"],
            "worker": [*manage, "qcluster"],
        }
        self.stdout.write(
            f"Serving http://{host}:{port}/admin/ and http://{host}:{port}/api/docs/ "
            "with a task worker beside it (Ctrl-C stops both)."
        )
        status = supervise(commands, grace=grace)
        if status:
            raise CommandError(f"A process stopped on its own (status {status}); both stopped.")
        self.stdout.write("Stopped the web server and the worker.")
