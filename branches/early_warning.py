"""预警: the rules that name weak organizations as they weaken, instead of once a year by hand.

Each rule is one function with its own code and Chinese title; each finding it yields names the organization,
what was found and where the records behind it are. The rules themselves (terms, conversions,
staffing, deadlines, meeting frequencies) are the ones in branches.models; this module only asks them.

Everything is computed for a date `on`. Dated records (elections, meetings, conversions, assessments,
rectification, transfers) are read as they stood on that day, and the roll too (MemberQuerySet.as_of: who was on
it, in which organization), and so are the posts (tenures) and the secretary's vacancy, which derives from them.

`evaluate()` costs a fixed number of queries whatever the size of the district (one per rule at most, and
one for the organizations they share).
"""
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Subquery

from . import links
from . import models as m
from .dates import add_months, add_years, months_between, today
from .periods import last_complete_period, period_label

VACANCY_MONTHS = 3  # 书记空缺超过3个月
RECRUITMENT_YEARS = 2  # 两年未发展党员
RECEIPT_MONTHS = 3  # 回执未返回


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    group: str  # the heading the annual report files it under
    find: Callable  # (Context) -> iterable of (organization, detail, url[, records])
    badge: str  # the few characters the organization list shows for it


@dataclass(frozen=True)
class Hit:
    rule: Rule
    organization: m.Organization
    detail: str
    url: str  # where the records behind it are listed
    records: tuple = ()  # their primary keys; empty where the finding is an absence (no meeting, no new member)


RULES = []
TEAM, ELECTIONS, LIFE, MEMBERS, STANDARD = "班子建设", "换届选举", "组织生活", "党员队伍", "标准化建设与整顿"
RECRUITMENT = "发展党员"


def rule(code, title, group, badge):
    def register(find):
        RULES.append(Rule(code, title, group, find, badge))
        return find

    return register


def _admin(model, *args, query=""):
    name = model._meta.model_name
    return links.change(name, args[0]) if args else links.changelist(name, query)


def _members_of(org):
    return _admin(m.Member, query=f"organization__id__exact={org.pk}")


def _day(d):
    return f"{d.year}年{d.month}月{d.day}日"


class Context:
    """What the rules share for one evaluation: the date, the organizations in scope, fetched once."""

    def __init__(self, on, organizations=None, states=None, annotated=None):
        self.on, self.annotated = on, annotated
        # Each organization's state on `on` (models.OrganizationStates), where the caller computed it already.
        self.states = states if states is not None and states.on == on else None
        scope = (
            m.Organization.objects.active().exclude(kind=m.OrgKind.COMMITTEE)
            .founded_by(on)  # not yet founded on `on`: nothing to warn of
        )
        if organizations is not None:
            scope = scope.filter(pk__in=organizations.values("pk"))
        self.scope, self.limited = scope, organizations is not None

    @cached_property
    def organizations(self):
        if self.annotated is not None:
            # Rows already annotated with_staffing(on) and with_last_election(on) (the organization list's page):
            # those in scope, without computing their figures a second time.
            in_scope = set(self.scope.values_list("pk", flat=True))
            return sorted((o for o in self.annotated if o.pk in in_scope), key=lambda o: (o.sort_order, o.pk))
        # Parents joined: no member is counted in this query (its counts are subqueries per organization, or the
        # figures' pass), so their columns widen no GROUP BY.
        ordered = self.scope.select_related("parent").order_by("sort_order", "pk")
        if self.states is not None:  # counted once for the render (the dashboard's figures): not the roll again
            return self.states.fill(list(ordered))
        return list(ordered.with_staffing(self.on).with_last_election(self.on))

    @cached_property
    def by_id(self):
        return {o.pk: o for o in self.organizations}

    @property
    def branches(self):
        return [o for o in self.organizations if o.is_branch]

    @cached_property
    def recruits(self):
        """The reviewed recruits the checks look at on `on` (RecruitQuerySet.in_view), fetched once for every rule:
        those the checks may find at fault (recruit_suspects, a condition wider than the checks), which the
        checks then judge one by one. Fetching every recruit in view cost more than all the other rules together."""
        suspects = self.within(m.Recruit.objects.reviewed().in_view(self.on)).filter(recruit_suspects(self))
        rows = m.Recruit.objects.filter(pk__in=suspects.values("pk")).order_by("applied_on", "pk")
        self.contacts  # noqa: B018 -- read with them: the queries do not depend on who is in training
        return [r for r in rows if r.organization_id in self.by_id]

    @cached_property
    def contacts(self):
        """{member id: (name, status, roll status)} of the 培养联系人 of the recruits who have them on `on` (入党积极分子
        and 发展对象, as Recruit.stage_on reads the dates). Not joined to every recruit: joined as two whole members,
        PostgreSQL read the roll twice and making them took most of the warnings' time at 100,000 members."""
        trained = self.within(m.Recruit.objects.reviewed().in_view(self.on)).filter(_in_training_q(self.on))
        contacts = m.Member.objects.filter(Q(pk__in=trained.values("contact_1")) | Q(pk__in=trained.values("contact_2")))
        return {pk: rest for pk, *rest in contacts.values_list("pk", "name", "status", "roll_status")}

    @cached_property
    def step_rules(self):
        return {(r.step, r.after): r for r in m.StepRule.objects.all()}

    def within(self, queryset):
        """Records of the organizations in scope; a rule keeps the rows whose organization is in by_id.

        For the whole district the organization filter stays out of the SQL: there it would only steer SQLite
        onto the organization index, reading all 100,000 members to find the few late or recent ones.
        """
        return queryset.filter(organization__in=self.scope.values("pk")) if self.limited else queryset

    def members(self):
        """The roll on `on` (MemberQuerySet.as_of), each member in the organization they were in that day; a rule
        keeps those whose organization is in by_id. Not filtered in SQL: the organization that day is a CASE
        over each member's transfers, which no index serves, so a filter on it only computed it twice per member
        (the rules' conditions, few members each, are what the database narrows by)."""
        return m.Member.objects.as_of(self.on)


