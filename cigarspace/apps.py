from django.apps import AppConfig


class CigarspaceConfig(AppConfig):
    """The project kernel: settings checks, the embedded database, shared helpers."""

    name = "cigarspace"
    verbose_name = "CigarSpace"

    def ready(self) -> None:
        from cigarspace import checks  # noqa: F401  (registers the system checks)
