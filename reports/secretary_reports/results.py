"""The dashboard's card on a year's 述职评议: grades by category, who has not submitted, problems open."""

from django.db.models import Avg
from django.urls import reverse

from branches import models as m
from branches import secretary_reviews
from branches.dates import today


def card(year, organizations=None):
    """None where the year has no round; `organizations` limits it to a secretary's subtree."""
    review_round = m.ReviewRound.objects.filter(year=year).first()
    if review_round is None:
        return None
    reporting = review_round.reporting()
    if organizations is not None:
        reporting = reporting.filter(pk__in=organizations.values("pk"))
    results = secretary_reviews.grades(review_round, reporting)
    submitted = set(m.SecretaryReport.objects.filter(round=review_round, organization_id__in=results).exclude(
        review_status__in=[m.SecretaryReport.DRAFT, m.Review.RETURNED]).values_list("organization_id", flat=True))
    follow_ups = m.FollowUp.objects.filter(round=review_round, organization_id__in=results)
    on = today()
    return {
        "round": review_round,
        "categories": [(label, [sum(1 for r in ranked if r.grade == g) for g in m.GRADE_ORDER])
                       for label, _, ranked in secretary_reviews.ranked(results)],
        "grades": [g.label for g in m.GRADE_ORDER],
        "unsubmitted": [r.organization for r in results.values() if r.organization.pk not in submitted],
        "open": follow_ups.open().count(), "late": follow_ups.late(on).count(),
        "url": reverse("secretary_reports", args=[year]), "ranking_url": reverse("secretary_reports_ranking", args=[year]),
        "follow_ups_url": reverse("admin:branches_followup_changelist") + f"?round__id__exact={review_round.pk}&done_on__isempty=1",
    }


def weakest_item(review_round, results):
    """", 平均测评得分…，…“item”得分率最低" from the scores of the reporting organizations' ballots ("" without any)."""
    scored = sum(r.scored for r in results.values())
    if not scored:
        return ""
    text = f"，平均测评得分{sum(r.score_sum for r in results.values()) / scored:.1f}分"
    items = (m.ItemScore.objects.filter(ballot__round=review_round, ballot__organization_id__in=results)
             .values("item__name", "item__full_marks").annotate(average=Avg("score")).order_by())
    if len(items) > 1:
        low = min(items, key=lambda i: i["average"] / i["item__full_marks"])
        text += (f"，各测评项目中“{low['item__name']}”得分率最低（平均{low['average']:.1f}分，"
                 f"满分{low['item__full_marks']}分）")
    return text


def annual_sentences(year):
    """The committee's annual report, under 全面落实主体责任: the year's 述职评议 as the records hold it ([] if none)."""
    review_round = m.ReviewRound.objects.filter(year=year).first()
    if review_round is None:
        return []
    results = secretary_reviews.grades(review_round)
    if not results:
        return []
    ballots = sum(r.total for r in results.values())
    graded = [f"“{g.label}”{n}个" for g in m.GRADE_ORDER if (n := sum(1 for r in results.values() if r.grade == g))]
    follow_ups = m.FollowUp.objects.filter(round=review_round, organization_id__in=results)
    listed, done = follow_ups.count(), follow_ups.filter(done_on__isnull=False).count()
    comments = m.Comment.objects.filter(round=review_round, organization_id__in=results).count()
    text = f"组织开展{year}年度基层党组织书记抓基层党建工作述职评议，{len(results)}名书记述职"
    if ballots:
        text += f"，收回民主测评票{ballots}张"
        text += weakest_item(review_round, results)
    if graded:
        text += f"，综合评定{'、'.join(graded)}"
    if comments:
        text += f"，逐一点评{comments}人次"
    if listed:
        text += f"，列出整改事项{listed}项、已完成{done}项"
    return [text + "。"]
