from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'allocations'
    verbose_name = _("Allocations")
