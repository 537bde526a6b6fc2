"""待办: what each role has to do next, from the records, each item linking to the record or the list behind it.

- the office (工委管理员): entries awaiting review by organization and age, rectification cases awaiting 验收,
  elections without the upper committee's approval, recruits accepted by a 党员大会 awaiting approval;
- a secretary (党组织书记): entries the office returned (with its reason), elections due or overdue, probationary
  members due for conversion, 发展党员 steps waiting past their time (an application unanswered for a month),
  meetings due this period and not yet recorded, rectification deadlines, transfers into their organization awaiting
  receipt (the office: 转出 letters whose 回执 has not come back);
- a leader (领导): the organizations assigned to them (包抓) with their warnings.

A fixed number of queries whatever the size of the district.
"""
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min
from django.urls import reverse

from branches import links
from branches import models as m
from branches import scope
from branches.dates import add_years, today
from branches.early_warning import evaluate
from branches.periods import period_containing

REVIEWED = [m.Meeting, m.Assessment, m.Election, m.RectificationProgress, m.RectificationCase, m.Recruit, m.MemberChange]
# A secretary's 述职报告 waits for the office like the entries above; returned, it shows under 述职评议, on its own page.
OFFICE_REVIEWS = REVIEWED + [m.SecretaryReport]
DEADLINE_DAYS = 30  # a rectification deadline this close shows before it passes
CONVERSION_NOTICE_DAYS = 30  # a probation ending this soon shows before it ends


@dataclass
class Item:
    text: str
    url: str
    detail: str = ""
    since: datetime.date = None
    phone_url: str = ""  # where a phone answers it, if not the admin page


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)


def _org_path(model):
    return model._default_manager.all().organization_path


def _within(queryset, organizations):
    if organizations is None:
        return queryset
    return queryset.filter(**{f"{_org_path(queryset.model)}__in": organizations.values("pk")})


def awaiting_review(organizations=None):
    """How many entries wait for the office's review, in one query; not remembered with the figures: the count
    moves with every submission and every review."""
    first, *rest = [_within(model.objects.pending(), organizations).values_list("review_status").order_by()
                    for model in OFFICE_REVIEWS]
    return first.union(*rest, all=True).count()


def office_sections(on, organizations=None):
    waiting = Section("待审核")
    for model in OFFICE_REVIEWS:
        path = _org_path(model)
        rows = (_within(model.objects.pending(), organizations)
                .values(f"{path}__pk", f"{path}__name").annotate(n=Count("pk"), since=Min("submitted_at"))
                .order_by("since"))
        for row in rows:
            org_pk = row[f"{path}__pk"]
            query = f"review_status__exact={m.Review.PENDING}" + (
                f"&{path}__id__exact={org_pk}" if "__" not in path else "")
            since = row["since"].date() if row["since"] else None
            waiting.items.append(Item(
                f"{row[f'{path}__name']}：{model._meta.verbose_name}{row['n']}条待审核",
                links.changelist(model._meta.model_name, query),
                f"最早于{since:%Y-%m-%d}提交，已等{(on - since).days}天" if since else "", since,
            ))
    waiting.items.sort(key=lambda i: i.since or on)
    accept = Section("待验收的整顿")
    for case in _within(m.RectificationCase.objects.filter(status=m.RectificationCase.Status.AWAITING), organizations) \
            .select_related("organization").order_by("deadline"):
        accept.items.append(Item(f"{case.organization}：{case.year}年整顿待验收销号", links.change("rectificationcase", case.pk),
                                 f"整改时限{case.deadline:%Y-%m-%d}"))
    approve = Section("待批复的换届选举")
    for election in _within(m.Election.objects.filter(approved_on__isnull=True), organizations) \
            .select_related("organization").order_by("held_on"):
        approve.items.append(Item(f"{election.organization}：{election.held_on:%Y-%m-%d}{election.get_kind_display()}未批复",
                                  links.change("election", election.pk)))
    recruits = Section("待审批的发展党员")
    for recruit in _within(m.Recruit.objects.filter(accepted_on__isnull=False, approved_on__isnull=True), organizations) \
            .select_related("organization").order_by("accepted_on"):
        recruits.items.append(Item(f"{recruit.organization}：{recruit.name}支部大会已讨论接收，待上级党委审批",
                                   links.change("recruit", recruit.pk), f"支部大会{recruit.accepted_on:%Y-%m-%d}"))
    return [waiting, accept, approve, recruits, transfers_awaiting(None, on)]


