"""The records of the district's party building, with the rules the party's regulations give them.

Each rule lives once, here: on the model (clean, properties) or on its queryset, so that the admin,
the import, the dashboard and the annual report all ask the same question the same way.
"""
import datetime
import functools
import math
import os
import uuid
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
import simple_history

from . import idcard
from .phones import validate_phone
from .periods import YEARS, MeetingPeriod
from .scope import organization_ids
from .history import Records
from .dates import DaysBetween, add_months, add_years, age_on, earliest_reaching, months_between, today


# ---------------------------------------------------------------------------------------------
# Bounds: no date or number that cannot be true (a meeting in year 1, 10^15 attendees)
# ---------------------------------------------------------------------------------------------
def not_before(day, why):
    return MinValueValidator(day, message=f"日期不能早于{day.year}年{day.month}月{day.day}日（{why}）。")


def at_most(limit, what):
    return MaxValueValidator(limit, message=f"{what}不能超过{limit}。")


# Party dates (joining, organizations founded) begin with the Party; people on the roll were born after 1900;
# the records this system keeps (elections, meetings, assessments, the office's work) are of this century.
PARTY_DATE = [not_before(datetime.date(1921, 7, 1), "中国共产党成立于1921年7月1日")]
BIRTH_DATE = [not_before(datetime.date(1900, 1, 1), "请核对出生日期")]
RECORD_DATE = [not_before(datetime.date(YEARS.start, 1, 1), f"本系统登记{YEARS.start}年以来的记录")]
RECORD_YEAR = [
    MinValueValidator(YEARS.start, message=f"年度应在{YEARS.start}—{YEARS.stop - 1}年之间。"),
    MaxValueValidator(YEARS.stop - 1, message=f"年度应在{YEARS.start}—{YEARS.stop - 1}年之间。"),
]
MAX_TERM_YEARS = 5
HEADCOUNT = 10_000  # more people than any school's party organization has, by far
WORK_COUNT = 10_000


# ---------------------------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------------------------
class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "教育工委"
    PARTY_COMMITTEE = "party_committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"


BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)
# 中国共产党章程 第八条: every member is placed in a branch (每个党员…都必须编入党的一个支部、小组或其他特定组织); a
# 党委's or 党总支's committee are members of its branches who hold a post in it (Tenure).
BRANCH_MEMBERSHIP_MESSAGE = "党员的组织关系在党支部（党章第八条），请选择党支部或联合党支部。"


def branch_membership_refusal(org):
    """The message for a member's organization that is not a branch, or None: one rule for the member's record,
    a transfer's two ends and a recruit who becomes a member."""
    return BRANCH_MEMBERSHIP_MESSAGE if org is not None and org.kind not in BRANCH_KINDS else None


