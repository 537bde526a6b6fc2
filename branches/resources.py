"""The record types that come as spreadsheets: each declares its columns, natural key and example row.

Adding a record type is declaring a SheetResource subclass here, listing it in KINDS (for import_sheet) and
giving its ModelAdmin `SheetAdmin` with `resource_classes = [TheResource]` (admin/sheets.py).
"""
import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from accounts import personal

from . import idcard
from . import models as m
from . import scope
from . import widgets as w
from .idcard import make_id_number
from .history import copy_to_history, within
from .importing import Column, SheetResource, shown
from .member_changes import ProposedMembersMixin


class OrganizationResource(SheetResource):
    title = "党组织"
    name = Column(attribute="name", column_name="党组织名称", widget=w.PersonName(), aliases=["组织名称", "党组织全称"])
    aliases = {
        "parent": ["上级党组织名称", "上级组织"],
        "kind": ["党组织类别", "组织类型", "党组织类型"],
        "unit_name": ["单位名称", "所在单位名称"],
        "unit_category": ["单位类型", "学校类别", "学段"],
        "ownership": ["公办/民办", "公办民办"],
        "area": ["城区/农村", "所在区域"],
        "founded_on": ["成立时间"],
        "approved_on": ["批准成立时间", "批准日期"],
        "approval_document": ["批复文号"],
        "is_active": ["是否存续"],
        "dissolved_on": ["撤销时间"],
    }
    choice_aliases = {"kind": {"支部": "branch", "总支": "general_branch", "党工委": "committee"}}
    example = {
        "name": "红山区示例小学党支部", "parent": "中共红山区教育工作委员会", "kind": "党支部",
        "unit_name": "红山区示例小学", "unit_category": "小学", "ownership": "公办", "area": "城区",
        "founded_on": datetime.date(2020, 7, 1), "approved_on": datetime.date(2020, 6, 20),
        "approval_document": "红教工委发〔2020〕12号", "is_active": "是", "sort_order": 0,
    }

    class Meta:
        model = m.Organization
        fields = ["name", "parent", "kind", "unit_name", "unit_category", "ownership", "area", "founded_on",
                  "approved_on", "approval_document", "is_active", "dissolved_on", "liaison_leader", "sort_order"]
        import_id_fields = ["name"]
        # Row by row: a branch may name a committee added a few rows above, and Organization.clean() wants
        # that parent saved (with its id) by then. The tree has a few hundred organizations at most.
        use_bulk = False

    def before_import(self, dataset, **kwargs):
        """Parents before their children, wherever the file lists them."""
        super().before_import(dataset, **kwargs)
        name_col, parent_col = self.fields["name"].column_name, self.fields["parent"].column_name
        if name_col not in dataset.headers or parent_col not in dataset.headers:
            return
        rows = list(dataset)
        name_at, parent_at = dataset.headers.index(name_col), dataset.headers.index(parent_col)
        parent_of = {w.squeeze(str(r[name_at])): w.squeeze(str(r[parent_at] or "")) for r in rows if r[name_at]}

        def depth(name, seen=()):
            parent = parent_of.get(name)
            if parent not in parent_of or parent in seen:
                return 0
            return 1 + depth(parent, (*seen, name))

        rows.sort(key=lambda r: depth(w.squeeze(str(r[name_at] or ""))))
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        dataset.extend(rows)


