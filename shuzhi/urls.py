from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from reports import duty_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("report/", duty_views.annual_report, name="annual_report"),
    path("report/docx/", duty_views.annual_report_docx, name="annual_report_docx"),
    path("report/xlsx/", duty_views.annual_report_xlsx, name="annual_report_xlsx"),
]
