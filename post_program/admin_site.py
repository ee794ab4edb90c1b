"""The Django admin site, audited like the program's own pages.

Every model admin registered on the site (the program's and those of the libraries) is wrapped
in `AuditedModelAdminMixin`: opening a list writes `admin.list` (the model, never what was
searched for), opening a record, its history or its delete page writes `admin.view`, and every
add, change and delete writes `admin.add`, `admin.change` (the changed field names, never their
values) or `admin.delete`, in the same transaction as the change. A model admin may name
`audit_detail_fields`, attributes of the record copied into the detail of its change rows
(identifiers only).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models, transaction

from .services import audit_record


class AuditedModelAdminMixin:
    model: type[models.Model]
    audit_detail_fields: tuple[str, ...]

    def _audit_view(self, request, response, object_id: str | None = None) -> None:
        if response.status_code != 200:
            return
        if object_id is None:
            audit_record(
                actor=request.user, action="admin.list", model=self.model._meta.label_lower
            )
        else:
            record = self.model(pk=unquote(object_id))
            audit_record(actor=request.user, action="admin.view", obj=record)

    def _audit_change(self, request, action: str, obj, **detail) -> None:
        for name in getattr(self, "audit_detail_fields", ()):
            detail[name] = getattr(obj, name)
        audit_record(actor=request.user, action=action, obj=obj, **detail)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        self._audit_view(request, response)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET":
            self._audit_view(request, response, object_id)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._audit_view(request, response, object_id)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET":
            self._audit_view(request, response, object_id)
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            self._audit_change(request, "admin.change", obj, fields=list(form.changed_data))
        else:
            self._audit_change(request, "admin.add", obj)

    def save_formset(self, request, form, formset, change):
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        for obj in deleted:
            self._audit_change(request, "admin.delete", obj)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit_change(request, "admin.add", obj)
        for obj, fields in formset.changed_objects:
            self._audit_change(request, "admin.change", obj, fields=list(fields))

    def delete_model(self, request, obj):
        self._audit_change(request, "admin.delete", obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_change(request, "admin.delete", obj)
        super().delete_queryset(request, queryset)


class AuditedAdminSite(admin.AdminSite):
    """The default admin site (post_program.admin_apps.PostAdminConfig): registers every model admin
    with the audit mixin in front of it."""

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        audited = type(
            f"Audited{base.__name__}",
            (AuditedModelAdminMixin, base),
            {"__module__": base.__module__},
        )
        super().register(model_or_iterable, audited, **options)
