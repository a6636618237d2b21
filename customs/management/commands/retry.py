"""Resume a failed publication at its failed stage: ``manage.py retry PUBLICATION``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from customs.management.commands._common import publication_line, publication_or_error
from customs.models import PublicationStatus, RunOutcome
from customs.services import publication_accept_count_drop
from customs.services.runs import publication_advance_run


class Command(BaseCommand):
    help = "Retry a failed publication from the stage it failed in."

    def add_arguments(self, parser) -> None:
        parser.add_argument("publication", type=int)
        parser.add_argument(
            "--force-count-drop",
            action="store_true",
            help="Accept an edition sharply smaller than the previous one (it failed as a "
            "suspected truncation); needs --reason.",
        )
        parser.add_argument("--reason", default="", help="Why (kept with the publication).")

    def handle(self, *args, publication: int, force_count_drop=False, reason="", **options) -> None:
        item = publication_or_error(publication)
        if item.status != PublicationStatus.FAILED:
            raise CommandError(f"Publication {item.pk} is {item.status}, not failed.")
        if force_count_drop:
            if not reason.strip():
                raise CommandError("--force-count-drop needs --reason: say why it is right.")
            item = publication_accept_count_drop(publication=item, reason=reason)
        self.stdout.write(f"Retrying publication {item.pk} from its {item.failed_stage} stage…")
        run = publication_advance_run(publication=item, trigger="command", retry=True)
        item.refresh_from_db()
        self.stdout.write(publication_line(item))
        if run.outcome == RunOutcome.FAILED:
            raise CommandError(run.message)
