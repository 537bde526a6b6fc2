"""Probation as the regulations write it: no post for a probationary member, conversion on the day probation ends,
one extension of six months to a year, cancellation, overdue only past the branch's and the committee's margins,
党龄 from the conversion, 党务工作者 as a flag.

Sources (looked up with the search tool, pages corpus):
- 中国共产党章程第七条: 预备党员的预备期为一年 … 预备党员的权利，除了没有表决权、选举权和被选举权以外，也同正式党员一样
  … 需要继续考察和教育的，可以延长预备期，但不能超过一年；不履行党员义务，不具备党员条件的，应当取消预备党员资格 …
  党员的党龄，从预备期满转为正式党员之日算起。
- 中国共产党发展党员工作细则（2014）第三十二条: 预备期从支部大会通过其为预备党员之日算起 … 应当按期转为正式党员；需要继续
  考察和教育的，可以延长一次预备期，延长时间不能少于半年，最长不超过一年；… 应当取消其预备党员资格。(12371.cn 问答
  and 旗帜网 both quote it under that number; "转为正式党员的，其转正时间自预备期满之日算起".)
- The same chapter of the 细则 gives the branch a month after the conversion application to hold its meeting and the
  upper committee three months to approve (quoted in several guides; their article numbers were not confirmed, so the
  margins are settings, not cited numbers).
"""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.conf import settings

from branches import early_warning as warnings
from branches import models as m
from branches.dates import add_years, today
from reports.figures import district

P = m.Member.Status.PROBATIONARY
FULL = m.Member.Status.FULL
POST = m.Member.Post
DAY = datetime.timedelta(days=1)
ON = datetime.date(2023, 12, 31)


def errors_of(obj):
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    return err.value.message_dict


def margins(decide, approve):
    return override_settings(SHUZHI={**settings.SHUZHI, "CONVERSION_DECISION_MONTHS": decide,
                                     "CONVERSION_APPROVAL_MONTHS": approve})


def extend(member, months, reason="需继续考察"):
    return m.ProbationExtension.objects.create(member=member, months=months, decided_on=m.probation_end(member.join_date),
                                               reason=reason)


# -- 党章第七条: no vote, cannot be elected -------------------------------------------------------------
def test_a_probationary_member_cannot_hold_a_party_post(build):
    member = build.member(build.org(), status=P, join=today() - 30 * DAY)
    tenure = m.Tenure(member=member, organization=member.organization, post=POST.SECRETARY, started_on=today())
    assert "党章第七条" in errors_of(tenure)["member"][0]
    member.full_clean()


def test_a_probationary_post_holder_is_counted_neither_as_secretary_nor_in_the_committee(build):
    org = build.org()
    for _ in range(7):
        build.member(org)
    build.member(org, post=POST.ORGANIZATION)
    # Entered before the rule (or written around it): the counts still read full members' posts only.
    build.member(org, status=P, join=today() - 30 * DAY, post=POST.SECRETARY)
    build.member(org, status=P, join=today() - 30 * DAY, post=POST.PUBLICITY)
    o = m.Organization.objects.with_staffing().get(pk=org.pk)
    assert (o.committee_count, m.has_secretary(o)) == (1, False)
    assert m.staffing_of(o) == m.Staffing.NO_SECRETARY
    assert not m.Member.objects.secretaries().exists()


# -- 细则第三十二条: the conversion is on the day probation ends -------------------------------------------
def test_probation_ends_a_year_after_joining_or_when_its_extension_ends(build):
    member = build.member(build.org(), status=P, join=datetime.date(2022, 8, 31))
    assert member.probation_ends_on == member.conversion_due_on == datetime.date(2023, 8, 31)
    extend(member, 6)
    member = m.Member.objects.get(pk=member.pk)
    assert member.probation_ends_on == datetime.date(2024, 2, 29)


def test_the_conversion_date_is_the_day_probation_ends(build):
    member = build.member(build.org(), join=datetime.date(2021, 3, 15))
    member.full_clean()  # converted on 2022-03-15
    for off in (datetime.date(2022, 3, 16), datetime.date(2023, 1, 1), datetime.date(2022, 3, 14)):
        member.full_member_date = off
        assert "预备期满之日2022-03-15" in errors_of(member)["full_member_date"][0]