class MemberResource(ProposedMembersMixin, SheetResource):
    title = "党员"
    # A person is named by their ID number: a secretary's row for someone registered outside their organization, or
    # for a new member of another school, reads the same, and names no one.
    outside_field, outside_message = "id_number", "该身份证号码无法在本组织登记，请联系工委组织科。"
    name = Column(attribute="name", column_name="姓名", widget=w.PersonName(), aliases=["党员姓名"])
    id_number = Column(
        attribute="id_number", column_name="身份证号码", widget=w.IdNumber(),
        aliases=["身份证号", "公民身份号码", "公民身份证号码", "身份证", "身份证件号码"],
    )
    # Export only: posts are tenures (任职), entered on the member's page or opened by an election's import.
    current_posts = Column(attribute="current_posts", column_name="现任党内职务", readonly=True)
    aliases = {
        "organization": ["所在支部", "所在党支部", "所在党组织名称", "所属党组织", "所属支部", "党支部"],
        "status": ["人员类别", "党员状态"],
        "join_date": ["入党时间", "加入党组织日期", "入党年月日"],
        "full_member_date": ["转正时间"],
        "education": ["文化程度", "最高学历"],
        "job": ["工作岗位", "岗位类别"],
        "phone": ["手机号码", "手机号", "联系方式", "电话"],
        "roll_status": ["党籍状态"],
        "backbone_title": ["骨干称号"],
        "backbone_year": ["称号年份"],
    }
    choice_aliases = {
        "education": {"本科": "bachelor", "大学": "bachelor", "大专": "junior_college", "专科": "junior_college",
                      "硕士研究生": "postgraduate", "博士研究生": "postgraduate", "硕士": "postgraduate",
                      "博士": "postgraduate", "高中": "high_school", "初中": "high_school", "中专/中技": "secondary"},
        "party_worker": {"专职": "full_time", "兼职": "part_time", "无": "", "": ""},
        "job": {"教师": "teacher", "离退休": "retired", "退休": "retired"},
    }

    class Meta:
        model = m.Member
        fields = ["name", "id_number", "gender", "ethnicity", "birth_date", "education", "organization", "status",
                  "join_date", "full_member_date", "current_posts", "party_worker", "job", "phone", "roll_status",
                  "left_on", "cancelled_on", "cancellation_reason", "backbone_title", "backbone_year"]
        import_id_fields = ["id_number"]

    @classmethod
    def example_row(cls):
        born = datetime.date(1985, 5, 6)
        return {
            "name": "张三", "id_number": make_id_number("620402", born, 13), "gender": "男", "ethnicity": "汉族",
            "birth_date": born, "education": "大学本科", "organization": "红山区示例小学党支部", "status": "正式党员",
            "join_date": datetime.date(2010, 7, 1), "full_member_date": datetime.date(2011, 7, 1),
            "job": "专任教师", "phone": "13800000000", "roll_status": "在册",
        }

    def import_instance(self, instance, row, **kwargs):
        """An ID number names one person: a row that gives a registered ID another name is refused."""
        registered = instance.name if instance.pk else None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        refused = instance.__dict__.get("_refused")  # outside the user's organization: nothing more is said
        if registered and not refused and instance.name and instance.name != registered and "id_number" not in errors:
            errors["id_number"] = [
                f"该身份证号码已登记为“{registered}”（{instance.organization}），与本行姓名“{instance.name}”不符。"
                "请核对身份证号码；如确需更正姓名，请在党员信息页面修改。"
            ]
        if errors:
            raise ValidationError(errors)

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).prefetch_related(
            Prefetch("tenures", m.Tenure.objects.valid_on().select_related("organization"), to_attr="posts_exported"))

    def dehydrate_current_posts(self, member):
        # Posts are tenures (任职), recorded on the member's page or by an election: shown here, never imported.
        held = getattr(member, "posts_exported", None)
        held = m.Tenure.objects.valid_on().filter(member=member) if held is None and member.pk else held or []
        return "；".join(t.get_post_display() if t.organization_id == member.organization_id
                        else f"{t.get_post_display()}（{t.organization}）" for t in held)


ELECTED = {  # column -> the post its people hold, and whether one person only
    "elected_secretary": (m.Member.Post.SECRETARY, True),
    "elected_deputies": (m.Member.Post.DEPUTY_SECRETARY, False),
    "elected_committee": (m.Member.Post.COMMITTEE, False),
}


