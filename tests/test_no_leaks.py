"""A secretary learns nothing about records outside their school: not through an import's messages, not through a
past version of a record or an import's preview of changes (numbers masked as everywhere else), not through the
dashboard (their school's years, not the committee's own work)."""
import datetime

from conftest import SheetPages, make_xlsx
from django.urls import reverse

from branches import models as m
from branches.idcard import make_id_number
from scoped_district import as_user, district, office, secretary  # noqa: F401  (fixtures)

NEUTRAL = "该身份证号码无法在本组织登记，请联系工委组织科。"
HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期", "联系电话")


def problems(response):
    assert response.status_code == 200
    return [(p.column, p.message) for p in response.context["preview"]["problems"]]


def test_an_outsiders_id_number_gets_one_neutral_message_known_or_not(district, secretary):
    other = district.other_member
    unknown = make_id_number("620403", datetime.date(1985, 5, 6), 77)
    pages = SheetPages(as_user(secretary))
    for row in [
        ("张冒名", other.id_number, "育英学校第一党支部", "2010-07-01", ""),  # registered at another school, other name
        (other.name, other.id_number, "育英学校第一党支部", "2010-07-01", ""),  # the same with her real name
        ("陌生人", unknown, "博文学校党支部", "2010-07-01", ""),  # not registered, for another school
    ]:
        response = pages.upload("member", make_xlsx(HEADER, row))
        assert problems(response) == [("身份证号码", NEUTRAL)], row
        page = response.content.decode()
        assert "已登记为" not in page and "博文学校党支部）" not in page
        assert other.name not in page or row[0] == other.name


def test_the_name_check_still_names_the_registered_member_inside_the_school(district, secretary):
    mine = district.member
    data = make_xlsx(HEADER, ("张冒名", mine.id_number, "育英学校第一党支部", mine.join_date, ""))
    [(column, message)] = problems(SheetPages(as_user(secretary)).upload("member", data))
    assert column == "身份证号码" and f"已登记为“{mine.name}”" in message


def test_a_past_version_of_a_member_shows_a_secretary_masked_numbers(district, secretary, office):
    mine = district.member
    version = mine.history.earliest("history_date")
    url = reverse("admin:branches_member_simple_history", args=[mine.pk, version.history_id])
    page = as_user(secretary).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.id_number not in text and "13912345678" not in text
    assert "139****5678" in text and mine.id_number[:4] + "*" * 10 + mine.id_number[-4:] in text
    full = as_user(office).get(url).content.decode()
    assert mine.id_number in full and "13912345678" in full


def test_the_preview_of_changes_masks_numbers_for_a_secretary(district, secretary, office):
    mine = district.member
    data = make_xlsx(HEADER, (mine.name, mine.id_number, "育英学校第一党支部", mine.join_date, "13700001111"))
    [(_, _, changes)] = SheetPages(as_user(secretary)).upload("member", data).context["preview"]["updates"]
    assert changes == [("联系电话", "139****5678", "137****1111")]
    [(_, _, changes)] = SheetPages(as_user(office)).upload("member", data).context["preview"]["updates"]
    assert changes == [("联系电话", "13912345678", "13700001111")]


def test_a_secretarys_dashboard_lists_their_years_and_not_the_committees_work(district, secretary, office):
    m.WorkLogEntry.objects.create(date=datetime.date(2001, 3, 1), kind=m.WorkKind.COMMITTEE_MEETING, title="党工委会议")
    m.Election.objects.create(organization=district.other, held_on=datetime.date(2003, 5, 1))
    own = as_user(secretary).get("/dashboard/")
    assert own.status_code == 200
    first_own = min(m.Member.objects.visible_to(secretary).values_list("join_date__year", flat=True))
    assert min(own.context["years"]) == first_own > 2003
    assert 'id="work"' not in own.content.decode()
    district_wide = as_user(office).get("/dashboard/")
    assert min(district_wide.context["years"]) == 2001
    assert 'id="work"' in district_wide.content.decode()
