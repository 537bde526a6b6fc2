"""The roll through time: a transfer moves the member on its day, and a past date reads the roll as it stood then.

中国共产党章程 第八条: every member belongs to a branch, a group or another particular organization of the party,
so the roll on a day places each member in one organization.
中国共产党党员教育管理工作条例 第二十五条: a member whose workplace or residence changes transfers their
organizational relationship (组织关系); until the receiving side accepts, the sending organization keeps managing
them (hence the 回执).
"""
import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import models as m
from branches.dates import today

T = m.Transfer.Kind
D = datetime.date


def transfer(member, kind, on, **kw):
    t = m.Transfer(member=member, kind=kind, transferred_on=on, **kw)
    t.full_clean()
    t.save()
    member.refresh_from_db()
    return t


def refusal(member, kind, on, **kw):
    with pytest.raises(ValidationError) as exc:
        m.Transfer(member=member, kind=kind, transferred_on=on, **kw).full_clean()
    return exc.value.message_dict


@pytest.fixture
def two(build):
    school = build.org("一中党总支", kind=m.OrgKind.GENERAL_BRANCH)
    a, b = build.org("一中第一党支部", parent=school), build.org("一中第二党支部", parent=school)
    return a, b


# -- applying a transfer ------------------------------------------------------------------------------
# 中国共产党党员教育管理工作条例 第二十五条: the relationship moves with the member's workplace.
def test_a_transfer_within_the_district_moves_the_member_to_the_receiving_branch(build, two):
    a, b = two
    member = build.member(a, join=D(2010, 7, 1))
    transfer(member, T.WITHIN, D(2024, 8, 20), from_organization=a, to_organization=b, letter_number="教组转〔2024〕1号")
    assert member.organization == b and member.roll_status == m.Member.Roll.ON_ROLL


def test_an_earlier_transfer_entered_late_leaves_the_member_where_the_latest_put_them(build, two):
    a, b = two
    member = build.member(a, join=D(2001, 7, 1))
    transfer(member, T.WITHIN, D(2024, 8, 20), from_organization=a, to_organization=b)
    transfer(member, T.IN, D(2020, 9, 1), to_organization=a, outside_unit="天水市某小学党支部")  # the arrival, entered late
    assert member.organization == b


def test_a_transfer_out_takes_the_member_off_the_roll_on_its_day(build, two):
    a, _ = two
    member = build.member(a, join=D(2010, 7, 1))
    transfer(member, T.OUT, D(2025, 3, 1), from_organization=a, outside_unit="兰州市某中学党支部", reason=m.Transfer.Reason.JOB)
    assert member.roll_status == m.Member.Roll.TRANSFERRED and member.left_on == D(2025, 3, 1)
    member.full_clean()  # the member's own rules agree: a 转出 member's 离册日期 is the transfer's day


def test_a_transfer_out_members_departure_day_is_the_transfers(build, two):
    a, _ = two
    member = build.member(a, join=D(2010, 7, 1))
    transfer(member, T.OUT, D(2025, 3, 1), from_organization=a, outside_unit="兰州市某中学党支部")
    member.left_on = D(2025, 4, 1)
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert exc.value.message_dict["left_on"] == ["转出的，离册日期应为组织关系转出日期2025-03-01。"]


def test_a_transfer_in_puts_the_member_on_the_roll_of_the_receiving_branch(build, two):
    a, _ = two
    member = build.member(a, join=D(2001, 7, 1))
    transfer(member, T.IN, D(2024, 9, 1), to_organization=a, outside_unit="天水市某小学党支部")
    assert member.organization == a and member.roll_status == m.Member.Roll.ON_ROLL and member.left_on is None


# -- the refusals that read the member as they stood on the transfer's day --------------------------------
def test_a_transfer_before_the_member_joined_is_refused(build, two):
    a, b = two
    member = build.member(a, join=D(2015, 7, 1))
    errors = refusal(member, T.WITHIN, D(2014, 8, 1), from_organization=a, to_organization=b)
    assert errors["transferred_on"] == ["转接日期不能早于该党员的入党日期（2015-07-01）。"]


# A member moved from the first branch (a) to the second (b) on 2024-08-20; each later attempt reads that day's state.
MOVED_REFUSALS = {
    "to the organization the member is in that day": (
        dict(kind=T.WITHIN, on=D(2025, 2, 1), source="a", target="b"),
        "to_organization", "该党员2025-02-01已在“一中第二党支部”，不需转入。"),
    "out of an organization not the member's that day (still in a on 2023-05-01, whatever the record says today)": (
        dict(kind=T.WITHIN, on=D(2023, 5, 1), source="b", target="a"),
        "from_organization", "该党员2023-05-01的组织关系在“一中第一党支部”，不在“一中第二党支部”。"),
    "out of the district before a later move": (
        dict(kind=T.OUT, on=D(2024, 3, 1), source="a", target=None),
        "transferred_on", "该党员在2024-03-01之后还有组织关系转接记录，转出后即离册，请核对转接日期。"),
}


