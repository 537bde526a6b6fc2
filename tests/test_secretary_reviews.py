"""述职评议考核: the round, the ballots, the office's grade rule with its reasons, and who sees what.

The grading follows 《关于开展基层党组织书记抓基层党建工作述职评议考核的意见》 as the district applies it: the
committee rates each secretary 好/较好/一般/差 after 述职 and 民主测评, combining the ballots with what the records show
(the office sets the thresholds and the vetoes per category, 分类考核评价).
"""
import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from branches import models as m
from branches import secretary_reviews
from scoped_district import account, as_user, district, office, secretary  # noqa: F401

from accounts import roles

D = datetime.date
G = m.Grade


def a_round(year=2023, reviewers=10, held_on=D(2024, 1, 15)):
    review_round = m.ReviewRound.objects.create(year=year, held_on=held_on)
    for n in range(1, reviewers + 1):
        m.Reviewer.objects.create(round=review_round, number=n, group=m.Reviewer.Group.REPRESENTATIVE)
    return review_round


def vote(review_round, org, *grades):
    reviewers = list(review_round.reviewers.order_by("number"))
    for reviewer, grade in zip(reviewers, grades):
        m.Ballot.objects.create(round=review_round, organization=org, reviewer=reviewer, grade=grade)


@pytest.mark.django_db
def test_every_category_has_a_seeded_grade_rule():
    assert set(m.GradeRule.objects.values_list("category", flat=True)) == set(m.ReviewCategory.values)


@pytest.mark.django_db
def test_the_shares_of_the_ballots_decide_the_grade_by_the_category_rule():
    rule = m.GradeRule.objects.get(category=m.ReviewCategory.PUBLIC_PRIMARY)  # 好 from 70%, 一般+差 at most 10%
    assert rule.judge({G.GOOD: 7, G.FINE: 3})[0] == G.GOOD
    assert rule.judge({G.GOOD: 7, G.FINE: 1, G.FAIR: 2})[0] == G.FINE  # 20% 一般 bars 好
    assert rule.judge({G.GOOD: 3, G.FINE: 4, G.FAIR: 3})[0] == G.FINE
    assert rule.judge({G.GOOD: 3, G.FINE: 3, G.FAIR: 4})[0] == G.FAIR
    assert rule.judge({G.GOOD: 3, G.FAIR: 3, G.POOR: 4})[0] == G.POOR
    grade, reasons = rule.judge({})
    assert grade is None and reasons == ["尚无测评票"]


@pytest.mark.django_db
def test_the_office_changing_a_threshold_changes_the_grade():
    rule = m.GradeRule.objects.get(category=m.ReviewCategory.PUBLIC_PRIMARY)
    assert rule.judge({G.GOOD: 7, G.FINE: 3})[0] == G.GOOD
    rule.good_share = 80
    assert rule.judge({G.GOOD: 7, G.FINE: 3})[0] == G.FINE


@pytest.mark.django_db
def test_a_rectification_case_past_its_deadline_caps_the_grade_and_says_why(district):
    review_round = a_round()
    vote(review_round, district.branch, *[G.GOOD] * 10)
    vote(review_round, district.other, *[G.GOOD] * 10)
    district.other_case.status, district.other_case.closed_on = m.RectificationCase.Status.CLOSED, D(2023, 9, 1)
    district.other_case.save()
    found = secretary_reviews.grades(review_round, [district.branch, district.other])
    assert found[district.other.pk].grade == G.GOOD
    assert found[district.branch.pk].grade == G.FAIR  # deadline 2023-09-30, still open at the meeting
    assert "软弱涣散整顿逾期未销号，等次最高为“一般”" in found[district.branch.pk].reasons
    assert found[district.branch.pk].reasons[0].startswith("10张测评票")


@pytest.mark.django_db
def test_an_overdue_election_caps_the_grade_only_where_the_office_keeps_that_veto(build):
    org = build.org("城关小学党支部")
    m.Election.objects.create(organization=org, held_on=D(2019, 5, 1))  # a 3-year term, over in 2022
    review_round = a_round()
    vote(review_round, org, *[G.GOOD] * 10)
    assert secretary_reviews.grades(review_round, [org])[org.pk].grade == G.FINE
    m.GradeRule.objects.filter(category=m.ReviewCategory.PUBLIC_PRIMARY).update(election_overdue_cap="")
    assert secretary_reviews.grades(review_round, [org])[org.pk].grade == G.GOOD


@pytest.mark.django_db
def test_a_reviewer_gives_one_organization_one_ballot(build):
    org = build.org()
    review_round = a_round(reviewers=1)
    vote(review_round, org, G.GOOD)
    with pytest.raises(IntegrityError), transaction.atomic():
        vote(review_round, org, G.FAIR)


@pytest.mark.django_db
def test_grades_for_a_whole_round_take_a_fixed_number_of_queries(build, django_assert_max_num_queries):
    orgs = [build.org() for _ in range(12)]
    review_round = a_round()
    for org in orgs:
        vote(review_round, org, G.GOOD, G.FINE, G.GOOD)
    with django_assert_max_num_queries(6):
        found = secretary_reviews.grades(review_round, orgs)
    assert len(found) == 12


@pytest.mark.django_db
def test_a_round_without_chosen_organizations_reports_every_basic_level_one(district):
    review_round = a_round()
    assert set(review_round.reporting()) == {district.school, district.other}


@pytest.mark.django_db
def test_a_secretary_sees_only_their_subtrees_ballots_reports_and_follow_ups(district, office, secretary):
    review_round = a_round(reviewers=2)
    vote(review_round, district.school, G.GOOD)
    vote(review_round, district.other, G.FAIR)
    mine = m.SecretaryReport.objects.create(round=review_round, organization=district.school)
    theirs = m.SecretaryReport.objects.create(round=review_round, organization=district.other)
    other_follow_up = m.FollowUp.objects.create(round=review_round, organization=district.other, problem="三会一课记录不全",
                                                deadline=D(2024, 6, 30))
    client = as_user(secretary)
    page = client.get(reverse("admin:branches_ballot_changelist"))
    assert page.status_code == 200 and "博文学校党支部" not in page.content.decode()
    assert client.get(reverse("admin:branches_secretaryreport_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:branches_secretaryreport_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:branches_followup_change", args=[other_follow_up.pk])).status_code == 404
    ballot = m.Ballot.objects.get(organization=district.other)
    assert client.get(reverse("admin:branches_ballot_change", args=[ballot.pk])).status_code == 404
    listed = as_user(office).get(reverse("admin:branches_secretaryreport_changelist")).content.decode()
    assert "博文学校党支部" in listed and "综合等次" in listed


@pytest.mark.django_db
def test_the_round_and_the_rules_are_the_offices_a_secretary_only_reads_them(district, secretary):
    rule = m.GradeRule.objects.first()
    client = as_user(secretary)
    assert client.post(reverse("admin:branches_graderule_change", args=[rule.pk]), {"good_share": 1}).status_code == 403
    assert client.get(reverse("admin:branches_reviewround_add")).status_code == 403
