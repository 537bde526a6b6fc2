"""党支部建设标准化: the catalogue's thresholds decide what result an assessment's item scores allow."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches import models as m

R = m.AssessmentResult


@pytest.fixture
def scored(build):
    """An assessment of a branch with every active item scored full, less `short` points on one item of each kind."""
    def make(result, short_required=0, short_other=0):
        a = m.Assessment.objects.create(organization=build.org(), year=2023, assessed_on=datetime.date(2023, 12, 10))
        items = list(m.StandardItem.objects.filter(is_active=True))
        required = next(i for i in items if i.is_required)
        other = next(i for i in items if not i.is_required)
        for item in items:
            less = short_required if item == required else short_other if item == other else 0
            m.AssessmentItem.objects.create(assessment=a, item=item, score=item.points - less)
        a.result = result
        return a
    return make


def refusal(assessment):
    with pytest.raises(ValidationError) as refused:
        assessment.full_clean()
    return refused.value.message_dict["result"][0]


def test_the_catalogue_holds_the_points_for_each_level_and_its_required_items(db):
    assert {lv.result: lv.min_points for lv in m.StandardLevel.objects.all()} == {R.PASSED: 80, R.EXEMPLARY: 95}
    assert set(m.StandardItem.objects.filter(is_required=True).values_list("code", flat=True)) == {"1.2", "2.1"}


def test_a_result_the_scores_reach_is_accepted_and_exemplary_scores_may_be_rated_passed(scored):
    scored(R.EXEMPLARY).full_clean()
    scored(R.PASSED).full_clean()
    scored(R.PASSED, short_other=4).full_clean()  # 96 points
    scored(R.EXEMPLARY, short_other=5).full_clean()  # 95 points: the line itself
    scored(R.FAILED, short_required=1).full_clean()


def test_a_result_above_the_scores_is_refused_with_the_numbers(scored):
    assert refusal(scored(R.EXEMPLARY, short_other=6)) == "细则得分合计94分，低于示范线95分，不能评为示范。"
    assert refusal(scored(R.PASSED, short_required=1)) == "必达项1.2得分不满，不能评为达标。"


def test_failed_where_the_scores_reach_the_standard_is_refused(scored):
    assert refusal(scored(R.FAILED, short_other=3)) == "细则得分合计97分，达到达标线80分且必达项均满分，不能评为未达标。"


def test_the_office_changes_a_threshold_and_the_rule_follows(scored):
    m.StandardLevel.objects.filter(result=R.EXEMPLARY).update(min_points=Decimal("90"))
    scored(R.EXEMPLARY, short_other=6).full_clean()


def test_the_admin_judges_the_result_against_the_scores_entered_with_it(build, admin_client, scored):
    a = scored("", short_other=1)
    a.save()
    rows = list(a.items.select_related("item").order_by("pk"))
    data = {"organization": a.organization_id, "year": 2023, "assessed_on": "2023-12-10", "result": R.EXEMPLARY, "note": "",
            "items-TOTAL_FORMS": len(rows), "items-INITIAL_FORMS": len(rows), "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000}
    for n, row in enumerate(rows):
        score = row.item.points - 6 if row.item.code == "1.1" else row.item.points
        data.update({f"items-{n}-id": row.pk, f"items-{n}-assessment": a.pk, f"items-{n}-item": row.item_id,
                     f"items-{n}-score": score, f"items-{n}-remark": ""})
    response = admin_client.post(reverse("admin:branches_assessment_change", args=[a.pk]), data)
    assert response.status_code == 200
    assert "低于示范线95分" in response.content.decode()
    a.refresh_from_db()
    assert a.result == ""
