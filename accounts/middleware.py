"""A password given out by the office (a new account's, or one it reset) is used once: until its holder has
chosen their own, every page sends them to the password change form."""
from django.shortcuts import redirect
from django.urls import reverse

from .models import Profile


class ChangeGivenPasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = Profile.objects.filter(user=user).only("must_change_password").first()
            if profile is not None and profile.must_change_password:
                done = reverse("admin:password_change_done")
                if request.path == done:
                    Profile.objects.filter(pk=profile.pk).update(must_change_password=False)
                elif request.path not in (reverse("admin:password_change"), reverse("admin:logout")):
                    return redirect("admin:password_change")
        return self.get_response(request)
