"""Uploaded files (meeting minutes, photos) are shown to logged-in users with the right to see the records,
never served as public static files: the minutes of a branch's meetings are not for anyone with the link."""
import os

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import working_year
from .forms import PhoneMeetingForm, WorkingYearForm
from .models import Meeting, Review


@require_POST
@staff_member_required
def choose_working_year(request):
    """The header's 工作年度: kept in the session; the lists, warnings, compliance page and dashboard read it."""
    form = WorkingYearForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = reverse("admin:index")
    if form.is_valid():
        working_year.choose(request, form.cleaned_data["year"])
        messages.success(request, f"工作年度已设为{form.cleaned_data['year']}年。")
    else:
        messages.error(request, form.messages()[0])
    return redirect(back)


@login_required
def meeting_attachment(request, name):
    if not request.user.has_perm("branches.view_meeting"):
        raise PermissionDenied
    # Only a file a meeting refers to, looked up by its stored name: no path from the request reaches the disk.
    meeting = Meeting.objects.visible_to(request.user).filter(attachment=name).first()
    if meeting is None:
        raise Http404("没有这个附件。")
    try:
        handle = meeting.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不存在，请重新上传。") from None
    return FileResponse(handle, filename=os.path.basename(name))


# ---------------------------------------------------------------------------------------------
# On a phone: a secretary records a meeting where it was held and answers a return, without the admin's layout.
# ---------------------------------------------------------------------------------------------
def _phone_page(request, form, meeting=None, status=200):
    return render(request, "branches/phone_meeting.html", {"form": form, "meeting": meeting}, status=status)


@login_required
def phone_meeting(request, pk=None):
    meeting = None
    if pk is not None:
        meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
        if not request.user.has_perm("branches.change_meeting"):
            raise PermissionDenied
    elif not request.user.has_perm("branches.add_meeting"):
        raise PermissionDenied
    if request.method != "POST":
        return _phone_page(request, PhoneMeetingForm(instance=meeting, user=request.user), meeting)
    form = PhoneMeetingForm(request.POST, request.FILES, instance=meeting, user=request.user)
    if not form.is_valid():
        return _phone_page(request, form, meeting, status=400)
    saved = form.save()
    messages.success(request, f"已提交：{saved}，等待组织科审核。" if saved.review_status == Review.PENDING else f"已保存：{saved}。")
    return redirect("phone_todo")