class ElectionResource(SheetResource):
    """换届选举, and the people it elected: 书记, 副书记 and 委员 name members on the roll of the organization (or of the
    branches under it) by 公民身份号码, or by name where one member of the organization bears it. Each opens a
    tenure (任职) from the election day; a 换届 ends the previous term's tenures on that day (Election.close_previous_term)."""

    title = "换届选举"
    elected_secretary = Column(attribute="elected_secretary", column_name="书记", readonly=True,
                               aliases=["当选书记", "书记姓名"])
    elected_deputies = Column(attribute="elected_deputies", column_name="副书记", readonly=True, aliases=["当选副书记"])
    elected_committee = Column(attribute="elected_committee", column_name="委员", readonly=True,
                               aliases=["当选委员", "支委会成员", "委员会成员"])
    aliases = {
        "organization": ["党组织名称", "党支部", "换届党组织"],
        "held_on": ["选举时间", "换届日期", "换届时间"],
        "term_years": ["任期", "任期年限"],
        "approved_on": ["批复时间"],
        "kind": ["类别", "选举类型", "换届类别"],
        "postponed_to": ["延期至日期", "延期换届日期"],
        "electorate": ["应到会人数", "有选举权党员数", "应到人数"],
        "present": ["实到会人数", "实到人数"],
        "candidates": ["候选人人数"],
        "seats": ["应选名额", "应选人数（名额）"],
    }
    example = {
        "organization": "红山区示例小学党支部", "kind": "换届", "held_on": datetime.date(2023, 6, 30), "term_years": 3,
        "electorate": 20, "present": 19, "candidates": 4, "seats": 3,
        "elected_secretary": "张三", "elected_committee": "张三、李四、王五",
        "approval_document": "红教工委复〔2023〕15号", "approved_on": datetime.date(2023, 7, 10),
    }

    class Meta:
        model = m.Election
        fields = ["organization", "kind", "held_on", "term_years", "term_ends_on", "postponed_to", "electorate", "present",
                  "candidates", "seats", "elected_secretary", "elected_deputies", "elected_committee",
                  "approval_document", "approved_on", "note"]
        import_id_fields = ["organization", "held_on"]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.rolls, self.elected_rows = {}, []

    def roll_of(self, organization):
        """The on-roll members an election of `organization` chooses from: its own and its branches' (one query per
        organization in the file)."""
        if organization.pk not in self.rolls:
            self.rolls[organization.pk] = list(
                m.Member.objects.on_roll().filter(organization_id__in=organization.subtree_ids()).select_related("organization"))
        return self.rolls[organization.pk]

    def elected(self, instance, row, errors):
        """[(member, post)] from the row's 书记, 副书记 and 委员 cells; a name not found, or borne by two, is an error on
        its column. A 委员 already named 书记 or 副书记 is that person (张三 as 书记 and in 张三、李四、王五)."""
        found, named = [], set()
        for attribute, (post, single) in ELECTED.items():
            column = self.fields[attribute].column_name
            parts = [p.strip() for p in w.RelatedNames.SEPARATORS.split(str(row.get(column) or "")) if p.strip()]
            if not parts or instance.organization_id is None:
                continue
            if single and len(parts) > 1:
                errors.setdefault(attribute, []).append(f"“{column}”只能填写一人，表中是{len(parts)}人。")
                continue
            roll = self.roll_of(instance.organization)
            for part in parts:
                number = idcard.normalize(part)
                people = [p for p in roll if p.id_number == number] or [p for p in roll if p.name == w.squeeze(part)]
                if not people:
                    errors.setdefault(attribute, []).append(
                        f"“{part}”不在{instance.organization}（含所属党支部）的在册党员名册中，请核对姓名或公民身份号码。")
                elif len(people) > 1:
                    errors.setdefault(attribute, []).append(
                        f"{instance.organization}有{len(people)}名在册党员叫“{part}”，请改填其公民身份号码。")
                elif people[0].pk not in named:
                    named.add(people[0].pk)
                    tenure = m.Tenure(member=people[0], post=post, election=instance)
                    try:
                        tenure.clean()
                    except ValidationError as exc:
                        errors.setdefault(attribute, []).extend(f"{people[0]}：{msg}" for msg in exc.messages)
                    found.append(tenure)
        return found

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not instance.__dict__.get("_refused") and any(self.fields[a].column_name in row for a in ELECTED):
            instance.__dict__["_elected"] = self.elected(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        elected = instance.__dict__.get("_elected")
        if elected is None:
            return skip
        stored = {(t.member_id, t.post) for t in instance.tenures.all()} if instance.pk else set()
        if stored == {(t.member.pk, t.post) for t in elected}:
            return skip
        self.row_changes.append(("当选人", "、".join(t.member.name for t in instance.tenures.all()) if instance.pk else "",
                                 "、".join(t.member.name for t in elected)))
        return False

    def before_save_instance(self, instance, row, **kwargs):
        instance.fill_term()  # bulk writes bypass Election.save(), which would fill it

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if "_elected" in instance.__dict__:
            self.elected_rows.append(instance)

    def after_import(self, dataset, result, **kwargs):
        self.write_tenures()
        super().after_import(dataset, result, **kwargs)

    def write_tenures(self):
        """After the elections are written (bulk, without Election.save): in the order they were held, each 换届 ends
        the previous term's tenures, then the people each election names replace the tenures it opened before."""
        elections = sorted((e for e in self.elected_rows if e.pk is not None), key=lambda e: e.held_on)
        self.elected_rows = []
        if not getattr(self, "writing", True):
            return  # a preview writes nothing: its elections were not written either (importing.check)
        with within(getattr(self, "batch", None)):
            for election in elections:
                for old in m.Tenure.objects.filter(election=election):
                    old.delete()
                for tenure in election.__dict__.pop("_elected"):
                    tenure.election = election
                    tenure.clean()  # organization and day from the election
                    tenure.save()
                election.close_previous_term()

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tenures")

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).prefetch_related("tenures__member")

    def dehydrate_elected_secretary(self, election):
        return self._elected_names(election, m.Member.Post.SECRETARY)

    def dehydrate_elected_deputies(self, election):
        return self._elected_names(election, m.Member.Post.DEPUTY_SECRETARY)

    def dehydrate_elected_committee(self, election):
        # The committee as elected: every one of its members, the secretary and deputies first (as the file names them).
        return "、".join(t.member.name for t in sorted(election.tenures.all(), key=lambda t: POST_ORDER.index(t.post)))

    @staticmethod
    def _elected_names(election, post):
        return "、".join(t.member.name for t in election.tenures.all() if t.post == post)


