from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_sources_and_schedules(sender, using: str = "default", **kwargs) -> None:
    from customs.schedules import schedules_register
    from customs.sources import sources_ensure_defaults

    # Also runs after a test database flush (transactional tests), which empties the
    # rows migration 0002 seeded.
    sources_ensure_defaults(using=using)
    schedules_register(using=using)


class CustomsConfig(AppConfig):
    name = "customs"
    verbose_name = "Customs publications"

    def ready(self) -> None:
        from cigarspace.health import health_check_register
        from customs.health import sources_health

        # Informational: a source failing never makes /health a 503.
        health_check_register("sources", sources_health, gating=False)
        # After the whole migrate run (django_q's tables and the seeded sources exist).
        post_migrate.connect(
            _ensure_sources_and_schedules, sender=self, dispatch_uid="customs.schedules_register"
        )