def test_an_extended_probation_converts_when_the_extension_ends(build):
    member = build.member(build.org(), status=P, join=datetime.date(2021, 3, 15))
    extend(member, 9)
    member = m.Member.objects.get(pk=member.pk)
    member.status, member.full_member_date = FULL, datetime.date(2022, 3, 15)
    assert "延长预备期9个月" in errors_of(member)["full_member_date"][0]
    member.full_member_date = datetime.date(2022, 12, 15)
    member.full_clean()


@pytest.mark.parametrize("months, ok", [(5, False), (6, True), (12, True), (13, False)])
def test_probation_is_extended_by_six_months_to_a_year(build, months, ok):
    member = build.member(build.org(), status=P, join=datetime.date(2022, 3, 1))
    extension = m.ProbationExtension(member=member, months=months, decided_on=datetime.date(2023, 3, 1), reason="需继续考察")
    if ok:
        extension.full_clean()
    else:
        assert "不能少于6个月，最长不超过12个月" in errors_of(extension)["months"][0]


def test_probation_is_extended_once_and_when_it_ends(build):
    member = build.member(build.org(), status=P, join=datetime.date(2022, 3, 1))
    early = m.ProbationExtension(member=member, months=6, decided_on=datetime.date(2023, 2, 28), reason="需继续考察")
    assert "预备期满（2023-03-01）" in errors_of(early)["decided_on"][0]
    extend(member, 6)
    again = m.ProbationExtension(member=member, months=6, decided_on=datetime.date(2023, 9, 1), reason="再延长")
    assert "member" in errors_of(again)  # one extension per member


def test_a_member_converted_on_time_cannot_be_extended(build):
    member = build.member(build.org(), join=datetime.date(2021, 3, 1))
    extension = m.ProbationExtension(member=member, months=6, decided_on=datetime.date(2022, 3, 1), reason="需继续考察")
    assert "已按期转正" in errors_of(extension)["member"][0]


# -- 取消预备党员资格 ---------------------------------------------------------------------------------------
def test_a_cancelled_probationary_member_leaves_the_roll_with_a_date_and_a_reason(build):
    org = build.org()
    member = build.member(org, status=P, join=datetime.date(2022, 5, 8))
    member.roll_status = m.Member.Roll.CANCELLED
    found = errors_of(member)
    assert set(found) >= {"cancelled_on", "cancellation_reason"}
    member.cancelled_on, member.cancellation_reason = datetime.date(2023, 5, 26), "不履行党员义务"
    member.full_clean()
    member.save()
    assert not m.Member.objects.on_roll().filter(pk=member.pk).exists()
    assert not m.Member.objects.conversion_overdue(ON).exists()
    full = build.member(org)
    full.roll_status, full.cancelled_on, full.cancellation_reason = m.Member.Roll.CANCELLED, datetime.date(2023, 5, 26), "x"
    assert "只有预备党员" in errors_of(full)["roll_status"][0]


# -- due and overdue ------------------------------------------------------------------------------------
def test_a_conversion_is_overdue_only_after_the_branchs_month_and_the_committees_three_months(build):
    org = build.org()
    # Probation ends on 2023-08-31; a month to decide and three to approve: overdue from 2024-01-01.
    member = build.member(org, status=P, join=datetime.date(2022, 8, 31))
    assert m.conversion_deadline(member.join_date) == datetime.date(2023, 12, 31)
    assert not m.Member.objects.conversion_overdue(datetime.date(2023, 12, 31)).exists()
    assert list(m.Member.objects.conversion_overdue(datetime.date(2024, 1, 1))) == [member]
    assert member.conversion_overdue  # today is long past
    with margins(1, 1):  # the margins are the office's settings
        assert list(m.Member.objects.conversion_overdue(datetime.date(2023, 11, 1))) == [member]
        assert not m.Member.objects.conversion_overdue(datetime.date(2023, 10, 31)).exists()


@pytest.mark.parametrize("join", [datetime.date(2022, 2, 28), datetime.date(2022, 10, 31), datetime.date(2020, 2, 29)])
def test_the_overdue_query_and_the_members_deadline_agree_at_month_ends(build, join):
    member = build.member(build.org(), status=P, join=join)
    deadline = m.conversion_deadline(join)
    assert not m.Member.objects.conversion_overdue(deadline).exists()
    assert list(m.Member.objects.conversion_overdue(deadline + DAY)) == [member]


