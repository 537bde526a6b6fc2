"""The accounts' own admin: the organization an account belongs to, on the user's own page."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["organization"]
    verbose_name = verbose_name_plural = "所属党组织"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ShuzhiUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "organization", "roles", "is_active", "last_login"]
    list_select_related = ["profile__organization"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "first_name", "profile__organization__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="所属党组织", ordering="profile__organization__name")
    def organization(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.organization if profile else "—"

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(g.name for g in obj.groups.all()) or "—"

    def user_change_password(self, request, id, form_url=""):
        # A password the office sets for someone else is handed over, so its holder replaces it at the next login.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and str(request.user.pk) != str(id):
            Profile.objects.update_or_create(user_id=id, defaults={"must_change_password": True})
        return response
