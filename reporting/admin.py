from django.contrib import admin

from .models import DigestDelivery, PrismNote, ReportExport


@admin.register(PrismNote)
class PrismNoteAdmin(admin.ModelAdmin):
    list_display = ["noted_on", "domain", "tag", "department", "author"]
    list_filter = ["domain", "tag"]
    date_hierarchy = "noted_on"
    raw_id_fields = ["department", "author"]
    list_select_related = ["department__site", "author"]


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """Read-only: files are made by the export job and seen only by who asked for them."""

    list_display = ["pk", "requested_by", "format", "start", "end", "status", "progress"]
    list_filter = ["format", "status"]
    exclude = ["content"]
    readonly_fields = [
        "requested_by",
        "requested_at",
        "format",
        "start",
        "end",
        "site",
        "department_ids",
        "threshold",
        "status",
        "progress",
        "filename",
        "finished_at",
        "error",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content").select_related("requested_by")


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["month", "user", "sent_at"]
    raw_id_fields = ["user"]
