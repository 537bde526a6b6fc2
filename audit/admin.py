from django.contrib import admin
from django.utils.html import format_html_join

from accounts.admin import ScopeMixin

from .models import TRACKED, ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopeMixin, admin.ModelAdmin):
    """The imports, read-only: the audit trail is written by the system, never edited."""

    list_display = ["started_at", "file_name", "model", "user", "organization", "created", "updated", "deleted",
                    "skipped", "refused", "invalid"]
    list_filter = ["model"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user", "organization"]
    readonly_fields = ["history_rows"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="写入的历史记录")
    def history_rows(self, obj):
        counts = [(m._meta.verbose_name, m.history.filter(import_batch=obj).count()) for m in TRACKED]
        return format_html_join("", "<div>{}：{}条</div>", [c for c in counts if c[1]]) or "—"
