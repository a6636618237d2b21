from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _register_schedules(sender, using: str = "default", **kwargs) -> None:
    from catalogue.tasks import register_schedules

    register_schedules(using=using)


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from catalogue.search_cache import connect_signals

        connect_signals()
        post_migrate.connect(
            _register_schedules, sender=self, dispatch_uid="catalogue.register_schedules"
        )
