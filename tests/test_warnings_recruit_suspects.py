"""The recruitment checks fetch from the database only the recruits they may find at fault (recruit_suspects: each
check's condition in SQL, the time rules' a little wider, StepRule.may_fail_q) and judge those in Python: the
findings are the ones judging every recruit in view gives, for every unit a time rule may have, on month ends,
29 February and weekends, on SQLite and PostgreSQL alike.

The checks are 中国共产党发展党员工作细则's (see tests/test_recruitment.py for the articles); this file checks
only that narrowing the recruits in SQL leaves their findings as they were.
"""
import datetime
import random

import pytest
from django.db.models import Q

from branches import early_warning as ew
from branches import models as m
from branches.idcard import make_id_number

D = datetime.date
RECRUIT_RULES = [r.code for r in ew.RULES if r.code.startswith("recruit_")]
DAYS = [D(2023, 12, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 6, 1), D(2024, 6, 2), D(2024, 9, 30)]


@pytest.fixture
def recruits(build):
    """300 recruits with steps at random distances, some out of order or missing, some contacts not full members."""
    rng = random.Random(20231231)
    org = build.org("育英学校第一党支部")
    contacts = [build.member(org), build.member(org, status=m.Member.Status.PROBATIONARY),
                build.member(org, roll_status=m.Member.Roll.DECEASED, left_on=D(2023, 5, 1)), None]
    rows = []
    for seq in range(300):
        day, steps = D(2022, 1, 1) + datetime.timedelta(days=rng.randrange(700)), {}
        for step in m.Step:
            if rng.random() < 0.15:
                continue  # not dated (yet)
            day += datetime.timedelta(days=rng.choice([-3, 0, 1, 2, 4, 5, 6, 7, 9, 27, 28, 29, 31, 61, 92, 364, 366, 400]))
            steps[step.value] = day
        steps.setdefault("applied_on", D(2022, 1, 1))
        rows.append(m.Recruit(name=f"发展对象{seq}", id_number=make_id_number("620402", D(1995, 3, 8), seq),
                              organization=org, contact_1=rng.choice(contacts), contact_2=rng.choice(contacts), **steps))
    m.Recruit.objects.bulk_create(rows)  # past clean(): records out of order are what one check looks for
    return org


def findings(on):
    return sorted((h.rule.code, h.records, h.detail) for h in ew.evaluate(on, codes=RECRUIT_RULES).hits)


@pytest.mark.parametrize("unit", m.StepRule.Unit.values)
def test_the_recruits_fetched_for_the_checks_give_the_findings_every_recruit_in_view_gives(recruits, monkeypatch, unit):
    m.StepRule.objects.update(unit=unit, minimum=5, maximum=7)
    m.StepRule.objects.filter(step=m.Step.TALKED).update(minimum=None, maximum=1)
    m.StepRule.objects.filter(step=m.Step.TRAINED).update(minimum=3, maximum=None)
    narrowed = {on: findings(on) for on in DAYS}
    monkeypatch.setattr(ew, "recruit_suspects", lambda ctx: Q())  # every recruit in view, judged one by one
    for on in DAYS:
        assert narrowed[on] == findings(on), on
    assert any(narrowed.values())


def test_a_time_rules_day_counts_bound_every_start_in_its_unit():
    # The bounds the SQL compares with: a month 28 to 31 days, a year 365 or 366, five working days 4 to 6 days.
    assert m.StepRule.span(m.StepRule.Unit.MONTHS, 1) == (28, 31)
    assert m.StepRule.span(m.StepRule.Unit.YEARS, 1) == (365, 366)
    assert m.StepRule.span(m.StepRule.Unit.WORKDAYS, 5) == (4, 6)
    assert m.StepRule.span(m.StepRule.Unit.DAYS, 3) == (2, 2)
