"""summary.xlsx of a 述职评议: one row per organization with its grade, its ballots by grade (never who gave
them), the key figures behind its report and its follow-ups with their status."""
from branches import models as m
from branches import secretary_reviews
from branches.sheets import write_workbook

from . import content

HEADERS = ["党组织", "考核类别", "述职报告", "综合等次", "评定依据", "测评票数", "好", "较好", "一般", "差", "在册党员",
           "年内新入党", "接收预备党员", "组织生活会议（次）", "“三会一课”落实率", "换届选举（次）", "标准化达标/参评",
           "班子配备", "年底预警事项", "整改事项", "未完成整改事项", "整改事项及进展"]


def headers(items):
    """The columns: the 测评's average score and each item's after the ballots by grade."""
    at = HEADERS.index("差") + 1
    return HEADERS[:at] + ["平均测评得分", "加权测评得分"] + [f"{i.name}（{i.full_marks}分）平均得分" for i in items] + HEADERS[at:]


def rows(review_round, organizations, items):
    organizations = list(organizations)
    facts = content.gather(review_round.year, organizations)
    results = secretary_reviews.grades(review_round, organizations)
    stored = {r.organization_id: r for r in m.SecretaryReport.objects.filter(round=review_round,
                                                                             organization__in=organizations)}
    follow_ups = {}
    for follow_up in m.FollowUp.objects.filter(round=review_round, organization__in=organizations).order_by("deadline"):
        follow_ups.setdefault(follow_up.organization_id, []).append(follow_up)
    for org in organizations:
        f, result, report, listed = facts[org.pk], results[org.pk], stored.get(org.pk), follow_ups.get(org.pk, [])
        status = [f"{i}. {u.problem}（时限{u.deadline:%Y-%m-%d}，"
                  + (f"{u.done_on:%Y-%m-%d}完成" if u.done_on else "未完成") + (f"；{u.progress}" if u.progress else "") + "）"
                  for i, u in enumerate(listed, start=1)]
        yield [org.name, m.ReviewCategory(result.category).label,
               report.get_review_status_display() if report else "未提交", result.grade_label, "；".join(result.reasons),
               result.total, *(result.counts.get(g, 0) for g in m.GRADE_ORDER), result.average, result.weighted,
               *(result.item_averages.get(i.pk) for i in items), f.on_roll, f.joined, f.recruited,
               f.meetings_held, f.meetings.percent, f.elections, f"{f.met}/{f.assessed}", f.staffing,
               "、".join(title for _, title in f.still) or "无", len(listed), sum(1 for u in listed if not u.done_on),
               "\n".join(status) or "无"]


def render_xlsx(review_round, organizations):
    items = list(review_round.items.all())
    specs = [(h, "general", (), False) for h in headers(items)]
    return write_workbook(specs, rows(review_round, organizations, items), f"{review_round.year}年度述职评议汇总")
