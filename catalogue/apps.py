from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from catalogue.search_cache import connect_signals
        from cigarspace.schedules import schedules_after_migrate

        connect_signals()
        schedules_after_migrate(self)
