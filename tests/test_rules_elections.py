"""Elections by kind (换届 / 补选 / 延期换届), what the upper committee checks, and its approval."""
import datetime

import pytest
from conftest import make_xlsx
from django.core.exceptions import ValidationError

from branches import early_warning as warnings
from branches import models as m
from reports.figures import district
from test_import import preview_of

ON = datetime.date(2023, 12, 31)
K = m.Election.Kind
APPROVAL = {"approval_document": "红教工委复〔2020〕3号", "approved_on": datetime.date(2020, 6, 20)}


def refusal(election, field):
    with pytest.raises(ValidationError) as refused:
        election.full_clean()
    return refused.value.message_dict[field][0]


def term_end(org, on=ON):
    return m.Organization.objects.with_last_election(on).get(pk=org.pk).term_ends_on


def test_a_by_election_fills_a_seat_and_does_not_restart_the_term(build):
    org = build.org()
    m.Election.objects.create(organization=org, held_on=datetime.date(2021, 6, 1), **APPROVAL)
    by = m.Election.objects.create(organization=org, held_on=datetime.date(2023, 3, 1), kind=K.BY_ELECTION)
    assert by.term_ends_on is None
    assert term_end(org) == datetime.date(2024, 6, 1)
    assert m.Organization.objects.with_last_election(ON).get(pk=org.pk).last_election_on == datetime.date(2021, 6, 1)
    # the year's 换届 count is of new terms only
    assert district(2023).elections.held == 0


# 中国共产党基层组织选举工作条例 (2020) 第三条: 如需延期……应当报上级党组织批准，延长……期限一般不超过1年.
def test_an_approved_postponement_moves_the_term_end_and_the_election_is_not_overdue_until_then(build):
    org = build.org()
    m.Election.objects.create(organization=org, held_on=datetime.date(2020, 6, 1), **APPROVAL)
    assert m.election_status(term_end(org), ON) == m.ElectionState.OVERDUE
    m.Election.objects.create(organization=org, held_on=datetime.date(2023, 5, 10), kind=K.POSTPONED,
                              postponed_to=datetime.date(2024, 5, 31), approval_document="红教工委复〔2023〕9号",
                              approved_on=datetime.date(2023, 5, 20))
    assert term_end(org) == datetime.date(2024, 5, 31)
    assert m.election_status(term_end(org), ON) == m.ElectionState.DUE
    assert org not in {h.organization for h in warnings.evaluate(ON, codes=["election_overdue"]).hits}
    # before the approval came, the old term's end stood
    assert term_end(org, datetime.date(2023, 5, 15)) == datetime.date(2023, 6, 1)


def test_a_postponement_without_approval_leaves_the_election_overdue(build):
    org = build.org()
    m.Election.objects.create(organization=org, held_on=datetime.date(2020, 6, 1), **APPROVAL)
    m.Election.objects.create(organization=org, held_on=datetime.date(2023, 5, 10), kind=K.POSTPONED,
                              postponed_to=datetime.date(2024, 5, 31))
    assert m.election_status(term_end(org), ON) == m.ElectionState.OVERDUE


# 选举工作条例 (2020) 第三条: 延长期限一般不超过1年 (counted from the term's end).
def test_a_postponement_beyond_one_year_from_the_terms_end_is_refused_with_the_latest_day(build):
    org = build.org()
    m.Election.objects.create(organization=org, held_on=datetime.date(2020, 6, 1), **APPROVAL)
    late = m.Election(organization=org, held_on=datetime.date(2023, 5, 10), kind=K.POSTPONED,
                      postponed_to=datetime.date(2024, 6, 2))
    assert refusal(late, "postponed_to") == "延期不能超过1年：原任期2023-06-01届满，最迟延至2024-06-01。"
    late.postponed_to = datetime.date(2024, 6, 1)
    late.full_clean()
    assert "请填写延期至" in refusal(m.Election(organization=org, held_on=datetime.date(2023, 5, 11), kind=K.POSTPONED), "postponed_to")


