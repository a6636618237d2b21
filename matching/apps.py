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


def queue_labels_reopen(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A cigar joined the catalogue: labels marked "not in the catalogue" that name its brand
    are matched again in the background (``matching.services.groups.labels_reopen_for_cigar``).

    Only when such labels exist: a catalogue import creating hundreds of cigars queues
    nothing on a database without them.
    """
    if not created or raw:
        return
    from catalogue.models import AliasKind, CigarAlias

    if not CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).exists():
        return
    from django_q.tasks import async_task

    cigar_id = instance.pk
    transaction.on_commit(
        lambda: async_task(
            "matching.tasks.reopen_labels_for_cigar",
            cigar_id,
            task_name=f"reopen labels for cigar {cigar_id}",
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
        from django.db.models.signals import post_save

        post_save.connect(
            queue_labels_reopen,
            sender="catalogue.Cigar",
            dispatch_uid="matching.queue_labels_reopen",
        )
        schedules_after_migrate(self)