def transfers_awaiting(user, on):
    """组织关系转接待接收: for a secretary (user), the 系统内转接 into their subtree that they may confirm; for the
    office (None), the 转出 letters whose 回执 has not come back. Each links to its 确认接收 page."""
    section = Section("组织关系转接待接收")
    waiting = m.Transfer.objects.awaiting_receipt().select_related("member", "from_organization", "to_organization")
    if user is None:
        waiting = waiting.filter(kind=m.Transfer.Kind.OUT)
    else:
        ids = scope.organization_ids(user)
        # Sent from inside the subtree, it is the office's to confirm (Transfer.receipt_refusal).
        waiting = (waiting.filter(kind=m.Transfer.Kind.WITHIN, to_organization__in=ids)
                   .exclude(from_organization__in=ids))
    for transfer in waiting.order_by("transferred_on", "pk"):
        if transfer.kind == m.Transfer.Kind.OUT:
            text = f"{transfer.from_organization}：{transfer.member.name}转出至{transfer.outside_unit}，回执未返回"
            url = links.change("transfer", transfer.pk)
        else:
            text = f"{transfer.to_organization}：{transfer.member.name}由{transfer.from_organization}转入，待确认接收"
            url = reverse("admin:branches_transfer_confirm", args=[transfer.pk])
        number = f"介绍信{transfer.letter_number}，" if transfer.letter_number else ""
        section.items.append(Item(text, url, f"{number}转接日期{transfer.transferred_on:%Y-%m-%d}，已{(on - transfer.transferred_on).days}天",
                                  transfer.transferred_on))
    return section


def waiting_recruits(user, on):
    """发展党员 steps waiting past their time rule's maximum on `on` (an application unanswered for a month)."""
    section = Section("发展党员")
    rules = [r for r in m.StepRule.objects.filter(maximum__isnull=False) if r.step != m.Step.APPROVED]  # approval: the office's
    recruits = m.Recruit.objects.visible_to(user).in_view(on).select_related("organization").order_by("applied_on", "pk")
    for recruit in recruits:
        for rule in rules:
            result = rule.judge(recruit, on)
            if result is not None and not result[0] and recruit.dated(rule.step, on) is None:
                section.items.append(Item(f"{recruit.organization}：{recruit.name}{result[1]}",
                                          links.change("recruit", recruit.pk), f"规定{rule.requirement}"))
    return section


