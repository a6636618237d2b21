from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CigarspaceConfig(AppConfig):
    """The project kernel: settings checks, the embedded database, shared helpers."""

    name = "cigarspace"
    verbose_name = "CigarSpace"

    def ready(self) -> None:
        from cigarspace import checks  # noqa: F401  (registers the system checks)


class CigarSpaceAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the project's site as ``admin.site``: every app's
    ``@admin.register`` lands on it, unchanged."""

    default_site = "cigarspace.admin_site.CigarSpaceAdminSite"
    # Named in INSTALLED_APPS; "cigarspace" there stays CigarspaceConfig.
    default = False
