"""History pages every app's staff admin shares: read-only, and worded for the reader.

django-simple-history shows a change as the field's name and both values cut at 100 characters,
and lets anyone who may view an object post an old version back (a "revert" that bypasses the
services). Here a change reads as the field's label in the active language, a choice by its
label, a related object by its name, money as đồng and dates in Vietnam time, in full; and
the history is only read.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from .money import quantity, vnd

EMPTY = "—"


def history_value(field: models.Field, value) -> str:
    """One value of a field as staff read it, never shortened."""
    if isinstance(field, models.ManyToManyField):
        related = get_m2m_reverse_field_name(field)
        return ", ".join(str(row[related]) for row in value) or EMPTY
    if value is None or value == "":
        return EMPTY
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, Decimal):
        return quantity(value)
    if isinstance(field, models.BigIntegerField) and not isinstance(field, models.AutoField):
        return vnd(value)  # money is the only BigIntegerField of the portal (integer đồng)
    return str(value)


class HistoryChanges(HistoricalRecordContextHelper):
    """The "changes" column: label, old value, new value, in the active language."""

    def format_delta_change(self, change: ModelChange) -> ModelChange:
        field = self.model._meta.get_field(change.field)
        return dataclasses.replace(
            change,
            field=capfirst(field.verbose_name),
            old=history_value(field, change.old),
            new=history_value(field, change.new),
        )


class HistoryAdmin(SimpleHistoryAdmin):
    """A model admin with a history page that shows who changed what, when — and never reverts.

    A past version opens with every field disabled; posting to it is refused with 403 for everyone,
    because a revert would write around the services and the form's checks (simple-history itself
    only asks for the view permission before saving it).
    """

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryChanges(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        request.viewing_history = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "viewing_history", False):
            return form

        class PastVersionForm(form):
            """A past version: every field shown, none editable."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.disabled = True

        return PastVersionForm


def history_backfill(apps, app_label: str, model_name: str, *, m2m: tuple[str, ...] = ()) -> None:
    """For a migration that adds history to a model with rows: record each row's current state.

    Without it the first change to an existing row would have no "before" to show. `m2m` names the
    many-to-many fields the history tracks, whose current links are recorded with the row.
    """
    model = apps.get_model(app_label, model_name)
    historical = apps.get_model(app_label, f"Historical{model.__name__}")
    copied = [f.attname for f in historical._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    for start in range(0, model.objects.count(), 2000):
        rows = list(model.objects.order_by("pk")[start:start + 2000])
        records = historical.objects.bulk_create(
            historical(history_date=now, history_type="+", **{name: getattr(row, name) for name in copied})
            for row in rows
        )
        for name in m2m:
            through = apps.get_model(app_label, f"Historical{model.__name__}_{name}")
            descriptor = getattr(model, name)
            link, source, target = (
                descriptor.through, descriptor.field.m2m_field_name(), descriptor.field.m2m_reverse_field_name()
            )
            links: dict = {}
            for link_id, row_id, target_id in link.objects.filter(**{f"{source}__in": rows}).values_list(
                "id", f"{source}_id", f"{target}_id"
            ):
                links.setdefault(row_id, []).append((link_id, target_id))
            through.objects.bulk_create(
                through(id=link_id, history_id=record.pk, **{f"{source}_id": record.id, f"{target}_id": target_id})
                for record in records
                for link_id, target_id in links.get(record.id, [])
            )
