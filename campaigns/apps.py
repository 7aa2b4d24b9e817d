from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'campaigns'
    verbose_name = _("Campaigns")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from .cached import CLEARED_BY, caches_clear

        for model in CLEARED_BY:
            post_save.connect(caches_clear, sender=model, dispatch_uid=f"cached-save-{model.__name__}")
            post_delete.connect(caches_clear, sender=model, dispatch_uid=f"cached-delete-{model.__name__}")
            if model._meta.auto_created:  # a many-to-many table: its rows change by m2m_changed
                m2m_changed.connect(caches_clear, sender=model, dispatch_uid=f"cached-m2m-{model.__name__}")
        post_migrate.connect(caches_clear, dispatch_uid="cached-migrate")