def test_an_extended_probation_is_not_overdue_until_the_extension_and_the_margins_have_passed(build):
    org = build.org()
    member = build.member(org, status=P, join=datetime.date(2022, 3, 1))
    extend(member, 12)  # probation ends 2024-03-01
    assert not m.Member.objects.conversion_overdue(ON).exists()
    assert not warnings.evaluate(ON, codes=["conversion_overdue"]).hits
    deadline = m.conversion_deadline(member.join_date, 12)
    assert deadline == datetime.date(2024, 7, 1)
    assert not m.Member.objects.conversion_overdue(deadline).exists()
    assert list(m.Member.objects.conversion_overdue(deadline + DAY)) == [member]


def test_the_warning_names_the_probations_end_and_says_the_margins(build):
    org = build.org()
    build.member(org, status=P, join=datetime.date(2022, 3, 1), name="张晓")
    with margins(2, 3):
        [hit] = warnings.evaluate(ON, codes=["conversion_overdue"]).hits
    assert hit.detail == "1名：张晓（预备期2023年3月1日期满）（预备期满后支部2个月内讨论、上级党委其后3个月内审批，均已逾期）"


def test_the_conversion_warning_costs_one_query_however_many_are_extended(build, django_assert_max_num_queries):
    org = build.org()
    for i in range(6):
        member = build.member(org, status=P, join=datetime.date(2021, 1 + i, 1))
        if i % 2:
            extend(member, 6 + i)
    with django_assert_max_num_queries(3):  # the organizations, their parents, the late members
        hits = warnings.evaluate(ON, codes=["conversion_overdue"]).hits
    assert len(hits[0].records) == 6


# -- 党龄 from the conversion ------------------------------------------------------------------------------
def test_party_years_count_from_the_conversion_and_a_probationary_member_has_none(build):
    org = build.org()
    build.member(org, join=datetime.date(2020, 12, 31))  # converted 2021-12-31: 4 years, not the 5 since joining
    build.member(org, join=datetime.date(2019, 12, 31))  # converted 2020-12-31: 5 years
    build.member(org, status=P, join=datetime.date(2025, 6, 1))  # no 党龄
    bands = {b.label: b.count for b in district(2025).members.party_years_bands}
    assert (bands["不满5年"], bands["5—9年"]) == (1, 1)
    assert sum(bands.values()) == 2


def test_the_party_years_filter_reads_the_conversion_date(build, admin_client):
    org = build.org()
    four = build.member(org, join=add_years(today(), -5))  # converted four years ago
    build.member(org, status=P, join=today() - 10 * DAY)
    page = admin_client.get("/admin/branches/member/", {"party_years": "-4"})
    assert list(page.context["cl"].result_list) == [four]


# -- 党务工作者 -----------------------------------------------------------------------------------------
def test_party_workers_are_the_members_flagged_as_party_cadres_not_every_post_holder(build):
    org = build.org()
    build.member(org, post=POST.SECRETARY, party_worker=m.Member.PartyWorker.PART_TIME)
    build.member(org, post=POST.ORGANIZATION)
    build.member(org, party_worker=m.Member.PartyWorker.FULL_TIME)
    build.member(org)
    assert m.Member.objects.party_workers().count() == 2
    f = district(today().year)
    assert (f.members.party_workers, f.members.members_per_worker) == (2, 2.0)


# -- the record in the admin, with its history -------------------------------------------------------------
def test_the_extension_is_entered_on_the_member_and_kept_in_the_history(build, admin_client):
    member = build.member(build.org(), status=P, join=datetime.date(2022, 3, 1))
    url = f"/admin/branches/member/{member.pk}/change/"
    page = admin_client.get(url)
    assert "延长预备期" in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({
        "organization": member.organization_id, "join_date": "2022-03-01", "birth_date": "1980-05-06",
        "probation_extension-TOTAL_FORMS": "1", "probation_extension-INITIAL_FORMS": "0",
        "probation_extension-MIN_NUM_FORMS": "0", "probation_extension-MAX_NUM_FORMS": "1",
        "probation_extension-0-decided_on": "2023-03-01", "probation_extension-0-months": "13",
        "probation_extension-0-reason": "需继续考察",
        "tenures-TOTAL_FORMS": "0", "tenures-INITIAL_FORMS": "0", "tenures-MIN_NUM_FORMS": "0", "tenures-MAX_NUM_FORMS": "1000",
    })
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "最长不超过12个月" in response.content.decode()
    data["probation_extension-0-months"] = "6"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    extension = m.ProbationExtension.objects.get(member=member)
    assert extension.ends_on == datetime.date(2023, 9, 1)
    assert extension.history.count() == 1
