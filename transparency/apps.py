from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transparency"
    verbose_name = _("Transparency")

    def ready(self) -> None:
        from donations.pages import pledge_page_sections

        from . import receivers  # noqa: F401  (connects the ledger_changed receiver)
        from .sections import pledge_where_the_money_went

        if pledge_where_the_money_went not in pledge_page_sections:
            pledge_page_sections.append(pledge_where_the_money_went)