POST_ORDER = list(m.Member.Post.values)


class AssessmentResource(SheetResource):
    title = "标准化评定"
    aliases = {
        "organization": ["党组织", "党支部名称", "党组织名称"],
        "year": ["评定年度", "年份"],
        "result": ["评定等次", "结果"],
        "assessed_on": ["评定时间"],
    }
    choice_aliases = {"result": {"不达标": "failed", "示范党支部": "exemplary", "合格": "passed", "不合格": "failed"}}
    example = {
        "organization": "红山区示例小学党支部", "year": 2023, "result": "达标", "assessed_on": datetime.date(2023, 12, 20),
    }

    class Meta:
        model = m.Assessment
        fields = ["organization", "year", "result", "assessed_on", "note"]
        import_id_fields = ["organization", "year"]


class RectificationResource(SheetResource):
    title = "软弱涣散整顿"
    aliases = {
        "organization": ["党组织名称", "整顿党组织"],
        "year": ["整顿年度"],
        "categories": ["问题类型", "软弱涣散类型"],
        "problems": ["主要问题"],
        "measures": ["整改措施"],
        "responsible_leader": ["包抓领导姓名", "责任领导"],
        "deadline": ["整改期限", "完成时限"],
        "status": ["整顿状态", "进展"],
        "closed_on": ["销号时间"],
        "is_exemplary": ["是否树为典型", "典型"],
        "identified_by": ["排查方法", "发现方式"],
        "identified_on": ["排查日期", "确定日期"],
        "accepted_by": ["验收领导", "验收单位"],
        "accepted_on": ["验收时间"],
    }
    example = {
        "organization": "红山区示例幼儿园党支部", "year": 2023, "categories": "党员教育管理松散",
        "problems": "组织生活不规范，“三会一课”记录不全。", "measures": "包抓领导蹲点指导，建立“三会一课”台账。",
        "deadline": datetime.date(2023, 10, 30), "status": "整顿中", "is_exemplary": "否",
        "identified_by": "年度集中排查", "identified_on": datetime.date(2023, 3, 10),
    }

    class Meta:
        model = m.RectificationCase
        fields = ["organization", "year", "identified_by", "identified_on", "categories", "problems", "measures",
                  "responsible_leader", "deadline", "status", "accepted_by", "accepted_on", "closed_on", "is_exemplary"]
        import_id_fields = ["organization", "year"]


class WorkLogResource(SheetResource):
    title = "党建工作台账"
    aliases = {
        "date": ["时间", "开展日期"],
        "kind": ["类型", "工作类别"],
        "title": ["工作事项", "内容", "名称"],
        "count": ["次数", "期数", "篇数"],
        "topics": ["议题数"],
        "teams": ["涉及班子数", "涉及单位数"],
        "leader": ["主持领导", "参加领导", "领导"],
    }
    example = {
        "date": datetime.date(2023, 3, 15), "kind": "党工委会议", "title": "示例：党工委会议（第1次）", "count": 1,
        "topics": 3, "teams": 0, "people": 0,
    }

    class Meta:
        model = m.WorkLogEntry
        fields = ["date", "kind", "title", "count", "topics", "teams", "people", "leader", "note"]
        import_id_fields = ["date", "kind", "title"]


