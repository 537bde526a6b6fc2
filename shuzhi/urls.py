from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from branches import media
from reports import duty_views, warning_views
from reports.dashboard import dashboard

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("meetings/compliance/", warning_views.meeting_compliance, name="meeting_compliance"),
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:name>", media.meeting_attachment, name="media"),
    path("dashboard/", dashboard, name="dashboard"),
    path("report/", duty_views.annual_report, name="annual_report"),
    path("report/docx/", duty_views.annual_report_docx, name="annual_report_docx"),
    path("report/xlsx/", duty_views.annual_report_xlsx, name="annual_report_xlsx"),
]