@pytest.mark.parametrize("case", MOVED_REFUSALS, ids=range(len(MOVED_REFUSALS)))
def test_a_transfer_that_contradicts_the_members_moves_is_refused_naming_the_field(build, two, case):
    a, b = two
    orgs = {"a": a, "b": b, None: None}
    attempt, field, message = MOVED_REFUSALS[case]
    member = build.member(a, join=D(2010, 7, 1))
    transfer(member, T.WITHIN, D(2024, 8, 20), from_organization=a, to_organization=b)
    unit = {"outside_unit": "兰州市某中学党支部"} if attempt["kind"] == T.OUT else {}
    errors = refusal(member, attempt["kind"], attempt["on"], from_organization=orgs[attempt["source"]],
                     to_organization=orgs[attempt["target"]], **unit)
    assert errors[field] == [message]


# A member off the roll that day (left by a transfer out, or by death) or not yet on it (arrived later from outside).
ROLL_REFUSALS = {
    "transferred out the day before": (
        dict(kind=T.OUT, transferred_on=D(2025, 3, 1), outside_unit="兰州市某中学党支部", from_organization="a"), D(2025, 3, 2),
        "该党员已于2025-03-01转出离册，2025-03-02不在册，不能办理组织关系转接。"),
    "arrived from outside the district a year later": (
        dict(kind=T.IN, transferred_on=D(2024, 9, 1), outside_unit="天水市某小学党支部", to_organization="a"), D(2023, 9, 1),
        "该党员2024-09-01才从系统外转入，2023-09-01尚未在册。"),
    "died before": (None, D(2024, 2, 1), "该党员已于2024-01-05去世离册，2024-02-01不在册，不能办理组织关系转接。"),
}


@pytest.mark.parametrize("case", ROLL_REFUSALS, ids=range(len(ROLL_REFUSALS)))
def test_a_transfer_of_a_member_not_on_the_roll_that_day_is_refused(build, two, case):
    a, b = two
    before, on, message = ROLL_REFUSALS[case]
    if before is None:
        member = build.member(a, join=D(2001, 7, 1), roll_status=m.Member.Roll.DECEASED, left_on=D(2024, 1, 5))
    else:
        member = build.member(a, join=D(2001, 7, 1))
        before = {k: a if v == "a" else v for k, v in before.items()}
        transfer(member, before.pop("kind"), before.pop("transferred_on"), **before)
    errors = refusal(member, T.WITHIN, on, from_organization=a, to_organization=b)
    assert errors["transferred_on"] == [message]


def test_correcting_an_applied_transfer_is_checked_against_the_members_state_before_it(build, two):
    a, b = two
    member = build.member(a, join=D(2010, 7, 1))
    t = transfer(member, T.WITHIN, D(2024, 8, 20), from_organization=a, to_organization=b)
    t.letter_number = "教组转〔2024〕3号"
    t.full_clean()  # the member now in b is this transfer's doing: its 转出党组织 a still holds
    out = transfer(member, T.OUT, D(2025, 3, 1), from_organization=b, outside_unit="兰州市某中学党支部")
    out.reason = m.Transfer.Reason.HOME
    out.full_clean()  # off the roll on its day by this very transfer


# -- the roll on a date -----------------------------------------------------------------------------
def roll(on):
    return dict(m.Member.objects.as_of(on).values_list("name", "organization_on"))


def test_a_past_date_reads_the_member_in_the_organization_they_were_in_then(build, two):
    # 党章第八条: on every day the member is in exactly one organization, the one their transfers put them in.
    a, b = two
    c = build.org("一中第三党支部", parent=a.parent)
    member = build.member(a, join=D(2010, 7, 1), name="王老师")
    transfer(member, T.WITHIN, D(2023, 8, 20), from_organization=a, to_organization=b)
    transfer(member, T.WITHIN, D(2024, 8, 20), from_organization=b, to_organization=c)
    assert roll(D(2023, 8, 19)) == {"王老师": a.pk}
    assert roll(D(2023, 8, 20)) == {"王老师": b.pk}  # the relationship moves on the transfer's day
    assert roll(D(2024, 1, 1)) == {"王老师": b.pk}
    assert roll(today()) == {"王老师": c.pk}


