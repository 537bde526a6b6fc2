"""What an office clerk reads: Chinese everywhere, the index in the order of the work, meaning at a glance
(超期 in red words, the preview's new rows with their organization and masked ID), phone numbers that can be
dialled, and the totals behind the dashboard's sums."""
import datetime
import re

import pytest
from conftest import make_xlsx
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches import models as m
from branches.early_warning import RULES
from branches.idcard import make_id_number
from branches.phones import validate_phone
from scoped_district import as_user, district, office  # noqa: F401  (fixtures)

SECTIONS = ["党组织与党员", "发展党员", "换届", "标准化", "整顿", "组织生活", "述职评议", "台账", "系统"]


def text_of(html):
    """The words on the page: no tags, no attributes (where the address's codes may stay)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def sections(response):
    return [app["name"] for app in response.context["app_list"]]


# -- the index --------------------------------------------------------------------------------------
def test_the_index_follows_the_offices_work_and_shows_the_login_records_to_superusers_only(db, office):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "a-long-test-password")
    response = as_user(root).get(reverse("admin:index"))
    assert sections(response) == SECTIONS
    system = response.context["app_list"][-1]
    assert {"登录尝试", "登录日志"} <= {model["name"] for model in system["models"]}
    page = text_of(response.content.decode())
    assert "Access attempts" not in page and "AXES" not in page.upper()

    clerk = as_user(office).get(reverse("admin:index"))  # 工委管理员, not a superuser
    assert sections(clerk)[:6] == SECTIONS[:6]
    assert not any(model["object_name"].startswith("Access") for app in clerk.context["app_list"] for model in app["models"])
    assert "登录尝试" not in clerk.content.decode()


def test_the_admin_speaks_chinese_whatever_language_the_browser_asks_for(db, admin_client):
    page = admin_client.get(reverse("admin:branches_member_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "首页" in page and "Home" not in page and "Select" not in text_of(page)


def test_the_admin_has_no_nav_sidebar_to_eat_the_lists_width(db, admin_client):
    page = admin_client.get(reverse("admin:branches_organization_changelist")).content.decode()
    assert 'id="nav-sidebar"' not in page


# -- no codes ----------------------------------------------------------------------------------------
def test_no_rule_code_is_shown_on_the_warnings_page_or_the_organization_list(demo, admin_client):
    pages = [admin_client.get(reverse("warnings")), admin_client.get(reverse("admin:branches_organization_changelist"))]
    for response in pages:
        words = text_of(response.content.decode())
        assert [r.code for r in RULES if r.code in words] == []
        assert "None" not in words


def test_the_history_page_is_in_chinese_and_says_empty_not_none(district, office):
    member = district.member
    member.phone, member.backbone_title = "", ""
    member.save()
    member.phone = "13900001234"
    member.save()
    page = as_user(office).get(reverse("admin:branches_member_history", args=[member.pk])).content.decode()
    words = text_of(page)
    assert "改动" in words and "CHANGES" not in words.upper()
    assert "None" not in words
    assert re.search(r"联系电话:</strong>\s*（空）", page)


def test_an_import_names_its_record_type_in_chinese(db, sheets, build):
    build.org(name="红山区第一小学党支部")
    born = datetime.date(1985, 5, 6)
    data = make_xlsx(["姓名", "身份证号码", "所在党组织", "入党日期"],
                     ["王芳", make_id_number("620402", born, 12), "红山区第一小学党支部", "2010-07-01"])
    sheets.confirm("member", sheets.upload("member", data))
    batch = m.ImportBatch.objects.get()
    listing = sheets.client.get(reverse("admin:branches_importbatch_changelist")).content.decode()
    detail = sheets.client.get(reverse("admin:branches_importbatch_change", args=[batch.pk])).content.decode()
    for page in (listing, detail):
        assert "branches.member" not in text_of(page)
        assert "党员" in text_of(page)


# -- meaning at a glance --------------------------------------------------------------------------------
def test_a_case_past_its_deadline_says_overdue_in_red_never_with_a_green_tick(build, admin_client):
    private = build.org(unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    m.RectificationCase.objects.create(organization=private, year=2023, problems="班子不全", deadline=datetime.date(2023, 9, 1))
    page = admin_client.get(reverse("admin:branches_rectificationcase_changelist"), {"asof": "2023-12-31"}).content.decode()
    [cell] = re.findall(r'<td class="field-overdue[^"]*">(.*?)</td>', page)
    assert cell == '<span class="late">超期</span>'  # words in red (.late), not a boolean icon
    earlier = admin_client.get(reverse("admin:branches_rectificationcase_changelist"), {"asof": "2023-08-31"}).content.decode()
    assert re.findall(r'<td class="field-overdue[^"]*">(.*?)</td>', earlier) == ["—"]  # not yet, before its deadline


def test_the_import_preview_lists_each_new_rows_organization_and_masked_id_number(build, sheets):
    build.org(name="红山区第一小学党支部")
    number = make_id_number("620402", datetime.date(1985, 5, 6), 12)
    data = make_xlsx(["姓名", "身份证号码", "所在党组织", "入党日期"], ["王芳", number, "红山区第一小学党支部", "2010-07-01"])
    response = sheets.upload("member", data)
    [(row, name, organization, masked)] = response.context["preview"]["new_rows"]
    assert (row, organization) == (2, "红山区第一小学党支部")
    assert masked == number[:4] + "*" * 10 + number[-4:] and "19850506" not in masked
    page = response.content.decode()
    assert "红山区第一小学党支部" in page and masked in page and number not in page


# -- phone numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("phone", ["13912345678", "19912345678", "0931-8123456", "09318123456", "010-62345678",
                                   "0931-8123456-801", ""])
def test_a_mobile_or_a_landline_with_its_area_code_is_a_phone_number(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["1391234567", "139123456789", "12912345678", "8123456", "0931-812345",
                                   "电话13912345678", "139-1234-5678", "+8613912345678"])
def test_anything_else_is_refused_as_a_phone_number(phone):
    with pytest.raises(ValidationError, match="联系电话"):
        validate_phone(phone)


def test_the_member_form_refuses_a_bad_phone_number(build):
    member = build.member(build.org(), phone="13912345678")
    member.phone = "12345"
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert "11位手机号码" in caught.value.message_dict["phone"][0]


def test_an_import_reports_a_bad_phone_number_by_row_and_column(build, sheets):
    build.org(name="红山区第一小学党支部")
    born = datetime.date(1985, 5, 6)
    data = make_xlsx(["姓名", "身份证号码", "所在党组织", "入党日期", "联系电话"],
                     ["王芳", make_id_number("620402", born, 12), "红山区第一小学党支部", "2010-07-01", "13912345678"],
                     ["李丽", make_id_number("620402", born, 14), "红山区第一小学党支部", "2010-07-01", "8123456"])
    preview = sheets.upload("member", data).context["preview"]
    assert [(p.row, p.column, p.value) for p in preview["problems"]] == [(3, "联系电话", "8123456")]
    assert "带区号的固定电话" in preview["problems"][0].message
    assert m.Member.objects.count() == 0


# -- sums ------------------------------------------------------------------------------------------------
def test_a_dashboard_sum_opens_a_list_showing_the_total_it_adds_up(demo, admin_client):
    dashboard = admin_client.get(reverse("dashboard"), {"year": "2023"})
    row = next(r for group in dashboard.context["work"] for r in group["rows"] if r["label"] == "心得体会")
    listing = admin_client.get(row["now"].url)
    totals = dict(listing.context["column_totals"])
    assert totals["数量"] == row["now"].value > listing.context["cl"].result_count
    assert f"数量 <strong>{row['now'].value}</strong>" in listing.content.decode()


def test_past_three_rules_the_list_shows_two_badges_and_one_naming_the_rest(db, build):
    # four rules found against one organization would grow its row a third line: the last badge names the rest
    from branches.admin import OrganizationAdmin
    from branches.early_warning import Hit
    from django.contrib import admin as django_admin

    branch = build.org("育英学校党支部")
    rules = RULES[:4]
    branch.warning_hits = [Hit(rule, branch, f"{rule.title}的情况", "/admin/") for rule in rules]
    cell = OrganizationAdmin(m.Organization, django_admin.site).warnings(branch)
    assert re.findall(r">([^<]+)<", cell) == [rules[0].badge, rules[1].badge, "另2项"]
    assert f"{rules[2].title}的情况；{rules[3].title}的情况" in cell
    assert f"/admin/branches/organization/{branch.pk}/change/" in cell
