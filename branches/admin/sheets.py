"""The admin's spreadsheet pages: import (upload, preview, confirm), export, export of the selected rows,
and the blank template. django-import-export's views, with the preview and the choices this office needs."""
import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.timezone import localdate
from django.utils.translation import gettext
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from .. import jobs, uploads
from .. import models as m
from ..importing import preview, sheet_format
from ..sheets import SheetError

logger = logging.getLogger(__name__)


class SheetImportForm(ImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].label = "选择文件"
        self.fields["import_file"].widget.attrs["accept"] = ".xlsx,.xls,.csv"
        self.fields["format"].label = "文件格式"

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.SHUZHI["IMPORT_MAX_MB"]
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"文件有{upload.size / 1024 / 1024:.1f} MB，超过了网页导入的上限{limit} MB。"
                "请删去无关的工作表和图片，或把名册拆成几个文件分批导入（大批量数据也可由管理员用 import_sheet 命令导入）。"
            )
        return upload


class SheetConfirmForm(ConfirmImportForm):
    skip_invalid = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_format(self):
        if self.cleaned_data["format"] != "0":  # there is one format; anything else was not sent by our page
            raise forms.ValidationError("格式无效，请重新上传。")
        return "0"


class SheetAdmin(ImportMixin, ExportActionMixin, admin.ModelAdmin):
    """A ModelAdmin whose records come in and go out as spreadsheets (resource_classes = [TheResource])."""

    import_export_change_list_template = "admin/branches/sheet_change_list.html"
    import_template_name = "admin/branches/sheet_import.html"
    import_form_class = SheetImportForm
    confirm_form_class = SheetConfirmForm
    # One format and one resource: the export form would ask nothing, so the button downloads at once.
    skip_export_form = True
    skip_export_form_from_action = True
    # Each cell of a changelist costs its rendering: 50 rows a page keep a list of members or organizations
    # fast under load (benchmarks/load.py); search, filters and export reach the rest.
    list_per_page = 50

    def action_checkbox(self, obj):
        # Django renders this checkbox through the form widget templates, once per row: about a quarter of a
        # 100-row list's render time. The same markup written out directly.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME, obj.pk, format_html(gettext("Select this object for an action - {}"), obj),
        )

    @property
    def sheet_resource(self):
        return self.resource_classes[0]

    def get_import_formats(self):
        return [sheet_format(self.sheet_resource)]

    def get_export_formats(self):
        return [sheet_format(self.sheet_resource)]

    def get_urls(self):
        info = self.get_model_info()
        return [
            path("template/", self.admin_site.admin_view(self.template_view), name="%s_%s_template" % info),
            path("import/cancel/", self.admin_site.admin_view(self.cancel_import), name="%s_%s_cancel_import" % info),
            path("import/job/<int:pk>/", self.admin_site.admin_view(self.job_view), name="%s_%s_import_job" % info),
            path("import/job/<int:pk>/progress/", self.admin_site.admin_view(self.job_progress),
                 name="%s_%s_import_job_progress" % info),
            path("import/job/<int:pk>/confirm/", self.admin_site.admin_view(self.job_confirm),
                 name="%s_%s_import_job_confirm" % info),
            path("import/job/<int:pk>/cancel/", self.admin_site.admin_view(self.job_cancel),
                 name="%s_%s_import_job_cancel" % info),
        ] + super().get_urls()

    def cancel_import(self, request):
        """The worker leaves the preview without importing: the upload is deleted at once."""
        if request.method != "POST" or not self.has_import_permission(request):
            raise PermissionDenied
        uploads.discard(request.POST.get("import_file_name"))
        messages.info(request, "已取消导入，上传的文件已删除。")
        return HttpResponseRedirect(reverse("admin:%s_%s_import" % self.get_model_info()))

    def template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        name = f"{self.sheet_resource.title}导入模板.xlsx"
        return self.xlsx_response(self.sheet_resource().template(), name)

    @staticmethod
    def xlsx_response(data, filename):
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    # -- export ------------------------------------------------------------------------------------
    def get_export_filename(self, request, queryset, file_format):
        return f"{self.sheet_resource.title}-{localdate():%Y-%m-%d}.xlsx"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        # A Chinese file name needs RFC 6266's filename*, which the library's header does not write.
        response["Content-Disposition"] = content_disposition_header(
            True, self.get_export_filename(request, queryset, file_format)
        )
        return response

    # -- import ------------------------------------------------------------------------------------
    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SheetError):
            form.add_error("import_file", str(e))
        else:
            logger.exception("could not read an uploaded spreadsheet")
            form.add_error("import_file", "文件无法读取。请确认上传的是Excel表格（.xlsx、.xls）或CSV文件。")

    def get_context_data(self, **kwargs):
        resource = self.sheet_resource()
        keys = set(resource.get_import_id_fields()) - set(resource.optional_keys)
        columns = "、".join(
            f.column_name + ("（必需）" if name in keys else "")
            for name, f in ((resource.get_field_name(f), f) for f in resource.get_export_fields()) if not f.readonly
        )
        return {"sheet_title": resource.title, "sheet_columns": columns}

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and self.in_background(form.cleaned_data["import_file"]):
                return self.start_job(request, form)
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        result = context and context.get("result")
        if result is not None:
            context["preview"] = preview(result)
            if not result.has_errors() and result.has_validation_errors() and context["preview"]["valid"]:
                form = self.create_confirm_form(request, import_form=context["form"])
                form.initial["skip_invalid"] = True
                context["skip_form"] = form
        if context is not None:  # the user's own jobs of this record type, to come back to
            context["recent_jobs"] = m.ImportJob.objects.filter(
                user=request.user, model=self.model._meta.label_lower
            )[:5]
        if context and request.method == "POST" and not context.get("confirm_form") and not context.get("skip_form"):
            # Nothing in the file can be confirmed (it could not be read, or every row is wrong): not kept.
            # (The library names the stored copy on the uploaded file; the form drops a refused file's field.)
            uploads.discard(getattr(request.FILES.get("import_file"), "tmp_storage_name", None))
        return response

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        # All or nothing, unless the worker chose to leave the invalid rows out.
        skip = isinstance(form, SheetConfirmForm) and form.is_bound and form.cleaned_data.get("skip_invalid")
        kwargs["rollback_on_validation_errors"] = not skip
        return kwargs

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except (FileNotFoundError, SheetError):
            messages.error(request, "上传的文件已失效（可能已经导入过，或等待确认的时间过长）。请重新上传。")
            return HttpResponseRedirect(reverse("admin:%s_%s_import" % self.get_model_info()))

    def process_result(self, result, request):
        skipped = request.POST.get("skip_invalid") == "True"
        if result.has_errors() or (result.has_validation_errors() and not skipped):
            # Rolled back: the records are as they were. Show why, and ask for the file again.
            context = self.get_import_context_data()
            context.update(self.admin_site.each_context(request))
            context.update({
                "title": "导入未完成", "opts": self.model._meta, "result": result, "preview": preview(result),
                "rolled_back": True,
            })
            context["form"] = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            )
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(request, self.success_text(result))

    def success_text(self, result):
        p = preview(result)
        text = f"{p['title']}导入完成：新增{p['new']}条，更新{p['update']}条，无变化{p['skip']}条"
        if getattr(result, "proposed_changes", None) is not None:  # a secretary's member import (member_changes.py)
            text = (f"{p['title']}导入已提交：新增{p['new']}条、更新{p['update']}条共{result.proposed_changes}条变更"
                    f"待工委组织科审核，审核通过后名册才会变更；无变化{p['skip']}条")
        if p["invalid"]:
            text += f"；有误未导入{p['invalid']}行（第{p['invalid_rows_text']}行）"
        return text + "。"

    # -- a large file: a background job (branches/jobs.py) and its page -------------------------------------
    @staticmethod
    def in_background(upload):
        return upload.size >= settings.SHUZHI["IMPORT_BACKGROUND_KB"] * 1024

    def job_options(self, form):
        """What the job needs of the import form besides the file (JSON), for job_resource_kwargs()."""
        return {}

    def job_resource_kwargs(self, job):
        """The resource's arguments for a job, from its options, as get_import_resource_kwargs() for a request."""
        return {}

    def start_job(self, request, form):
        upload = form.cleaned_data["import_file"]
        stored = self.write_to_tmp_storage(upload, self.get_import_formats()[int(form.cleaned_data["format"])]())
        job = jobs.start(request.user, self.model, stored.name, upload.name, self.job_options(form))
        return HttpResponseRedirect(reverse("admin:%s_%s_import_job" % self.get_model_info(), args=[job.pk]))

    def get_job(self, request, pk):
        if not self.has_import_permission(request):
            raise PermissionDenied
        jobs_here = m.ImportJob.objects.visible_to(request.user).filter(model=self.model._meta.label_lower)
        return get_object_or_404(jobs_here.select_related("user"), pk=pk)

    @staticmethod
    def keep_session_as_is(request):
        # Watching a job neither extends the idle session nor waits for the database's write lock, which the
        # import it watches may hold for a minute (SQLite): the session, saved on every request, is not saved here.
        request.session.save = lambda must_create=False: None

    def job_view(self, request, pk):
        job = self.get_job(request, pk)
        if not job.finished:
            self.keep_session_as_is(request)
        context = {
            **self.admin_site.each_context(request), **self.get_import_context_data(),
            "title": f"{job.model_label}导入任务", "opts": self.model._meta, "job": job,
            "progress": jobs.progress(job), "preview": job.preview,
            "stages": [("rows_read", "读取"), ("rows_checked", "校验"), ("rows_written", "写入")],
        }
        return TemplateResponse(request, "admin/branches/import_job.html", context)

    def job_progress(self, request, pk):
        job = self.get_job(request, pk)
        self.keep_session_as_is(request)
        return JsonResponse(jobs.progress(job))

    def job_confirm(self, request, pk):
        job = self.get_job(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        if not jobs.confirm(job, skip_invalid=request.POST.get("skip_invalid") == "1"):
            messages.error(request, f"该导入任务{job.get_state_display()}，不能再确认。")
        return HttpResponseRedirect(reverse("admin:%s_%s_import_job" % self.get_model_info(), args=[job.pk]))

    def job_cancel(self, request, pk):
        job = self.get_job(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        if jobs.cancel(job):
            messages.info(request, jobs.CANCELLED)
        else:
            job.refresh_from_db()
            messages.error(request, f"该导入任务已经{job.get_state_display()}，不能再取消。")
        return HttpResponseRedirect(reverse("admin:%s_%s_import_job" % self.get_model_info(), args=[job.pk]))