# -- the team ---------------------------------------------------------------------------------
@rule("secretary_vacant", "书记空缺超过3个月", TEAM, "书记空缺")
def secretary_vacant(ctx):
    cutoff = add_months(ctx.on, -VACANCY_MONTHS)
    for org in ctx.organizations:
        if m.has_secretary(org):
            continue
        since = org.secretary_vacant_since
        url = _admin(m.Organization, org.pk)
        if since is None:
            yield org, "书记空缺，无书记任职记录，成立日期未登记", url
        elif since < cutoff:
            yield org, f"书记自{_day(since)}起空缺，已{months_between(since, ctx.on)}个月", url


@rule("no_committee", "正式党员7人以上未设支委会", TEAM, "未设支委会")
def no_committee(ctx):
    for org in ctx.branches:
        if org.full_count >= m.BRANCH_COMMITTEE_FROM and not m.has_committee(org.committee_count):
            yield org, f"正式党员{org.full_count}人，任职委员仅{org.committee_count}人", _members_of(org)


# 中国共产党支部工作条例（试行）第四条: 党支部党员人数一般不超过50人 (one over it is split, or becomes a 党总支).
@rule("too_large", "党员超过50人，应分设党支部或升格为党总支", TEAM, "超50人")
def too_large(ctx):
    for org in ctx.branches:
        if org.roll_count > m.BRANCH_MAX_MEMBERS:
            yield org, f"在册党员{org.roll_count}人，超过{m.BRANCH_MAX_MEMBERS}人，应分设党支部或升格为党总支", _members_of(org)


@rule("too_small", "正式党员不足3人", TEAM, "不足3人")
def too_small(ctx):
    for org in ctx.branches:
        if org.full_count < m.BRANCH_MIN_FULL:
            yield org, f"正式党员{org.full_count}人", _members_of(org)


# -- elections ----------------------------------------------------------------------------------
def _elections(ctx, status, describe):
    for org in ctx.organizations:
        if m.election_status(org.term_ends_on, ctx.on) == status:
            url = _admin(m.Election, query=f"organization__id__exact={org.pk}")
            yield org, describe(org), url


@rule("election_overdue", "任期届满逾期未换届", ELECTIONS, "逾期未换届")
def election_overdue(ctx):
    return _elections(ctx, m.ElectionState.OVERDUE, lambda o: f"任期已于{_day(o.term_ends_on)}届满")


@rule("election_due", "6个月内任期届满", ELECTIONS, "临近换届")
def election_due(ctx):
    return _elections(ctx, m.ElectionState.DUE, lambda o: f"任期将于{_day(o.term_ends_on)}届满，应启动换届")


@rule("election_missing", "无换届选举记录", ELECTIONS, "无换届记录")
def election_missing(ctx):
    return _elections(ctx, m.ElectionState.NEVER, lambda o: "未登记任何一次换届选举")


