from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _register_schedules(sender, using: str = "default", **kwargs) -> None:
    from merchants.schedules import schedules_register

    schedules_register(using=using)


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Merchant crawling"

    def ready(self) -> None:
        # After the whole migrate run, when django_q's schedule table exists.
        post_migrate.connect(
            _register_schedules, sender=self, dispatch_uid="merchants.register_schedules"
        )