def secretary_sections(user, on):
    organizations = m.Organization.objects.visible_to(user)
    returned = Section("被退回的填报")
    for model in REVIEWED:
        for entry in _within(model.objects.returned(), organizations).select_related(_org_path(model)).order_by("-reviewed_at"):
            returned.items.append(Item(
                f"{model._meta.verbose_name}：{entry}", links.change(model._meta.model_name, entry.pk),
                f"退回理由：{entry.review_reason}",
                phone_url=reverse("phone_meeting_change", args=[entry.pk]) if model is m.Meeting else "",
            ))
    found = evaluate(on, organizations, codes=["election_overdue", "election_due", "election_missing", "conversion_overdue"])
    elections, conversions = Section("换届选举"), Section("预备党员转正")
    for hit in found.hits:
        target = conversions if hit.rule.code == "conversion_overdue" else elections
        target.items.append(Item(f"{hit.organization}：{hit.rule.title}", hit.url, hit.detail))
    soon = (m.Member.objects.visible_to(user).on_roll().filter(status=m.Member.Status.PROBATIONARY)
            .filter(join_date__gte=add_years(on, -1), join_date__lte=add_years(on + datetime.timedelta(days=CONVERSION_NOTICE_DAYS), -1))
            .select_related("organization").order_by("join_date"))
    for member in soon:
        conversions.items.append(Item(f"{member.organization}：{member.name}预备期将满", links.change("member", member.pk),
                                      f"应于{member.conversion_due_on:%Y-%m-%d}讨论转正"))
    meetings = Section("本期应开展的组织生活")
    types = list(m.MeetingType.objects.filter(is_required=True))
    current = {t: period_containing(t.period, on) for t in types}
    counts = _within(m.Meeting.objects.all(), organizations).held_counts(current.values())
    for org in organizations.branches().active().with_staffing(on).order_by("sort_order", "pk"):
        for t in types:
            start, end = current[t]
            if not t.applies_to(org, start):
                continue
            held = m.held(counts, org.pk, t.pk, (start, end))
            if held < t.times:
                meetings.items.append(Item(
                    f"{org}：{t.name}本期尚未登记" + (f"（已{held}次，应{t.times}次）" if held else ""),
                    links.changelist("meeting", f"organization__id__exact={org.pk}&meeting_type__id__exact={t.pk}"),
                    f"本期{start:%Y-%m-%d}至{end:%Y-%m-%d}"))
    deadlines = Section("整顿时限")
    for case in (m.RectificationCase.objects.visible_to(user).open()
                 .filter(deadline__lte=on + datetime.timedelta(days=DEADLINE_DAYS))
                 .select_related("organization").order_by("deadline")):
        late = case.deadline < on
        deadlines.items.append(Item(f"{case.organization}：{case.year}年整顿" + ("已超过时限" if late else "时限将到"),
                                    links.change("rectificationcase", case.pk), f"整改时限{case.deadline:%Y-%m-%d}"))
    return [returned, elections, conversions, waiting_recruits(user, on), meetings, deadlines,
            secretary_review(user, on), transfers_awaiting(user, on)]


def secretary_review(user, on):
    """述职评议: the latest round's report not yet submitted (or returned), and the open follow-ups (整改清单)."""
    section = Section("述职评议")
    latest = m.ReviewRound.objects.order_by("-year").first()
    if latest is not None:
        stored = {r.organization_id: r for r in m.SecretaryReport.objects.filter(round=latest).visible_to(user)}
        for org in latest.reporting().visible_to(user):
            report = stored.get(org.pk)
            if report is None or report.editable:
                state = "被退回" if report and report.review_status == m.Review.RETURNED else "待提交"
                section.items.append(Item(f"{org}：{latest.year}年度述职报告{state}",
                                          reverse("secretary_report", args=[latest.year, org.pk]),
                                          f"退回理由：{report.review_reason}" if state == "被退回" else ""))
    for follow_up in m.FollowUp.objects.visible_to(user).open().select_related("organization").order_by("deadline"):
        late = follow_up.deadline < on
        section.items.append(Item(f"{follow_up.organization}：整改事项" + ("已超过时限" if late else "未完成"),
                                  links.change("followup", follow_up.pk),
                                  f"{follow_up.problem[:40]}；整改时限{follow_up.deadline:%Y-%m-%d}", follow_up.deadline))
    return section


def leader_sections(user, on):
    leader = getattr(user, "leader", None) if user.is_authenticated else None
    assigned = Section("包抓的党组织")
    if leader is None:
        return [assigned]
    organizations = m.Organization.objects.active().filter(liaison_leader=leader)
    found = evaluate(on, organizations)
    for org in organizations.order_by("sort_order", "pk"):
        hits = found.by_organization.get(org, [])
        assigned.items.append(Item(str(org), links.change("organization", org.pk),
                                   "；".join(h.rule.title for h in hits) if hits else "无预警"))
    return [assigned]


def sections_for(user, on=None):
    """(role label, sections) for this user on `on` (today)."""
    on = on or today()
    from accounts import roles

    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser or roles.GROUPS[roles.ADMIN] in names:
        return "工委管理员", office_sections(on)
    if roles.GROUPS[roles.SECRETARY] in names and not scope.sees_everything(user):
        return "党组织书记", secretary_sections(user, on)
    if roles.GROUPS[roles.LEADER] in names:
        return "领导", leader_sections(user, on)
    return "", []