@rule("election_unapproved", "换届选举未经上级党委批复", ELECTIONS, "换届未批复")
def election_unapproved(ctx):
    """The current term's elections (its 换届 and what followed it) without the upper committee's 批复 by `on`:
    an election the committee has not approved does not make an approved term (选举工作条例: 选举结果报上级党组织批准)."""
    rows = (ctx.within(m.Election.objects.reviewed().unapproved(ctx.on))
            .order_by("held_on", "pk").values_list("pk", "organization_id", "held_on", "kind"))
    for pk, org_id, held_on, kind in rows:
        org = ctx.by_id.get(org_id)
        if org is None or (org.last_election_on and held_on < org.last_election_on):
            continue
        detail = f"{_day(held_on)}{m.Election.Kind(kind).label}未登记上级党委批复文号和日期"
        yield org, detail, _admin(m.Election, pk), (pk,)


# -- organizational life ----------------------------------------------------------------------------
@rule("meeting_missed", "未按期开展组织生活", LIFE, "组织生活不足")
def meeting_missed(ctx):
    """Each required meeting type in its last period that has ended by `on` (the running one cannot be missed yet)."""
    types = list(m.MeetingType.objects.filter(is_required=True))
    if not types:
        return
    last = {t: last_complete_period(t.period, ctx.on) for t in types}
    counts = ctx.within(m.Meeting.objects.all()).held_counts(last.values())
    for org in ctx.branches:
        for t in types:
            start, _ = last[t]
            if not t.applies_to(org, start):
                continue
            n = m.held(counts, org.pk, t.pk, last[t])
            if n < t.times:
                label = period_label(t.period, start)
                detail = f"{label}未召开{t.name}" if not n else f"{label}召开{t.name}{n}次，少于规定的{t.times}次"
                url = _admin(m.Meeting, query=f"organization__id__exact={org.pk}&meeting_type__id__exact={t.pk}")
                yield org, detail, url


# -- members ----------------------------------------------------------------------------------------
@rule("conversion_overdue", "预备党员逾期未转正", MEMBERS, "逾期未转正")
def conversion_overdue(ctx):
    """Past the probation's end by more than the months the branch has to decide and the upper committee to approve."""
    late = {}
    rows = (ctx.members().filter(pk__in=m.Member.objects.conversion_overdue(ctx.on).values("pk"))
            .order_by("join_date", "pk").values_list("pk", "organization_on", "name", "join_date", "probation_extension__months"))
    for pk, org_id, name, joined, extended in rows:
        if org_id in ctx.by_id:
            ends = _day(m.probation_end(joined, extended or 0))
            late.setdefault(org_id, []).append((pk, f"{name}（{'延长' if extended else ''}预备期{ends}期满）"))
    margins = (f"预备期满后支部{settings.SHUZHI['CONVERSION_DECISION_MONTHS']}个月内讨论、"
               f"上级党委其后{settings.SHUZHI['CONVERSION_APPROVAL_MONTHS']}个月内审批，均已逾期")
    for org_id, members in late.items():
        pks = tuple(pk for pk, _ in members)
        detail = f"{len(members)}名：" + "、".join(text for _, text in members) + f"（{margins}）"
        yield ctx.by_id[org_id], detail, _admin(m.Member, query="id__in=" + ",".join(map(str, pks))), pks


# 中国共产党章程 第八条: every member is placed in a branch. A record from before the rule (Member.clean refuses it
# now) is not moved by the system: the office moves the member into the branch they belong to.
@rule("members_outside_branches", "党员直接编在党委/党总支", MEMBERS, "党员未编入支部")
def members_outside_branches(ctx):
    for org in ctx.organizations:
        if not org.is_branch and org.roll_count:
            detail = f"在册党员{org.roll_count}人直接编在{org.get_kind_display()}，未编入党支部（党章第八条），应转入所在党支部"
            yield org, detail, _members_of(org)


@rule("no_recruitment", "两年未发展党员", MEMBERS, "两年未发展")
def no_recruitment(ctx):
    """No member on the roll joined in the last two years: those the pipeline brought in are on the roll from their
    党员大会's date, so join dates say it."""
    since = add_years(ctx.on, -RECRUITMENT_YEARS)
    recruited = set(
        # status__in names both statuses only so that the (status, join_date) index can serve the date range.
        ctx.members()
        .filter(status__in=m.Member.Status.values, join_date__gt=since, join_date__lte=ctx.on)
        .values_list("organization_on", flat=True).order_by().distinct()
    )
    for org in ctx.branches:
        if org.pk in recruited or (org.founded and org.founded > since):  # a branch younger than two years is not judged
            continue
        yield org, f"{_day(since)}以来无新入党的党员", _members_of(org)


