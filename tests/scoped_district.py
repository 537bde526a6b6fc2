"""A small district with two schools and an account for each role, for the scoping and audit tests.

Imported by the test modules that need it (fixtures: district, office, leader, secretary, as_user).
"""
import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import roles
from branches import models as m

D = datetime.date


@dataclass
class District:
    root: m.Organization
    school: m.Organization  # the secretary's party committee (a private school, so it has rectification)
    branch: m.Organization  # a branch under it
    other: m.Organization  # another school's branch: never seen by the secretary
    member: m.Member
    other_member: m.Member
    election: m.Election
    other_election: m.Election
    assessment: m.Assessment
    other_assessment: m.Assessment
    item: m.AssessmentItem
    other_item: m.AssessmentItem
    case: m.RectificationCase
    other_case: m.RectificationCase
    progress: m.RectificationProgress
    other_progress: m.RectificationProgress

    def mine(self, model):
        """The secretary's record of this model, and the other school's."""
        name = {m.Organization: "branch", m.Member: "member", m.Election: "election", m.Assessment: "assessment",
                m.AssessmentItem: "item", m.RectificationCase: "case", m.RectificationProgress: "progress"}[model]
        return getattr(self, name), getattr(self, f"other_{name}" if name != "branch" else "other")


@pytest.fixture
def district(build):
    private = {"unit_category": m.UnitCategory.PRIVATE_SCHOOL}
    school = build.org("育英学校党委", kind=m.OrgKind.PARTY_COMMITTEE, **private)
    branch = build.org("育英学校第一党支部", parent=school, **private)
    other = build.org("博文学校党支部", **private)
    item = m.StandardItem.objects.order_by("pk").first()

    def assessment(org):
        a = m.Assessment.objects.create(organization=org, year=2023, result="passed", assessed_on=D(2023, 12, 1))
        return a, m.AssessmentItem.objects.create(assessment=a, item=item, score=item.points)

    def case(org):
        c = m.RectificationCase.objects.create(organization=org, year=2023, problems="组织生活不规范", deadline=D(2023, 9, 30))
        return c, m.RectificationProgress.objects.create(case=c, date=D(2023, 6, 15), note="6月督查")

    (a, i), (oa, oi) = assessment(branch), assessment(other)
    (c, p), (oc, op) = case(branch), case(other)
    return District(
        root=build.root, school=school, branch=branch, other=other,
        member=build.member(branch, name="王建华", phone="13912345678"),
        other_member=build.member(other, name="李秀英", phone="13887654321"),
        election=m.Election.objects.create(organization=branch, held_on=D(2022, 5, 1)),
        other_election=m.Election.objects.create(organization=other, held_on=D(2022, 5, 2)),
        assessment=a, other_assessment=oa, item=i, other_item=oi, case=c, other_case=oc, progress=p, other_progress=op,
    )


def account(username, role, organization):
    user = get_user_model().objects.create_user(username, password="a-long-test-password")
    return roles.grant(user, role, organization)


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office(district):
    return account("office", roles.ADMIN, district.root)


@pytest.fixture
def leader(district):
    return account("leader", roles.LEADER, district.root)


@pytest.fixture
def secretary(district):
    return account("育英学校党委", roles.SECRETARY, district.school)
