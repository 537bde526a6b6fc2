"""An upload waiting for its confirm lives in the shared uploads folder until it is confirmed, cancelled or a day
old; a file nothing can be confirmed from is not kept at all."""
import datetime
import os
import time

import pytest
from conftest import make_xlsx, waiting
from django.core.management import call_command
from django.urls import reverse

from branches import models as m
from branches.idcard import make_id_number

HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期")




@pytest.fixture
def roster(build):
    branch = build.org(name="红山区第一小学党支部")
    return make_xlsx(HEADER, ["王芳", make_id_number("620402", datetime.date(1985, 5, 6), 2), branch.name, "2010-07-01"])


def test_a_confirmed_upload_is_deleted(folder, roster, sheets):
    preview = sheets.upload("member", roster)
    [name] = waiting(folder)
    assert preview.context["confirm_form"].initial["import_file_name"] == name
    sheets.confirm("member", preview)
    assert m.Member.objects.count() == 1 and waiting(folder) == []


def test_a_cancelled_upload_is_deleted_and_nothing_written(folder, roster, sheets):
    preview = sheets.upload("member", roster)
    assert "取消导入" in preview.content.decode()
    [name] = waiting(folder)
    response = sheets.client.post(reverse("admin:branches_member_cancel_import"), {"import_file_name": name}, follow=True)
    assert "已取消导入" in response.content.decode()
    assert waiting(folder) == [] and not m.Member.objects.exists()


def test_an_upload_with_nothing_to_confirm_is_not_kept(folder, build, sheets):
    build.org(name="红山区第一小学党支部")
    sheets.upload("member", make_xlsx(HEADER, ["王芳", "不是号码", "不存在的支部", "入党那天"]))
    sheets.upload("member", b"not a spreadsheet at all\x00\x00\x00\x00\x00\x00")
    assert waiting(folder) == []


def age(folder, name, hours):
    then = time.time() - hours * 3600
    os.utime(folder / name, (then, then))


def test_uploads_left_a_day_are_swept_by_the_next_upload_and_by_the_command(folder, roster, sheets):
    sheets.upload("member", roster)
    [old] = waiting(folder)
    age(folder, old, 25)
    sheets.upload("member", roster)
    [fresh] = waiting(folder)
    assert fresh != old
    sheets.upload("member", roster)
    assert len(waiting(folder)) == 2
    for name in waiting(folder):
        age(folder, name, 25 if name == fresh else 23)
    call_command("clean_imports", stdout=open(os.devnull, "w"))
    assert fresh not in waiting(folder) and len(waiting(folder)) == 1


def test_a_name_that_is_not_an_upload_opens_nothing(folder, roster, sheets):
    preview = sheets.upload("member", roster)
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["import_file_name"] = "../../settings.py"
    response = sheets.client.post(reverse("admin:branches_member_process_import"), data)
    assert response.status_code == 302 and response["Location"].endswith("/import/")
    assert not m.Member.objects.exists()
