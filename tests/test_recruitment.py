"""发展党员: the pipeline from application to probationary member, as 中国共产党发展党员工作细则 (2014) lays it out.

Articles as found with the search tool (public copies of the 细则 and party-work Q&A pages):
- 第五条: one may apply from the age of eighteen;
- 第七条: the party organization talks with an applicant within a month of receiving the application;
- 第十三条: an activist becomes a 发展对象 after more than a year of education and observation;
- 第十七条: the 集中培训 of 发展对象 lasts at least three days (or at least 24 class hours);
- 第十九条: the upper committee pre-reviews (预审) the 发展对象.
The 公示 of at least five working days and the approval within three months of the 党员大会 are in the 细则, but the
search found no copy that names their article numbers with certainty, so none is cited for them.
"""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from scoped_district import as_user, district, leader, office, secretary  # noqa: F401

from branches import models as m
from branches.idcard import make_id_number

D = datetime.date
pytestmark = pytest.mark.django_db


def an_id(seq, born=D(1995, 3, 8)):
    return make_id_number("620402", born, seq)


def recruit(org, seq=1, born=D(1995, 3, 8), save=True, **steps):
    steps.setdefault("applied_on", D(2021, 3, 1))
    r = m.Recruit(name=steps.pop("name", f"发展对象{seq}"), id_number=an_id(seq, born), organization=org, **steps)
    r.full_clean()
    if save:
        r.save()
    return r


@pytest.fixture
def branch(build):
    return build.org(name="红山区第一小学党支部")


# -- the record and its stage ---------------------------------------------------------------------------
def test_the_stage_is_read_from_the_dated_steps(branch):
    r = recruit(branch, activist_on=D(2021, 5, 10), candidate_on=D(2022, 6, 1), vetted_on=D(2022, 7, 1),
                trained_on=D(2022, 8, 1), accepted_on=D(2022, 10, 8), save=False)
    assert r.stage_on(D(2021, 2, 1)) is None
    assert r.stage_on(D(2021, 3, 1)) == m.RecruitStage.APPLICANT
    assert r.stage_on(D(2021, 12, 31)) == m.RecruitStage.ACTIVIST
    assert r.stage_on(D(2022, 9, 1)) == m.RecruitStage.CANDIDATE
    # accepted by the 党员大会 but not yet approved: still a 发展对象 (党章 第五条: 支部大会通过和上级党组织批准)
    assert r.stage_on(D(2022, 12, 1)) == m.RecruitStage.CANDIDATE
    r.approved_on = D(2022, 11, 20)
    assert r.stage_on(D(2022, 12, 1)) == m.RecruitStage.PROBATIONARY


def test_the_stage_filter_counts_as_the_record_reads_its_stage(branch):
    dates = [{}, {"activist_on": D(2021, 5, 1)}, {"activist_on": D(2021, 5, 1), "candidate_on": D(2022, 6, 1)}]
    people = [recruit(branch, seq=i + 1, **d) for i, d in enumerate(dates)]
    on = D(2023, 1, 1)
    for stage in m.RecruitStage:
        expected = {p.pk for p in people if p.stage_on(on) == stage}
        assert set(m.Recruit.objects.in_stage(stage, on).values_list("pk", flat=True)) == expected


