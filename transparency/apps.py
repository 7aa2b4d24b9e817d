from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transparency"
    verbose_name = _("Transparency")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the ledger_changed receiver)