# 中国共产党党员教育管理工作条例 第二十五条: until the receiving side accepts the relationship, the sending
# organization still manages the member; the 回执 says it was accepted.
@rule("receipt_missing", "组织关系转出后回执未返回", MEMBERS, "回执未返回")
def receipt_missing(ctx):
    """A 转出 or 系统内转接 whose 回执 had not come back RECEIPT_MONTHS after its day, as it stood on `on`."""
    cutoff = add_months(ctx.on, -RECEIPT_MONTHS)
    rows = (m.Transfer.objects.awaiting_receipt(ctx.on).filter(transferred_on__lte=cutoff)
            .order_by("transferred_on", "pk")
            .values_list("member", "from_organization", "member__name", "transferred_on", "kind", "letter_number"))
    late = {}
    for pk, org_id, name, moved, kind, letter in rows:
        if org_id in ctx.by_id:
            number = f"，介绍信{letter}" if letter else ""
            late.setdefault(org_id, []).append((pk, f"{name}（{_day(moved)}{m.Transfer.Kind(kind).label}{number}）"))
    for org_id, transfers in late.items():
        pks = tuple(dict.fromkeys(pk for pk, _ in transfers))  # the members, each once
        detail = (f"{len(transfers)}名党员组织关系转出超过{RECEIPT_MONTHS}个月未收到回执：" + "、".join(t for _, t in transfers)
                  + "（接收前仍由本组织管理）")
        yield ctx.by_id[org_id], detail, _admin(m.Member, query="id__in=" + ",".join(map(str, pks))), pks


@rule("transferred_in_incomplete", "转入党员信息不全", MEMBERS, "转入信息不全")
def transferred_in_incomplete(ctx):
    """Members on the roll on `on` who came in from outside the district (转入) and whose record lacks the dates
    their 党龄 and status rest on: a full member without a 转正日期."""
    arrived = m.Transfer.objects.filter(kind=m.Transfer.Kind.IN, transferred_on__lte=ctx.on).values("member")
    rows = (ctx.members().filter(pk__in=arrived, status=m.Member.Status.FULL, full_member_date__isnull=True)
            .order_by("pk").values_list("pk", "organization_on", "name"))
    lacking = {}
    for pk, org_id, name in rows:
        if org_id in ctx.by_id:
            lacking.setdefault(org_id, []).append((pk, name))
    for org_id, members in lacking.items():
        pks = tuple(pk for pk, _ in members)
        detail = f"{len(members)}名转入的正式党员未登记转正日期：" + "、".join(name for _, name in members)
        yield ctx.by_id[org_id], detail, _admin(m.Member, query="id__in=" + ",".join(map(str, pks))), pks


# -- recruitment (发展党员工作细则) ---------------------------------------------------------------------------
def _finding(ctx, recruit, detail):
    return ctx.by_id[recruit.organization_id], f"{recruit.name}：{detail}", _admin(m.Recruit, recruit.pk), (recruit.pk,)


def recruit_suspects(ctx):
    """Q for the recruits any recruitment check below may find at fault on ctx.on: each check's own condition in
    SQL (the time rules' a little wider, StepRule.may_fail_q), so that only those are fetched and judged."""
    q = m.out_of_order_q() | _unvetted_q(ctx.on) | _contact_not_full_q(ctx.on)
    for rule in ctx.step_rules.values():
        q |= rule.may_fail_q(ctx.on)
    return q


def _step_rule(ctx, step, after):
    """The hits of the office's time rule between two steps, where it keeps one."""
    rule = ctx.step_rules.get((step, after))
    if rule is None:
        return
    for recruit in ctx.recruits:
        result = rule.judge(recruit, ctx.on)
        if result is not None and not result[0]:
            yield _finding(ctx, recruit, f"{result[1]}（规定{rule.requirement}）")


@rule("recruit_activist_short", "入党积极分子培养不满规定时间即列为发展对象", RECRUITMENT, "培养期不足")
def recruit_activist_short(ctx):
    return _step_rule(ctx, m.Step.CANDIDATE, m.Step.ACTIVIST)


