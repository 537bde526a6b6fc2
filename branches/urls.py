from django.conf import settings
from django.urls import path

from . import views

urlpatterns = [
    path("working-year/", views.choose_working_year, name="working_year"),
    path("m/meeting/", views.phone_meeting, name="phone_meeting_add"),
    path("m/meeting/<int:pk>/", views.phone_meeting, name="phone_meeting_change"),
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:name>", views.meeting_attachment, name="media"),
]
