from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _register_schedules(sender, using: str = "default", **kwargs) -> None:
    from customs.schedules import schedules_register

    schedules_register(using=using)


class CustomsConfig(AppConfig):
    name = "customs"
    verbose_name = "Customs publications"

    def ready(self) -> None:
        # After the whole migrate run (django_q's tables and the seeded sources exist).
        post_migrate.connect(
            _register_schedules, sender=self, dispatch_uid="customs.register_schedules"
        )
