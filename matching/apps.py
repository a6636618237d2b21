from django.apps import AppConfig
from django.db import transaction


def queue_publication_matching(sender, publication_id: int, **kwargs) -> None:
    """customs announces an ingested publication: embed and match it in the background.

    Only the id travels; the task reads the committed rows (queued after commit).
    """
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "matching.tasks.publication_embed_and_match",
            publication_id,
            task_name=f"match publication {publication_id}",
        )
    )


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from cigarspace.schedules import schedules_after_migrate
        from customs.signals import publication_ingested
        from matching.cigar_filters import cigar_filters_register

        cigar_filters_register()

        publication_ingested.connect(
            queue_publication_matching, dispatch_uid="matching.queue_publication_matching"
        )
        schedules_after_migrate(self)