def test_the_roll_on_a_date_counts_those_who_joined_arrived_and_had_not_left_by_then(build, two):
    a, _ = two
    build.member(a, join=D(2010, 7, 1), name="在册")
    build.member(a, join=D(2024, 6, 30), name="后入党", status=m.Member.Status.PROBATIONARY)
    out = build.member(a, join=D(2010, 7, 1), name="转出者")
    transfer(out, T.OUT, D(2024, 3, 1), from_organization=a, outside_unit="兰州市某中学党支部")
    arrived = build.member(a, join=D(2001, 7, 1), name="转入者")
    transfer(arrived, T.IN, D(2024, 9, 1), to_organization=a, outside_unit="天水市某小学党支部")
    build.member(a, join=D(2001, 7, 1), name="去世者", roll_status=m.Member.Roll.DECEASED, left_on=D(2024, 5, 1))
    assert set(roll(D(2023, 12, 31))) == {"在册", "转出者", "去世者"}
    assert set(roll(D(2024, 3, 1))) == {"在册", "去世者"}  # off the roll on the day of the 转出
    assert set(roll(D(2024, 12, 31))) == {"在册", "后入党", "转入者"}


def test_the_roll_on_a_date_is_one_query_whatever_the_transfers(build, two, django_assert_num_queries):
    a, b = two
    for i in range(5):
        member = build.member(a, join=D(2010, 7, 1))
        transfer(member, T.WITHIN, D(2024, 8, 1 + i), from_organization=a, to_organization=b)
    with django_assert_num_queries(1):
        counts = dict(m.Member.objects.as_of(D(2023, 12, 31)).values("organization_on").annotate(n=m.Count("pk"))
                      .values_list("organization_on", "n").order_by())
    assert counts == {a.pk: 5}


# -- the warnings -----------------------------------------------------------------------------------
def flagged(code, on):
    from branches import early_warning

    return {org: [h.detail for h in hits] for org, hits in early_warning.evaluate(on, codes=[code]).by_organization.items()}


# 中国共产党党员教育管理工作条例 第二十五条: a member transferred out but not yet received is still managed by the
# sending organization; the 回执 closes it. Three months without it is flagged, to the day.
def test_a_transfer_out_without_a_receipt_after_three_months_is_flagged_on_the_sending_branch(build, two):
    a, b = two
    late = build.member(a, join=D(2010, 7, 1), name="李老师")
    transfer(late, T.OUT, D(2025, 3, 1), from_organization=a, outside_unit="兰州市某中学党支部", letter_number="教组转〔2025〕4号")
    on_time = build.member(a, join=D(2010, 7, 1), name="赵老师")
    transfer(on_time, T.WITHIN, D(2025, 3, 2), from_organization=a, to_organization=b)
    assert flagged("receipt_missing", D(2025, 6, 1)) == {
        a: ["1名党员组织关系转出超过3个月未收到回执：李老师（2025年3月1日转出，介绍信教组转〔2025〕4号）（接收前仍由本组织管理）"]}
    assert flagged("receipt_missing", D(2025, 6, 2))[a][0].startswith("2名")  # the 系统内转接's three months are up
    m.Transfer.objects.filter(member=late).update(received_on=D(2025, 7, 1))
    assert flagged("receipt_missing", D(2025, 6, 2))[a][0].startswith("2名")  # as it stood that day: not back yet
    assert flagged("receipt_missing", D(2025, 7, 1))[a] == [
        "1名党员组织关系转出超过3个月未收到回执：赵老师（2025年3月2日系统内转接）（接收前仍由本组织管理）"]


def test_a_member_transferred_in_without_a_conversion_date_is_flagged(build, two):
    a, _ = two
    lacking = build.member(a, join=D(2001, 7, 1), name="孙老师")
    m.Member.objects.filter(pk=lacking.pk).update(full_member_date=None)
    transfer(lacking, T.IN, D(2024, 9, 1), to_organization=a, outside_unit="天水市某小学党支部")
    complete = build.member(a, join=D(2001, 7, 1), name="周老师")
    transfer(complete, T.IN, D(2024, 9, 1), to_organization=a, outside_unit="天水市某小学党支部")
    local = build.member(a, join=D(2001, 7, 1), name="本地老师")  # not transferred in: another rule's business
    m.Member.objects.filter(pk=local.pk).update(full_member_date=None)
    assert flagged("transferred_in_incomplete", D(2024, 12, 31)) == {a: ["1名转入的正式党员未登记转正日期：孙老师"]}
    assert flagged("transferred_in_incomplete", D(2024, 8, 31)) == {}  # not yet arrived


