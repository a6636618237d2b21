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

    Only when such labels exist, and once per brand while a task for it waits: a catalogue
    import creating hundreds of cigars of a brand queues one task (the task clears the
    flag before it reads, so a cigar added while it runs queues the next one).
    """
    if not created or raw:
        return
    from catalogue.models import AliasKind, CigarAlias

    if not CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).exists():
        return
    from django.core.cache import cache
    from django_q.tasks import async_task

    from matching.tasks import REOPEN_FLAG

    brand_id = instance.line.brand_id

    def queue() -> None:
        if cache.add(REOPEN_FLAG.format(brand_id), True, timeout=3600):
            async_task(
                "matching.tasks.reopen_labels_for_brand",
                brand_id,
                task_name=f"reopen labels of brand {brand_id}",
            )

    transaction.on_commit(queue)


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