# The quorum: 有选举权的到会人数超过应到会人数的五分之四 (选举工作条例; the 2020 edition's article number is unconfirmed:
# the texts found quote the rule from the 1990 暂行条例 and from handbooks, without the 2020 numbering).
def test_an_election_needs_more_than_four_fifths_of_the_electorate_present(build):
    org = build.org()
    exactly = m.Election(organization=org, held_on=datetime.date(2023, 3, 1), electorate=20, present=16)
    assert refusal(exactly, "present") == "实到会16人，未超过应到会20人的五分之四（至少17人），选举无效。"
    exactly.present = 17
    exactly.full_clean()
    assert "多于应到会" in refusal(m.Election(organization=org, held_on=datetime.date(2023, 3, 2), electorate=20, present=21), "present")
    assert "应到会有选举权党员数" in refusal(m.Election(organization=org, held_on=datetime.date(2023, 3, 3), present=5), "electorate")


# 差额选举: 候选人数应多于应选人数的20% (选举工作条例; article number unconfirmed, as above), rounded up (进一法).
@pytest.mark.parametrize("seats, fewest", [(3, 4), (5, 6), (7, 9)])
def test_a_contested_election_needs_twenty_percent_more_candidates_than_seats(build, seats, fewest):
    org = build.org()
    short = m.Election(organization=org, held_on=datetime.date(2023, 3, 1), seats=seats, candidates=fewest - 1)
    assert refusal(short, "candidates") == (f"差额选举候选人数应多于应选人数的20%：应选{seats}人，候选人至少{fewest}人，"
                                            f"登记的是{fewest - 1}人。")
    short.candidates = fewest
    short.full_clean()
    assert "同时填写" in refusal(m.Election(organization=org, held_on=datetime.date(2023, 3, 2), seats=seats), "candidates")


def test_the_warning_list_shows_the_current_terms_elections_without_the_upper_committees_approval(build):
    unapproved, approved_later, old_one, fine = build.org(), build.org(), build.org(), build.org()
    m.Election.objects.create(organization=unapproved, held_on=datetime.date(2023, 3, 1))
    m.Election.objects.create(organization=approved_later, held_on=datetime.date(2023, 12, 20),
                              approval_document="红教工委复〔2024〕1号", approved_on=datetime.date(2024, 1, 5))
    m.Election.objects.create(organization=old_one, held_on=datetime.date(2017, 3, 1))  # a term ago: not this term's
    m.Election.objects.create(organization=old_one, held_on=datetime.date(2020, 3, 1), **APPROVAL)
    m.Election.objects.create(organization=fine, held_on=datetime.date(2021, 3, 1), **APPROVAL)
    hits = warnings.evaluate(ON, codes=["election_unapproved"]).hits
    assert {h.organization: h.detail for h in hits} == {
        unapproved: "2023年3月1日换届未登记上级党委批复文号和日期",
        approved_later: "2023年12月20日换届未登记上级党委批复文号和日期",
    }
    assert warnings.RULES_BY_CODE["election_unapproved"].badge == "换届未批复"
    assert approved_later not in {h.organization for h in warnings.evaluate(datetime.date(2024, 1, 5), codes=["election_unapproved"]).hits}


def test_imported_elections_carry_their_kind_and_the_checks_with_row_and_column_errors(build, sheets):
    branch = build.org(name="红山区第二小学党支部")
    other = build.org(name="红山区第三小学党支部")
    data = make_xlsx(
        ("党组织", "选举类别", "选举日期", "应到会有选举权党员数", "实到会有选举权党员数", "候选人数", "应选人数"),
        (branch.name, "换届", "2023-03-01", 20, 19, 4, 3),
        (other.name, "换届", "2023-03-01", 20, 16, 4, 3),
    )
    [problem] = preview_of(sheets.upload("election", data))["problems"]
    assert (problem.row, problem.column) == (3, "实到会有选举权党员数") and "五分之四" in problem.message
    assert not m.Election.objects.exists()
    data = make_xlsx(("党组织", "选举类别", "选举日期", "应到会人数", "实到人数", "候选人人数", "应选名额"),
                     (branch.name, "补选", "2023-03-01", 20, 19, 2, 1))
    sheets.confirm("election", sheets.upload("election", data))
    election = m.Election.objects.get()
    assert (election.kind, election.electorate, election.present, election.term_ends_on) == (K.BY_ELECTION, 20, 19, None)
