from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Assistance to people")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check of the ID key)