class MeetingResource(SheetResource):
    """组织生活: one row per meeting. The attachment (minutes, photos) is uploaded on the record's page."""

    title = "组织生活"
    aliases = {
        "organization": ["党组织名称", "党支部", "党支部名称", "所在党支部"],
        "meeting_type": ["会议类型", "组织生活类型", "活动类型", "会议名称"],
        "held_on": ["会议日期", "召开时间", "开展日期", "日期", "时间"],
        "topic": ["会议主题", "主要内容", "内容", "议题"],
        "chaired_by": ["主持"],
        "present": ["实到", "参会人数", "出席人数"],
        "on_roll": ["应到", "应参会人数", "应到会人数"],
    }
    example = {
        "held_on": datetime.date(2023, 3, 28), "organization": "红山区示例小学党支部", "meeting_type": "党员大会",
        "topic": "学习贯彻党的二十大精神", "chaired_by": "张三", "present": 18, "on_roll": 20,
    }

    class Meta:
        model = m.Meeting
        fields = ["held_on", "organization", "meeting_type", "topic", "chaired_by", "present", "on_roll", "note"]
        # The same meeting written twice updates it; two 党小组会 on one day differ by their topics.
        import_id_fields = ["held_on", "organization", "meeting_type", "topic"]


class RecruitResource(SheetResource):
    """发展对象台账: one row per person, one date column per step of the 细则, as the office's own sheet has them."""

    title = "发展党员"
    name = Column(attribute="name", column_name="姓名", widget=w.PersonName(), aliases=["发展对象姓名"])
    id_number = Column(
        attribute="id_number", column_name="公民身份号码", widget=w.IdNumber(),
        aliases=["身份证号码", "身份证号", "公民身份证号码", "身份证", "身份证件号码"],
    )
    aliases = {
        "organization": ["所在支部", "所在党支部", "所在党组织名称", "所属党组织", "所属支部", "党支部"],
        "applied_on": ["申请入党时间", "递交入党申请书日期", "入党申请日期"],
        "activist_on": ["确定为入党积极分子日期", "确定入党积极分子时间", "列为入党积极分子日期"],
        "candidate_on": ["确定为发展对象日期", "确定发展对象时间", "列为发展对象日期"],
        "vetted_on": ["政审日期", "政治审查时间"],
        "trained_on": ["培训结业日期", "集中培训日期", "集中培训结业时间"],
        "publicity_began_on": ["公示起始日期", "公示开始时间"],
        "publicity_ended_on": ["公示截止日期", "公示结束时间"],
        "accepted_on": ["党员大会讨论日期", "支部大会通过日期", "支部大会日期", "接收预备党员日期"],
        "approved_on": ["上级党委审批时间", "党委审批日期", "审批日期"],
    }

    class Meta:
        model = m.Recruit
        fields = ["name", "id_number", "organization", "applied_on", "activist_on", "candidate_on", "vetted_on",
                  "trained_on", "publicity_began_on", "publicity_ended_on", "accepted_on", "approved_on"]
        import_id_fields = ["id_number"]
        # Row by row, through Recruit.save(): an accepted and approved row puts its member on the roll.
        use_bulk = False

    @classmethod
    def example_row(cls):
        return {
            "name": "李明", "id_number": make_id_number("620402", datetime.date(1995, 3, 8), 15),
            "organization": "红山区示例小学党支部", "applied_on": datetime.date(2021, 3, 1),
            "activist_on": datetime.date(2021, 5, 10), "candidate_on": datetime.date(2022, 6, 1),
            "vetted_on": datetime.date(2022, 7, 15), "trained_on": datetime.date(2022, 8, 20),
            "publicity_began_on": datetime.date(2022, 9, 5), "publicity_ended_on": datetime.date(2022, 9, 9),
            "accepted_on": datetime.date(2022, 10, 8), "approved_on": datetime.date(2022, 11, 20),
        }

    def save_instance(self, instance, is_create, row, **kwargs):
        # Saved one by one, so the history rows are simple-history's own; they point to this import.
        with within(getattr(self, "batch", None)):
            super().save_instance(instance, is_create, row, **kwargs)


ITEM = "item:"  # the prefix of an item column's field name


