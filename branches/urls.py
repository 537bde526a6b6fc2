from django.conf import settings
from django.urls import path

from . import views

urlpatterns = [
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:name>", views.meeting_attachment, name="media"),
]
