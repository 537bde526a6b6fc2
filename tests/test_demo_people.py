"""The demo district's people look like a real district's: ages by job, retirees in branches of their own, names that
fit the recorded gender, ID numbers that agree with the records, branch sizes that differ, minutes numbered in date
order. The district is built once for the module (conftest's `_shared_demo`)."""
import datetime
import re
import statistics
from collections import Counter, defaultdict

from branches import demo as demo_module
from branches import early_warning, idcard
from branches import models as m
from branches.dates import age_on

YEAR_END = datetime.date(2023, 12, 31)
RETIRED = m.Member.Job.RETIRED


def _retiree_branches():
    return m.Organization.objects.filter(name__endswith=demo_module.RETIREE_BRANCH)


def test_members_are_aged_22_to_75_and_only_retirees_past_the_retirement_age(demo):
    # The old rule for retirement: women at 55, men at 60 (demo.RETIREMENT_AGE). No one working is older, no
    # retiree younger.
    ages = list(m.Member.objects.on_roll().values_list("birth_date", "gender", "job"))
    assert all(22 <= age_on(born, YEAR_END) <= 75 for born, _, _ in ages)
    assert all(sex in ("男", "女") for _, sex, _ in ages)
    limit = demo_module.RETIREMENT_AGE
    working = [(age_on(born, YEAR_END), sex) for born, sex, job in ages if job != RETIRED]
    retired = [(age_on(born, YEAR_END), sex) for born, sex, job in ages if job == RETIRED]
    assert all(age <= limit[sex] for age, sex in working)
    assert retired and all(age >= limit[sex] for age, sex in retired)
    assert min(a for a, _ in working) <= 25 and max(a for a, _ in retired) >= 70  # the whole span is used


def test_retirees_sit_only_in_retiree_branches_and_those_hold_only_retirees(demo):
    branches = list(_retiree_branches().select_related("parent"))
    # Three large schools' 党委 hold one each, under the school: the 68 basic-level organizations stay 68.
    assert len(branches) == 3
    assert all(b.kind == m.OrgKind.BRANCH and b.parent.kind == m.OrgKind.PARTY_COMMITTEE for b in branches)
    assert m.Organization.objects.basic_level().count() == 68
    on_roll = m.Member.objects.on_roll()
    assert set(on_roll.filter(organization__in=branches).values_list("job", flat=True)) == {RETIRED}
    assert not on_roll.filter(job=RETIRED).exclude(organization__in=branches).exists()
    # A school branch's secretary works there; no retiree leads one.
    assert not m.Member.objects.secretaries().filter(job=RETIRED).exclude(organization__in=branches).exists()


def test_every_given_name_is_one_of_the_names_for_the_recorded_gender(demo):
    # Surnames are one character (demo.SURNAMES); the rest is a given name from the list for the gender.
    people = list(m.Member.objects.values_list("name", "gender")) + list(m.Recruit.objects.values_list("name", "gender"))
    assert len(people) > 3800
    wrong = [(name, sex) for name, sex in people
             if name[0] not in demo_module.SURNAMES or name[1:] not in demo_module.GIVEN_NAMES.get(sex, ())]
    assert wrong == []
    assert set(demo_module.GIVEN_NAMES["男"]).isdisjoint(demo_module.GIVEN_NAMES["女"])


def test_id_numbers_write_the_birth_date_and_the_gender(demo):
    # GB 11643-1999: characters 7-14 are the birth date, the 17th is odd for men and even for women.
    people = list(m.Member.objects.values_list("id_number", "birth_date", "gender"))
    people += list(m.Recruit.objects.values_list("id_number", "birth_date", "gender"))
    wrong = [p for p in people if (idcard.birth_date(p[0]), idcard.gender(p[0])) != (p[1], p[2])]
    assert wrong == []


ORDINAL = re.compile(r"^(\d{4})年第(\d+)次")


def test_the_minutes_ordinals_follow_the_meeting_dates(demo):
    numbered = defaultdict(list)
    meetings = m.Meeting.objects.order_by("organization_id", "meeting_type_id", "held_on", "pk")
    for org, kind, held, topic in meetings.values_list("organization_id", "meeting_type__name", "held_on", "topic"):
        match = ORDINAL.match(topic)
        if match:
            assert int(match[1]) == held.year and topic.startswith(f"{held.year}年第{match[2]}次{kind}")
            numbered[org, kind, held.year].append(int(match[2]))
    assert {kind for _, kind, _ in numbered} == set(demo_module.NUMBERED_MEETINGS)
    assert all(ordinals == list(range(1, len(ordinals) + 1)) for ordinals in numbered.values())
    assert max(len(o) for o in numbered.values()) >= 12  # a 支委会 a month


def test_the_work_logs_ordinals_follow_its_dates(demo):
    # 党工委会议（第N次）and the like: the Nth of a kind in a year is the Nth by date.
    numbered = defaultdict(list)
    for kind, day, title in m.WorkLogEntry.objects.order_by("date", "pk").values_list("kind", "date", "title"):
        match = re.search(r"（第(\d+)次）$", title)
        if match:
            numbered[kind, day.year].append(int(match[1]))
    assert len(numbered[m.WorkKind.COMMITTEE_MEETING, 2023]) == 11
    assert all(ordinals == list(range(1, len(ordinals) + 1)) for ordinals in numbered.values())


def test_branch_sizes_differ_with_small_branches_and_one_over_50_that_the_warning_names(demo):
    sizes = Counter(m.Member.objects.on_roll().filter(organization__kind__in=m.BRANCH_KINDS)
                    .values_list("organization__name", flat=True))
    small = [name for name, n in sizes.items() if 3 <= n <= 6]
    [large] = [name for name, n in sizes.items() if n > m.BRANCH_MAX_MEMBERS]
    assert len(small) >= 2
    assert len(set(sizes.values())) >= 30 and statistics.pstdev(sizes.values()) > 8
    # 中国共产党支部工作条例（试行）第四条: "党支部党员人数一般不超过50人" (looked up with the search tool, corpus
    # pages); the warning names the one branch past it and says to split it or make it a 党总支.
    hits = early_warning.evaluate(YEAR_END, codes=["too_large"]).hits
    assert [h.organization.name for h in hits] == [large]
    assert "应分设党支部或升格为党总支" in hits[0].detail