class BallotResource(SheetResource):
    """民主测评票: one row per reviewer and organization. 评议人 is a number: no name is ever read or written.

    年度 may be left out (the issue's template has 党组织, 书记, 评议人, 评价等次): rows without one count in the round
    chosen on the import page, else the latest round, and the preview says which. 书记, when filled, is checked
    against the organization's secretary on the roll.
    """

    title = "民主测评票"
    round = Column(attribute="round", column_name="年度", widget=w.RoundYear(m.ReviewRound), aliases=["评议年度"])
    secretary = Column(attribute="secretary", column_name="书记", readonly=True,
                       aliases=["书记姓名", "党组织书记", "述职书记", "述职人"])
    reviewer = Column(attribute="reviewer", column_name="评议人", widget=w.ReviewerNumber(m.Reviewer),
                      aliases=["评议人编号", "测评人"])
    score = Column(attribute="score", column_name="测评得分", widget=w.Number(), aliases=["得分", "分项得分合计"])
    aliases = {
        "organization": ["党组织名称", "述职党组织", "单位"],
        "grade": ["等次", "测评等次", "评价"],
    }
    example = {"round": 2023, "organization": "红山区示例小学党支部", "secretary": "王丽", "reviewer": 1, "grade": "好",
               "score": 92}
    optional_keys = ("round",)

    class Meta:
        model = m.Ballot
        fields = ["round", "organization", "secretary", "reviewer", "grade", "score"]
        import_id_fields = ["round", "organization", "reviewer"]

    def __init__(self, *args, review_round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review_round = review_round  # chosen on the import page; None: the latest round
        self.secretary_names = None
        # One column per item of the 测评 (each round's own list; the latest round's first): read in import_instance,
        # since an item score is a row of its own (ItemScore), not a field of the ballot.
        self.items = {}
        for item in m.ReviewItem.objects.select_related("round").order_by("-round__year", "sort_order", "pk"):
            self.items.setdefault(item.name, {})[item.round.year] = item
        for name in self.items:
            self.fields[ITEM + name] = Column(attribute=ITEM + name, column_name=name, widget=w.Number(), readonly=True)

    def before_import(self, dataset, **kwargs):
        self.fill_round(dataset)
        super().before_import(dataset, **kwargs)
        self.secretary_names, self.scored = None, []

    def fill_round(self, dataset):
        """Rows without a 年度 get the chosen (else the latest) round's year, before the records are looked up."""
        column = self.fields["round"].column_name
        years = dataset[column] if column in dataset.headers else [None] * len(dataset)
        if all(year not in (None, "") for year in years):
            return
        review_round = self.review_round or m.ReviewRound.objects.order_by("-year").first()
        if column in dataset.headers:
            del dataset[column]
        filled = review_round.year if review_round else None  # None: each row says its 年度 is missing
        dataset.append_col([filled if year in (None, "") else year for year in years], header=column)
        if review_round is None:
            dataset.notes = [*getattr(dataset, "notes", []), "系统中还没有述职评议，请先由组织科登记。"]
            return
        chosen = "所选的" if self.review_round else "最近一次"
        dataset.notes = [*getattr(dataset, "notes", []),
                         f"未填“年度”的行计入{chosen}述职评议：{review_round}。"]

    def current_secretaries(self):
        """{organization id: names}: the secretaries on the roll, by the one rule of who holds the post."""
        if self.secretary_names is None:
            self.secretary_names = m.Tenure.objects.secretary_names()
        return self.secretary_names

    def secretary_error(self, instance, row):
        written = w.squeeze(str(row.get(self.fields["secretary"].column_name) or ""))
        if not written or instance.organization_id is None:
            return None
        names = self.current_secretaries().get(instance.organization_id, [])
        if written in {w.squeeze(n) for n in names}:
            return None
        if not names:
            return f"名册中{instance.organization}没有在任书记，无法核对“{written}”。请先在党员名册中登记书记，或核对党组织。"
        return f"名册中{instance.organization}的书记是“{'、'.join(names)}”，与表中的“{written}”不符。"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("item_scores")  # what a row's item scores are compared with

    def item_scores(self, instance, row, errors):
        """{item: score} from the row's item columns, checked against the round's items and their marks; the ballot's
        测评得分 becomes their sum (a 测评得分 written beside them must be that sum)."""
        found = {}
        for name, by_year in self.items.items():
            value = row.get(name)
            if name not in row or value in (None, ""):
                continue
            try:
                score = w.Number().clean(value)
            except ValueError as exc:
                errors.setdefault(ITEM + name, []).append(str(exc))
                continue
            item = by_year.get(instance.round.year) if instance.round_id else None
            if instance.round_id is None:
                continue  # the 年度 cell's own error says so
            refusal = (f"{instance.round.year}年度述职评议没有“{name}”这一测评项目。" if item is None
                       else "得分不能为负数。" if score < 0 else m.ItemScore.refusal(item, score, instance.round))
            if refusal:
                errors.setdefault(ITEM + name, []).append(refusal)
            else:
                found[item] = score
        if found and not errors:
            total = sum(found.values())
            written = row.get(self.fields["score"].column_name)
            if written not in (None, "") and instance.score != total:
                errors.setdefault("score", []).append(f"测评得分应为各分项得分之和（{total:f}）。")
            instance.score = total
        return found

    def import_instance(self, instance, row, **kwargs):
        cast = instance.pk is not None and instance.grade
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not instance.__dict__.get("_refused"):  # outside the user's scope: the refusal alone, nothing of the record
            instance.__dict__["_item_scores"] = self.item_scores(instance, row, errors)
            mismatch = self.secretary_error(instance, row)
            if mismatch:
                errors.setdefault("secretary", []).append(mismatch)
            if cast and instance.grade != cast:
                errors.setdefault("reviewer", []).append(
                    f"该评议人已对该党组织投票（{m.Grade(cast).label}），不能重复投票。")
        if errors:
            raise ValidationError(errors)

    def dehydrate_secretary(self, ballot):
        return "、".join(self.current_secretaries().get(ballot.organization_id, []))

    @staticmethod
    def stored_scores(ballot):
        return {s.item_id: s.score for s in ballot.item_scores.all()} if ballot.pk else {}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        stored = self.stored_scores(instance)
        changed = [(item.name, shown(stored.get(item.pk)), shown(score))
                   for item, score in instance.__dict__.get("_item_scores", {}).items() if stored.get(item.pk) != score]
        original = instance.__dict__.get("_sheet_original")
        score = self.fields["score"]
        if changed and original and score not in self.file_fields and original["score"] != instance.score:
            changed.append((score.column_name, shown(original["score"]), shown(instance.score)))  # their sum
        self.row_changes += changed  # the preview shows them with the ballot's own changes
        return skip and not changed

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if instance.__dict__.get("_item_scores"):
            self.scored.append(instance)

    def after_import(self, dataset, result, **kwargs):
        self.write_item_scores()
        super().after_import(dataset, result, **kwargs)

    def write_item_scores(self):
        """The rows' item scores, after the ballots are written (and have their ids): each score the file gives
        replaces the stored one of that item; items the file leaves empty keep theirs."""
        ballots = [b for b in self.scored if b.pk is not None]
        self.scored = []
        if not ballots:
            return
        stored = {(s.ballot_id, s.item_id): s for s in m.ItemScore.objects.filter(ballot__in=ballots)}
        new, changed = [], []
        for ballot in ballots:
            for item, score in ballot.__dict__.pop("_item_scores").items():
                old = stored.get((ballot.pk, item.pk))
                if old is None:
                    new.append(m.ItemScore(ballot=ballot, item=item, score=score))
                elif old.score != score:
                    old.score = score
                    changed.append(old)
        m.ItemScore.objects.bulk_create(new)
        m.ItemScore.objects.bulk_update(changed, ["score"])
        batch = getattr(self, "batch", None)
        user = self.user if self.user is not None and self.user.is_authenticated else None
        for history_type, scores in (("+", new), ("~", changed)):
            if scores and batch is not None:
                copy_to_history(m.ItemScore, [s.pk for s in scores], history_type, user=user, batch=batch,
                                reason=f"导入：{batch.file_name}"[:100])

    def export_field(self, field, instance, **kwargs):
        if field.attribute and field.attribute.startswith(ITEM):
            item = self.items[field.attribute.removeprefix(ITEM)].get(instance.round.year)
            score = self.stored_scores(instance).get(item.pk) if item else None
            return score
        return super().export_field(field, instance, **kwargs)

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).select_related("round").prefetch_related("item_scores")


