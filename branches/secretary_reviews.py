"""述职评议考核: the overall grade (综合等次) of every reporting secretary, by the office's rule for their category.

The share thresholds and the vetoes' caps are `GradeRule` rows (the office edits them); this module gathers what
they are applied to, for a whole round in a fixed number of queries: the ballots by grade, the organizations whose
own election is overdue, whose rectification case is past its deadline, and whose previous round's follow-ups are
late, all as of the review meeting (else the year's last day).
"""
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Sum

from . import models as m


@dataclass
class Result:
    organization: object
    category: str
    counts: dict = field(default_factory=dict)
    grade: str = None
    reasons: list = field(default_factory=list)
    score_sum: object = 0  # of the ballots that have a 测评得分
    scored: int = 0
    item_averages: dict = field(default_factory=dict)  # {item id: the reviewers' average score}
    weighted: object = None  # 加权测评得分 out of 100, by the category's weights (GradeRule.weighted_score)

    @property
    def average(self):
        """The ballots' average 测评得分 (each the sum of its item scores where it has them); None without scores."""
        return one_place(self.score_sum / self.scored) if self.scored else None

    @property
    def grade_label(self):
        return m.Grade(self.grade).label if self.grade else "未评定"

    @property
    def ordered_counts(self):
        return [self.counts.get(g, 0) for g in m.GRADE_ORDER]

    @property
    def total(self):
        return sum(self.counts.values())


def one_place(number):
    """An average as the office writes it: one decimal place, halves up (97.25 is 97.3)."""
    return Decimal(number).quantize(Decimal("0.1"), ROUND_HALF_UP)


def as_of(review_round):
    return review_round.held_on or datetime.date(review_round.year, 12, 31)


def roots(organizations):
    """{organization id: the reporting organization whose subtree holds it}, from one query of the tree."""
    reporting = {o.pk for o in organizations}
    parent = dict(m.Organization.objects.values_list("pk", "parent_id"))
    found = {}
    for pk in parent:
        node, seen = pk, set()
        while node is not None and node not in reporting and node not in seen:
            seen.add(node)
            node = parent.get(node)
        if node in reporting:
            found[pk] = node
    return found


def grades(review_round, organizations=None):
    """{organization id: Result} for the round's reporting organizations (or the given ones among them)."""
    organizations = list(organizations if organizations is not None else review_round.reporting())
    ids = [o.pk for o in organizations]
    on = as_of(review_round)
    rules = {r.category: r for r in m.GradeRule.objects.prefetch_related("weights")}
    round_items = {item.pk: item for item in review_round.items.all()}
    counts, scores = {}, {}
    for row in (m.Ballot.objects.filter(round=review_round, organization_id__in=ids)
                .values("organization_id", "grade").annotate(n=Count("pk"), total=Sum("score"), scored=Count("score"))
                .order_by()):
        counts.setdefault(row["organization_id"], {})[row["grade"]] = row["n"]
        total, scored = scores.get(row["organization_id"], (0, 0))
        scores[row["organization_id"]] = (total + (row["total"] or 0), scored + row["scored"])
    items = {}
    for row in (m.ItemScore.objects.filter(ballot__round=review_round, ballot__organization_id__in=ids)
                .values("ballot__organization_id", "item_id").annotate(average=Avg("score")).order_by()):
        items.setdefault(row["ballot__organization_id"], {})[row["item_id"]] = one_place(row["average"])
    overdue = set(m.Organization.objects.filter(pk__in=ids).election_overdue(on).values_list("pk", flat=True))
    past = set(m.RectificationCase.objects.filter(organization_id__in=ids).past_deadline(on)
               .values_list("organization_id", flat=True))
    late = set(m.FollowUp.objects.filter(round__year=review_round.year - 1, organization_id__in=ids).late(on)
               .values_list("organization_id", flat=True))
    results = {}
    for org in organizations:
        category = m.review_category(org)
        result = Result(org, category, counts.get(org.pk, {}), item_averages=items.get(org.pk, {}))
        result.score_sum, result.scored = scores.get(org.pk, (0, 0))
        vetoes = ([("election_overdue_cap", "本组织换届逾期")] if org.pk in overdue else []) + (
            [("rectification_overdue_cap", "软弱涣散整顿逾期未销号")] if org.pk in past else []) + (
            [("follow_up_late_cap", "上年述职整改事项逾期未完成")] if org.pk in late else [])
        rule = rules.get(category)
        if rule is None:
            result.reasons = [f"{m.ReviewCategory(category).label}尚无综合等次评定规则"]
        else:
            result.weighted = rule.weighted_score(
                {round_items[pk]: average for pk, average in result.item_averages.items() if pk in round_items},
                rule.weights_by_name())
            result.grade, result.reasons = rule.judge(result.counts, vetoes, result.weighted)
        results[org.pk] = result
    return results


def ranked(results):
    """[(category label, rule, [Result best first])] in the categories' order: by grade, then the share of 好, then
    the 加权测评得分 (the item scores by the category's weights)."""
    rules = {r.category: r for r in m.GradeRule.objects.prefetch_related("weights")}
    by_category = {}
    for result in results.values():
        by_category.setdefault(result.category, []).append(result)

    def key(result):
        grade = m.GRADE_ORDER.index(m.Grade(result.grade)) if result.grade else len(m.GRADE_ORDER)
        good = result.counts.get(m.Grade.GOOD, 0) / result.total if result.total else 0
        weighted = result.weighted
        return grade, -good, weighted is None, -(weighted or 0), result.organization.sort_order

    return [(c.label, rules.get(c.value), sorted(by_category[c.value], key=key))
            for c in m.ReviewCategory if c.value in by_category]
