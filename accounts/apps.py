from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _register_schedules(sender, using: str = "default", **kwargs) -> None:
    from accounts.tasks import register_schedules

    register_schedules(using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import schema, signals  # noqa: F401  (registration on import)

        # After the whole migrate run (django_q's tables exist by then), once per run.
        post_migrate.connect(
            _register_schedules, sender=self, dispatch_uid="accounts.register_schedules"
        )
