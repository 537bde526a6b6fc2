"""Imports, exports, the dashboard, the warnings and meeting attachments through the real pages, for a secretary
of one school against another school's records: refused or left out, nothing leaked, nothing changed."""
import datetime
import io

import openpyxl
import pytest
from conftest import SheetPages, make_xlsx
from django.core.files.uploadedfile import SimpleUploadedFile

from branches.resources import MemberResource
from branches.models import ImportBatch
from branches import models as m
from branches.idcard import make_id_number
from scoped_district import as_user, district, leader, office, secretary  # noqa: F401  (fixtures)

HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期", "联系电话")


def new_row(seq, organization):
    return ("新党员", make_id_number("620403", datetime.date(1985, 5, 6), seq), organization, datetime.date(2010, 7, 1),
            "13100000000")


def rows_of(response):
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(b"".join(response))).worksheets[0].iter_rows(values_only=True))


def test_a_secretarys_import_refuses_the_rows_of_another_school_and_imports_their_own(district, secretary):
    pages = SheetPages(as_user(secretary))
    other = district.other_member
    before = m.Member.objects.filter(pk=other.pk).values().get()
    data = make_xlsx(HEADER, new_row(1, "育英学校第一党支部"), new_row(2, "博文学校党支部"),
                     (other.name, other.id_number, "育英学校第一党支部", other.join_date, "13999999999"))
    preview = pages.upload("member", data)
    assert preview.status_code == 200
    text = preview.content.decode()
    # A person's row names no one: the neutral words of the member import (its other record types say OUTSIDE).
    assert MemberResource.outside_message in text and "13887654321" not in text
    done = pages.confirm("member", preview, skip_invalid=True)
    assert done.status_code == 302
    # The secretary's own row waits for the office's review as a change; the roll is not written.
    assert not m.Member.objects.filter(name="新党员").exists()
    assert list(m.MemberChange.objects.values_list("organization", "name", "kind")) == [
        (district.branch.pk, "新党员", m.MemberChange.Kind.ADD)]
    assert m.Member.objects.filter(pk=other.pk).values().get() == before
    batch = ImportBatch.objects.get()
    assert (batch.user, batch.created, batch.refused, batch.file_name) == (secretary, 1, 2, "名册.xlsx")
    written = m.MemberChange.history.filter(import_batch=batch)
    assert list(written.values_list("history_type", "history_user", "name")) == [("+", secretary.pk, "新党员")]


def test_a_secretarys_export_holds_only_their_members_with_numbers_masked(district, secretary):
    rows = rows_of(as_user(secretary).get("/admin/branches/member/export/"))
    text = repr(rows)
    assert "王建华" in text and "李秀英" not in text
    assert "139****5678" in text and "13912345678" not in text and district.member.id_number not in text


def test_exporting_another_schools_selected_rows_exports_nothing_of_them(district, secretary):
    response = as_user(secretary).post("/admin/branches/member/", {
        "action": "export_admin_action", "_selected_action": [district.other_member.pk],
    })
    assert "李秀英" not in (repr(rows_of(response)) if response.status_code == 200 else response.content.decode())


def test_the_office_export_has_every_school_in_full(district, office):
    text = repr(rows_of(as_user(office).get("/admin/branches/member/export/")))
    assert "李秀英" in text and "13887654321" in text


def test_a_secretarys_dashboard_counts_their_organization_only(district, secretary, leader):
    mine = as_user(secretary).get("/dashboard/", {"year": 2023})
    assert mine.status_code == 200
    assert mine.context["f"].members.total == 1
    assert "博文学校" not in mine.content.decode()
    assert as_user(leader).get("/dashboard/", {"year": 2023}).context["f"].members.total == 2


def test_a_secretarys_warning_list_and_meeting_compliance_name_only_their_organizations(district, secretary, office):
    for url in ("/warnings/", "/meetings/compliance/"):
        page = as_user(secretary).get(url)
        assert page.status_code == 200 and "博文学校" not in page.content.decode(), url
    assert "博文学校" in as_user(office).get("/warnings/").content.decode()


def test_another_schools_meeting_minutes_answer_404(district, secretary, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kind = m.MeetingType.objects.first()
    meeting = m.Meeting(organization=district.other, meeting_type=kind, held_on=datetime.date(2023, 3, 1), topic="支委会",
                        present=3, on_roll=3)
    meeting.attachment.save("minutes.pdf", SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"), save=True)
    url = meeting.attachment.url
    assert as_user(secretary).get(url).status_code == 404
    assert as_user(office).get(url).status_code == 200


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_schools_meeting_answers_404_typed_by_hand(district, secretary, view):
    meeting = m.Meeting.objects.create(organization=district.other, meeting_type=m.MeetingType.objects.first(),
                                       held_on=datetime.date(2023, 3, 1), topic="支委会", present=3, on_roll=3)
    assert as_user(secretary).get(f"/admin/branches/meeting/{meeting.pk}/{view}/").status_code == 404
    listed = as_user(secretary).get("/admin/branches/meeting/")
    assert listed.status_code == 200 and meeting not in listed.context["cl"].result_list
