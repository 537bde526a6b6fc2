"""Where the warnings are shown: the /warnings/ list and its xlsx, the organization changelist, the dashboard
panel, the compliance page, the command; and the meeting attachments behind a login."""
import datetime
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import models as m
from branches import early_warning
from reports import warnings

ON = "2023-12-31"
P = m.Member.Post


def small_district(build, names=("红山区甲小学党支部", "红山区乙学校党支部")):
    """A public branch of two full members (too small) and a private one whose secretary left long ago."""
    public = build.org(name=names[0])
    for post in (P.SECRETARY, ""):
        build.member(public, post=post)
    private = build.org(name=names[1], unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    former = [build.member(private) for _ in range(3)][0]  # the secretary until 2023-01-10, still on the roll
    build.tenure(former, P.SECRETARY, since=datetime.date(2020, 1, 1), until=datetime.date(2023, 1, 10))
    return public, private


# -- /warnings/ -----------------------------------------------------------------------------------------
def test_the_warning_list_is_for_logged_in_users(db, client):
    response = client.get(reverse("warnings"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("params, message", [
    ({"date": "2023-02-30"}, "日期“2023-02-30”无法识别"),
    ({"date": "去年年底"}, "请按YYYY-MM-DD填写"),
    ({"date": "9999-12-31"}, "应在2000年至2100年之间"),
    ({"rule": "no_such_rule"}, "没有编号为“no_such_rule”的预警规则"),
    ({"ownership": "state"}, "办学性质应为公办或民办"),
])
def test_bad_parameters_get_a_chinese_message_not_a_server_error(admin_client, params, message):
    response = admin_client.get(reverse("warnings"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_list_names_each_flagged_organization_with_its_reasons(build, admin_client):
    public, private = small_district(build)
    page = admin_client.get(reverse("warnings"), {"date": ON}).content.decode()
    assert "正式党员不足3人</strong>：正式党员2人" in page
    assert "书记空缺超过3个月</strong>：书记自2023年1月10日起空缺，已11个月" in page
    only_private = admin_client.get(reverse("warnings"), {"date": ON, "ownership": "private"}).content.decode()
    listing = only_private[only_private.index('id="warning-list"'):]
    assert private.name in listing and public.name not in listing
    only_small = admin_client.get(reverse("warnings"), {"date": ON, "rule": "too_small"}).content.decode()
    listing = only_small[only_small.index('id="warning-list"'):]
    assert public.name in listing and private.name not in listing


def test_the_xlsx_download_holds_the_list_shown_and_names_stay_text(build, admin_client):
    public, _ = small_district(build, names=("=1+2党支部", "红山区乙学校党支部"))
    response = admin_client.get(reverse("warnings"), {"date": ON, "format": "xlsx"})
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["预警清单"]
    assert sheet["A1"].value.startswith("截至2023年12月31日")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert list(rows[0]) == warnings.XLSX_COLUMNS
    result = early_warning.evaluate(datetime.date(2023, 12, 31))
    # The rule by its title: the office never reads a rule's code.
    assert [(r[0], r[5], r[6]) for r in rows[1:]] == [(h.organization.name, h.rule.title, h.detail) for h in result.hits]
    formula_cell = next(c for c in sheet["A"] if c.value == "=1+2党支部")
    assert formula_cell.data_type == "s"
    counts = {row[1]: row[3] for row in book["规则汇总"].iter_rows(min_row=2, values_only=True)}
    assert counts["正式党员不足3人"] == 1 and counts["书记空缺超过3个月"] == 1


# -- the organization changelist -------------------------------------------------------------------------
def test_the_changelist_shows_each_organizations_warnings_with_links_to_the_records(build, admin_client):
    public, _ = small_district(build)
    page = admin_client.get(reverse("admin:branches_organization_changelist"), {"asof": ON}).content.decode()
    members_url = reverse("admin:branches_member_changelist") + f"?organization__id__exact={public.pk}"
    # A badge: the rule's short name, its finding on hover, the records one click away.
    assert f'<a class="warning-badge" href="{members_url}" title="正式党员2人">不足3人</a>' in page


def test_the_changelist_filter_keeps_the_organizations_a_rule_flags(build, admin_client):
    public, private = small_district(build)
    url = reverse("admin:branches_organization_changelist")
    response = admin_client.get(url, {"asof": ON, "warning": "too_small"})
    assert [o.pk for o in response.context["cl"].result_list] == [public.pk]
    response = admin_client.get(url, {"asof": ON, "warning": "any"})
    assert {o.pk for o in response.context["cl"].result_list} == {public.pk, private.pk}
    assert admin_client.get(url, {"warning": "nonsense"}).status_code == 200


def test_the_changelist_costs_as_many_queries_for_three_organizations_as_for_thirty(build, admin_client):
    url = reverse("admin:branches_organization_changelist")

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url, {"asof": ON}).status_code == 200
        return len(queries)

    small_district(build)
    few = page_queries()
    for i in range(14):
        small_district(build, names=(f"甲{i}党支部", f"乙{i}党支部"))
    assert page_queries() == few


# -- the dashboard panel -------------------------------------------------------------------------------
def test_the_panel_counts_each_rule_by_public_and_private_and_names_the_private_schools_behind(build):
    public, private = small_district(build)
    context = warnings.panel_context(datetime.date(2023, 12, 31))
    rows = {row["rule"].code: (row["public"], row["private"], row["total"]) for row in context["warning_panel"]["rows"]}
    assert rows["too_small"] == (1, 0, 1) and rows["secretary_vacant"] == (0, 1, 1)
    html = render_to_string("reports/warning_panel.html", context)
    assert "预警（截至2023年12月31日）" in html
    assert f'href="{reverse("warnings")}?date=2023-12-31&amp;rule=too_small&amp;ownership=public"' in html
    private_part = html[html.index("有预警的民办教育党组织"):]
    assert private.name in private_part and public.name not in private_part


def test_the_dashboard_shows_the_panel_for_its_year(build, admin_client):
    small_district(build)
    page = admin_client.get(reverse("dashboard"), {"year": 2023}).content.decode()
    assert 'id="warning-panel"' in page and "预警（截至2023年12月31日）" in page


# -- the compliance page --------------------------------------------------------------------------------
def test_the_compliance_page_shows_rates_by_category_and_ownership(build, meet, admin_client):
    public, _ = small_district(build)
    meet(public, "党员大会", datetime.date(2023, 3, 1))
    page = admin_client.get(reverse("meeting_compliance"), {"year": 2023, "period": "quarter", "number": 1})
    assert page.status_code == 200
    text = page.content.decode()
    assert "2023年第1季度" in text and 'id="by-category"' in text and public.name in text


@pytest.mark.parametrize("params, message", [
    ({"year": "二〇二三"}, "应填写数字"), ({"year": "1999"}, "年度应为2000至2100"),
    ({"year": "2023", "period": "quarter", "number": "5"}, "季度应为1至4"),
    ({"year": "2023", "period": "month"}, "月份应为1至12"), ({"year": "2023", "period": "week"}, "统计周期"),
])
def test_the_compliance_page_refuses_bad_parameters_in_chinese(admin_client, params, message):
    response = admin_client.get(reverse("meeting_compliance"), params)
    assert response.status_code == 400 and message in response.content.decode()


# -- meeting attachments ---------------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_meeting(admin_client, org, upload):
    return admin_client.post(reverse("admin:branches_meeting_add"), {
        "organization": org.pk, "meeting_type": m.MeetingType.objects.get(name="党员大会").pk,
        "held_on": "2023-05-06", "topic": "学习", "chaired_by": "张三", "present": 8, "on_roll": 10,
        "attachment": upload, "note": "",
    })


def test_an_uploaded_minute_is_stored_under_media_and_shown_only_to_logged_in_users(build, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = build.org()
    response = add_meeting(admin_client, org, SimpleUploadedFile("会议记录.pdf", PDF, content_type="application/pdf"))
    assert response.status_code == 302
    meeting = m.Meeting.objects.get()
    assert (tmp_path / meeting.attachment.name).read_bytes() == PDF
    served = admin_client.get(meeting.attachment.url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert admin_client.get("/media/meetings/../../shuzhi/settings.py").status_code == 404
    assert admin_client.get("/media/meetings/2023/none.pdf").status_code == 404
    admin_client.logout()
    assert admin_client.get(meeting.attachment.url).status_code == 302


def test_a_renamed_file_is_refused_on_the_admin_form_with_a_message(build, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = add_meeting(admin_client, build.org(), SimpleUploadedFile("记录.docx", b"just text"))
    assert response.status_code == 200
    assert "附件内容不是DOCX文件" in response.content.decode()
    assert not m.Meeting.objects.exists() and not any(tmp_path.iterdir())


# -- the command -----------------------------------------------------------------------------------------
def test_the_command_prints_each_rule_then_each_organization_and_writes_the_xlsx(build, tmp_path, capsys):
    public, private = small_district(build)
    target = tmp_path / "预警.xlsx"
    call_command("warnings", date=ON, output=str(target))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(any(line.startswith(f"{r.code}\t{r.title}\t") for line in lines) for r in early_warning.RULES)
    assert "too_small\t正式党员不足3人\t1（公办1，民办0）" in lines
    assert f"{private.name}（民办，民办学校）" in lines
    assert "  [secretary_vacant] 书记空缺超过3个月：书记自2023年1月10日起空缺，已11个月" in lines
    book = openpyxl.load_workbook(target)
    assert book["预警清单"].max_row == 2 + len(early_warning.evaluate(datetime.date(2023, 12, 31)).hits)


def test_the_command_refuses_a_bad_date_in_chinese(db):
    with pytest.raises(CommandError, match="日期“2023-13-01”无法识别"):
        call_command("warnings", date="2023-13-01")
    with pytest.raises(CommandError, match="应以.xlsx结尾"):
        call_command("warnings", date=ON, output="list.csv")


def test_a_bad_date_on_the_command_line_exits_non_zero(tmp_path):
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    done = subprocess.run([sys.executable, str(manage), "warnings", "--date", "31/12/2023"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode != 0
    assert "请按YYYY-MM-DD填写" in done.stderr


def test_an_attachment_is_refused_to_a_user_without_the_right_to_see_meetings(build, client, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path
    meeting = m.Meeting.objects.create(
        organization=build.org(), meeting_type=m.MeetingType.objects.get(name="党课"), held_on=datetime.date(2023, 5, 6),
        topic="党课", present=5, on_roll=6, attachment=SimpleUploadedFile("课件.pdf", PDF),
    )
    client.force_login(get_user_model().objects.create_user("teacher", password="a-long-test-password", is_staff=True))
    assert client.get(meeting.attachment.url).status_code == 403


def test_the_meeting_pages_render_and_the_list_costs_as_much_for_three_meetings_as_for_thirty(build, meet, admin_client):
    org = build.org()

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("admin:branches_meeting_changelist")).status_code == 200
        return len(queries)

    for day in range(1, 4):
        meet(org, "主题党日", datetime.date(2023, 5, day))
    few = list_queries()
    for day in range(1, 28):
        meet(build.org(), "党课", datetime.date(2023, 6, day))
    assert list_queries() == few
    meeting = m.Meeting.objects.last()
    for url in (reverse("admin:branches_meeting_change", args=[meeting.pk]), reverse("admin:branches_meeting_add"),
                reverse("admin:branches_meetingtype_changelist"), reverse("admin:branches_organization_change", args=[org.pk])):
        assert admin_client.get(url).status_code == 200, url


def test_a_state_date_far_out_of_range_leaves_the_warnings_out_instead_of_failing(build, admin_client):
    small_district(build)
    url = reverse("admin:branches_organization_changelist")
    assert admin_client.get(url, {"asof": "2999-12-31"}).status_code == 200
    response = admin_client.get(url, {"asof": "2999-12-31", "warning": "any"}, follow=True)
    assert response.status_code == 200 and "预警只能按2000年至2100年之间的状态日期查看" in response.content.decode()