def _unvetted_q(on):
    """recruit_unvetted's condition in SQL: accepted by `on` with the 政审 or the training not done by then, nor before."""
    undone = Q()
    for step in (m.Step.VETTED, m.Step.TRAINED):
        undone |= ~Q(**{f"{step}__lte": on}) | Q(**{f"{step}__gt": F(m.Step.ACCEPTED)})
    return Q(**{f"{m.Step.ACCEPTED}__lte": on}) & undone


@rule("recruit_unvetted", "未经政治审查或集中培训即提交支部大会", RECRUITMENT, "未政审或培训")
def recruit_unvetted(ctx):
    for recruit in ctx.recruits:
        accepted = recruit.dated(m.Step.ACCEPTED, ctx.on)
        if accepted is None:
            continue
        missing = [step.label for step in (m.Step.VETTED, m.Step.TRAINED)
                   if recruit.dated(step, ctx.on) is None or recruit.dated(step, ctx.on) > accepted]
        if missing:
            yield _finding(ctx, recruit, f"支部大会{_day(accepted)}讨论接收前未完成" + "、".join(missing))


@rule("recruit_publicity_short", "发展对象公示不足规定时间", RECRUITMENT, "公示不足")
def recruit_publicity_short(ctx):
    return _step_rule(ctx, m.Step.PUBLICITY_ENDED, m.Step.PUBLICITY_BEGAN)


@rule("recruit_approval_late", "支部大会通过后超过规定时限未审批", RECRUITMENT, "审批超时")
def recruit_approval_late(ctx):
    return _step_rule(ctx, m.Step.APPROVED, m.Step.ACCEPTED)


def _contact_not_full_q(on):
    """recruit_contact_not_full's condition in SQL: an activist or candidate on `on` with a contact who is not a
    full member on the roll."""
    def wrong(contact):  # a lookup of the few in stage, not a join for every recruit
        return Exists(m.Member.objects.filter(pk=OuterRef(contact))
                      .exclude(status=m.Member.Status.FULL, roll_status=m.Member.Roll.ON_ROLL))

    return _in_training_q(on) & (wrong("contact_1") | wrong("contact_2"))


def _in_training_q(on):
    """Recruits who have 培养联系人 on `on`: 入党积极分子 and 发展对象 (Recruit.stage_on's stages, in SQL)."""
    return m.stage_q(m.RecruitStage.ACTIVIST, on) | m.stage_q(m.RecruitStage.CANDIDATE, on)


@rule("recruit_contact_not_full", "培养联系人不是在册正式党员", RECRUITMENT, "联系人非正式党员")
def recruit_contact_not_full(ctx):
    for recruit in ctx.recruits:
        if recruit.stage_on(ctx.on) not in (m.RecruitStage.ACTIVIST, m.RecruitStage.CANDIDATE):
            continue
        contacts = [ctx.contacts[pk] for pk in (recruit.contact_1_id, recruit.contact_2_id) if pk is not None]
        wrong = [f"{name}（{m.Member.Status(status).label}，{m.Member.Roll(roll).label}）" for name, status, roll in contacts
                 if status != m.Member.Status.FULL or roll != m.Member.Roll.ON_ROLL]
        if wrong:
            yield _finding(ctx, recruit, "培养联系人" + "、".join(wrong))


@rule("recruit_out_of_order", "发展党员环节日期先后颠倒", RECRUITMENT, "环节颠倒")
def recruit_out_of_order(ctx):
    for recruit in ctx.recruits:
        for step, earlier in recruit.out_of_order(ctx.on)[:1]:
            yield _finding(ctx, recruit, f"{step.label}（{_day(getattr(recruit, step))}）早于{earlier.label}（{_day(getattr(recruit, earlier))}）")


# -- standardization and rectification ----------------------------------------------------------------
@rule("assessment_failed", "标准化评定未达标", STANDARD, "标准化未达标")
def assessment_failed(ctx):
    """未达标 in the district's latest round assessed by `on`."""
    latest_round = m.Assessment.objects.reviewed().filter(assessed_on__lte=ctx.on).order_by("-year").values("year")[:1]
    failed = (ctx.within(m.Assessment.objects.reviewed().filter(year=Subquery(latest_round), assessed_on__lte=ctx.on,
                                                     result=m.AssessmentResult.FAILED))
              .values_list("pk", "organization_id", "year"))
    for pk, org_id, year in failed:
        if org_id in ctx.by_id:
            yield ctx.by_id[org_id], f"{year}年党支部建设标准化评定未达标", _admin(m.Assessment, pk), (pk,)


