from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import schema, signals  # noqa: F401  (registration on import)
        from cigarspace.schedules import schedules_after_migrate

        # After the whole migrate run (django_q's tables exist by then), once per run.
        schedules_after_migrate(self)