# -- acceptance: the demo district, transfers today, and 2023 as it stood -------------------------------------
def _annual_report_text(client, year):
    import io

    import docx
    from django.urls import reverse

    response = client.get(reverse("annual_report_docx"), {"year": year})
    assert response.status_code == 200
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


def _ordinary_members(n, **filters):
    return list(m.Member.objects.on_roll().filter(tenures__isnull=True, backbone_title="", transfers__isnull=True, **filters)
                .order_by("pk")[:n])


def test_after_members_leave_the_district_today_2023_still_says_3800_and_today_says_fewer(demo, admin_client):
    from reports.figures import district

    now = today().year
    before = district(now).members.total
    leaving = _ordinary_members(3, organization__kind=m.OrgKind.BRANCH)
    for member in leaving:
        transfer(member, T.OUT, today(), from_organization=member.organization, outside_unit="兰州市某中学党支部",
                 letter_number=f"教组转〔{now}〕9{member.pk}号")
    assert district(2023).members.total == 3800
    assert admin_client.get("/dashboard/", {"year": 2023}).context["n"]["members"].value == 3800
    assert "、3800名党员" in _annual_report_text(admin_client, 2023)
    assert district(now).members.total == before - 3
    assert admin_client.get("/dashboard/", {"year": now}).context["n"]["members"].value == before - 3
    # The dashboard's 2023 number links to the admin list read that day: the same 3,800, those who left included.
    page = admin_client.get("/admin/branches/member/", {"asof": "2023-12-31"})
    assert page.context["cl"].result_count == 3800


def test_a_move_in_2024_leaves_2023s_counts_by_organization_as_they_were_and_moves_the_member_in_2024s(demo):
    from reports.figures import district

    def by_organization(on):
        return dict(m.Member.objects.as_of(on).values("organization_on").annotate(n=m.Count("pk"))
                    .values_list("organization_on", "n").order_by())

    [member] = _ordinary_members(1, organization__kind=m.OrgKind.BRANCH, organization__ownership=m.Ownership.PUBLIC)
    source = member.organization
    target = m.Organization.objects.branches().exclude(pk=source.pk).exclude(parent=source.parent).first()
    end_2023, end_2024 = D(2023, 12, 31), D(2024, 12, 31)
    before_2023, before_2024 = by_organization(end_2023), by_organization(end_2024)
    staffing_2023 = {o.pk: o.roll_count for o in m.Organization.objects.filter(pk__in=[source.pk, target.pk]).with_staffing(end_2023)}
    transfer(member, T.WITHIN, D(2024, 11, 4), from_organization=source, to_organization=target)
    assert by_organization(end_2023) == before_2023
    after_2024 = by_organization(end_2024)
    assert after_2024[source.pk] == before_2024[source.pk] - 1 and after_2024[target.pk] == before_2024.get(target.pk, 0) + 1
    # The organizations' own counts for a date (the admin list, the warnings, meeting compliance) read the same.
    staffed = {o.pk: o.roll_count for o in m.Organization.objects.filter(pk__in=[source.pk, target.pk]).with_staffing(end_2023)}
    assert staffed == staffing_2023 == {source.pk: before_2023[source.pk], target.pk: before_2023.get(target.pk, 0)}
    staffed = {o.pk: o.roll_count for o in m.Organization.objects.filter(pk__in=[source.pk, target.pk]).with_staffing(end_2024)}
    assert staffed == {source.pk: after_2024[source.pk], target.pk: after_2024[target.pk]}
    # And the district's 2023 figures, counted by organization, are the same.
    assert district(2023).members.total == 3800


def test_the_demos_2024_transfers_are_on_record_and_leave_2023_alone(demo):
    from reports.figures import district

    transfers = m.Transfer.objects.all()
    kinds = {k: transfers.filter(kind=k).count() for k in T.values}
    assert kinds[T.OUT] == 2 and kinds[T.IN] == 1 and kinds[T.WITHIN] >= 10
    assert transfers.filter(reason=m.Transfer.Reason.RETIREMENT, to_organization__name__endswith="离退休教师党支部").exists()
    assert not transfers.exclude(transferred_on__year=2024).exists()
    assert set(transfers.values_list("letter_number", flat=True)) == {f"教组转〔2024〕{n}号" for n in range(1, transfers.count() + 1)}
    assert transfers.filter(kind=T.WITHIN, transferred_on__month=8).count() >= 10  # the school year's moves
    f = district(2023)
    assert f.members.total == 3800
    assert m.Member.objects.as_of(D(2024, 12, 31)).count() == 3800 - 2 + 1