# Which kind may sit under which: the committee is the root, branches are leaves.
ALLOWED_PARENTS = {
    OrgKind.PARTY_COMMITTEE: {OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.JOINT_BRANCH: {OrgKind.COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH},
}
# 中国共产党章程 第三十一条 (三年至五年) and 中办《关于党的基层组织任期的意见》(2018) 一: basic-level party committees
# serve 5 years, general branches and branches 3.
TERM_YEARS = {
    OrgKind.PARTY_COMMITTEE: 5,
    OrgKind.GENERAL_BRANCH: 3,
    OrgKind.BRANCH: 3,
    OrgKind.JOINT_BRANCH: 3,
}
ELECTION_DUE_MONTHS = 6
# 中国共产党支部工作条例（试行）: a branch of 7 or more full members sets up a committee of 3 to 5 (its chapter on the
# committee); a branch needs 3 full members to exist on its own and should not exceed 50 members (第四条).
BRANCH_COMMITTEE_FROM = 7
BRANCH_COMMITTEE_MIN = 3
BRANCH_MIN_FULL = 3
BRANCH_MAX_MEMBERS = 50


class UnitCategory(models.TextChoices):
    HIGH_SCHOOL = "high", "高中"
    JUNIOR_SCHOOL = "junior", "初中"
    NINE_YEAR = "nine_year", "九年一贯制"
    PRIMARY = "primary", "小学"
    KINDERGARTEN = "kindergarten", "幼儿园"
    VOCATIONAL = "vocational", "中职"
    BUREAU = "bureau", "机关及直属单位"
    PRIVATE_SCHOOL = "private_school", "民办学校"
    PRIVATE_KINDERGARTEN = "private_kindergarten", "民办幼儿园"
    PRIVATE_TRAINING = "private_training", "民办培训机构"


PRIVATE_CATEGORIES = (
    UnitCategory.PRIVATE_SCHOOL,
    UnitCategory.PRIVATE_KINDERGARTEN,
    UnitCategory.PRIVATE_TRAINING,
)


class Ownership(models.TextChoices):
    PUBLIC = "public", "公办"
    PRIVATE = "private", "民办"


class Area(models.TextChoices):
    URBAN = "urban", "城区"
    RURAL = "rural", "农村学区"


class Review(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


DECIDED_BY_OFFICE = "该项由工委组织科审定，党组织书记不能填写或修改。"


def decides(user):
    """The office decides (approves, accepts, closes): those who may change records across the whole district.

    Leaders see the whole district too, but their role grants no change at all, so nothing they could decide
    reaches a save.
    """
    return user is None or organization_ids(user) is None  # None: a command-line run by the office


class Reviewed(models.Model):
    """An entry a secretary submits counts once the office has approved it (审核); an entry the office makes itself
    needs no review. `DECIDED` names the fields only the office sets (the standardization result, a case's
    acceptance and closing, an election's approval)."""

    DECIDED = ()

    review_status = models.CharField("审核状态", max_length=10, choices=Review.choices, default=Review.APPROVED,
                                     db_index=True)
    review_reason = models.TextField("退回理由", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("填报时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    REVIEW_FIELDS = ("review_status", "review_reason", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at")
    APPLIED_FIELDS = ()  # saved with the review fields on approval: what approve() sets besides them

    class Meta:
        abstract = True

    def decided_changes(self, before):
        """The decided fields this entry sets differently from `before` (a dict of their stored values; None for a
        new entry, whose decided fields must keep their defaults)."""
        changed = []
        for name in self.DECIDED:
            field = self._meta.get_field(name)
            was = before[name] if before is not None else field.get_default()
            if field.value_from_object(self) != was:
                changed.append(name)
        return changed

    def stored_decisions(self):
        if self.pk is None:
            return None
        return type(self)._default_manager.filter(pk=self.pk).values(*self.DECIDED).first() if self.DECIDED else {}

    def submit_as(self, user, before=None):
        """Called for every write by a user: a secretary's entry waits for review (and may not set what the office
        decides); the office's own is approved as it is written. Raises ValidationError naming the field."""
        if decides(user):
            if self.pk is None or self.review_status != Review.PENDING:
                self.review_status = Review.APPROVED
                if self.pk is None:
                    self.reviewed_by, self.reviewed_at = user, timezone.now()
            return
        refused = self.decided_changes(before if self.pk else None)
        if refused:
            raise ValidationError({name: DECIDED_BY_OFFICE for name in refused})
        self.review_status, self.review_reason = Review.PENDING, self.review_reason
        self.submitted_by, self.submitted_at = user, timezone.now()
        self.reviewed_by = self.reviewed_at = None

    def approve(self, user):
        self.review_status, self.reviewed_by, self.reviewed_at = Review.APPROVED, user, timezone.now()
        self.review_reason = ""

    def return_to_submitter(self, user, reason):
        if not (reason or "").strip():
            raise ValidationError({"review_reason": "退回时须填写理由，书记将看到它。"})
        self.review_status, self.review_reason = Review.RETURNED, reason.strip()
        self.reviewed_by, self.reviewed_at = user, timezone.now()


class ReviewedQuerySet(models.QuerySet):
    def reviewed(self):
        """What counts: the entries the office approved or made itself."""
        return self.filter(review_status=Review.APPROVED)

    def pending(self):
        return self.filter(review_status=Review.PENDING)

    def returned(self):
        return self.filter(review_status=Review.RETURNED)


class Leader(models.Model):
    """A member of the working committee's leadership, who is assigned organizations (包抓)."""

    class Title(models.TextChoices):
        SECRETARY = "secretary", "工委书记"
        DEPUTY = "deputy", "工委副书记"
        MEMBER = "member", "工委委员"

    name = models.CharField("姓名", max_length=50, unique=True)
    title = models.CharField("职务", max_length=20, choices=Title.choices)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="leader", help_text="领导用这个账号登录时，待办中列出其包抓的党组织。",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工委领导"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_title_display()}）"


class ScopedQuerySet(models.QuerySet):
    """Records that belong to an organization, and so to the part of the tree a user may see."""

    organization_path = "organization"  # from a row to its organization

    def visible_to(self, user):
        ids = organization_ids(user)
        return self if ids is None else self.filter(**{f"{self.organization_path}__in": ids})


class OrganizationQuerySet(ScopedQuerySet):
    organization_path = "pk"

    def active(self):
        return self.filter(is_active=True)

    def basic_level(self):
        """The organizations directly under the working committee (the seed's "68个党组织")."""
        return self.active().filter(parent__kind=OrgKind.COMMITTEE)

    def branches(self):
        return self.active().filter(kind__in=BRANCH_KINDS)

    def founded_by(self, on):
        """Those founded (else approved) on or before `on`; one without either date always counts."""
        founding = Coalesce("founded_on", "approved_on")  # Organization.founded, in SQL
        return self.alias(founding=founding).filter(Q(founding__isnull=True) | Q(founding__lte=on))

    def approved_by(self, on):
        """Those approved on or before `on` (a past year's state); an organization without the date always counts."""
        return self.filter(Q(approved_on__isnull=True) | Q(approved_on__lte=on))

    def with_staffing(self, on=None):
        """Annotate what the staffing rule needs: full members on the roll, posts held, the secretary's birth, and
        since when the secretary's post is vacant.

        With `on`, the state as it stood then: the roll that day (MemberQuerySet.as_of) and the tenures valid that
        day.
        """
        # Each figure a subquery over one organization's rows (their indexes), not a join of all members grouped by
        # organization: grouped, every subquery below ran once per member row, not once per organization.
        def per_organization(members, key):
            grouped = members.order_by().values(key).annotate(**staffing_counts(on=on))
            return {name: Coalesce(Subquery(grouped.values(name)[:1]), 0) for name in ("full_count", "roll_count")}

        if on is None:
            counts = per_organization(Member.objects.filter(organization=OuterRef("pk")), "organization")
        else:
            # Those still in it since are read by its organization; those moved since, few, by their organization then.
            stayed = per_organization(
                Member.objects.filter(organization=OuterRef("pk")).exclude(pk__in=moved_since(on)), "organization")
            moved = per_organization(
                Member.objects.as_of(on).filter(pk__in=moved_since(on), organization_on=OuterRef("pk")), "organization_on")
            counts = {name: stayed[name] + moved[name] for name in stayed}
        tenures = Tenure.objects.counted(on).filter(organization=OuterRef("pk")).order_by()
        return self.annotate(
            **counts,
            # The eldest secretary's birth (a second secretary at once is refused by Tenure.clean).
            secretary_birth=Subquery(
                tenures.filter(post=Member.Post.SECRETARY).order_by("member__birth_date").values("member__birth_date")[:1]),
        ).with_committee_count(on).with_secretary_vacancy(on)

    def with_committee_count(self, on=None):
        """committee_count: the members holding a post in the organization on `on` (Tenure.objects.counted), from the
        tenures alone: the roll is not counted."""
        tenures = Tenure.objects.counted(on).filter(organization=OuterRef("pk")).order_by()
        return self.annotate(committee_count=Coalesce(Subquery(
            tenures.values("organization").annotate(n=Count("member", distinct=True)).values("n")), 0))

    def with_secretary_vacancy(self, on=None):
        """书记空缺: since the day the last secretary's tenure ended by `on`, else since the organization began."""
        ended = (Tenure.objects.filter(organization=OuterRef("pk"), post=Member.Post.SECRETARY, ended_on__lte=on or today())
                 .order_by("-ended_on").values("ended_on")[:1])
        return self.annotate(secretary_vacant_since=Coalesce(Subquery(ended), "founded_on", "approved_on"))

    def with_last_election(self, on=None):
        """With `on`, the latest election held on or before that day: the state as it stood then."""
        reviewed = Election.objects.reviewed().filter(organization=OuterRef("pk")).order_by("-held_on", "-pk")
        if on is not None:
            reviewed = reviewed.filter(held_on__lte=on)
        # The last 换届 is the last election; the term ends as it or a later approved 延期换届 says (a 补选 leaves it).
        return self.annotate(
            last_election_on=Subquery(reviewed.new_terms().values("held_on")[:1]),
            term_ends_on=Subquery(reviewed.setting_terms(on).values("term_ends_on")[:1]),
        )

    def election_overdue(self, on=None):
        on = on or today()
        return self.with_last_election(on).filter(term_ends_on__lt=on)

    def election_due(self, on=None):
        """Term ends within the next six months (a term that ends today is due, not yet overdue)."""
        on = on or today()
        return self.with_last_election(on).filter(term_ends_on__gte=on, term_ends_on__lte=add_months(on, ELECTION_DUE_MONTHS))

    def never_elected(self):
        return self.exclude(kind=OrgKind.COMMITTEE).filter(elections__isnull=True)


class Organization(models.Model):
    name = models.CharField("党组织名称", max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField("组织类别", max_length=20, choices=OrgKind.choices)
    unit_name = models.CharField("所在单位", max_length=100, blank=True)
    unit_category = models.CharField("单位类别", max_length=30, choices=UnitCategory.choices, blank=True)
    ownership = models.CharField("办学性质", max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC)
    area = models.CharField("城乡", max_length=10, choices=Area.choices, default=Area.URBAN)
    founded_on = models.DateField("成立日期", null=True, blank=True, validators=PARTY_DATE)
    approved_on = models.DateField("批准成立日期", null=True, blank=True, validators=PARTY_DATE)
    approval_document = models.CharField("批准文号", max_length=100, blank=True)
    is_active = models.BooleanField("存续", default=True, help_text="撤销的党组织取消勾选并填写撤销日期。")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True, validators=PARTY_DATE)
    liaison_leader = models.ForeignKey(
        Leader, verbose_name="包抓领导", null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党组织"
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["parent", "kind"]), models.Index(fields=["approved_on"])]

    def __str__(self):
        return self.name

    @property
    def is_branch(self):
        return self.kind in BRANCH_KINDS

    @property
    def founded(self):
        """The day the organization began: its founding, else its approval (批准成立); None if neither is known."""
        return self.founded_on or self.approved_on

    @property
    def term_years(self):
        return TERM_YEARS.get(self.kind)

    def ancestors(self):
        node, seen = self.parent, []
        while node is not None and node not in seen:
            seen.append(node)
            node = node.parent
        return seen

    def clean(self):
        errors = {}
        if self.kind == OrgKind.COMMITTEE:
            if self.parent_id:
                errors["parent"] = "教育工委是组织树的根，不能有上级党组织。"
        elif not self.parent_id:
            errors["parent"] = "请选择上级党组织。"
        elif self.parent.kind not in ALLOWED_PARENTS[self.kind]:
            errors["parent"] = f"{self.get_kind_display()}不能设在{self.parent.get_kind_display()}之下。"
        elif self.pk and (self.parent_id == self.pk or self in self.parent.ancestors()):
            errors["parent"] = "上级党组织不能是本组织或其下级组织。"
        if self.unit_category in PRIVATE_CATEGORIES and self.ownership != Ownership.PRIVATE:
            errors["ownership"] = f"单位类别为“{self.get_unit_category_display()}”的，办学性质应为民办。"
        if self.unit_category and self.unit_category not in PRIVATE_CATEGORIES and self.ownership == Ownership.PRIVATE:
            errors["ownership"] = f"单位类别为“{self.get_unit_category_display()}”的，办学性质应为公办。"
        if not self.is_active and not self.dissolved_on:
            errors["dissolved_on"] = "已撤销的党组织请填写撤销日期。"
        if self.is_active and self.dissolved_on:
            errors["dissolved_on"] = "存续的党组织不应有撤销日期。"
        if self.approved_on and self.founded_on and self.approved_on > self.founded_on:
            errors["approved_on"] = "批准成立日期不能晚于成立日期。"
        if errors:
            raise ValidationError(errors)

    def subtree_ids(self):
        """This organization and everything below it (the tree is at most four levels deep)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids += frontier
        return ids


# What OrganizationQuerySet.with_staffing() annotates: the member counts (staffing_counts), then the posts.
STAFFING_FIELDS = ("full_count", "roll_count", "committee_count", "secretary_birth", "secretary_vacant_since")


def staffing_counts(path="", on=None, of_roll=False):
    """The member counts staffing_status() is given, as aggregates over members: from organizations (path
    "members__"), or over members grouped by organization (path ""), where the dashboard counts everything in one
    pass. The posts (committee_count, secretary_birth) are the tenures': Tenure.objects.posts_by_organization().

    `of_roll`: the members counted are the roll on `on` already (MemberQuerySet.as_of(on)), each of them on it, so
    only the status is asked: over 100,000 members the on-roll test on every row was half the dashboard's pass."""
    counted = path.removesuffix("__") or "pk"
    full_member = Q(**{f"{path}status": Member.Status.FULL})
    if of_roll:
        return {"full_count": Count(counted, filter=full_member), "roll_count": Count(counted)}
    on_roll = on_roll_on(on, path)
    if on is not None and path:  # through an organization's members: only those not moved since were in it then
        on_roll &= ~Q(**{f"{path}pk__in": moved_since(on)})
    return {
        "full_count": Count(counted, filter=on_roll & full_member),
        "roll_count": Count(counted, filter=on_roll),
    }


# An organization's state on a day: what with_staffing(on).with_last_election(on) annotates.
STATE_FIELDS = STAFFING_FIELDS + ("last_election_on", "term_ends_on")


class OrganizationStates(dict):
    """{organization id: an organization carrying its STATE_FIELDS on `on`}, computed once for a render and read by
    every part of it: the dashboard's figures derive the states from their own pass over the roll, and the warnings
    read them there instead of counting the roll again. The rules stay where they are (staffing_of,
    election_status, the warnings'); only the data is shared."""

    def __init__(self, on, organizations=()):
        super().__init__((org.pk, org) for org in organizations)
        self.on = on

    def fill(self, organizations):
        """Set the state on each of `organizations` (a list) from those held; the others are annotated here, in one
        query (with_staffing: each figure a subquery over one organization's rows)."""
        missing = [org.pk for org in organizations if org.pk not in self]
        if missing:
            self.update((org.pk, org) for org in Organization.objects.filter(pk__in=missing)
                        .with_staffing(self.on).with_last_election(self.on).only("pk", "founded_on", "approved_on"))
        for org in organizations:
            held = self[org.pk]
            org.__dict__.update({name: getattr(held, name) for name in STATE_FIELDS})
        return organizations


class Staffing(models.TextChoices):
    """班子配备: what staffing_status() returns, each with the one label every page shows."""

    COMPLETE = "complete", "班子齐全"
    NO_SECRETARY = "no_secretary", "书记空缺"
    INCOMPLETE = "incomplete", "班子不全"


def has_secretary(org):
    """An on-roll secretary: with_staffing() marks one by the eldest secretary's birth day."""
    return org.secretary_birth is not None


def staffing_of(org):
    """The staffing state of an organization annotated with_staffing()."""
    return staffing_status(org.kind, org.full_count, org.committee_count, has_secretary(org))


def staffing_status(kind, full_count, committee_count, has_secretary):
    """班子配备: 中国共产党支部工作条例 and 基层组织选举工作条例.

    A branch with 7 or more full members sets up a committee (3 to 5 people); with fewer it has at least
    a secretary. A general branch's committee has 5 to 7 members and a basic-level party committee 5 to 9.
    Returns a Staffing.
    """
    if kind == OrgKind.COMMITTEE:
        return Staffing.COMPLETE
    if not has_secretary:
        return Staffing.NO_SECRETARY
    if kind in (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH):
        needed = 5
    else:
        needed = BRANCH_COMMITTEE_MIN if full_count >= BRANCH_COMMITTEE_FROM else 1
    return Staffing.COMPLETE if committee_count >= needed else Staffing.INCOMPLETE


def secretary_is_ageing(birth, on):
    """班子成员年龄偏大: the secretary has reached the age the office set as the warning line."""
    return birth is not None and age_on(birth, on) >= settings.SHUZHI["SECRETARY_AGE_WARNING"]


class ElectionState(models.TextChoices):
    """换届: what election_status() returns, each with the one label every page shows."""

    NEVER = "never", "从未换届"
    OVERDUE = "overdue", "逾期未换届"
    DUE = "due", "应换届"
    OK = "ok", "任期内"


def election_status(term_ends_on, on):
    """换届: due within six months of the term's end, overdue after it; never where none was held."""
    if term_ends_on is None:
        return ElectionState.NEVER
    if term_ends_on < on:
        return ElectionState.OVERDUE
    if term_ends_on <= add_months(on, ELECTION_DUE_MONTHS):
        return ElectionState.DUE
    return ElectionState.OK


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------
class MemberQuerySet(ScopedQuerySet):
    def on_roll(self):
        return self.filter(roll_status=Member.Roll.ON_ROLL)

    def conversion_overdue(self, on=None):
        """Probationary members whose conversion is overdue on `on` (转正逾期): conversion_deadline() has passed.

        A member converted after `on` was still probationary on `on`, so a past date keeps them. Each length
        of probation (a year, or a year and an extension of 6 to 12 months) is one comparison of the join date.
        """
        on = on or today()
        still_probationary = Q(status=Member.Status.PROBATIONARY) | Q(full_member_date__gt=on)

        def joined_before(months):
            return Q(join_date__lt=earliest_reaching(lambda joined: conversion_deadline(joined, months), on, 3 * 366))

        late = Q(probation_extension__isnull=True) & joined_before(0)
        for months in range(EXTENSION_MONTHS[0], EXTENSION_MONTHS[1] + 1):
            late |= Q(probation_extension__months=months) & joined_before(months)
        return self.as_of(on).filter(still_probationary, late)

    def secretaries(self, on=None):
        """Members holding a secretary's post on `on` (today by default) in any organization."""
        return self.on_roll().filter(holds_post(Member.Post.SECRETARY, on))

    def joined_by(self, on):
        """Members of the party on `on`: a past year's roll does not count those who joined later."""
        return self.filter(join_date__lte=on)

    def as_of(self, on):
        """The roll on `on`, each member annotated with `organization_on`, their organization that day (党章第八条:
        every member is in one organization).

        On the roll that day: joined by then, arrived by then (a 转入's day), not yet left (离册日期 after it).
        The organization: the one the latest transfer up to that day brought them to, else the one the first
        transfer after it took them from, else the one they are in now. Only members with a transfer after the
        day can be elsewhere now (Transfer.apply keeps the record at the latest), so the subqueries run for
        those alone: the `member IN (...)` lists are computed once, not per member.
        """
        own = Transfer.objects.filter(member=OuterRef("pk"))
        back_then = Coalesce(
            Subquery(own.filter(transferred_on__lte=on).order_by("-transferred_on", "-pk").values(
                org=Coalesce("to_organization", "from_organization"))[:1]),
            Subquery(own.filter(transferred_on__gt=on).order_by("transferred_on", "pk").values(
                org=Coalesce("from_organization", "to_organization"))[:1]),
            F("organization"),
        )
        return self.filter(on_roll_on(on)).annotate(organization_on=Case(
            When(pk__in=moved_since(on), then=back_then), default=F("organization"), output_field=models.BigIntegerField()))

    def in_organizations(self, ids, on=None):
        """Those in the organizations `ids` (ids or a queryset of them): today's, or on `on` after as_of(on)."""
        return self.filter(**{"organization_on__in" if on is not None else "organization__in": ids})

    def party_workers(self):
        """党务工作者: the members recorded as full-time or part-time party cadres (专职、兼职党务干部)."""
        return self.on_roll().filter(is_party_worker())


def moved_since(on):
    """The members with a transfer after `on`: the only ones who may have been elsewhere that day (a subquery)."""
    return Transfer.objects.filter(transferred_on__gt=on).values("member")


def on_roll_on(on=None, path=""):
    """Q for members on the roll on `on` (today's roll without it): joined by then, not arrived later from outside
    the district (转入), not left by then (离册日期, or on the roll today). The one rule MemberQuerySet.as_of,
    staffing_counts and the tenures counted read."""
    if on is None:
        return Q(**{f"{path}roll_status": Member.Roll.ON_ROLL})
    arrived_later = Transfer.objects.filter(kind=Transfer.Kind.IN, transferred_on__gt=on).values("member")
    still_there = Q(**{f"{path}roll_status": Member.Roll.ON_ROLL, f"{path}left_on__isnull": True}) | Q(**{f"{path}left_on__gt": on})
    return Q(**{f"{path}join_date__lte": on}) & still_there & ~Q(**{f"{path}pk__in": arrived_later})


def holds_post(post=None, on=None):
    """A condition on members: holding a party post (or the given one, 书记) on `on`, by a tenure counted then
    (Tenure.objects.counted: 党章第七条, a probationary member holds none); for counting within one query."""
    tenures = Tenure.objects.counted(on).filter(member=OuterRef("pk"))
    return models.Exists(tenures.filter(post=post) if post else tenures)


def is_party_worker():
    """Q for 党务工作者 (专职、兼职党务干部): the flag, not "anyone with a post"."""
    return ~Q(party_worker="")


# 中国共产党发展党员工作细则第三十二条: probation lasts a year; it may be extended once, by six months to a year.
PROBATION_YEARS = 1
EXTENSION_MONTHS = (6, 12)


def probation_end(joined, extension_months=0):
    """The day probation ends: a year from joining, or the extension's end."""
    return add_months(add_years(joined, PROBATION_YEARS), extension_months)


def conversion_deadline(joined, extension_months=0):
    """The last day a conversion is on time: the branch decides within CONVERSION_DECISION_MONTHS of the probation's
    end and the upper committee approves within CONVERSION_APPROVAL_MONTHS after that."""
    margin = settings.SHUZHI["CONVERSION_DECISION_MONTHS"] + settings.SHUZHI["CONVERSION_APPROVAL_MONTHS"]
    return add_months(probation_end(joined, extension_months), margin)


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "男", "男"
        FEMALE = "女", "女"

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", "研究生"
        BACHELOR = "bachelor", "大学本科"
        JUNIOR_COLLEGE = "junior_college", "大学专科"
        SECONDARY = "secondary", "中专"
        HIGH_SCHOOL = "high_school", "高中及以下"

    class Status(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class Post(models.TextChoices):
        NONE = "", "无"
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        ORGANIZATION = "organization", "组织委员"
        PUBLICITY = "publicity", "宣传委员"
        DISCIPLINE = "discipline", "纪检委员"
        UNITED_FRONT = "united_front", "统战委员"
        YOUTH = "youth", "青年委员"
        COMMITTEE = "committee", "委员"

    class Job(models.TextChoices):
        TEACHER = "teacher", "专任教师"
        MANAGER = "manager", "管理人员"
        SUPPORT = "support", "教辅人员"
        WORKER = "worker", "工勤人员"
        RETIRED = "retired", "离退休人员"
        OTHER = "other", "其他"

    class Roll(models.TextChoices):
        ON_ROLL = "on_roll", "在册"
        TRANSFERRED = "transferred", "转出"
        DECEASED = "deceased", "去世"
        CANCELLED = "cancelled", "取消预备党员资格"
        STOPPED = "stopped", "停止党籍"

    class PartyWorker(models.TextChoices):
        NONE = "", "否"
        FULL_TIME = "full_time", "专职党务干部"
        PART_TIME = "part_time", "兼职党务干部"

    class Backbone(models.TextChoices):
        NONE = "", "无"
        PROVINCIAL = "provincial", "省级骨干/学科带头人"
        CITY = "city", "市级骨干"
        DISTRICT = "district", "区级骨干"

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期", null=True, blank=True, validators=BIRTH_DATE)
    # Checked once, in clean(), which also reads the birth date and sex from it (not again as a field validator).
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    join_date = models.DateField("入党日期", validators=PARTY_DATE)
    full_member_date = models.DateField("转正日期", null=True, blank=True, validators=PARTY_DATE)
    status = models.CharField("党员类别", max_length=20, choices=Status.choices, default=Status.FULL)
    organization = models.ForeignKey(
        Organization, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members"
    )
    job = models.CharField("岗位", max_length=20, choices=Job.choices, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    roll_status = models.CharField("在册状态", max_length=20, choices=Roll.choices, default=Roll.ON_ROLL)
    cancelled_on = models.DateField("取消资格日期", null=True, blank=True)
    # The roll through time: the day a member left it (转出, 去世, 取消预备党员资格, 停止党籍); the day one from
    # outside the district arrived is their 转入 Transfer's. A past date's figures read both (roll_on).
    left_on = models.DateField("离册日期", null=True, blank=True, validators=PARTY_DATE,
                               help_text="转出、去世、取消预备党员资格、停止党籍的日期；在册党员不填。")
    cancellation_reason = models.TextField("取消资格原因", blank=True)
    party_worker = models.CharField(
        "党务工作者", max_length=20, choices=PartyWorker.choices, blank=True, default="",
        help_text="专职或兼职从事党务工作的党员；担任支部委员不等于党务工作者。",
    )
    backbone_title = models.CharField("骨干教师称号", max_length=20, choices=Backbone.choices, blank=True, default="")
    backbone_year = models.PositiveSmallIntegerField(
        "称号年度", null=True, blank=True,
        validators=[MinValueValidator(1949, message="称号年度应在1949年以后。"), MaxValueValidator(YEARS.stop - 1)],
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        ordering = ["organization_id", "id"]
        indexes = [
            models.Index(fields=["organization", "roll_status", "status"]),
            models.Index(fields=["status", "join_date"]),
            models.Index(fields=["backbone_year", "backbone_title"]),
            models.Index(fields=["phone"]),
            # The warnings (early_warning.py): late conversions, with the (status, join_date) index above, one
            # index for each side of conversion_overdue()'s "or".
            models.Index(fields=["full_member_date"]),
        ]

    def __str__(self):
        return self.name

    @property
    def extension(self):
        """The probation's one extension (ProbationExtension), or None."""
        try:
            return self.probation_extension
        except ObjectDoesNotExist:
            return None

    @property
    def extension_months(self):
        return self.extension.months if self.pk and self.extension else 0

    @property
    def probation_ends_on(self):
        """A year from joining, or the extension's end (发展党员工作细则第三十二条)."""
        return probation_end(self.join_date, self.extension_months) if self.join_date else None

    @property
    def conversion_due_on(self):
        """A conversion is due the day probation ends."""
        return self.probation_ends_on

    @property
    def conversion_overdue(self):
        return (
            self.status == self.Status.PROBATIONARY
            and self.roll_status == self.Roll.ON_ROLL
            and self.join_date is not None
            and conversion_deadline(self.join_date, self.extension_months) < today()
        )

    @property
    def age(self):
        return age_on(self.birth_date, today()) if self.birth_date else None

    def clean(self):
        self.id_number = idcard.normalize(self.id_number)
        self.name = (self.name or "").strip()
        errors = {}
        try:
            idcard.validate_id_number(self.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            born, sex = idcard.birth_date(self.id_number), idcard.gender(self.id_number)
            if self.birth_date is None:
                self.birth_date = born
            elif self.birth_date != born:
                errors["birth_date"] = f"出生日期{self.birth_date:%Y-%m-%d}与身份证号码中的{born:%Y-%m-%d}不一致。"
            if not self.gender:
                self.gender = sex
            elif self.gender != sex:
                errors["gender"] = f"性别“{self.gender}”与身份证号码（第17位表示{sex}）不一致。"
        if self.join_date and self.birth_date and age_on(self.birth_date, self.join_date) < 18:
            errors["join_date"] = "入党时应年满十八岁。"
        if self.join_date and self.join_date > today():
            errors["join_date"] = "入党日期不能晚于今天。"
        if self.status == self.Status.PROBATIONARY and self.full_member_date:
            errors["full_member_date"] = "预备党员不应有转正日期。"
        if self.status == self.Status.FULL and self.full_member_date and self.join_date:
            ends = self.probation_ends_on
            if self.full_member_date != ends:
                extended = f"延长预备期{self.extension_months}个月，" if self.extension_months else "预备期为一年，"
                errors["full_member_date"] = (f"转正日期应为预备期满之日{ends:%Y-%m-%d}（{extended}"
                                              "按期转正的自预备期满之日算起）。")
        if self.roll_status == self.Roll.CANCELLED:
            if self.status != self.Status.PROBATIONARY:
                errors["roll_status"] = "只有预备党员才能取消预备党员资格。"
            if not self.cancelled_on:
                errors["cancelled_on"] = "取消预备党员资格的，请填写取消资格日期。"
            elif self.join_date and self.cancelled_on < self.join_date:
                errors["cancelled_on"] = "取消资格日期不能早于入党日期。"
            elif self.cancelled_on > today():
                errors["cancelled_on"] = "取消资格日期不能晚于今天。"
            if not self.cancellation_reason.strip():
                errors["cancellation_reason"] = "取消预备党员资格的，请填写原因。"
        elif self.cancelled_on or self.cancellation_reason.strip():
            errors["cancelled_on"] = "未取消预备党员资格的，不应填写取消资格日期和原因。"
        errors.update(self._roll_date_errors())
        if self.backbone_title and not self.backbone_year:
            errors["backbone_year"] = "有骨干教师称号的，请填写称号年度。"
        if self.organization_id and not self.organization.is_active and self.roll_status == self.Roll.ON_ROLL:
            errors["organization"] = f"党组织“{self.organization}”已撤销，在册党员不能编入。"
        if self.organization_id:
            # Off the roll (转出, 去世…), a member keeps the organization they last belonged to, whatever it is now.
            refusal = branch_membership_refusal(self.organization) if self.roll_status == self.Roll.ON_ROLL else None
            if refusal:
                errors.setdefault("organization", refusal)
            elif self.organization.kind == OrgKind.COMMITTEE:
                errors["organization"] = "党员应编入基层党组织，不能直接编入教育工委。"
        if errors:
            raise ValidationError(errors)


    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.roll_status != self.Roll.ON_ROLL and self.left_on:
            # Off the roll, out of office: the posts held end the day the member left.
            for tenure in self.tenures.filter(ended_on=None, started_on__lt=self.left_on):
                tenure.ended_on = self.left_on
                tenure.save(update_fields=["ended_on"])

    def _roll_date_errors(self):
        """Every departure has its day (a 取消预备党员资格 the day of the cancellation), not before joining nor after today."""
        errors = {}
        if self.roll_status == self.Roll.CANCELLED and self.cancelled_on and not self.left_on:
            self.left_on = self.cancelled_on
        # A 转出 member left the roll the day their relationship moved out (Transfer.apply keeps the two together).
        out = (self.transfers.filter(kind=Transfer.Kind.OUT).order_by("-transferred_on").first()
               if self.pk and self.roll_status == self.Roll.TRANSFERRED else None)
        if out is not None and not self.left_on:
            self.left_on = out.transferred_on
        if self.roll_status == self.Roll.ON_ROLL:
            if self.left_on:
                errors["left_on"] = "在册党员不应填写离册日期。"
        elif not self.left_on:
            errors["left_on"] = f"{self.get_roll_status_display()}的，请填写离册日期。"
        elif self.roll_status == self.Roll.CANCELLED and self.cancelled_on and self.left_on != self.cancelled_on:
            errors["left_on"] = f"取消预备党员资格的，离册日期应为取消资格日期{self.cancelled_on:%Y-%m-%d}。"
        elif out is not None and self.left_on != out.transferred_on:
            errors["left_on"] = f"转出的，离册日期应为组织关系转出日期{out.transferred_on:%Y-%m-%d}。"
        elif self.join_date and self.left_on < self.join_date:
            errors["left_on"] = "离册日期不能早于入党日期。"
        elif self.left_on > today():
            errors["left_on"] = "离册日期不能晚于今天。"
        return errors


class ProbationExtensionQuerySet(ScopedQuerySet):
    organization_path = "member__organization"


class ProbationExtension(models.Model):
    """延长预备期: decided by the branch when probation ends, once, by six months to a year (发展党员工作细则第三十二条)."""

    member = models.OneToOneField(Member, verbose_name="预备党员", on_delete=models.CASCADE, related_name="probation_extension")
    decided_on = models.DateField("支部大会决定日期")
    months = models.PositiveSmallIntegerField("延长（月）", help_text="不少于6个月，最长12个月。")
    reason = models.TextField("延长原因")

    objects = ProbationExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "延长预备期"

    def __str__(self):
        return f"{self.member} 延长预备期{self.months}个月"

    @property
    def ends_on(self):
        return probation_end(self.member.join_date, self.months)

    def clean(self):
        errors = {}
        low, high = EXTENSION_MONTHS
        if self.months is not None and not low <= self.months <= high:
            errors["months"] = f"延长预备期不能少于{low}个月，最长不超过{high}个月（现为{self.months}个月）。"
        if self.member_id and self.decided_on:
            ends = probation_end(self.member.join_date)
            if self.decided_on < ends:
                errors["decided_on"] = f"延长预备期在预备期满（{ends:%Y-%m-%d}）时讨论决定，决定日期不能早于这一天。"
            elif self.decided_on > today():
                errors["decided_on"] = "决定日期不能晚于今天。"
        if self.member_id and self.member.full_member_date and self.member.full_member_date == probation_end(self.member.join_date):
            errors["member"] = "该党员已按期转正，不能延长预备期。"
        if not (self.reason or "").strip():
            errors["reason"] = "请填写延长预备期的原因。"
        if errors:
            raise ValidationError(errors)


class TransferQuerySet(ScopedQuerySet):
    # Whose record a transfer is, to write: the sending organization's (a 转入 from outside is the office's). Both
    # ends read it (visible_to below).
    organization_path = "from_organization"

    def visible_to(self, user):
        """A transfer belongs to both ends: the sending and the receiving organization's secretaries each see it."""
        ids = organization_ids(user)
        if ids is None:
            return self
        return self.filter(Q(from_organization__in=ids) | Q(to_organization__in=ids))

    def awaiting_receipt(self, on=None):
        """Letters out whose 回执 has not come back: by today, or as it stood on `on` (sent by then, not back by then)."""
        if on is None:
            return self.filter(received_on=None).exclude(kind=Transfer.Kind.IN)
        return (self.filter(transferred_on__lte=on).filter(Q(received_on=None) | Q(received_on__gt=on))
                .exclude(kind=Transfer.Kind.IN))


class Transfer(models.Model):
    """组织关系转接: a member's relationship moves on a day, with a numbered 介绍信 and a 回执 from the receiving side.

    系统内转接 moves the member between two of the district's organizations; 转出 takes them off the roll to a
    party organization outside the district; 转入 puts one from outside on it.
    """

    class Kind(models.TextChoices):
        WITHIN = "within", "系统内转接"
        OUT = "out", "转出"
        IN = "in", "转入"

    class Reason(models.TextChoices):
        JOB = "job", "工作调动"
        RETIREMENT = "retirement", "退休"
        STUDY = "study", "升学"
        HOME = "home", "户籍或居住地变动"
        OTHER = "other", "其他"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField("转接类型", max_length=10, choices=Kind.choices)
    from_organization = models.ForeignKey(
        Organization, verbose_name="转出党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_out",
        help_text="系统内转接、转出时填写；转入时不填。",
    )
    to_organization = models.ForeignKey(
        Organization, verbose_name="转入党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in",
        help_text="系统内转接、转入时填写；转出时不填。",
    )
    outside_unit = models.CharField(
        "系统外党组织", max_length=100, blank=True,
        help_text="转出时为接收的党组织（单位）名称，转入时为原所在党组织名称；系统内转接不填。",
    )
    transferred_on = models.DateField("转接日期", validators=PARTY_DATE)
    letter_number = models.CharField("介绍信编号", max_length=30, blank=True)
    reason = models.CharField("转接原因", max_length=20, choices=Reason.choices, default=Reason.JOB)
    received_on = models.DateField("回执日期", null=True, blank=True, validators=PARTY_DATE,
                                   help_text="接收方党组织确认接收（回执退回）的日期。")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认接收人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织关系转接"
        ordering = ["-transferred_on", "-id"]
        constraints = [
            # The import's natural key: one move of a member on a day.
            models.UniqueConstraint(fields=["member", "transferred_on"], name="transfer_member_day"),
            models.UniqueConstraint(fields=["letter_number"], condition=~Q(letter_number=""), name="transfer_letter_number"),
        ]
        indexes = [
            # The roll on a day: each member's last move up to it.
            models.Index(fields=["member", "transferred_on"]),
            models.Index(fields=["to_organization", "transferred_on"]),
            models.Index(fields=["from_organization", "transferred_on"]),
        ]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()}（{self.transferred_on:%Y-%m-%d}）" if self.transferred_on else str(self.member)

    def clean(self):
        errors = {}
        inside, outside = self.Kind.WITHIN, self.outside_unit.strip()
        if self.kind in (self.Kind.WITHIN, self.Kind.OUT) and not self.from_organization_id:
            errors["from_organization"] = f"{self.get_kind_display()}须填写转出党组织。"
        if self.kind in (self.Kind.WITHIN, self.Kind.IN) and not self.to_organization_id:
            errors["to_organization"] = f"{self.get_kind_display()}须填写转入党组织。"
        if self.kind == self.Kind.OUT and self.to_organization_id:
            errors["to_organization"] = "转出到系统外的，不填转入党组织，请在“系统外党组织”中填写接收单位。"
        if self.kind == self.Kind.IN and self.from_organization_id:
            errors["from_organization"] = "从系统外转入的，不填转出党组织，请在“系统外党组织”中填写原所在党组织。"
        if self.kind in (self.Kind.OUT, self.Kind.IN) and not outside:
            errors["outside_unit"] = "转出、转入系统外的，请填写系统外党组织（单位）名称。"
        if self.kind == inside and outside:
            errors["outside_unit"] = "系统内转接不填系统外党组织。"
        if self.kind == inside and self.from_organization_id and self.from_organization_id == self.to_organization_id:
            errors["to_organization"] = "转入党组织与转出党组织相同。"
        for field in ("from_organization", "to_organization"):
            refusal = branch_membership_refusal(getattr(self, field) if getattr(self, f"{field}_id") else None)
            if refusal and field not in errors:
                errors[field] = refusal
        if self.transferred_on:
            if self.transferred_on > today():
                errors["transferred_on"] = "转接日期不能晚于今天。"
            elif self.member_id and self.member.join_date and self.transferred_on < self.member.join_date:
                errors["transferred_on"] = f"转接日期不能早于该党员的入党日期（{self.member.join_date:%Y-%m-%d}）。"
            elif self.member_id and self.kind in self.Kind.values:
                for field, message in self._member_state_errors().items():
                    errors.setdefault(field, message)
        if self.received_on:
            if self.kind == self.Kind.IN:
                errors["received_on"] = "转入的回执由本方开具，不在此登记。"
            elif self.transferred_on and self.received_on < self.transferred_on:
                errors["received_on"] = "回执日期不能早于转接日期。"
            elif self.received_on > today():
                errors["received_on"] = "回执日期不能晚于今天。"
        if errors:
            raise ValidationError(errors)

    def _stored(self):
        return Transfer.objects.filter(pk=self.pk).first() if self.pk else None

    def _member_state_errors(self):
        """The rules that read the member as they stood on the transfer's day, from their other transfers."""
        member, day, stored = self.member, self.transferred_on, self._stored()
        others = member.transfers.exclude(pk=self.pk) if self.pk else member.transfers.all()
        on_day = f"{day:%Y-%m-%d}"
        left = member.left_on
        if self.kind == self.Kind.OUT and member.roll_status == Member.Roll.TRANSFERRED and left == day:
            left = None  # the departure is this very transfer's (being corrected, or entered after the roll said it)
        elif stored is not None and stored.kind == self.Kind.OUT and left == stored.transferred_on:
            left = None  # this transfer out, being moved to another day
        if left is not None and left <= day:
            return {"transferred_on": f"该党员已于{left:%Y-%m-%d}{member.get_roll_status_display()}离册，"
                                      f"{on_day}不在册，不能办理组织关系转接。"}
        arrival = others.filter(kind=self.Kind.IN, transferred_on__gt=day).first()
        if arrival is not None:
            return {"transferred_on": f"该党员{arrival.transferred_on:%Y-%m-%d}才从系统外转入，{on_day}尚未在册。"}
        if self.kind == self.Kind.IN:
            if others.filter(transferred_on__lte=day).exists():
                return {"kind": f"该党员{on_day}之前已在本系统内有组织关系，不能再登记为从系统外转入。"}
            return {}
        if self.kind == self.Kind.OUT and others.filter(transferred_on__gt=day).exists():
            return {"transferred_on": f"该党员在{on_day}之后还有组织关系转接记录，转出后即离册，请核对转接日期。"}
        errors = {}
        current = self._organization_on(day, others, stored)
        if self.to_organization_id and self.to_organization_id == current:
            errors["to_organization"] = f"该党员{on_day}已在“{self.to_organization}”，不需转入。"
        if self.from_organization_id and self.from_organization_id != current:
            where = Organization.objects.filter(pk=current).first()
            errors["from_organization"] = f"该党员{on_day}的组织关系在“{where}”，不在“{self.from_organization}”。"
        return errors

    def _organization_on(self, day, others, stored):
        """The member's organization on `day` as their other transfers place them (MemberQuerySet.as_of's rule):
        the last one up to that day brought them, else the first one after it took them from there, else where
        they are now (and where they are now is this transfer's doing when it was their latest)."""
        before = others.filter(transferred_on__lte=day).order_by("-transferred_on", "-pk").first()
        if before is not None:
            return before.to_organization_id or before.from_organization_id
        after = others.filter(transferred_on__gt=day).order_by("transferred_on", "pk").first()
        if after is not None:
            return after.from_organization_id or after.to_organization_id
        if stored is not None and stored.kind == self.Kind.WITHIN and stored.to_organization_id == self.member.organization_id:
            return stored.from_organization_id
        return self.member.organization_id

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.apply()

    def apply(self):
        """The member's record follows their latest transfer (one dated up to today): a 系统内转接 moves them to
        the receiving organization, a 转出 takes them off the roll on its day, a 转入 puts them on the roll of the
        receiving organization. An earlier transfer, entered late, leaves the record as the later one set it."""
        if self.transferred_on > today():
            return
        member = Member.objects.select_for_update().get(pk=self.member_id)
        latest = member.transfers.order_by("-transferred_on", "-pk").first()
        if latest is None or latest.pk != self.pk:
            return
        if self.kind == self.Kind.OUT:
            member.roll_status, member.left_on = Member.Roll.TRANSFERRED, self.transferred_on
        else:
            member.organization_id = self.to_organization_id
            member.roll_status, member.left_on = Member.Roll.ON_ROLL, None
        member.save(update_fields=["organization", "roll_status", "left_on"])
        self.member = member

    def deletion_refusal(self, also_deleted=()):
        """Why this transfer may not be deleted (the office's way to correct a mistaken entry), or None.

        Only the member's latest transfer can be undone: an earlier one is where a later one starts from
        (its 转出党组织), so it goes only after the later ones (`also_deleted`: the pks deleted with it, as by the
        list's 删除所选). A 转入 is never undone alone: it is how the member came onto the roll, and without it the
        record would say they had been on the district's roll since they joined the party, in every past year's
        figures. A 转入 entered by mistake goes with the member's record; a wrong day or organization is corrected.
        """
        later = (Transfer.objects.filter(member_id=self.member_id).exclude(pk__in=[self.pk, *also_deleted])
                 .filter(Q(transferred_on__gt=self.transferred_on) | Q(transferred_on=self.transferred_on, pk__gt=self.pk)))
        if later.exists():
            return "只能删除该党员最近一次组织关系转接，请先删除其后的转接。"
        if self.kind == self.Kind.IN:
            return ("转入是该党员进入本系统党员名册的记录，不能单独删除（删除后该党员将自入党起即在册）。"
                    "如系误登，请删除该党员的记录（转入记录随之删除）；如日期或党组织有误，请直接修改。")
        return None

    def delete(self, *args, **kwargs):
        """Undo the transfer: the member goes back where it found them, in one transaction with the deletion, the
        member's history row saying why. A 系统内转接 puts them back in its 转出党组织; a 转出 puts them back on
        that organization's roll. Refused (ValidationError) where deletion_refusal() says so."""
        with transaction.atomic():
            member = Member.objects.select_for_update().get(pk=self.member_id)
            refusal = self.deletion_refusal()
            if refusal:
                raise ValidationError(refusal)
            result = super().delete(*args, **kwargs)
            if self.transferred_on <= today():  # a transfer dated later never moved the member (apply)
                member.organization_id = self.from_organization_id
                back_on_roll = self.kind == self.Kind.OUT and member.roll_status == Member.Roll.TRANSFERRED
                if back_on_roll:
                    member.roll_status, member.left_on = Member.Roll.ON_ROLL, None
                member._change_reason = f"删除{self.get_kind_display()}（{self.transferred_on:%Y-%m-%d}），恢复转接前的组织关系"
                member.save(update_fields=["organization", "roll_status", "left_on"])
                if back_on_roll:
                    self._reopen_posts(member)
            self.member = member
            return result

    def _reopen_posts(self, member):
        """The posts the 转出 ended (Member.save ends them the day the member leaves) carry on, in an organization
        where no post has begun since: a post begun there (a 换届, a successor) says the team went on without them."""
        reason = f"删除转出（{self.transferred_on:%Y-%m-%d}），恢复任职"
        for tenure in member.tenures.filter(ended_on=self.transferred_on):
            if Tenure.objects.filter(organization_id=tenure.organization_id, started_on__gte=self.transferred_on).exists():
                continue
            tenure.ended_on, tenure._change_reason = None, reason
            tenure.save(update_fields=["ended_on"])

    def seen_by(self, user):
        """visible_to()'s rule for one transfer in hand: either end lies in what `user` may see."""
        ids = organization_ids(user)
        return ids is None or self.from_organization_id in ids or self.to_organization_id in ids

    @classmethod
    def recording_refusal(cls, user, kind):
        """Why `user` may not record a transfer of this kind, or None. A 转入 from outside the district arrives
        with a letter addressed to the committee: the office records it (a command-line import, user None, is
        the office's)."""
        if kind == cls.Kind.IN and user is not None and organization_ids(user) is not None:
            return "从系统外转入的组织关系由工委组织科登记。"
        return None

    def receipt_refusal(self, user):
        """Why `user` may not confirm the receipt (回执) now, or None.

        A letter is accepted by the side it goes to: for 系统内转接 the receiving organization's secretary or the
        office, never the sender (who would be confirming their own letter); a 转出's 回执 comes back on paper to
        the office, which records it; a 转入 has none here (this side writes it).
        """
        if self.kind == self.Kind.IN:
            return "从系统外转入的，回执由本方开具，无需确认接收。"
        if self.received_on:
            return f"已于{self.received_on:%Y-%m-%d}确认接收。"
        ids = organization_ids(user)
        if ids is None:
            return None
        if self.kind == self.Kind.OUT:
            return "转出到系统外的，回执由工委组织科登记。"
        if self.from_organization_id in ids:
            return "转出方不能确认接收本方开具的介绍信，应由转入党组织或工委组织科确认。"
        if self.to_organization_id not in ids:
            return "只有转入党组织或工委组织科可以确认接收。"
        return None

    def confirm_receipt(self, user, on=None):
        refusal = self.receipt_refusal(user)
        if refusal:
            raise ValidationError(refusal)
        self.received_on, self.received_by = on or today(), user
        self.save(update_fields=["received_on", "received_by"])


# The bands the office counts people in, in whole years: (label, lowest, highest); None is open-ended.
AGE_BANDS = [
    ("30岁及以下", None, 30), ("31—35岁", 31, 35), ("36—40岁", 36, 40), ("41—45岁", 41, 45),
    ("46—50岁", 46, 50), ("51—55岁", 51, 55), ("56—60岁", 56, 60), ("61岁及以上", 61, None),
]
PARTY_YEARS_BANDS = [
    ("不满5年", None, 4), ("5—9年", 5, 9), ("10—19年", 10, 19), ("20—29年", 20, 29), ("30年及以上", 30, None),
]


def party_years_known(on):
    """Q for members who have 党龄 on `on`: it counts from the conversion (党章第七条), so a probationary member, or one
    converted later, has none."""
    return Q(full_member_date__lte=on)


def years_between(field, on, low, high):
    """Q for whole years elapsed from the date in `field` to `on` (age from birth, 党龄 from the conversion)
    being within low..high, as age_on() counts them; a missing date is in no band (SQL compares NULL as false,
    so the bounds alone leave it out, and cheaper than a test for NULL on every row)."""
    q = Q() if low is not None or high is not None else Q(**{f"{field}__isnull": False})
    if low is not None:
        q &= Q(**{f"{field}__lte": add_years(on, -low)})
    if high is not None:
        q &= Q(**{f"{field}__gt": add_years(on, -(high + 1))})
    return q


# ---------------------------------------------------------------------------------------------
# Elections
# ---------------------------------------------------------------------------------------------
class ElectionQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def new_terms(self):
        """换届 proper: a 补选 fills a seat and a 延期换届 postpones; neither is a term's election."""
        return self.filter(kind=Election.Kind.NEW_TERM)

    def setting_terms(self, on=None):
        """The records that set when a term ends: each 换届, and each 延期换届 the upper committee approved (by `on`)."""
        approved = Q(approved_on__isnull=False) & ~Q(approval_document="")
        if on is not None:
            approved &= Q(approved_on__lte=on)
        return self.filter(Q(kind=Election.Kind.NEW_TERM) | (Q(kind=Election.Kind.POSTPONED) & approved))

    def unapproved(self, on):
        """Held by `on` without the upper committee's approval (批复文号 and date) by then."""
        return self.filter(held_on__lte=on).filter(Q(approved_on__isnull=True) | Q(approved_on__gt=on) | Q(approval_document=""))


# 中国共产党基层组织选举工作条例 (2020) 第三条: 如需延期或者提前进行换届选举，应当报上级党组织批准；延长或者提前期限一般不超过1年。
POSTPONEMENT_YEARS = 1
# The quorum (有选举权的到会人数超过应到会人数的五分之四) and the 差额 (候选人数多于应选人数的20%) are the 选举工作条例's
# rules; the searched texts quote them, but none gave the 2020 edition's article numbers, so they are cited by text.
QUORUM = Fraction(4, 5)
CONTEST_MARGIN = Fraction(1, 5)


def quorum_met(electorate, present):
    return present > electorate * QUORUM


def fewest_candidates(seats):
    """At least 20% more candidates than seats, rounded up (进一法): 5 seats want 6, 7 seats want 9."""
    return math.ceil(seats * (1 + CONTEST_MARGIN))


class Election(Reviewed):
    class Kind(models.TextChoices):
        NEW_TERM = "new_term", "换届"
        BY_ELECTION = "by_election", "补选"
        POSTPONED = "postponed", "延期换届"

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="elections")
    kind = models.CharField("选举类别", max_length=20, choices=Kind.choices, default=Kind.NEW_TERM,
                            help_text="补选不重新计算任期；延期换届须经上级党委批准，延期不超过1年。")
    held_on = models.DateField("选举日期", validators=RECORD_DATE, help_text="延期换届填写上级党委批准延期的日期。")
    # 中国共产党章程 第三十一条 (基层委员会、总支部委员会、支部委员会每届任期三年至五年) and the 2018 中办 意见 on the
    # basic-level organizations' terms: a 党委 serves 5 years, a 党总支 and a 党支部 3; TERM_YEARS holds them.
    term_years = models.PositiveSmallIntegerField(
        "任期（年）", blank=True, help_text="留空按组织类别：党委5年，党总支、党支部3年。",
        validators=[MinValueValidator(1, message="任期至少1年。"), MaxValueValidator(MAX_TERM_YEARS, message=f"任期不能超过{MAX_TERM_YEARS}年（党章规定基层党组织每届任期三年至五年）。")],
    )
    term_ends_on = models.DateField("任期届满", null=True, editable=False)
    postponed_to = models.DateField("延期至", null=True, blank=True, validators=RECORD_DATE,
                                    help_text="延期换届的新换届日期。")
    electorate = models.PositiveIntegerField("应到会有选举权党员数", null=True, blank=True,
                                             validators=[at_most(HEADCOUNT, "人数")])
    present = models.PositiveIntegerField("实到会有选举权党员数", null=True, blank=True,
                                          validators=[at_most(HEADCOUNT, "人数")])
    candidates = models.PositiveIntegerField("候选人数", null=True, blank=True, validators=[at_most(HEADCOUNT, "人数")])
    seats = models.PositiveIntegerField("应选人数", null=True, blank=True, validators=[at_most(HEADCOUNT, "人数")])
    approval_document = models.CharField("批复文号", max_length=100, blank=True)
    approved_on = models.DateField("批复日期", null=True, blank=True, validators=RECORD_DATE)
    note = models.TextField("备注", blank=True)

    objects = ElectionQuerySet.as_manager()

    DECIDED = ("approval_document", "approved_on")

    class Meta:
        verbose_name = verbose_name_plural = "换届选举"
        ordering = ["-held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "held_on"], name="one_election_per_org_per_day")]
        indexes = [models.Index(fields=["organization", "-held_on"]), models.Index(fields=["held_on"])]

    def __str__(self):
        return f"{self.organization} {self.held_on:%Y-%m-%d}{self.get_kind_display()}"

    @property
    def secretary(self):
        """The member this election elected secretary (its tenures), or None."""
        return next((t.member for t in self.tenures.all() if t.post == Member.Post.SECRETARY), None)

    @property
    def is_approved(self):
        """批复: the upper committee's document and date; without them the term does not count as approved."""
        return bool(self.approval_document and self.approved_on)

    def fill_term(self):
        if not self.term_years and self.organization_id:
            self.term_years = TERM_YEARS.get(self.organization.kind)
        if self.kind == self.Kind.BY_ELECTION:
            self.term_ends_on = None  # a seat filled within the term: the term's end stays the 换届's
        elif self.kind == self.Kind.POSTPONED:
            self.term_ends_on = self.postponed_to
        elif self.held_on and self.term_years and self.term_years <= MAX_TERM_YEARS:  # a longer one is refused
            self.term_ends_on = add_years(self.held_on, self.term_years)

    def previous_term_end(self):
        """The end of the term this record follows: the latest 换届 (or approved postponement) held before it."""
        earlier = (Election.objects.setting_terms().filter(organization_id=self.organization_id, held_on__lt=self.held_on)
                   .exclude(pk=self.pk).order_by("-held_on", "-pk").values_list("term_ends_on", flat=True).first())
        return earlier

    def clean(self):
        errors = {}
        kind = self.organization.kind if self.organization_id else None
        if kind == OrgKind.COMMITTEE:
            errors["organization"] = "教育工委的换届不在本系统登记。"
        if self.held_on and self.held_on > today():
            errors["held_on"] = "选举日期不能晚于今天。"
        if self.approved_on and self.held_on and self.approved_on < self.held_on:
            errors["approved_on"] = "批复日期不能早于选举日期。"
        expected = TERM_YEARS.get(kind)
        if expected and self.term_years and self.term_years != expected:
            errors["term_years"] = (f"{OrgKind(kind).label}每届任期{expected}年，不能登记{self.term_years}年"
                                    "（党委5年，党总支、党支部3年）。")
        errors.update(self._postponement_errors())
        errors.update(self._vote_errors())
        if errors:
            raise ValidationError(errors)
        self.fill_term()

    def _postponement_errors(self):
        if self.kind != self.Kind.POSTPONED:
            return {"postponed_to": "只有延期换届填写延期至日期。"} if self.postponed_to else {}
        if not self.postponed_to:
            return {"postponed_to": "延期换届请填写延期至哪一天。"}
        if self.held_on and self.postponed_to <= self.held_on:
            return {"postponed_to": "延期至日期应晚于批准延期的日期。"}
        ends = self.previous_term_end() if self.organization_id and self.held_on else None
        if ends and self.postponed_to > add_years(ends, POSTPONEMENT_YEARS):
            latest = add_years(ends, POSTPONEMENT_YEARS)
            return {"postponed_to": f"延期不能超过1年：原任期{ends:%Y-%m-%d}届满，最迟延至{latest:%Y-%m-%d}。"}
        return {}

    def _vote_errors(self):
        errors = {}
        if self.present is not None:
            if self.electorate is None:
                errors["electorate"] = "填写实到会人数的，请同时填写应到会有选举权党员数。"
            elif self.present > self.electorate:
                errors["present"] = f"实到会{self.present}人，多于应到会的{self.electorate}人。"
            elif not quorum_met(self.electorate, self.present):
                errors["present"] = (f"实到会{self.present}人，未超过应到会{self.electorate}人的五分之四"
                                     f"（至少{self.electorate * 4 // 5 + 1}人），选举无效。")
        if (self.candidates is None) != (self.seats is None):
            errors["seats" if self.seats is None else "candidates"] = "候选人数和应选人数请同时填写。"
        elif self.candidates is not None and self.kind == self.Kind.NEW_TERM and self.candidates < fewest_candidates(self.seats):
            errors["candidates"] = (f"差额选举候选人数应多于应选人数的20%：应选{self.seats}人，候选人至少"
                                    f"{fewest_candidates(self.seats)}人，登记的是{self.candidates}人。")
        return errors

    def save(self, *args, **kwargs):
        self.fill_term()
        super().save(*args, **kwargs)
        self.close_previous_term()

    def closes_previous_term(self):
        """A 换届 the office has approved (or made) ends the previous term: its tenures in the organization end on
        the election day (中国共产党基层组织选举工作条例: 委员会每届任期届满应当按期进行换届选举). A 补选 leaves them."""
        return self.kind == self.Kind.NEW_TERM and self.review_status == Review.APPROVED

    def close_previous_term(self):
        """Run once the people it elected are recorded (the admin after its inline, the import after its rows, and
        on approval): a record of a past election that names no one ends nobody's tenure."""
        if not self.closes_previous_term() or not self.pk or not self.tenures.exists():
            return
        for tenure in Tenure.objects.filter(organization_id=self.organization_id, ended_on=None, started_on__lt=self.held_on):
            tenure.ended_on = self.held_on
            tenure.save(update_fields=["ended_on"])


# ---------------------------------------------------------------------------------------------
# Posts held through time (任职)
# ---------------------------------------------------------------------------------------------
class TenureQuerySet(ScopedQuerySet):
    organization_path = "organization"

    def valid_on(self, on=None):
        """Tenures in office on `on` (today by default): started by then and not yet ended. `ended_on` is the first
        day out of office (the day a successor's term starts), so a tenure is valid on started_on <= D < ended_on."""
        on = on or today()
        return self.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def counted(self, on=None):
        """The tenures the staffing figures count on `on`: valid then, held by a full member on the roll then (党章
        第七条: a probationary member holds no post; one entered before the rule is not counted), and, where an
        election opened it, the election approved (a secretary's entry counts once the office approves it)."""
        on = on or today()
        full = Q(status=Member.Status.FULL) & (Q(full_member_date__isnull=True) | Q(full_member_date__lte=on))
        reviewed = Q(election__isnull=True) | Q(election__review_status=Review.APPROVED)
        # The member's conditions as a subquery on the tenure's member (its primary key): joined, SQLite (without
        # statistics) read the posts from the members' side, all full members on the roll (1.4 s at 100,000).
        holder = Member.objects.filter(on_roll_on(on) & full, pk=OuterRef("member"))
        return self.valid_on(on).filter(reviewed, models.Exists(holder))

    def posts_by_organization(self, on=None):
        """On `on`, from one query over the tenures (as many rows as posts, whatever the size of the roll):
        {organization id: (committee count, eldest secretary's birth)} and {each secretary's member id: birth}."""
        held, eldest, secretaries = {}, {}, {}
        rows = self.counted(on).order_by().values_list("organization", "member", "post", "member__birth_date")
        for org, member, post, birth in rows:
            held.setdefault(org, set()).add(member)
            if post == Member.Post.SECRETARY:
                secretaries[member] = birth
                if birth is not None and (eldest.get(org) is None or birth < eldest[org]):
                    eldest[org] = birth
        return {org: (len(members), eldest.get(org)) for org, members in held.items()}, secretaries


    def secretary_names(self, on=None):
        """{organization id: [names]} of the secretaries in office on `on` (today by default)."""
        names = {}
        for org, name in (self.counted(on).filter(post=Member.Post.SECRETARY).order_by("organization", "started_on", "pk")
                          .values_list("organization", "member__name")):
            names.setdefault(org, []).append(name)
        return names


POSTS = [(code, label) for code, label in Member.Post.choices if code]


class Tenure(models.Model):
    """任职: a member holding a party post in an organization from one day to another (their own branch, or the
    党委/党总支 above it). `ended_on` is the first day out of office, empty while in office."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="tenures")
    organization = models.ForeignKey(Organization, verbose_name="任职党组织", on_delete=models.PROTECT, related_name="tenures",
                                     help_text="本人所在党支部，或其上级党总支、党委。")
    post = models.CharField("党内职务", max_length=20, choices=POSTS)
    started_on = models.DateField("任职日期", validators=PARTY_DATE)
    ended_on = models.DateField("离任日期", null=True, blank=True, validators=PARTY_DATE,
                                help_text="不再担任该职务的第一天（继任者任职之日）；在任的不填。")
    election = models.ForeignKey(Election, verbose_name="产生该任职的选举", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tenures")

    objects = TenureQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "任职"
        ordering = ["organization_id", "-started_on", "id"]
        indexes = [models.Index(fields=["organization", "post", "started_on"]), models.Index(fields=["member", "post"])]

    def __str__(self):
        return f"{self.member} {self.organization}{self.get_post_display()}"

    def clean(self):
        if self.election is not None:
            # Opened by an election: in its organization, from its day.
            if self.election.organization_id:
                self.organization_id = self.election.organization_id
            self.started_on = self.election.held_on or self.started_on
        errors = {}
        member = self.member if self.member_id else None
        if member is not None and member.status == Member.Status.PROBATIONARY:
            errors["member"] = "预备党员没有表决权、选举权和被选举权（党章第七条），不能担任党内职务。"
        elif member is not None and self.started_on and member.full_member_date and self.started_on < member.full_member_date:
            errors["started_on"] = (f"任职日期{self.started_on:%Y-%m-%d}时尚是预备党员（{member.full_member_date:%Y-%m-%d}转正），"
                                    "预备党员不能担任党内职务（党章第七条）。")
        if member is not None and self.started_on and member.join_date and self.started_on < member.join_date:
            errors["started_on"] = f"任职日期不能早于入党日期{member.join_date:%Y-%m-%d}。"
        if self.ended_on and self.started_on and self.ended_on <= self.started_on:
            errors["ended_on"] = "离任日期应晚于任职日期（离任日期是不再担任该职务的第一天）。"
        # The member's own organization or one above it; a closed tenure may be where the member was before a move.
        if member is not None and self.organization_id and self.ended_on is None:
            own = member.organization
            if self.organization_id != own.pk and self.organization not in own.ancestors():
                errors["organization"] = f"{member}在“{own}”，只能在本组织或其上级党组织任职。"
        if self.organization_id and self.organization.kind == OrgKind.COMMITTEE:
            errors["organization"] = "教育工委的职务不在本系统登记。"
        if not errors and self.organization_id and self.started_on:
            errors.update(self._overlap_errors())
        if errors:
            raise ValidationError(errors)

    def _overlapping(self):
        """Tenures in the same organization whose time overlaps this one's (an election's 换届 closing the open
        ones it will end on its day)."""
        others = Tenure.objects.filter(organization_id=self.organization_id).exclude(pk=self.pk)
        others = others.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=self.started_on))
        if self.ended_on:
            others = others.filter(started_on__lt=self.ended_on)
        election = self.election
        if election is not None and election.closes_previous_term() and election.held_on:
            others = others.exclude(ended_on=None, started_on__lt=election.held_on)
        return others

    def _overlap_errors(self):
        others = self._overlapping()
        if self.member_id and others.filter(member_id=self.member_id, post=self.post).exists():
            return {"post": f"{self.member}在本组织已有一段同期的{self.get_post_display()}任职，任职时间不能重叠。"}
        if self.post == Member.Post.SECRETARY:
            other = others.filter(post=Member.Post.SECRETARY).exclude(member_id=self.member_id).select_related("member").first()
            if other is not None:
                return {"post": f"同一时间只能有一名书记：{other.member}自{other.started_on:%Y-%m-%d}起任{self.organization}书记"
                                + (f"至{other.ended_on:%Y-%m-%d}。" if other.ended_on else "，尚未离任。")}
        return {}


# ---------------------------------------------------------------------------------------------
# Branch standardization (党支部建设标准化)
# ---------------------------------------------------------------------------------------------
class StandardArea(models.Model):
    name = models.CharField("标准化领域", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "标准化领域"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class StandardItem(models.Model):
    area = models.ForeignKey(StandardArea, verbose_name="领域", on_delete=models.PROTECT, related_name="items")
    code = models.CharField("编号", max_length=10, unique=True)
    title = models.CharField("标准内容", max_length=200)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    is_required = models.BooleanField("必达项", default=False, help_text="必达项得分不满的，不能评为达标或示范。")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "标准化细则"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.title}"


class AssessmentResult(models.TextChoices):
    FAILED = "failed", "未达标"
    PASSED = "passed", "达标"
    EXEMPLARY = "exemplary", "示范"


STANDARD_MET = (AssessmentResult.PASSED, AssessmentResult.EXEMPLARY)


class StandardLevel(models.Model):
    """The catalogue's thresholds: the points a 达标 or 示范 needs (the office sets them; migration 0132 seeds 80 and 95)."""

    result = models.CharField("评定等次", max_length=20, unique=True,
                              choices=[(r.value, r.label) for r in STANDARD_MET])
    min_points = models.DecimalField("最低得分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "标准化等次分数线"
        ordering = ["min_points"]

    def __str__(self):
        return f"{self.get_result_display()}{self.min_points}分"


def _points(value):
    return f"{Decimal(value).normalize():f}"  # 97.0 as 97, 80 as 80, 97.5 as 97.5


def result_refusal(result, scores, levels=None):
    """Why `result` contradicts the item scores [(StandardItem, score)], or None: 未达标 where the scores reach 达标,
    达标 or 示范 where they do not reach its points or a 必达项 is short. 示范 is conferred, so scores that reach it
    may still be rated 达标."""
    if not result or not scores:
        return None
    levels = levels if levels is not None else {lv.result: lv.min_points for lv in StandardLevel.objects.all()}
    total = sum(score for _, score in scores)
    short = [item.code for item, score in scores if item.is_required and score < item.points]
    reaches = {r: r in levels and total >= levels[r] and not short for r in STANDARD_MET}
    if result == AssessmentResult.FAILED and reaches[AssessmentResult.PASSED]:
        return (f"细则得分合计{_points(total)}分，达到达标线{_points(levels[AssessmentResult.PASSED])}分且必达项均满分，"
                "不能评为未达标。")
    if result in STANDARD_MET and not reaches[result]:
        label = AssessmentResult(result).label
        if short:
            return f"必达项{'、'.join(short)}得分不满，不能评为{label}。"
        if result not in levels:
            return f"标准化等次分数线未设{label}的最低得分。"
        return f"细则得分合计{_points(total)}分，低于{label}线{_points(levels[result])}分，不能评为{label}。"
    return None


class AssessmentQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def met(self):
        return self.reviewed().filter(result__in=STANDARD_MET)


class Assessment(Reviewed):
    organization = models.ForeignKey(
        Organization, verbose_name="党支部", on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField("年度", validators=RECORD_YEAR)
    # Blank while the office has not decided: a secretary submits the self-assessment scores, the office the result.
    result = models.CharField("评定结果", max_length=20, choices=AssessmentResult.choices, blank=True)
    assessed_on = models.DateField("评定日期", validators=RECORD_DATE)
    note = models.TextField("备注", blank=True)

    objects = AssessmentQuerySet.as_manager()

    DECIDED = ("result",)

    class Meta:
        verbose_name = verbose_name_plural = "标准化评定"
        ordering = ["-year", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_assessment_per_branch_year")]

    def __str__(self):
        return f"{self.organization} {self.year}年标准化评定"

    def full_clean(self, exclude=None, **kwargs):
        self._judges_result = not exclude or "result" not in exclude
        super().full_clean(exclude=exclude, **kwargs)

    def clean(self):
        errors = {}
        if self.organization_id and not self.organization.is_branch:
            errors["organization"] = "标准化评定的对象是党支部（含联合党支部）。"
        if self.assessed_on and self.year and self.assessed_on.year not in (self.year, self.year + 1):
            errors["assessed_on"] = "评定日期应在评定年度内或次年年初。"
        # The stored scores (the admin's inline judges the scores entered with the result); not where the form
        # leaves the result out (a secretary's), which has no field to name.
        if self.pk and self.result and getattr(self, "_judges_result", True):
            refusal = result_refusal(self.result, [(i.item, i.score) for i in self.items.select_related("item")])
            if refusal:
                errors["result"] = refusal
        if errors:
            raise ValidationError(errors)


class AssessmentItemQuerySet(ScopedQuerySet):
    organization_path = "assessment__organization"


class AssessmentItem(models.Model):
    assessment = models.ForeignKey(Assessment, verbose_name="评定", on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(StandardItem, verbose_name="细则", on_delete=models.PROTECT)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    remark = models.CharField("扣分说明", max_length=200, blank=True)

    objects = AssessmentItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "评定细则得分"
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item")]

    def __str__(self):
        return str(self.item)

    @property
    def met(self):
        return self.score >= self.item.points

    def clean(self):
        if self.item_id and self.score is not None and not (0 <= self.score <= self.item.points):
            raise ValidationError({"score": f"得分应在0到{self.item.points}之间。"})


# ---------------------------------------------------------------------------------------------
# Rectification of weak and lax organizations in private education (软弱涣散党组织整顿)
# ---------------------------------------------------------------------------------------------
class ProblemCategory(models.Model):
    name = models.CharField("问题类别", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "软弱涣散问题类别"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class RectificationQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def open(self):
        return self.exclude(status=RectificationCase.Status.CLOSED)

    def past_deadline(self, on=None):
        """Open on `on` (a case closed after that day was still open then) with its deadline before it."""
        on = on or today()
        closed_by_then = Q(status=RectificationCase.Status.CLOSED) & (Q(closed_on__lte=on) | Q(closed_on__isnull=True))
        return self.exclude(closed_by_then).filter(deadline__lt=on)


class RectificationCase(Reviewed):
    """软弱涣散基层党组织整顿: any basic-level organization, public or private (the seed's focus on private schools is a
    list filter, not a rule): 排查 (how it was identified), progress (RectificationProgress), 验收 (who, when), 销号."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "整顿中"
        AWAITING = "awaiting", "待验收"
        CLOSED = "closed", "已销号"

    class Identified(models.TextChoices):
        SURVEY = "survey", "年度集中排查"
        INSPECTION = "inspection", "巡察督查发现"
        ASSESSMENT = "assessment", "考核评议发现"
        REPORTED = "reported", "群众反映"
        OTHER = "other", "其他"

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="rectifications"
    )
    year = models.PositiveSmallIntegerField("年度", validators=RECORD_YEAR)
    categories = models.ManyToManyField(ProblemCategory, verbose_name="问题类别", blank=True)
    identified_by = models.CharField("排查方式", max_length=20, choices=Identified.choices, default=Identified.SURVEY)
    identified_on = models.DateField("排查确定日期", null=True, blank=True, validators=RECORD_DATE)
    problems = models.TextField("存在问题")
    measures = models.TextField("整顿措施", blank=True)
    responsible_leader = models.ForeignKey(
        Leader, verbose_name="包抓领导", null=True, blank=True, on_delete=models.SET_NULL, related_name="rectifications"
    )
    deadline = models.DateField("整改时限", validators=RECORD_DATE)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    accepted_by = models.CharField("验收人", max_length=100, blank=True, help_text="验收的领导或工作组。")
    accepted_on = models.DateField("验收日期", null=True, blank=True, validators=RECORD_DATE)
    closed_on = models.DateField("销号日期", null=True, blank=True, validators=RECORD_DATE)
    is_exemplary = models.BooleanField("树为典型", default=False)

    objects = RectificationQuerySet.as_manager()

    # 验收 and 销号 are the office's; a secretary reports progress (RectificationProgress). A case is counted
    # whatever its review state: the office identified it, and a secretary's edit of its measures does not undo that.
    DECIDED = ("status", "accepted_by", "accepted_on", "closed_on", "is_exemplary")

    class Meta:
        verbose_name = verbose_name_plural = "软弱涣散整顿"
        ordering = ["-year", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_case_per_org_year")]

    def __str__(self):
        return f"{self.organization} {self.year}年整顿"

    @property
    def past_deadline(self):
        return self.past_deadline_on(today())

    def past_deadline_on(self, on):
        """As RectificationQuerySet.past_deadline: still open on `on` (closed later, or not at all), its deadline before it."""
        closed_by_then = self.status == self.Status.CLOSED and (self.closed_on is None or self.closed_on <= on)
        return not closed_by_then and self.deadline < on

    def clean(self):
        errors = {}
        if self.organization_id and self.organization.kind == OrgKind.COMMITTEE:
            errors["organization"] = "软弱涣散整顿的对象是基层党组织，不是教育工委。"
        if self.status == self.Status.CLOSED and not (self.accepted_on and self.accepted_by):
            errors["accepted_on" if not self.accepted_on else "accepted_by"] = "销号前须经验收，请填写验收人和验收日期。"
        if (self.accepted_on or self.accepted_by) and self.status == self.Status.IN_PROGRESS:
            errors["status"] = "已验收的整顿，状态应为待验收或已销号。"
        if self.accepted_on and self.closed_on and self.closed_on < self.accepted_on:
            errors["closed_on"] = "销号日期不能早于验收日期。"
        if self.identified_on and self.accepted_on and self.accepted_on < self.identified_on:
            errors["accepted_on"] = "验收日期不能早于排查确定日期。"
        if self.status == self.Status.CLOSED and not self.closed_on:
            errors["closed_on"] = "已销号的请填写销号日期。"
        if self.status != self.Status.CLOSED and self.closed_on:
            errors["closed_on"] = "未销号的不应有销号日期。"
        if self.is_exemplary and self.status != self.Status.CLOSED:
            errors["is_exemplary"] = "整顿销号后才能树为典型。"
        if errors:
            raise ValidationError(errors)


class RectificationProgressQuerySet(ScopedQuerySet, ReviewedQuerySet):
    organization_path = "case__organization"


class RectificationProgress(Reviewed):
    case = models.ForeignKey(RectificationCase, verbose_name="整顿台账", on_delete=models.CASCADE, related_name="progress")
    date = models.DateField("日期", validators=RECORD_DATE)
    note = models.TextField("进展情况")

    objects = RectificationProgressQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整顿进展"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


# ---------------------------------------------------------------------------------------------
# The working committee's own year (党建工作台账)
# ---------------------------------------------------------------------------------------------
class WorkKind(models.TextChoices):
    # 政治建设
    GUIDANCE = "guidance", "专题指导基层党建"
    RESEARCH = "research", "专题调研"
    COMMITTEE_MEETING = "committee_meeting", "党工委会议"
    DEMOCRATIC_LIFE = "democratic_life", "专题民主生活会"
    BRANCH_LIFE = "branch_life", "参加支部组织生活会"
    # 思想建设
    TRAINING_CLASS = "training_class", "书记轮训班"
    PAPER = "paper", "研讨交流材料"
    RESEARCH_TOPIC = "research_topic", "完成调研专题"
    PARTY_LESSON = "party_lesson", "专题党课"
    PROBLEM_FIXED = "problem_fixed", "检视整改问题"
    CENTRAL_GROUP = "central_group", "中心组理论学习"
    BUREAU_STUDY = "bureau_study", "机关集中学习"
    REFLECTION = "reflection", "心得体会"
    # 组织建设
    SECTION_APPOINTMENT = "section_appointment", "科级班子调整配备"
    UNIT_APPOINTMENT = "unit_appointment", "股级单位调整配备"
    PRIVATE_MEETING = "private_meeting", "民办教育党组织负责人会议"
    PRIVATE_INSPECTION = "private_inspection", "民办教育党建调研检查"
    # 党风廉政建设
    COLLECTIVE_TALK = "collective_talk", "集体约谈"
    ONE_TO_ONE_TALK = "one_to_one_talk", "一对一约谈"


# The unit in which each kind's count is said, as the report says it.
WORK_UNITS = {
    WorkKind.TRAINING_CLASS: "期",
    WorkKind.PAPER: "篇",
    WorkKind.RESEARCH_TOPIC: "个",
    WorkKind.PROBLEM_FIXED: "个",
    WorkKind.REFLECTION: "篇",
}


class WorkLogEntry(models.Model):
    date = models.DateField("日期", validators=RECORD_DATE)
    kind = models.CharField("工作类型", max_length=30, choices=WorkKind.choices)
    title = models.CharField("事项", max_length=200)
    count = models.PositiveIntegerField("数量", default=1, help_text="次数、期数、篇数或个数。", validators=[at_most(WORK_COUNT, "数量")])
    topics = models.PositiveIntegerField("研究议题数", default=0, validators=[at_most(WORK_COUNT, "研究议题数")])
    teams = models.PositiveIntegerField("涉及班子（单位）数", default=0, validators=[at_most(WORK_COUNT, "涉及班子（单位）数")])
    people = models.PositiveIntegerField("涉及人数", default=0, validators=[at_most(1_000_000, "涉及人数")])
    leader = models.ForeignKey(
        Leader, verbose_name="主持/参加领导", null=True, blank=True, on_delete=models.SET_NULL, related_name="work"
    )
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建工作台账"
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["kind", "date"])]
        # The import's natural key, held by the database: two imports of one file at once cannot double it.
        constraints = [models.UniqueConstraint(fields=["date", "kind", "title"], name="one_worklog_entry_per_title_day")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def clean(self):
        if self.date and self.date > today():
            raise ValidationError({"date": "台账日期不能晚于今天。"})


# ---------------------------------------------------------------------------------------------
# The office's plan and own words for a year
# ---------------------------------------------------------------------------------------------
class AnnualPlan(models.Model):
    """What the office sets for a year and writes itself: the standardization target and the report's own text."""

    year = models.PositiveSmallIntegerField("年度", unique=True, validators=RECORD_YEAR)
    standardization_target = models.PositiveIntegerField(
        "标准化建设目标（个党支部）", default=0, validators=[at_most(HEADCOUNT, "标准化建设目标")]
    )
    reflection = models.TextField("原因分析", blank=True, help_text="述职报告“存在的主要问题”之后的自省与原因分析。")
    next_steps = models.TextField("下一步工作思路和措施", blank=True, help_text="每段一条措施，段首可写编号。")

    class Meta:
        verbose_name = verbose_name_plural = "年度计划与述职文稿"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年"

    @classmethod
    def for_year(cls, year):
        """The year's plan; a year without one starts from the previous year's text as a draft (unsaved)."""
        plan = cls.objects.filter(year__lte=year).order_by("-year").first()
        if plan is None:
            return cls(year=year)
        if plan.year != year:
            return cls(year=year, standardization_target=plan.standardization_target,
                       reflection=plan.reflection, next_steps=plan.next_steps)
        return plan


class ReportText(models.Model):
    """The office's own wording in the duty report, for one year: the fixed phrases a year's report repeats or
    changes (the 主题教育's full name, the activities, the inspections), edited in the admin, never kept in code."""

    class Key(models.TextChoices):
        THEME_EDUCATION = "theme_education", "主题教育全称"
        GUIDANCE_GROUP = "guidance_group", "组织生活会指导"
        TEAM_REVIEW = "team_review", "领导班子分析研判"
        MUTUAL_LEARNING = "mutual_learning", "标准化建设活动"
        ACTIVITIES = "activities", "党性实践活动"
        INSPECTION = "inspection", "配合巡察"
        CLEAN_GOVERNMENT = "clean_government", "廉洁自律表态"

    year = models.PositiveSmallIntegerField("年度", validators=RECORD_YEAR)
    key = models.CharField("文稿项", max_length=30, choices=Key.choices)
    text = models.TextField("文字", blank=True, help_text="原样写入述职报告；留空则报告略去此句。")

    class Meta:
        verbose_name = verbose_name_plural = "述职报告固定文字"
        ordering = ["-year", "key"]
        constraints = [models.UniqueConstraint(fields=["year", "key"], name="report_text_once_a_year")]

    def __str__(self):
        return f"{self.year}年{self.get_key_display()}"

    @classmethod
    def for_year(cls, year):
        """({key: text}, the keys the year wrote itself), in one query; a key the year has not written yet reads
        the latest earlier year's text."""
        texts, own = {}, set()
        for row in cls.objects.filter(year__lte=year).order_by("year"):
            texts[row.key] = row.text
            if row.year == year:
                own.add(row.key)
        return {key: texts.get(key, "") for key in cls.Key.values}, own

    @classmethod
    def prefill(cls, year):
        """Write the year's rows it lacks from the previous years' texts, for the office to edit; returns how many."""
        texts, have = cls.for_year(year)
        rows = [cls(year=year, key=key, text=text) for key, text in texts.items() if key not in have and text]
        cls.objects.bulk_create(rows)
        return len(rows)

# ---------------------------------------------------------------------------------------------
# Organizational life (组织生活: 三会一课, 主题党日, 组织生活会, 民主评议党员)
# ---------------------------------------------------------------------------------------------
def has_committee(committee_count):
    """A branch has a committee (支部委员会) when at least three of its members hold posts."""
    return committee_count >= BRANCH_COMMITTEE_MIN


class MeetingType(models.Model):
    """A kind of meeting and how often the regulations ask for it; the office edits the frequencies."""

    class Scope(models.TextChoices):
        BRANCHES = "branches", "全部党支部（含联合党支部）"
        WITH_COMMITTEE = "with_committee", "设支部委员会的党支部"

    name = models.CharField("类型", max_length=30, unique=True)
    period = models.CharField("规定频次", max_length=10, choices=MeetingPeriod.choices)
    times = models.PositiveSmallIntegerField("每期至少（次）", default=1, validators=[at_most(31, "每期至少次数")])
    scope = models.CharField("适用范围", max_length=20, choices=Scope.choices, default=Scope.BRANCHES)
    is_required = models.BooleanField("纳入落实率和预警", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活类型与频次"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    @property
    def requirement(self):
        times = "" if self.times == 1 else f"至少{self.times}次"
        return f"{self.get_period_display()}{times}"

    def applies_to(self, org, period_start):
        """Whether `org` (annotated with_committee_count, as with_staffing does) must hold this meeting in the period
        that starts on period_start.

        A newly founded organization is held to it from its first whole period.
        """
        if not self.is_required or org.kind not in BRANCH_KINDS:
            return False
        if self.scope == self.Scope.WITH_COMMITTEE and not has_committee(org.committee_count):
            return False
        return org.founded is None or org.founded <= period_start

    def clean(self):
        if self.times is not None and self.times < 1:
            raise ValidationError({"times": "每期至少1次；不作要求的请取消“纳入落实率和预警”。"})


# Minutes, photos: what offices keep as the record of a meeting. The leading bytes are checked so that a
# renamed file of another kind is refused, whatever its extension says.
ATTACHMENT_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def validate_attachment(file):
    if getattr(file, "_committed", False):  # already stored: it was checked when uploaded
        return
    ext = os.path.splitext(file.name)[1].lower()
    if ext not in ATTACHMENT_SIGNATURES:
        raise ValidationError("附件只能是PDF、Word文档（.doc/.docx）或JPG、PNG图片。")
    limit = settings.SHUZHI["MEETING_ATTACHMENT_MAX_MB"]
    if file.size > limit * 1024 * 1024:
        raise ValidationError(f"附件不能超过{limit}MB（本文件约{file.size / 1024 / 1024:.1f}MB）。")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(ATTACHMENT_SIGNATURES[ext]):
        raise ValidationError(f"附件内容不是{ext[1:].upper()}文件，请检查后重新上传。")


class MeetingQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def held_between(self, start, end):
        return self.filter(held_on__gte=start, held_on__lte=end)

    def held_counts(self, periods):
        """{(organization_id, meeting_type_id): {(start, end): meetings held}} of these meetings, in one query.

        Plain date comparisons, one conditional count per period: no date function runs per meeting.
        """
        periods = list(dict.fromkeys(periods))
        if not periods:
            return {}
        counts = {f"p{i}": Count("pk", filter=Q(held_on__gte=s, held_on__lte=e)) for i, (s, e) in enumerate(periods)}
        rows = (
            self.reviewed().held_between(min(s for s, _ in periods), max(e for _, e in periods))
            .values("organization_id", "meeting_type_id")
            .annotate(**counts)
            .order_by()
        )
        return {(r["organization_id"], r["meeting_type_id"]): {p: r[f"p{i}"] for i, p in enumerate(periods)} for r in rows}


def held(counts, organization_id, meeting_type_id, period):
    """How many meetings of a type an organization held in a period, from MeetingQuerySet.held_counts()."""
    return counts.get((organization_id, meeting_type_id), {}).get(period, 0)


class Meeting(Reviewed):
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="meetings")
    meeting_type = models.ForeignKey(MeetingType, verbose_name="类型", on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField("召开日期", validators=RECORD_DATE)
    topic = models.CharField("主题", max_length=200)
    chaired_by = models.CharField("主持人", max_length=50, blank=True)
    present = models.PositiveIntegerField("实到人数", validators=[at_most(HEADCOUNT, "实到人数")])
    on_roll = models.PositiveIntegerField("应到人数", validators=[at_most(HEADCOUNT, "应到人数")])
    attachment = models.FileField(
        "附件", upload_to="meetings/%Y/%m/", blank=True, validators=[validate_attachment],
        help_text="会议记录或照片：PDF、Word、JPG、PNG。",
    )
    note = models.TextField("备注", blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织生活"
        ordering = ["-held_on", "id"]
        indexes = [models.Index(fields=["organization", "meeting_type", "held_on"]), models.Index(fields=["held_on"])]
        # The import's natural key, held by the database: two imports of one file at once cannot double it.
        constraints = [
            models.UniqueConstraint(fields=["organization", "meeting_type", "held_on", "topic"], name="one_meeting_per_topic_day"),
        ]

    def __str__(self):
        return f"{self.organization} {self.held_on:%Y-%m-%d}{self.meeting_type}"

    @property
    def attendance_rate(self):
        return self.present / self.on_roll if self.on_roll else None

    def clean(self):
        errors = {}
        if self.organization_id:
            if self.organization.kind == OrgKind.COMMITTEE:
                errors["organization"] = "组织生活按基层党组织登记，不能登记在教育工委名下。"
            founded = self.organization.founded
            if self.held_on and founded and self.held_on < founded:
                errors["held_on"] = f"召开日期早于党组织成立日期（{founded:%Y-%m-%d}）。"
        if self.held_on and self.held_on > today():
            errors.setdefault("held_on", "召开日期不能晚于今天。")
        if self.on_roll is not None and self.on_roll < 1:
            errors["on_roll"] = "应到人数至少为1。"
        elif self.present is not None and self.on_roll is not None and self.present > self.on_roll:
            errors["present"] = f"实到人数（{self.present}）不能多于应到人数（{self.on_roll}）。"
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Recruitment (发展党员): 中国共产党发展党员工作细则 (2014), from application to the probationary member
# ---------------------------------------------------------------------------------------------
class Step(models.TextChoices):
    """The dated steps of the pipeline, in the order the 细则 takes them; each is a date column of Recruit."""

    APPLIED = "applied_on", "申请入党"
    TALKED = "talked_on", "党组织派人谈话"
    ACTIVIST = "activist_on", "确定入党积极分子"
    CANDIDATE = "candidate_on", "确定发展对象"
    VETTED = "vetted_on", "政治审查"
    TRAINING_BEGAN = "training_began_on", "集中培训开始"
    TRAINED = "trained_on", "集中培训结业"
    PUBLICITY_BEGAN = "publicity_began_on", "公示开始"
    PUBLICITY_ENDED = "publicity_ended_on", "公示结束"
    PRE_REVIEWED = "pre_reviewed_on", "上级党委预审"
    ACCEPTED = "accepted_on", "支部大会讨论接收"
    UPPER_TALK = "upper_talk_on", "上级党委派人谈话"
    APPROVED = "approved_on", "上级党委审批"
    SWORN = "sworn_on", "入党宣誓"


# Which steps each step comes after (a step may not be dated before any of them, nor before theirs): the 发展对象's
# 政审, training and 公示 run side by side, and all of them come before the upper committee's 预审.
STEP_AFTER = {
    Step.TALKED: [Step.APPLIED],
    Step.ACTIVIST: [Step.APPLIED],
    Step.CANDIDATE: [Step.ACTIVIST],
    Step.VETTED: [Step.CANDIDATE],
    Step.TRAINING_BEGAN: [Step.ACTIVIST],
    Step.TRAINED: [Step.TRAINING_BEGAN, Step.CANDIDATE],
    Step.PUBLICITY_BEGAN: [Step.CANDIDATE],
    Step.PUBLICITY_ENDED: [Step.PUBLICITY_BEGAN],
    Step.PRE_REVIEWED: [Step.VETTED, Step.TRAINED, Step.PUBLICITY_ENDED],
    Step.ACCEPTED: [Step.PRE_REVIEWED],
    Step.UPPER_TALK: [Step.ACCEPTED],
    Step.APPROVED: [Step.UPPER_TALK],
    Step.SWORN: [Step.APPROVED],
}


def steps_before(step):
    """Every step that comes before `step`, directly or through another (so a missing date is stepped over)."""
    return list(_STEPS_BEFORE[step])


def _walk_steps_before(step):
    found, frontier = [], list(STEP_AFTER.get(step, ()))
    while frontier:
        earlier = frontier.pop()
        if earlier not in found:
            found.append(earlier)
            frontier += STEP_AFTER.get(earlier, ())
    return tuple(found)


def out_of_order_q():
    """Q for recruits with a step dated after one that comes after it: those Recruit.out_of_order() finds on some
    day (on an earlier day it may find fewer, the later step not dated yet)."""
    q = Q(pk__in=[])
    for step in Step:
        for earlier in steps_before(step):
            q |= Q(**{f"{earlier}__gt": F(step)})
    return q


# Walked once: the warnings check every recruit in view against it (thousands at a province's scale).
_STEPS = tuple(Step)
_STEPS_BEFORE = {step: _walk_steps_before(step) for step in _STEPS}


class RecruitStage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"


def weekdays_between(first, last):
    """Working days from `first` to `last`, both counted: Monday to Friday. No holiday calendar is kept, so a
    公示 across a public holiday counts the holiday's weekdays too."""
    if last < first:
        return 0
    days = (last - first).days + 1
    whole, rest = divmod(days, 7)
    count = whole * 5
    for offset in range(rest):
        if (first.weekday() + offset) % 7 < 5:
            count += 1
    return count


class StepRule(models.Model):
    """A time rule between two steps, which the office edits: at least (or at most) so long from one to the other.

    Days and working days measure how long something ran, both dates counted (a training from Monday to
    Wednesday ran 3 days); months and years are the calendar's, as a term or a probation is counted.
    """

    class Unit(models.TextChoices):
        DAYS = "days", "天"
        WORKDAYS = "workdays", "个工作日"
        MONTHS = "months", "个月"
        YEARS = "years", "年"

    step = models.CharField("环节", max_length=30, choices=Step.choices)
    after = models.CharField("起算环节", max_length=30, choices=Step.choices)
    unit = models.CharField("单位", max_length=10, choices=Unit.choices)
    minimum = models.PositiveSmallIntegerField("至少", null=True, blank=True)
    maximum = models.PositiveSmallIntegerField("至多", null=True, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员时限规定"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "after"], name="one_rule_per_step_pair")]

    def __str__(self):
        return f"{Step(self.after).label}至{Step(self.step).label}{self.requirement}"

    @property
    def requirement(self):
        unit = self.get_unit_display()
        parts = []
        if self.minimum is not None:
            parts.append(f"不少于{self.minimum}{unit}")
        if self.maximum is not None:
            parts.append(f"不超过{self.maximum}{unit}")
        return "，".join(parts)

    def clean(self):
        errors = {}
        if self.step and self.after and (self.after == self.step or self.after not in steps_before(self.step)):
            errors["after"] = f"“{Step(self.after).label}”不在“{Step(self.step).label}”之前，不能作为起算环节。"
        if self.minimum is None and self.maximum is None:
            errors["minimum"] = "请至少填写“至少”或“至多”之一。"
        elif self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            errors["maximum"] = "“至多”不能小于“至少”。"
        if errors:
            raise ValidationError(errors)

    def limits(self, start):
        """(earliest, latest) day the step may fall on after a start on `start`; None where unbounded.
        For days and working days, the step's own day is counted (see the class)."""
        def shift(n):
            if self.unit == self.Unit.YEARS:
                return add_years(start, n)
            if self.unit == self.Unit.MONTHS:
                return add_months(start, n)
            if self.unit == self.Unit.DAYS:
                return start + datetime.timedelta(days=n - 1)
            day, counted = start, 0
            while True:  # working days: the n-th weekday from start on
                if day.weekday() < 5:
                    counted += 1
                    if counted >= n:
                        return day
                day += datetime.timedelta(days=1)

        earliest = shift(self.minimum) if self.minimum else None
        latest = shift(self.maximum) if self.maximum is not None else None
        return earliest, latest

    def measure(self, start, end):
        """How long from start to end, said in the rule's unit ("4个工作日", "10个月", "1年2个月")."""
        if self.unit == self.Unit.DAYS:
            return f"{(end - start).days + 1}天"
        if self.unit == self.Unit.WORKDAYS:
            return f"{weekdays_between(start, end)}个工作日"
        months = months_between(start, end)
        if self.unit == self.Unit.MONTHS or months < 12:
            return f"{months}个月"
        years, rest = divmod(months, 12)
        return f"{years}年{rest}个月" if rest else f"{years}年"

    @staticmethod
    @functools.cache
    def span(unit, n):
        """(fewest, most) days from a start to the day `n` of `unit` after it (limits()), over every start in a
        four-year cycle: what a day count in SQL compares with (a month is 28 to 31 days; working days depend on
        the weekday one starts on)."""
        rule, first = StepRule(unit=unit, maximum=n), datetime.date(2020, 1, 1)
        spans = [(rule.limits(start)[1] - start).days for start in (first + datetime.timedelta(days=i) for i in range(1461))]
        return min(spans), max(spans)

    def may_fail_q(self, on):
        """Q for the recruits judge() may find failing this rule on `on`, and more: comparisons of day counts that
        bound the rule's unit, so that the database hands over the few to be judged, not every recruit."""
        started = Q(**{f"{self.after}__lte": on})
        days = DaysBetween(self.step, self.after)
        ended = Q(**{f"{self.step}__lte": on})
        q = Q(pk__in=[])
        if self.minimum:  # ended before the earliest day allowed: fewer days than the longest span of the minimum
            q |= ended & Q(LessThan(days, self.span(self.unit, self.minimum)[1]))
        if self.maximum is not None:  # past the latest day allowed: more days than its shortest span
            late = self.span(self.unit, self.maximum)[0]
            q |= ended & Q(GreaterThan(days, late))
            q |= ~ended & Q(**{f"{self.after}__lt": on - datetime.timedelta(days=late)})
        return started & q

    def judge(self, recruit, on=None):
        """None where the rule does not apply yet (its start not dated); else (met, what was found).

        A step not yet dated is judged on `on` only against a maximum: an application unanswered past the
        month is late already."""
        start, end = recruit.dated(self.after, on), recruit.dated(self.step, on)
        if start is None:
            return None
        earliest, latest = self.limits(start)
        if end is None:
            if latest is not None and on is not None and on > latest:
                return False, f"{Step(self.after).label}（{start:%Y-%m-%d}）后已超过{self.maximum}{self.get_unit_display()}仍未{Step(self.step).label}"
            return None
        found = f"{Step(self.after).label}{start:%Y-%m-%d}至{Step(self.step).label}{end:%Y-%m-%d}，{self.measure(start, end)}"
        met = (earliest is None or end >= earliest) and (latest is None or end <= latest)
        return met, found


# 第十七条: the 集中培训 lasts at least three days, or at least 24 class hours (学时) where it is spread out.
TRAINING_HOURS = 24
# 第五条 (and 党章 第一条): one may apply from eighteen.
APPLICANT_AGE = 18
# 双培双强: a young teacher is one under 35.
YOUNG_TEACHER_AGE = 35


def stage_q(stage, on):
    """Q for those in `stage` on `on`, as Recruit.stage_on() reads the dates: for counting within one query."""
    member = Q(accepted_on__lte=on, approved_on__lte=on)
    if stage == RecruitStage.PROBATIONARY:
        return member
    began = Q(applied_on__lte=on) & ~member
    if stage == RecruitStage.CANDIDATE:
        return began & Q(candidate_on__lte=on)
    if stage == RecruitStage.ACTIVIST:
        return began & Q(activist_on__lte=on) & ~Q(candidate_on__lte=on)
    return began & ~Q(activist_on__lte=on) & ~Q(candidate_on__lte=on)


def young_teacher_q(on):
    """双培双强: teachers under 35 on `on`, by the birth date their ID number carries."""
    return Q(job=Member.Job.TEACHER, birth_date__gt=add_years(on, -YOUNG_TEACHER_AGE))


BACKBONE_Q = ~Q(backbone_title="")


class RecruitQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def in_view(self, on):
        """Those the checks still look at on `on`: applied by then, and not members for a year already (a late
        finding about a member is dealt with before conversion, within the year of probation)."""
        member_long_since = Q(approved_on__lte=on, accepted_on__lt=add_years(on, -1))
        return self.filter(applied_on__lte=on).exclude(member_long_since)

    def in_stage(self, stage, on):
        return self.filter(stage_q(stage, on))

    def young_teachers(self, on):
        return self.filter(young_teacher_q(on))

    def backbone(self):
        return self.filter(BACKBONE_Q)


class Recruit(Reviewed):
    """发展党员台账: one person in the pipeline, with the dated steps of the 细则; the stage is read from the dates.

    The dates are columns (not rows of a step table) because the office's sheet has one date column per step and
    the rules compare fixed pairs of steps; the rules' intervals are data (StepRule).
    """

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("公民身份号码", max_length=18, unique=True)  # checked in clean(), as Member's
    gender = models.CharField("性别", max_length=2, choices=Member.Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False)
    organization = models.ForeignKey(Organization, verbose_name="所在党组织", on_delete=models.PROTECT,
                                     related_name="recruits")
    job = models.CharField("岗位", max_length=20, choices=Member.Job.choices, blank=True)
    backbone_title = models.CharField("骨干教师称号", max_length=20, choices=Member.Backbone.choices, blank=True, default="")
    backbone_year = models.PositiveSmallIntegerField("称号年度", null=True, blank=True)

    applied_on = models.DateField("申请入党日期")
    talked_on = models.DateField("谈话日期", null=True, blank=True, help_text="党组织收到入党申请书后派人谈话的日期。")
    activist_on = models.DateField("确定入党积极分子日期", null=True, blank=True)
    contact_1 = models.ForeignKey(Member, verbose_name="培养联系人一", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", help_text="从党员名册中选择正式党员。")
    contact_2 = models.ForeignKey(Member, verbose_name="培养联系人二", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    candidate_on = models.DateField("确定发展对象日期", null=True, blank=True)
    vetted_on = models.DateField("政治审查日期", null=True, blank=True)
    training_began_on = models.DateField("集中培训开始日期", null=True, blank=True)
    trained_on = models.DateField("集中培训结业日期", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("集中培训学时", null=True, blank=True)
    publicity_began_on = models.DateField("公示开始日期", null=True, blank=True)
    publicity_ended_on = models.DateField("公示结束日期", null=True, blank=True)
    pre_reviewed_on = models.DateField("上级党委预审日期", null=True, blank=True)
    accepted_on = models.DateField("支部大会讨论日期", null=True, blank=True, help_text="党员大会讨论接收预备党员的日期，即入党日期。")
    upper_talk_on = models.DateField("上级党委谈话日期", null=True, blank=True)
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    sworn_on = models.DateField("入党宣誓日期", null=True, blank=True)
    member = models.OneToOneField(Member, verbose_name="党员名册记录", null=True, blank=True, editable=False,
                                  on_delete=models.SET_NULL, related_name="recruitment")
    note = models.TextField("备注", blank=True)

    objects = RecruitQuerySet.as_manager()

    # The upper committee (the office) pre-reviews and approves; a branch records the rest.
    DECIDED = ("pre_reviewed_on", "approved_on")

    class Meta:
        verbose_name = "发展党员"
        verbose_name_plural = "发展对象台账"
        ordering = ["organization_id", "applied_on", "id"]
        indexes = [models.Index(fields=["organization", "applied_on"]), models.Index(fields=["accepted_on"])]

    def __str__(self):
        return self.name

    def stage_on(self, on):
        """入党申请人 → 入党积极分子 → 发展对象 → 预备党员, by the steps dated by `on`; None before the application."""
        def by(step):
            value = getattr(self, step)
            return value is not None and value <= on

        if by(Step.ACCEPTED) and by(Step.APPROVED):
            return RecruitStage.PROBATIONARY
        if by(Step.CANDIDATE):
            return RecruitStage.CANDIDATE
        if by(Step.ACTIVIST):
            return RecruitStage.ACTIVIST
        return RecruitStage.APPLICANT if by(Step.APPLIED) else None

    @property
    def stage(self):
        return self.stage_on(today())

    def is_young_teacher(self, on):
        return self.job == Member.Job.TEACHER and self.birth_date is not None and age_on(self.birth_date, on) < YOUNG_TEACHER_AGE

    def dated(self, step, on=None):
        """The step's date, if it had happened by `on` (any day when `on` is None)."""
        day = getattr(self, step)
        return day if day is not None and (on is None or day <= on) else None

    def steps(self):
        """[(step, date)] of the dated steps, in the 细则's order."""
        return [(step, getattr(self, step)) for step in Step if getattr(self, step) is not None]

    def out_of_order(self, on=None):
        """[(step, earlier step)] where a step is dated before one that comes before it (steps dated by `on`)."""
        days = {step: day for step in _STEPS if (day := self.dated(step, on)) is not None}  # in the 细则's order
        found = []
        for step, day in days.items():
            for earlier in _STEPS_BEFORE[step]:
                if earlier in days and days[earlier] > day:
                    found.append((step, earlier))
                    break
        return found

    def checks(self, rules, on=None):
        """[(rule, met, found)] for the rules that apply (StepRule.judge), and the training's class hours."""
        results = []
        for rule in rules:
            result = rule.judge(self, on)
            if result is None:
                continue
            met, found = result
            if not met and rule.step == Step.TRAINED and (self.training_hours or 0) >= TRAINING_HOURS:
                met, found = True, f"{found}，{self.training_hours}学时"
            results.append((rule, met, found))
        return results

    @property
    def becomes_member(self):
        return self.accepted_on is not None and self.approved_on is not None

    def clean(self):
        self.id_number = idcard.normalize(self.id_number)
        self.name = (self.name or "").strip()
        errors = {}
        try:
            idcard.validate_id_number(self.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            self.birth_date, sex = idcard.birth_date(self.id_number), idcard.gender(self.id_number)
            if not self.gender:
                self.gender = sex
            elif self.gender != sex:
                errors["gender"] = f"性别“{self.gender}”与公民身份号码（第17位表示{sex}）不一致。"
            on_roll = Member.objects.filter(id_number=self.id_number).exclude(pk=self.member_id).select_related("organization").first()
            if on_roll is not None:
                errors["id_number"] = f"此人已是党员（{on_roll.organization}，{on_roll.get_status_display()}，{on_roll.get_roll_status_display()}），不能再登记为发展对象。"
            if self.applied_on and self.birth_date and age_on(self.birth_date, self.applied_on) < APPLICANT_AGE:
                errors["applied_on"] = "申请入党时应年满十八岁。"
        for step, earlier in self.out_of_order():
            errors.setdefault(step.value, f"{step.label}日期（{getattr(self, step):%Y-%m-%d}）早于{earlier.label}日期（{getattr(self, earlier):%Y-%m-%d}），请核对。")
        for step, day in self.steps():
            if day > today():
                errors.setdefault(step.value, f"{step.label}日期不能晚于今天。")
        if self.organization_id:
            if self.organization.kind == OrgKind.COMMITTEE:
                errors["organization"] = "发展党员由基层党组织登记，不能登记在教育工委名下。"
            elif not self.organization.is_active and self.member_id is None:
                errors["organization"] = f"党组织“{self.organization}”已撤销。"
            elif self.becomes_member and self.member_id is None and branch_membership_refusal(self.organization):
                # Accepted and approved, the person joins the roll here (make_member): in a branch, as every member.
                errors["organization"] = branch_membership_refusal(self.organization)
        contacts = [c for c in (self.contact_1, self.contact_2) if c is not None]
        for name, contact in (("contact_1", self.contact_1), ("contact_2", self.contact_2)):
            if contact is not None and (contact.status != Member.Status.FULL or contact.roll_status != Member.Roll.ON_ROLL):
                errors[name] = f"培养联系人应为在册正式党员，{contact.name}是{contact.get_status_display()}（{contact.get_roll_status_display()}）。"
        if len(contacts) == 2 and contacts[0].pk == contacts[1].pk:
            errors["contact_2"] = "两名培养联系人不能是同一人。"
        if self.training_hours is not None and not self.trained_on:
            errors.setdefault("trained_on", "填写了集中培训学时的，请填写结业日期。")
        if self.backbone_title and not self.backbone_year:
            errors["backbone_year"] = "有骨干教师称号的，请填写称号年度。"
        if errors:
            raise ValidationError(errors)

    def make_member(self):
        """The probationary member this person became when the 党员大会 accepted and the upper committee approved:
        on the roll from the 党员大会's date. Once: a record already linked keeps its member."""
        if self.member_id is not None or not self.becomes_member:
            return None
        member = Member(
            name=self.name, id_number=self.id_number, gender=self.gender, birth_date=self.birth_date,
            join_date=self.accepted_on, status=Member.Status.PROBATIONARY, organization=self.organization,
            job=self.job, backbone_title=self.backbone_title, backbone_year=self.backbone_year,
        )
        member.full_clean()
        member.save()
        return member

    def save(self, *args, **kwargs):
        from django.db import transaction

        with transaction.atomic():
            member = self.make_member()
            if member is not None:
                self.member = member
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "member"}
            super().save(*args, **kwargs)


class RecruitmentPlan(models.Model):
    """发展党员计划: how many the office plans an organization to recruit in a year."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="recruitment_plans")
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveSmallIntegerField("计划发展（名）")
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "发展党员计划"
        ordering = ["-year", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_plan_per_org_year")]

    def __str__(self):
        return f"{self.organization} {self.year}年发展党员计划"

    def clean(self):
        if self.organization_id and self.organization.kind == OrgKind.COMMITTEE:
            raise ValidationError({"organization": "发展党员计划下达到基层党组织，不能下达到教育工委本身。"})


# ---------------------------------------------------------------------------------------------
# The audit trail: a history row for every create, change and delete (django-simple-history), in the audit
# app's tables; one ImportBatch per import, which the history rows it wrote point to.
# ---------------------------------------------------------------------------------------------
class ImportBatch(models.Model):
    """One import of a spreadsheet: who, when, which file, how many rows did what."""

    model = models.CharField("导入对象", max_length=100)
    file_name = models.CharField("文件名", max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name="导入人所属党组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField("导入时间", auto_now_add=True)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    deleted = models.PositiveIntegerField("删除", default=0)
    skipped = models.PositiveIntegerField("未变", default=0)
    refused = models.PositiveIntegerField("拒绝（超出本组织范围）", default=0)
    invalid = models.PositiveIntegerField("有误未导入", default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "audit_importbatch"  # where it was made; the history rows point to it
        verbose_name = verbose_name_plural = "导入记录"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.file_name}（{self.started_at:%Y-%m-%d %H:%M}）"

    @property
    def model_label(self):
        """The record type by its Chinese name (党员), not its code (branches.member)."""
        return model_label(self.model)


def model_label(label):
    from django.apps import apps

    try:
        return apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        return label


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The office sees every import job; anyone else only their own (an upload may hold a whole roll)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self if decides(user) else self.filter(user=user)

    def unfinished(self):
        return self.exclude(state__in=ImportJob.FINISHED)


class ImportJob(models.Model):
    """A large import run by the background worker (branches/jobs.py): read and checked, then, once the user
    confirms the preview, written. The counters are what the page's progress bar shows."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        READING = "reading", "读取中"
        CHECKING = "checking", "校验中"
        CHECKED = "checked", "待确认"
        WRITING = "writing", "写入中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"
        FAILED = "failed", "失败"

    FINISHED = (State.DONE, State.CANCELLED, State.FAILED)
    RUNNING = (State.QUEUED, State.READING, State.CHECKING, State.WRITING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.CASCADE, related_name="+")
    model = models.CharField("导入对象", max_length=100)
    file_name = models.CharField("上传文件", max_length=64, help_text="等待导入的上传文件在服务器上的名称")
    original_name = models.CharField("文件名", max_length=255)
    options = models.JSONField("导入选项", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    rows_read = models.PositiveIntegerField("已读取", default=0)
    rows_checked = models.PositiveIntegerField("已校验", default=0)
    rows_written = models.PositiveIntegerField("已写入", default=0)
    skip_invalid = models.BooleanField("跳过有误的行", default=False)
    preview = models.JSONField("预览结果", null=True, blank=True, encoder=DjangoJSONEncoder)
    message = models.TextField("说明", blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("最近进展", auto_now=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name}（{self.get_state_display()}）"

    @property
    def model_label(self):
        return model_label(self.model)

    @property
    def finished(self):
        return self.state in self.FINISHED


# ---------------------------------------------------------------------------------------------
# 述职评议考核: each basic-level secretary reports on their party-building work, is rated and followed up
# ---------------------------------------------------------------------------------------------
class Grade(models.TextChoices):
    GOOD = "good", "好"
    FINE = "fine", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


GRADE_ORDER = [Grade.GOOD, Grade.FINE, Grade.FAIR, Grade.POOR]  # best first: a veto caps the grade at one of these


class ReviewCategory(models.TextChoices):
    """分类考核评价: the categories the office sets criteria for (公办/民办 x 中学/小学/幼儿园, and the rest)."""

    PUBLIC_SECONDARY = "public_secondary", "公办中学"
    PUBLIC_PRIMARY = "public_primary", "公办小学"
    PUBLIC_KINDERGARTEN = "public_kindergarten", "公办幼儿园"
    BUREAU = "bureau", "机关及直属单位"
    PRIVATE_SCHOOL = "private_school", "民办学校"
    PRIVATE_KINDERGARTEN = "private_kindergarten", "民办幼儿园"
    PRIVATE_TRAINING = "private_training", "民办培训机构"


REVIEW_CATEGORY_OF = {
    UnitCategory.HIGH_SCHOOL: ReviewCategory.PUBLIC_SECONDARY,
    UnitCategory.JUNIOR_SCHOOL: ReviewCategory.PUBLIC_SECONDARY,
    UnitCategory.NINE_YEAR: ReviewCategory.PUBLIC_SECONDARY,
    UnitCategory.VOCATIONAL: ReviewCategory.PUBLIC_SECONDARY,
    UnitCategory.PRIMARY: ReviewCategory.PUBLIC_PRIMARY,
    UnitCategory.KINDERGARTEN: ReviewCategory.PUBLIC_KINDERGARTEN,
    UnitCategory.BUREAU: ReviewCategory.BUREAU,
    UnitCategory.PRIVATE_SCHOOL: ReviewCategory.PRIVATE_SCHOOL,
    UnitCategory.PRIVATE_KINDERGARTEN: ReviewCategory.PRIVATE_KINDERGARTEN,
    UnitCategory.PRIVATE_TRAINING: ReviewCategory.PRIVATE_TRAINING,
}


def review_category(org):
    return REVIEW_CATEGORY_OF.get(org.unit_category, ReviewCategory.BUREAU)


# The 测评's items and their marks (of 100) a new round starts with; the office edits each round's own list. After
# the contents the 述职评议 of the 考核办法 and the counties' 民主测评表 name (履行第一责任人职责, 班子和队伍建设, 组织生活,
# 党员教育管理和发展党员, 全面从严治党, 抓党建促业务), in a school's words.
DEFAULT_REVIEW_ITEMS = [
    ("履行抓党建第一责任人职责", 20),
    ("班子和党务干部队伍建设", 15),
    ("“三会一课”等组织生活制度落实", 20),
    ("党员教育管理和发展党员", 15),
    ("意识形态和党风廉政建设", 15),
    ("抓党建促教育教学成效", 15),
]


class ReviewRound(models.Model):
    """One year's 述职评议: who reports (by default every basic-level organization under the committee), when."""

    year = models.PositiveSmallIntegerField("年度", unique=True, validators=RECORD_YEAR)
    held_on = models.DateField("述职评议会议日期", null=True, blank=True, validators=RECORD_DATE)
    organizations = models.ManyToManyField(
        Organization, verbose_name="参加述职的党组织", blank=True, related_name="review_rounds",
        help_text="不选则为工委直属的全部基层党组织。",
    )

    class Meta:
        verbose_name = verbose_name_plural = "述职评议"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度基层党组织书记抓基层党建工作述职评议"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # a new round's 测评 starts from the usual items; saved one by one, so each has its history row
            for order, (name, marks) in enumerate(DEFAULT_REVIEW_ITEMS, start=1):
                ReviewItem.objects.create(round=self, name=name, full_marks=marks, sort_order=order)

    def reporting(self):
        chosen = self.organizations.all()
        return (chosen if chosen.exists() else Organization.objects.basic_level()).order_by("sort_order", "pk")


class Reviewer(models.Model):
    """One who rates (测评): known by a number only, so that no output ever names who gave which grade."""

    class Group(models.TextChoices):
        COMMITTEE = "committee", "工委委员"
        LEADER = "leader", "学校领导班子代表"
        REPRESENTATIVE = "representative", "党员和群众代表"

    round = models.ForeignKey(ReviewRound, verbose_name="述职评议", on_delete=models.CASCADE, related_name="reviewers")
    number = models.PositiveSmallIntegerField("评议人编号")
    group = models.CharField("类别", max_length=20, choices=Group.choices)

    class Meta:
        verbose_name = verbose_name_plural = "评议人"
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="one_reviewer_number_per_round")]

    def __str__(self):
        return f"{self.number}号评议人（{self.get_group_display()}）"


class ReviewItem(models.Model):
    """One item of the round's 测评 (测评内容), with its marks: each reviewer scores it, the ballot's score is their sum."""

    round = models.ForeignKey(ReviewRound, verbose_name="述职评议", on_delete=models.CASCADE, related_name="items")
    name = models.CharField("测评项目", max_length=40)
    full_marks = models.PositiveSmallIntegerField("分值", validators=[MinValueValidator(1, "分值至少为1分。"),
                                                                    MaxValueValidator(100, "分值不能超过100分。")])
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "测评项目"
        ordering = ["round", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="one_review_item_name_per_round")]

    def __str__(self):
        return f"{self.name}（{self.full_marks}分）"


class SecretaryReportQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def unsubmitted(self):
        return self.filter(review_status=SecretaryReport.DRAFT)


class SecretaryReport(Reviewed):
    """A secretary's 述职报告 in the seed's three parts, drafted from the records, edited and submitted by the
    secretary, approved or returned by the office. Until submitted it is 未提交 (a draft)."""

    DRAFT = "draft"
    STATES = [(DRAFT, "未提交"), (Review.PENDING, "待审核"), (Review.APPROVED, "通过"), (Review.RETURNED, "退回")]

    review_status = models.CharField("状态", max_length=10, choices=STATES, default=DRAFT, db_index=True)
    round = models.ForeignKey(ReviewRound, verbose_name="述职评议", on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="secretary_reports")
    highlights = models.TextField("履职工作特色和亮点", blank=True)
    problems = models.TextField("存在的主要问题及原因", blank=True)
    measures = models.TextField("下一步工作思路和措施", blank=True)

    objects = SecretaryReportQuerySet.as_manager()
    PARTS = ("highlights", "problems", "measures")

    class Meta:
        verbose_name = verbose_name_plural = "书记述职报告"
        ordering = ["round", "organization__sort_order", "organization_id"]
        constraints = [models.UniqueConstraint(fields=["round", "organization"], name="one_report_per_round")]

    def __str__(self):
        return f"{self.organization}书记{self.round.year}年度述职报告"

    @property
    def editable(self):
        return self.review_status in (self.DRAFT, Review.RETURNED)

    def submit_as(self, user, before=None):
        super().submit_as(user, before)
        if decides(user) and self.review_status == Review.APPROVED and self.submitted_at is None:
            self.review_status = self.DRAFT  # the office's edit of a draft is no submission


class Ballot(models.Model):
    """One reviewer's grade for one secretary (民主测评), with an optional score out of 100."""

    round = models.ForeignKey(ReviewRound, verbose_name="述职评议", on_delete=models.CASCADE, related_name="ballots")
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="ballots")
    reviewer = models.ForeignKey(Reviewer, verbose_name="评议人", on_delete=models.PROTECT, related_name="ballots")
    grade = models.CharField("评价等次", max_length=10, choices=Grade.choices)
    score = models.DecimalField("测评得分", max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(0, "得分应在0—100之间。"),
                                            MaxValueValidator(100, "得分应在0—100之间。")])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "民主测评票"
        ordering = ["round", "organization_id", "reviewer__number"]
        constraints = [models.UniqueConstraint(fields=["round", "organization", "reviewer"],
                                               name="one_ballot_per_reviewer")]

    def __str__(self):
        return f"{self.organization}：{self.get_grade_display()}"

    def clean(self):
        if self.reviewer_id and self.round_id and self.reviewer.round_id != self.round_id:
            raise ValidationError({"reviewer": "评议人不属于本次述职评议。"})

    def score_from_items(self):
        """The 测评得分 follows from the item scores, where the ballot has any (a ballot with one score only keeps it)."""
        total = self.item_scores.aggregate(total=Sum("score"))["total"]
        if total is not None and total != self.score:
            self.score = total
            self.save(update_fields=["score"])


class ItemScoreQuerySet(ScopedQuerySet):
    organization_path = "ballot__organization"


class ItemScore(models.Model):
    """One reviewer's score for one item of the 测评, on their ballot."""

    ballot = models.ForeignKey(Ballot, verbose_name="民主测评票", on_delete=models.CASCADE, related_name="item_scores")
    # RESTRICT, not PROTECT: an item the office deletes keeps its scores, but a whole round goes with all of them.
    item = models.ForeignKey(ReviewItem, verbose_name="测评项目", on_delete=models.RESTRICT, related_name="scores")
    score = models.DecimalField("得分", max_digits=4, decimal_places=1, validators=[MinValueValidator(0, "得分不能为负数。")])

    objects = ItemScoreQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "分项得分"
        ordering = ["ballot", "item__sort_order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["ballot", "item"], name="one_score_per_item_and_ballot")]

    def __str__(self):
        return f"{self.item.name}：{self.score}"

    @staticmethod
    def refusal(item, score, review_round):
        """Why a score cannot stand for this item on a ballot of this round, in Chinese; None if it can."""
        if item.round_id != review_round.pk:
            return f"“{item.name}”不是{review_round.year}年度述职评议的测评项目。"
        if score is not None and score > item.full_marks:
            return f"“{item.name}”分值为{item.full_marks}分，得分不能超过分值。"
        return None

    def clean(self):
        ballot = Ballot.item_scores.field.get_cached_value(self, None) if self.ballot_id is None else self.ballot
        if self.item_id and ballot is not None and ballot.round_id:  # an inline's new ballot is not saved yet
            refusal = self.refusal(self.item, self.score, ballot.round)
            if refusal:
                raise ValidationError({"score" if self.item.round_id == ballot.round_id else "item": refusal})


class GradeRule(models.Model):
    """综合等次 by category, as the office sets it: shares of the ballots, then vetoes that cap the grade."""

    category = models.CharField("考核类别", max_length=30, choices=ReviewCategory.choices, unique=True)
    good_share = models.PositiveSmallIntegerField("“好”票占比不低于（%）", default=70,
                                                  validators=[MaxValueValidator(100)])
    good_weak_at_most = models.PositiveSmallIntegerField("评为“好”时“一般”“差”票合计占比不高于（%）", default=10,
                                                         validators=[MaxValueValidator(100)])
    fine_share = models.PositiveSmallIntegerField("“好”“较好”票合计占比不低于（%）为“较好”", default=70,
                                                  validators=[MaxValueValidator(100)])
    poor_share = models.PositiveSmallIntegerField("“差”票占比达到（%）为“差”", default=34,
                                                  validators=[MaxValueValidator(100)])
    election_overdue_cap = models.CharField(
        "换届逾期时最高等次", max_length=10, choices=Grade.choices, blank=True, default=Grade.FINE,
        help_text="留空则不因换届逾期限定等次。")
    rectification_overdue_cap = models.CharField(
        "整顿逾期未销号时最高等次", max_length=10, choices=Grade.choices, blank=True, default=Grade.FAIR,
        help_text="留空则不因整顿逾期限定等次。")
    follow_up_late_cap = models.CharField(
        "上年整改事项逾期未完成时最高等次", max_length=10, choices=Grade.choices, blank=True, default=Grade.FINE,
        help_text="留空则不因整改逾期限定等次。")
    good_score_at_least = models.PositiveSmallIntegerField(
        "评为“好”须加权测评得分不低于（分）", null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text="百分制，按本类别的测评项目权重计算；留空则评为“好”不看得分。")

    class Meta:
        verbose_name = verbose_name_plural = "综合等次评定规则"
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()}综合等次评定规则"

    def weighted_score(self, item_averages, weights=None):
        """加权测评得分 out of 100 from {item: the reviewers' average} (items are ReviewItem rows): each item's share of
        its full marks, times the weight this category gives it; without weights set, each item weighs its full
        marks (so 100 full marks give the plain sum). Items not scored leave the weights of the others. None
        without any score."""
        weights = self.weights_by_name() if weights is None else weights
        parts = [(average / item.full_marks, weights.get(item.name, 0) if weights else item.full_marks)
                 for item, average in item_averages.items() if average is not None]
        total = sum(w for _, w in parts)
        if not total:
            return None
        return Decimal(100 * sum(share * w for share, w in parts) / total).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def weights_by_name(self):
        return {w.item_name: w.weight for w in self.weights.all()}

    def judge(self, counts, vetoes=(), score=None):
        """(grade, reasons) from {grade: ballots}, the vetoes that apply ([(field name, reason)]) and the 加权测评得分;
        None without ballots."""
        total = sum(counts.get(g, 0) for g in Grade)
        if not total:
            return None, ["尚无测评票"]

        def share(*grades):
            return 100 * sum(counts.get(g, 0) for g in grades) / total

        good, weak, fine, poor = share(Grade.GOOD), share(Grade.FAIR, Grade.POOR), share(Grade.GOOD, Grade.FINE), \
            share(Grade.POOR)
        if poor >= self.poor_share:
            grade, why = Grade.POOR, f"“差”票占{poor:.0f}%，达到{self.poor_share}%"
        elif good >= self.good_share and weak <= self.good_weak_at_most and self.score_allows_good(score):
            grade, why = Grade.GOOD, f"“好”票占{good:.0f}%（不低于{self.good_share}%），“一般”“差”票占{weak:.0f}%"
            if self.good_score_at_least is not None:
                why += f"，加权测评得分{score}分（不低于{self.good_score_at_least}分）"
        elif good >= self.good_share and weak <= self.good_weak_at_most and fine >= self.fine_share:
            grade, why = Grade.FINE, (f"“好”票占{good:.0f}%，但加权测评得分{'无' if score is None else f'{score}分'}，"
                                      f"评为“好”须不低于{self.good_score_at_least}分")
        elif fine >= self.fine_share:
            grade, why = Grade.FINE, f"“好”“较好”票合计占{fine:.0f}%（不低于{self.fine_share}%）"
        else:
            grade, why = Grade.FAIR, f"“好”“较好”票合计占{fine:.0f}%，低于{self.fine_share}%"
        reasons = [f"{total}张测评票，{why}"]
        for name, reason in vetoes:
            cap = getattr(self, name)
            if cap and GRADE_ORDER.index(Grade(cap)) > GRADE_ORDER.index(Grade(grade)):
                grade = Grade(cap)
                reasons.append(f"{reason}，等次最高为“{Grade(cap).label}”")
        return Grade(grade), reasons


    def score_allows_good(self, score):
        return self.good_score_at_least is None or (score is not None and score >= self.good_score_at_least)


class ItemWeight(models.Model):
    """分类考核评价: the weight one category gives a 测评项目 (by its name, so that it holds for every round)."""

    rule = models.ForeignKey(GradeRule, verbose_name="综合等次评定规则", on_delete=models.CASCADE, related_name="weights")
    item_name = models.CharField("测评项目", max_length=40)
    weight = models.PositiveSmallIntegerField("权重（%）", validators=[MinValueValidator(1, "权重至少为1%。"),
                                                                     MaxValueValidator(100, "权重不能超过100%。")])

    class Meta:
        verbose_name = verbose_name_plural = "测评项目权重"
        ordering = ["rule", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "item_name"], name="one_weight_per_item_and_rule")]

    def __str__(self):
        return f"{self.item_name}：{self.weight}%"


class Comment(models.Model):
    """点评: what the committee said of one secretary's report."""

    round = models.ForeignKey(ReviewRound, verbose_name="述职评议", on_delete=models.CASCADE, related_name="comments")
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="review_comments")
    leader = models.ForeignKey(Leader, verbose_name="点评领导", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField("点评意见")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "述职点评"
        ordering = ["round", "organization_id", "pk"]

    def __str__(self):
        return f"{self.organization}点评"


class FollowUpQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)

    def late(self, on):
        return self.open().filter(deadline__lt=on)


class FollowUp(models.Model):
    """整改清单: one problem found in the review, with its deadline and its progress, done when dated."""

    round = models.ForeignKey(ReviewRound, verbose_name="述职评议", on_delete=models.CASCADE, related_name="follow_ups")
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="follow_ups")
    problem = models.TextField("问题")
    deadline = models.DateField("整改时限", validators=RECORD_DATE)
    progress = models.TextField("整改进展", blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True, validators=RECORD_DATE)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "述职整改清单"
        ordering = ["deadline", "pk"]

    def __str__(self):
        return f"{self.organization}：{self.problem[:20]}"

    def is_late(self, on):
        return self.done_on is None and self.deadline < on


# ---------------------------------------------------------------------------------------------
# Changes to members awaiting review (党员信息变更): a secretary proposes, the office applies
# ---------------------------------------------------------------------------------------------
def member_fields():
    """The member's fields a change may set: every stored, editable one, so a field added to or taken from Member
    is proposed and applied like the others."""
    return [f for f in Member._meta.concrete_fields if f.editable and not f.primary_key]


def member_values(member):
    """{field name: value} of a member as JSON holds it: dates as YYYY-MM-DD, a relation as its id, a choice as its code."""
    values = {}
    for f in member_fields():
        value = f.value_from_object(member)
        values[f.name] = value.isoformat() if isinstance(value, datetime.date) else (
            str(value) if isinstance(value, Decimal) else value)
    return values


class MemberChangeQuerySet(ScopedQuerySet, ReviewedQuerySet):
    def open(self):
        """Not yet applied: waiting for the office, or returned to the secretary to correct."""
        return self.filter(review_status__in=(Review.PENDING, Review.RETURNED))


class MemberChange(Reviewed):
    """A secretary's change to the roll (a new member, changed fields, taken off the roll), which the roll shows only
    once the office approves it: the proposed values are kept here, only those that differ from the roll."""

    class Kind(models.TextChoices):
        ADD = "add", "新增"
        CHANGE = "change", "修改"
        REMOVE = "remove", "离册"

    member = models.ForeignKey(Member, verbose_name="党员", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="changes", help_text="新增党员的，审核通过后才有。")
    organization = models.ForeignKey(Organization, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("变更类型", max_length=10, choices=Kind.choices)
    values = models.JSONField("变更内容", default=dict)

    APPLIED_FIELDS = ("member",)

    objects = MemberChangeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党员信息变更"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["organization", "review_status"])]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    @classmethod
    def propose(cls, user, member, stored=None, change=None):
        """A secretary's `member` (validated, not saved) as a change waiting for review, against `stored` (the member as
        on the roll; None for a new one). An open change of the same member is replaced: a correction resubmits it.
        Returns the change, unsaved, or None where the roll already holds these values."""
        after = member_values(member)
        if stored is None:
            kind, values = cls.Kind.ADD, after
        else:
            before = member_values(stored)
            values = {name: value for name, value in after.items() if before.get(name) != value}
            leaves = before["roll_status"] == Member.Roll.ON_ROLL and after["roll_status"] != Member.Roll.ON_ROLL
            kind = cls.Kind.REMOVE if leaves else cls.Kind.CHANGE
            change = change or cls.objects.open().filter(member=stored).first()
        if not values:
            return None
        change = change or cls()
        change.member, change.kind, change.values, change.name = stored, kind, values, member.name
        change.organization_id = (stored or member).organization_id
        change.submit_as(user)
        return change

    def proposed(self, lock=False):
        """The member as the change would leave them: the roll's record (locked for the approval), the values over it."""
        if self.member_id is None:
            member = Member()
        else:
            members = Member.objects.select_for_update() if lock else Member.objects
            member = members.get(pk=self.member_id)
        for name, value in self.values.items():
            try:
                field = Member._meta.get_field(name)
            except FieldDoesNotExist:
                raise ValidationError(f"变更内容中的“{name}”已不是党员信息的一项，请退回书记重新填报。")
            setattr(member, field.attname, field.to_python(value))
        return member

    def approve(self, user):
        """The change applied to the roll, validated again (the roll may have changed since): refused with the field
        named, nothing written; or written with the member's history row naming the submitter, and the change marked
        approved (the caller saves it, with APPLIED_FIELDS)."""
        from django.db import transaction

        with transaction.atomic():
            member = self.proposed(lock=True)
            try:
                member.full_clean()
            except ValidationError as exc:
                raise ValidationError("；".join(
                    f"{Member._meta.get_field(name).verbose_name if name != '__all__' else '党员'}：{'，'.join(messages)}"
                    for name, messages in exc.message_dict.items()))
            member._history_user = self.submitted_by or user
            member._change_reason = f"{self.get_kind_display()}经审核通过（审核人：{user}）"[:100]
            member.save()
            self.member = member
            super().approve(user)

    def described(self):
        """(field name, label, on the roll, proposed) for each field the change sets, as a person reads them."""
        stored = self.member if self.member_id else None
        organizations = {}
        rows = []
        for name, value in self.values.items():
            try:
                field = Member._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            old = field.value_from_object(stored) if stored is not None else None

            def shown(v):
                if v in (None, ""):
                    return "（空）"
                if field.is_relation:
                    if v not in organizations:
                        organizations[v] = str(field.related_model._default_manager.filter(pk=v).first() or v)
                    return organizations[v]
                if field.choices:
                    return str(dict(field.flatchoices).get(v, v))
                return str(v.isoformat() if isinstance(v, datetime.date) else v)

            if stored is not None and old == field.to_python(value):
                continue
            rows.append((name, str(field.verbose_name), shown(old) if stored is not None else "", shown(field.to_python(value))))
        return rows


class HistoryBase(models.Model):
    """What every history row has besides the record's fields: the import that wrote it, if one did."""

    import_batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


TRACKED = [
    Leader, Organization, Member, ProbationExtension, Election, Tenure, StandardArea, StandardItem, StandardLevel, Assessment, AssessmentItem,
    ProblemCategory, RectificationCase, RectificationProgress, WorkLogEntry, AnnualPlan, MeetingType, Meeting,
    StepRule, Recruit, RecruitmentPlan,
    ReviewRound, Reviewer, SecretaryReport, Ballot, GradeRule, Comment, FollowUp, ReviewItem, ItemScore,
    MemberChange, Transfer, ItemWeight,
]
HISTORY_M2M = {RectificationCase: ["categories"]}

for _model in TRACKED:
    simple_history.register(
        _model, app="audit", bases=[HistoryBase], m2m_fields=HISTORY_M2M.get(_model, ()),
        verbose_name=f"{_model._meta.verbose_name}历史", verbose_name_plural=f"{_model._meta.verbose_name}历史",
        user_related_name="+", records_class=Records,
    )


def new_token():
    return uuid.uuid4().hex


class RecordsVersion(models.Model):
    """One row whose token is replaced after every committed change to the records (a rolled-back change
    leaves it as it was): figures computed from the records are reused for as long as the token is the one
    they were computed under (version.py)."""

    token = models.CharField(max_length=32, default=new_token)

    class Meta:
        verbose_name = verbose_name_plural = "数据版本"
