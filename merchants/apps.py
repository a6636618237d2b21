from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Merchant crawling"

    def ready(self) -> None:
        from cigarspace.schedules import schedules_after_migrate

        # After the whole migrate run, when django_q's schedule table exists.
        schedules_after_migrate(self)
