from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from reports.dashboard import dashboard

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("dashboard/", dashboard, name="dashboard"),
]
