from django.apps import AppConfig
from django.db import transaction


def queue_publication_events(sender, publication_id: int, **kwargs) -> None:
    """matching scored an edition: compute its events in the background."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "watch.tasks.publication_events",
            publication_id,
            task_name=f"watch: events of publication {publication_id}",
        )
    )


def queue_entry_events(sender, entry_id: int, cigar_id: int, **kwargs) -> None:
    """A reviewer linked an entry to a cigar: someone may watch that cigar."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "watch.tasks.entry_events", entry_id, task_name=f"watch: events of entry {entry_id}"
        )
    )


class WatchConfig(AppConfig):
    name = "watch"
    verbose_name = "Price watch"

    def ready(self) -> None:
        from cigarspace.schedules import schedules_after_migrate
        from matching.signals import entry_linked, publication_matched

        publication_matched.connect(
            queue_publication_events, dispatch_uid="watch.queue_publication_events"
        )
        entry_linked.connect(queue_entry_events, dispatch_uid="watch.queue_entry_events")
        schedules_after_migrate(self)
