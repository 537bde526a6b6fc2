"""Uploaded files (meeting minutes, photos) are shown to logged-in users with the right to see the records,
never served as public static files: the minutes of a branch's meetings are not for anyone with the link."""
import os

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from .models import Meeting


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
