from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The local demo (``manage.py demo_setup`` / ``demo_serve``).

    It wires every domain app together (catalogue, customs, matching, accounts), so it sits
    above all of them and the kernel (``cigarspace``) never imports it. It has no models.
    """

    name = "demo"
    verbose_name = "Demo"