class TransferResource(SheetResource):
    """组织关系转接: one row per move of a member on a day. The member is found by 公民身份号码 and the row's 姓名 must
    be theirs; organizations by name; the kind and the reason by their labels. Written row by row, through
    Transfer.save(), which applies the move to the member."""

    title = "组织关系转接"
    # A secretary's row for a member outside their organization (or for an unknown number) gets the words the
    # member import uses for outsiders, and nothing else about the row.
    outside_field, outside_message = "member", MemberResource.outside_message
    member_name = Column(attribute="member_name", column_name="姓名", readonly=True, aliases=["党员姓名"])
    member = Column(
        attribute="member", column_name="公民身份号码", widget=w.MemberByIdNumber(m.Member),
        aliases=["身份证号码", "身份证号", "公民身份证号码", "身份证", "身份证件号码"],
    )
    outside_unit = Column(
        attribute="outside_unit", column_name="转入单位（系统外）", widget=w.Text(),
        aliases=["系统外党组织", "系统外单位", "转入单位", "接收单位", "系统外党组织（单位）", "原所在单位（系统外）"],
    )
    aliases = {
        "kind": ["类型", "转接方式", "转接类别"],
        "from_organization": ["原党组织", "原所在党组织", "转出党支部", "转出单位"],
        "to_organization": ["接收党组织", "转入党支部", "转入党组织（系统内）"],
        "transferred_on": ["日期", "转接时间", "转出日期", "转出时间"],
        "letter_number": ["介绍信号", "介绍信编码", "介绍信文号", "编号"],
        "reason": ["原因", "转接事由", "事由"],
    }
    choice_aliases = {
        "kind": {"系统内": "within", "系统内转移": "within", "转出系统外": "out", "转出到系统外": "out",
                 "从系统外转入": "in", "系统外转入": "in"},
        "reason": {"调动": "job", "工作变动": "job", "退休": "retirement", "升学": "study", "户籍变动": "home",
                   "居住地变动": "home"},
    }

    class Meta:
        model = m.Transfer
        fields = ["member_name", "member", "kind", "from_organization", "to_organization", "outside_unit", "transferred_on",
                  "letter_number", "reason"]
        import_order = export_order = fields  # the template's columns in the office's order
        import_id_fields = ["member", "transferred_on"]
        # Row by row, through Transfer.save(): a transfer moves its member (or takes them off the roll).
        use_bulk = False

    @classmethod
    def example_row(cls):
        return {
            "member_name": "张三", "member": make_id_number("620402", datetime.date(1985, 5, 6), 13),
            "kind": "系统内转接", "from_organization": "红山区示例小学党支部", "to_organization": "红山区示例中学党支部",
            "outside_unit": "", "transferred_on": datetime.date(2026, 8, 28), "letter_number": "教组转〔2026〕12号",
            "reason": "工作调动",
        }

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance.__dict__.get("_refused"):
            raise ValidationError(errors)
        ids = None if self.user is None else scope.organization_ids(self.user)
        member = instance.member if instance.member_id else None
        if ids is not None and (member is None or member.organization_id not in ids):
            # Unknown, or on another organization's roll: one answer for both, so that nothing is learnt.
            self.refused += 1
            instance.__dict__["_refused"] = True
            raise ValidationError({"member": [self.outside_message]})
        written = w.squeeze(str(row.get(self.fields["member_name"].column_name) or ""))
        if member is not None and written and written != w.squeeze(member.name):
            errors.setdefault("member_name", []).append(
                f"该身份证号码登记的党员是“{member.name}”，与本行姓名“{written}”不符。请核对姓名或身份证号码。")
        if ids is not None and instance.to_organization_id and instance.to_organization_id not in ids:
            errors.setdefault("to_organization", []).append(
                "超出本组织范围：转入本组织以外的党组织，请联系工委组织科办理。")
        refusal = m.Transfer.recording_refusal(self.user, instance.kind)
        if refusal:
            errors.setdefault("kind", []).append(refusal)
        if errors:
            raise ValidationError(errors)

    def dehydrate_member_name(self, transfer):
        return transfer.member.name

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if field.attribute == "member" and value:
            return personal.shown(self.user, "id_number", str(value))
        return value

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).select_related("member", "from_organization", "to_organization")

    def save_instance(self, instance, is_create, row, **kwargs):
        # Saved one by one, so the history rows are simple-history's own; they point to this import.
        with within(getattr(self, "batch", None)):
            super().save_instance(instance, is_create, row, **kwargs)


KINDS = {
    "organizations": OrganizationResource,
    "members": MemberResource,
    "elections": ElectionResource,
    "assessments": AssessmentResource,
    "rectifications": RectificationResource,
    "worklog": WorkLogResource,
    "meetings": MeetingResource,
    "recruitment": RecruitResource,
    "reviews": BallotResource,
    "transfers": TransferResource,
}