def test_an_id_number_failing_its_check_digit_is_refused(branch):
    bad = an_id(1)[:-1] + ("0" if an_id(1)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        m.Recruit(name="李明", id_number=bad, organization=branch, applied_on=D(2021, 3, 1)).full_clean()
    assert "校验位错误" in str(exc.value.message_dict["id_number"])


def test_a_person_already_on_the_roll_cannot_be_entered_as_a_recruit(branch, build):
    member = build.member(branch, name="王芳")
    with pytest.raises(ValidationError) as exc:
        m.Recruit(name="王芳", id_number=member.id_number, organization=branch, applied_on=D(2021, 3, 1)).full_clean()
    assert "已是党员" in exc.value.message_dict["id_number"][0]


def test_an_applicant_must_be_eighteen(branch):
    # 细则 第五条: 年满十八岁 … 可以申请加入中国共产党
    with pytest.raises(ValidationError) as exc:
        recruit(branch, born=D(2004, 6, 1), applied_on=D(2022, 5, 31))
    assert "十八岁" in exc.value.message_dict["applied_on"][0]


def test_birth_date_and_gender_come_from_the_id_and_a_young_teacher_is_under_35(branch):
    r = recruit(branch, born=D(1989, 1, 2), job=m.Member.Job.TEACHER)
    assert r.birth_date == D(1989, 1, 2) and r.gender in ("男", "女")
    assert r.is_young_teacher(D(2024, 1, 1)) and not r.is_young_teacher(D(2024, 1, 2))
    assert list(m.Recruit.objects.young_teachers(D(2024, 1, 1))) == [r]
    assert not m.Recruit.objects.young_teachers(D(2024, 1, 2)).exists()


def test_a_step_dated_before_the_one_it_follows_is_refused_naming_both(branch):
    with pytest.raises(ValidationError) as exc:
        recruit(branch, activist_on=D(2021, 5, 10), candidate_on=D(2021, 4, 1))
    message = exc.value.message_dict["candidate_on"][0]
    assert "确定发展对象" in message and "确定入党积极分子" in message


def test_a_missing_step_is_stepped_over_when_the_order_is_checked(branch):
    # 发展对象 dated before the application, the activist step not yet dated: still out of order
    with pytest.raises(ValidationError) as exc:
        recruit(branch, applied_on=D(2021, 3, 1), candidate_on=D(2021, 1, 1))
    assert "申请入党" in exc.value.message_dict["candidate_on"][0]


def test_the_two_contacts_are_full_members_from_the_roll(branch, build):
    full, probationary = build.member(branch), build.member(branch, status=m.Member.Status.PROBATIONARY)
    with pytest.raises(ValidationError) as exc:
        recruit(branch, activist_on=D(2021, 5, 10), contact_1=full, contact_2=probationary)
    assert "正式党员" in exc.value.message_dict["contact_2"][0]
    with pytest.raises(ValidationError) as exc:
        recruit(branch, activist_on=D(2021, 5, 10), contact_1=full, contact_2=full)
    assert "同一人" in exc.value.message_dict["contact_2"][0]
    assert recruit(branch, activist_on=D(2021, 5, 10), contact_1=full, contact_2=build.member(branch)).pk


# -- the time rules are data, seeded with the regulations' values ---------------------------------------------
def test_the_time_rules_are_seeded_with_the_regulations_values():
    rules = {(r.step, r.after): (r.unit, r.minimum, r.maximum) for r in m.StepRule.objects.all()}
    U = m.StepRule.Unit
    assert rules[(m.Step.TALKED, m.Step.APPLIED)] == (U.MONTHS, None, 1)  # 第七条
    assert rules[(m.Step.CANDIDATE, m.Step.ACTIVIST)] == (U.YEARS, 1, None)  # 第十三条
    assert rules[(m.Step.TRAINED, m.Step.TRAINING_BEGAN)] == (U.DAYS, 3, None)  # 第十七条
    assert rules[(m.Step.PUBLICITY_ENDED, m.Step.PUBLICITY_BEGAN)] == (U.WORKDAYS, 5, None)  # 公示 (number not confirmed)
    assert rules[(m.Step.APPROVED, m.Step.ACCEPTED)] == (U.MONTHS, None, 3)  # approval in 3 months (number not confirmed)


def test_a_rule_the_office_tightens_judges_by_its_new_value(branch):
    r = recruit(branch, activist_on=D(2021, 5, 10), candidate_on=D(2022, 6, 1))
    rule = m.StepRule.objects.get(step=m.Step.CANDIDATE, after=m.Step.ACTIVIST)
    assert rule.judge(r)[0] is True
    rule.minimum = 2
    assert rule.judge(r)[0] is False


def test_working_days_count_weekdays_only_both_ends_included():
    # 2023-09-04 is a Monday: Monday to Friday is 5 working days; Friday to the next Thursday is 5 as well
    assert m.weekdays_between(D(2023, 9, 4), D(2023, 9, 8)) == 5
    assert m.weekdays_between(D(2023, 9, 8), D(2023, 9, 14)) == 5
    assert m.weekdays_between(D(2023, 9, 8), D(2023, 9, 13)) == 4


def test_a_training_of_24_class_hours_meets_the_rule_whatever_its_days(branch):
    # 第十七条: 不少于三天（或不少于二十四个学时）
    rules = list(m.StepRule.objects.filter(step=m.Step.TRAINED))
    dates = {"activist_on": D(2021, 5, 10), "candidate_on": D(2022, 6, 1), "training_began_on": D(2022, 8, 1),
             "trained_on": D(2022, 8, 2)}
    short = recruit(branch, seq=1, **dates)
    assert [met for _, met, _ in short.checks(rules)] == [False]
    hours = recruit(branch, seq=2, training_hours=24, **dates)
    assert [met for _, met, _ in hours.checks(rules)] == [True]


# -- the admin: scope and history ---------------------------------------------------------------------------
def test_a_secretary_sees_and_keeps_only_their_subtrees_recruits(district, secretary):
    mine, theirs = recruit(district.branch, seq=1, name="张敏"), recruit(district.other, seq=2, name="赵刚")
    client = as_user(secretary)
    page = client.get(reverse("admin:branches_recruit_changelist"))
    assert page.status_code == 200
    assert "张敏" in page.content.decode() and "赵刚" not in page.content.decode()
    assert client.get(reverse("admin:branches_recruit_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:branches_recruit_history", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:branches_recruit_change", args=[mine.pk])).status_code == 200


def add_form(org, **kw):
    data = {"name": "孙丽", "id_number": an_id(7), "gender": "", "organization": org.pk, "job": "teacher",
            "backbone_title": "", "backbone_year": "", "applied_on": "2023-03-01", "note": ""}
    data.update(kw)
    return data


def test_a_secretary_cannot_enter_a_recruit_in_another_school(district, secretary):
    page = as_user(secretary).post(reverse("admin:branches_recruit_add"), add_form(district.other))
    assert page.status_code == 200 and not m.Recruit.objects.exists()


def test_a_secretarys_entry_waits_for_review_and_leaves_a_history_row(district, secretary):
    page = as_user(secretary).post(reverse("admin:branches_recruit_add"), add_form(district.branch))
    assert page.status_code == 302, page.context["adminform"].form.errors
    r = m.Recruit.objects.get()
    assert r.review_status == m.Review.PENDING
    assert [(h.history_type, h.history_user) for h in r.history.all()] == [("+", secretary)]


def test_a_secretary_cannot_approve_even_by_a_crafted_post(district, secretary):
    data = add_form(district.branch, activist_on="2021-05-10", candidate_on="2022-06-01", accepted_on="2023-01-10",
                    approved_on="2023-02-01")
    page = as_user(secretary).post(reverse("admin:branches_recruit_add"), data)
    assert page.status_code == 200
    assert not m.Recruit.objects.exists() and not m.Member.objects.filter(id_number=an_id(7)).exists()


def test_the_recruitment_plan_is_the_offices_and_a_secretary_only_reads_it(district, secretary, office):
    plan = m.RecruitmentPlan.objects.create(organization=district.branch, year=2023, quota=2)
    client = as_user(secretary)
    assert client.get(reverse("admin:branches_recruitmentplan_change", args=[plan.pk])).status_code == 200
    data = {"organization": district.branch.pk, "year": 2023, "quota": 9, "note": ""}
    assert client.post(reverse("admin:branches_recruitmentplan_change", args=[plan.pk]), data).status_code == 403
    plan.refresh_from_db()
    assert plan.quota == 2


# -- the checks (预警) ----------------------------------------------------------------------------------------
def warnings_for(org, code, on=D(2023, 12, 31)):
    from branches.early_warning import evaluate

    return [h for h in evaluate(on, m.Organization.objects.filter(pk=org.pk), codes=[code]).hits]


def test_an_activist_made_a_candidate_within_the_year_is_warned_of_with_the_person_named(branch):
    # 细则 第十三条: 经过一年以上培养教育和考察 … 可列为发展对象
    short = recruit(branch, seq=1, name="周洁", activist_on=D(2022, 9, 1), candidate_on=D(2023, 6, 1))
    recruit(branch, seq=2, name="吴强", activist_on=D(2022, 5, 1), candidate_on=D(2023, 5, 2))
    hits = warnings_for(branch, "recruit_activist_short")
    assert [h.records for h in hits] == [(short.pk,)]
    assert hits[0].detail.startswith("周洁：") and "不少于1年" in hits[0].detail
    assert hits[0].rule.title == "入党积极分子培养不满规定时间即列为发展对象"


def test_a_candidate_accepted_without_vetting_or_training_is_warned_of(branch):
    steps = {"activist_on": D(2021, 5, 1), "candidate_on": D(2022, 6, 1), "accepted_on": D(2023, 3, 1)}
    unvetted = recruit(branch, seq=1, trained_on=D(2022, 8, 1), **steps)
    recruit(branch, seq=2, vetted_on=D(2022, 7, 1), trained_on=D(2022, 8, 1), **steps)
    hits = warnings_for(branch, "recruit_unvetted")
    assert [h.records for h in hits] == [(unvetted.pk,)] and "政治审查" in hits[0].detail and "集中培训" not in hits[0].detail


def test_a_publicity_of_fewer_than_five_working_days_is_warned_of(branch):
    steps = {"activist_on": D(2021, 5, 1), "candidate_on": D(2022, 6, 1)}
    # Friday 2023-09-08 to Wednesday 2023-09-13: 4 working days across a weekend
    short = recruit(branch, seq=1, publicity_began_on=D(2023, 9, 8), publicity_ended_on=D(2023, 9, 13), **steps)
    recruit(branch, seq=2, publicity_began_on=D(2023, 9, 8), publicity_ended_on=D(2023, 9, 14), **steps)
    hits = warnings_for(branch, "recruit_publicity_short")
    assert [h.records for h in hits] == [(short.pk,)] and "4个工作日" in hits[0].detail


def test_an_approval_later_than_three_months_after_the_meeting_is_warned_of_and_so_is_one_still_waiting(branch):
    steps = {"activist_on": D(2021, 5, 1), "candidate_on": D(2022, 6, 1), "vetted_on": D(2022, 7, 1),
             "trained_on": D(2022, 8, 1)}
    late = recruit(branch, seq=1, accepted_on=D(2023, 3, 1), approved_on=D(2023, 6, 2), **steps)
    recruit(branch, seq=2, accepted_on=D(2023, 3, 1), approved_on=D(2023, 6, 1), **steps)
    waiting = recruit(branch, seq=3, accepted_on=D(2023, 8, 1), **steps)
    hits = warnings_for(branch, "recruit_approval_late")
    assert [h.records for h in hits] == [(late.pk,), (waiting.pk,)]
    assert "仍未上级党委审批" in hits[1].detail


def test_a_contact_who_is_not_a_full_member_on_the_roll_is_warned_of(branch, build):
    contact = build.member(branch, name="郑华")
    r = recruit(branch, activist_on=D(2022, 5, 1), contact_1=contact)
    m.Member.objects.filter(pk=contact.pk).update(roll_status=m.Member.Roll.TRANSFERRED)  # moved away since
    hits = warnings_for(branch, "recruit_contact_not_full")
    assert [h.records for h in hits] == [(r.pk,)] and "郑华" in hits[0].detail and "转出" in hits[0].detail


def test_a_step_dated_before_the_previous_one_is_warned_of(branch):
    r = recruit(branch, activist_on=D(2021, 5, 1), candidate_on=D(2022, 6, 1))
    m.Recruit.objects.filter(pk=r.pk).update(vetted_on=D(2022, 5, 1))  # written past the form (an old database)
    hits = warnings_for(branch, "recruit_out_of_order")
    assert [h.records for h in hits] == [(r.pk,)] and "政治审查" in hits[0].detail and "确定发展对象" in hits[0].detail


def test_the_checks_read_the_records_as_they_stood_on_the_day(branch):
    recruit(branch, activist_on=D(2022, 9, 1), candidate_on=D(2023, 6, 1))
    assert warnings_for(branch, "recruit_activist_short", on=D(2023, 5, 31)) == []
    assert len(warnings_for(branch, "recruit_activist_short", on=D(2023, 6, 1))) == 1


def test_the_recruitment_checks_cost_the_same_queries_for_thirty_recruits_as_for_three(branch, build,
                                                                                          django_assert_max_num_queries):
    from branches.early_warning import evaluate

    codes = [c for c in ("recruit_activist_short", "recruit_unvetted", "recruit_publicity_short", "recruit_approval_late",
                         "recruit_contact_not_full", "recruit_out_of_order")]
    contact = build.member(branch)

    def add(n, start):
        for i in range(start, start + n):
            recruit(branch, seq=i, activist_on=D(2022, 9, 1), candidate_on=D(2023, 6, 1), contact_1=contact,
                    accepted_on=D(2023, 7, 1))

    add(3, 1)
    with django_assert_max_num_queries(5):
        few = evaluate(D(2023, 12, 31), codes=codes)
    add(27, 4)
    with django_assert_max_num_queries(5):
        many = evaluate(D(2023, 12, 31), codes=codes)
    assert len(many.hits) == 10 * len(few.hits) > 0


# -- becoming a member ------------------------------------------------------------------------------------------
def admitted(branch, **kw):
    steps = {"activist_on": D(2021, 5, 1), "candidate_on": D(2022, 6, 1), "vetted_on": D(2022, 7, 1),
             "trained_on": D(2022, 8, 1), "accepted_on": D(2023, 3, 1), "job": m.Member.Job.TEACHER,
             "backbone_title": m.Member.Backbone.CITY, "backbone_year": 2022}
    steps.update(kw)
    return recruit(branch, name="陈晨", **steps)


def test_an_accepted_and_approved_recruit_is_on_the_roll_as_probationary_from_the_meetings_date(branch):
    # 党章 第七条: 预备党员的预备期，从支部大会通过他为预备党员之日算起
    r = admitted(branch, save=False)
    r.save()
    assert r.member is None and not m.Member.objects.filter(id_number=r.id_number).exists()
    r.approved_on = D(2023, 4, 20)
    r.save()
    member = m.Member.objects.get(id_number=r.id_number)
    assert (member.status, member.join_date, member.organization, member.name) == (
        m.Member.Status.PROBATIONARY, D(2023, 3, 1), branch, "陈晨")
    assert (member.job, member.backbone_title, member.backbone_year) == (m.Member.Job.TEACHER, m.Member.Backbone.CITY, 2022)
    r.refresh_from_db()
    assert r.member == member and member.recruitment == r
    assert r.stage == m.RecruitStage.PROBATIONARY


def test_saving_an_admitted_recruit_again_makes_no_second_member(branch):
    r = admitted(branch, approved_on=D(2023, 4, 20))
    r.note = "入党宣誓已完成"
    r.sworn_on = D(2023, 7, 1)
    r.full_clean()  # the person is now on the roll, as this record's own member: not refused as "already a member"
    r.save()
    assert m.Member.objects.filter(id_number=r.id_number).count() == 1


def test_the_roll_and_the_years_figures_count_the_new_member(branch):
    from reports.figures import district

    before = district(2023).members
    admitted(branch, approved_on=D(2023, 4, 20))
    after = district(2023).members
    assert after.total == before.total + 1
    assert m.Member.objects.on_roll().filter(organization=branch, status=m.Member.Status.PROBATIONARY).count() == 1


def test_the_office_approves_in_the_admin_and_the_member_appears(district, office):
    r = admitted(district.branch)
    change = reverse("admin:branches_recruit_change", args=[r.pk])
    page = as_user(office).get(change)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data.update({"approved_on": "2023-04-20", "contact_1": "", "contact_2": ""})
    response = as_user(office).post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member = m.Member.objects.get(id_number=r.id_number)
    assert member.join_date == D(2023, 3, 1)
    assert as_user(office).get(change).content.decode().count(reverse("admin:branches_member_change", args=[member.pk])) == 1


# -- the secretary's 待办 -------------------------------------------------------------------------------------------
def test_an_application_unanswered_for_a_month_is_on_the_secretarys_todo_list(district, secretary):
    from reports.todo import sections_for

    # 细则 第七条: 党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话
    recruit(district.branch, seq=1, name="黄蕾", applied_on=D(2023, 10, 1))
    recruit(district.branch, seq=2, name="林涛", applied_on=D(2023, 10, 1), talked_on=D(2023, 10, 20))
    recruit(district.other, seq=3, name="何静", applied_on=D(2023, 10, 1))
    _, sections = sections_for(secretary, on=D(2023, 11, 2))
    items = [i.text for s in sections if s.title == "发展党员" for i in s.items]
    assert len(items) == 1 and "黄蕾" in items[0] and "谈话" in items[0]
    _, sections = sections_for(secretary, on=D(2023, 11, 1))
    assert not [i for s in sections if s.title == "发展党员" for i in s.items]