@rule("rectification_overdue", "整顿超过时限未销号", STANDARD, "整顿超期")
def rectification_overdue(ctx):
    cases = ctx.within(m.RectificationCase.objects.past_deadline(ctx.on)).values_list("pk", "organization_id", "year", "deadline")
    for pk, org_id, year, deadline in cases:
        if org_id in ctx.by_id:
            detail = f"{year}年软弱涣散整顿，整改时限{_day(deadline)}已过仍未销号"
            yield ctx.by_id[org_id], detail, _admin(m.RectificationCase, pk), (pk,)


@rule("follow_up_late", "述职评议整改事项逾期未完成", TEAM, "述职整改逾期")
def follow_up_late(ctx):
    """整改清单: a problem the committee listed after the secretary's 述职, open on `on` past its deadline."""
    late = (ctx.within(m.FollowUp.objects.filter(deadline__lt=ctx.on))
            .filter(Q(done_on__isnull=True) | Q(done_on__gt=ctx.on))
            .values_list("pk", "organization_id", "problem", "deadline").order_by("deadline", "pk"))
    for pk, org_id, problem, deadline in late:
        if org_id in ctx.by_id:
            detail = f"述职评议整改事项“{problem[:30]}”，整改时限{_day(deadline)}已过仍未完成"
            yield ctx.by_id[org_id], detail, _admin(m.FollowUp, pk), (pk,)


RULES_BY_CODE = {r.code: r for r in RULES}


# ---------------------------------------------------------------------------------------------------
def grouped_by_rule(hits):
    """{Rule: [its hits]}, in the hits' order: the one way findings are gathered under their rule."""
    grouped = {}
    for hit in hits:
        grouped.setdefault(hit.rule, []).append(hit)
    return grouped


class WarningList:
    """The hits of one evaluation (in the organizations' order, then the rules'), by organization and by rule."""

    def __init__(self, on, rules, hits, organizations):
        self.on, self.rules, self.hits = on, rules, hits
        self.organizations = organizations  # all those evaluated, flagged or not

    @cached_property
    def by_organization(self):
        grouped = {}
        for hit in self.hits:
            grouped.setdefault(hit.organization, []).append(hit)
        return grouped

    @cached_property
    def by_rule(self):
        """{Rule: [organizations]} for every rule evaluated, empty where nothing was found."""
        grouped = {r: [] for r in self.rules}
        for r, hits in grouped_by_rule(self.hits).items():
            grouped[r] = list(dict.fromkeys(h.organization for h in hits))  # once each, in the hits' order
        return grouped

    def counts(self):
        """[(rule, organizations, of them public, of them private)]."""
        rows = []
        for r, orgs in self.by_rule.items():
            owned = Counter(o.ownership for o in orgs)
            rows.append((r, len(orgs), owned[m.Ownership.PUBLIC], owned[m.Ownership.PRIVATE]))
        return rows

    def flagged_share(self, ownership):
        """(organizations of this ownership with a warning, all evaluated of this ownership)."""
        evaluated = sum(1 for o in self.organizations if o.ownership == ownership)
        return sum(1 for o in self.by_organization if o.ownership == ownership), evaluated

    def only(self, code=None, ownership=None):
        keep = [o for o in self.organizations if not ownership or o.ownership == ownership]
        hits = [h for h in self.hits if (not code or h.rule.code == code)
                and (not ownership or h.organization.ownership == ownership)]
        return WarningList(self.on, [r for r in self.rules if not code or r.code == code], hits, keep)


def evaluate(on=None, organizations=None, codes=None, states=None, annotated=None):
    """The warning list for `on` (today by default), limited to `organizations` and to the rules `codes` if given.
    `states` (models.OrganizationStates on `on`), where the caller has the organizations' state already;
    `annotated`: those organizations already fetched with_staffing(on).with_last_election(on), their parents
    with them (a list page's rows), read instead of fetched again."""
    on = on or today()
    rules = [r for r in RULES if not codes or r.code in codes]
    ctx = Context(on, organizations, states, annotated)
    hits = [Hit(r, *finding) for r in rules for finding in r.find(ctx)]
    order = {o.pk: i for i, o in enumerate(ctx.organizations)}
    rule_order = {r.code: i for i, r in enumerate(RULES)}
    hits.sort(key=lambda h: (order[h.organization.pk], rule_order[h.rule.code]))
    return WarningList(on, rules, hits, ctx.organizations)
