"""A synthetic district in which every figure of the secretary's 2023 duty report holds as data.

Deterministic (one seeded random generator), built with bulk_create so that 3,800 members take a few
seconds and 100,000 still work. Nothing here is read by the figures: they are computed from these rows.
"""
import datetime
import random
from decimal import Decimal
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from . import version

from . import idcard
from . import models as m
from .dates import add_years, age_on
from .history import delete_with_history
from .periods import MeetingPeriod, period_containing, periods_within

YEAR = 2023
DISTRICT = "红山区"
DEFAULT_MEMBERS = 3800

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国华明丽娟军平芳伟秀英敏静强磊洋艳勇杰娜涛超霞鹏辉玲刚桂兰红梅文斌波宇晨欣怡佳浩然婷雪峰海燕志宏春晓东亮"
# Members' given names by the recorded gender, one and two characters, as teachers born 1948-2001 are named.
GIVEN_NAMES = {
    "男": ("伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 波 峰 浩 宇 亮 东 建国 建华 建军 国强 志强 志宏 志刚 志勇 "
          "文斌 文杰 海涛 海峰 海军 晓东 晓军 永刚 永平 永红 红军 卫东 卫国 新民 振华 德明 学军 立新 宏伟 俊杰 "
          "子豪 浩然 宇航 鹏飞 天佑 博文 嘉诚 明轩 家豪 国栋 世杰 兴旺 克俭 长青 延军 守仁").split(),
    "女": ("芳 娟 敏 静 丽 艳 娜 霞 玲 婷 雪 燕 红 梅 兰 萍 莉 琳 洁 颖 秀英 桂英 桂兰 玉兰 秀兰 丽娟 丽华 丽萍 "
          "海燕 春梅 晓红 晓燕 晓丽 红梅 雪梅 美玲 淑珍 淑华 凤霞 翠萍 亚楠 文静 婷婷 佳怡 欣怡 雨欣 思琪 "
          "梦瑶 诗涵 子涵 晓雪 慧敏 丽君 小红 春燕 爱华 玉霞 彩霞 金凤 冬梅 秋菊 艳玲").split(),
}
# Retirement under the old rule (women 55, men 60): no one working is older, no retiree younger.
RETIREMENT_AGE = {"男": 60, "女": 55}
# Gansu, as the seed's "甘肃党建" says: Baiyin's districts and counties as birthplaces.
AREA_CODES = ("620402", "620403", "620421", "620422", "620423", "620102", "620103")


RETIREE_BRANCH = "离退休教师党支部"  # its members are all retirees (离退休人员), and only it holds retirees
RETIREE_WEIGHT = 28


@dataclass
class Unit:
    name: str
    kind: str
    category: str
    area: str = m.Area.URBAN
    branches: list = field(default_factory=list)
    weight: int = 20  # relative size of each branch's roll
    approved_in_year: bool = False


def _units():
    """The 68 organizations directly under the committee, and the branches under them."""
    U, K, C, A = Unit, m.OrgKind, m.UnitCategory, m.Area
    units = [
        U("教育局机关党支部", K.BRANCH, C.BUREAU, weight=45),
        U("区教研室党支部", K.BRANCH, C.BUREAU, weight=22),
        U("区学生资助管理中心党支部", K.BRANCH, C.BUREAU, weight=3),
    ]
    # The oldest large schools keep their retired teachers in a branch of their own.
    for i, school in enumerate(["第一中学", "第二中学", "第三中学", "实验中学"]):
        units.append(U(f"{DISTRICT}{school}党委", K.PARTY_COMMITTEE, C.HIGH_SCHOOL,
                       branches=["高一年级党支部", "高二年级党支部", "高三年级党支部", "行政后勤党支部"]
                       + [RETIREE_BRANCH] * (i < 2), weight=30))
    units.append(U(f"{DISTRICT}职业中等专业学校党委", K.PARTY_COMMITTEE, C.VOCATIONAL,
                   branches=["教学党支部", "实训党支部", "行政党支部", RETIREE_BRANCH], weight=24))
    for school in ["第四中学", "第五中学", "第六中学", "第七中学", "第八中学", "第九中学"]:
        units.append(U(f"{DISTRICT}{school}党总支", K.GENERAL_BRANCH, C.JUNIOR_SCHOOL,
                       branches=["第一党支部", "第二党支部", "第三党支部"], weight=18))
    for school in ["水川学校", "强湾学校"]:
        units.append(U(f"{DISTRICT}{school}党总支", K.GENERAL_BRANCH, C.NINE_YEAR, A.RURAL,
                       branches=["中学部党支部", "小学部党支部"], weight=16))
    for school in ["四龙学校", "武川学校", "王岘学校", "银光学校"]:
        units.append(U(f"{DISTRICT}{school}党支部", K.BRANCH, C.NINE_YEAR, A.RURAL if school != "银光学校" else A.URBAN, weight=14))
    for school in ["第一小学", "第二小学", "北京路小学", "公园路小学"]:
        units.append(U(f"{DISTRICT}{school}党总支", K.GENERAL_BRANCH, C.PRIMARY,
                       branches=["低年级党支部", "高年级党支部"], weight=18))
    for town in ["水川镇", "强湾乡", "武川乡"]:
        units.append(U(f"{DISTRICT}{town}学区党总支", K.GENERAL_BRANCH, C.PRIMARY, A.RURAL,
                       branches=["中心小学党支部", "村小联合党支部", "幼儿园党支部"], weight=10))
    urban_primary = ["第三小学", "第四小学", "第五小学", "第六小学", "第七小学", "第八小学", "第九小学", "第十小学",
                     "人民路小学", "南街小学", "东山小学", "西区小学", "育才小学", "金岭小学", "工农路小学", "新城小学"]
    for school in urban_primary:
        units.append(U(f"{DISTRICT}{school}党支部", K.BRANCH, C.PRIMARY, weight=14))
    for school in ["王岘小学", "四龙小学", "东湾小学", "大坝小学"]:
        units.append(U(f"{DISTRICT}{school}党支部", K.BRANCH, C.PRIMARY, A.RURAL, weight=8))
    for n in "一二三四五六七八":
        units.append(U(f"{DISTRICT}第{n}幼儿园党支部", K.BRANCH, C.KINDERGARTEN, weight=7))
    for school in ["育英学校", "博文学校", "启明外国语学校", "英才中学", "华锐实验学校"]:
        units.append(U(f"{DISTRICT}{school}党支部", K.BRANCH, C.PRIVATE_SCHOOL, weight=6))
    units.append(U(f"{DISTRICT}民办学校第一联合党支部", K.JOINT_BRANCH, C.PRIVATE_SCHOOL, weight=5, approved_in_year=True))
    for name in ["小天使幼儿园党支部", "民办幼儿园第一联合党支部", "民办幼儿园第二联合党支部", "童心幼儿园党支部"]:
        kind = K.JOINT_BRANCH if "联合" in name else K.BRANCH
        units.append(U(f"{DISTRICT}{name}", kind, C.PRIVATE_KINDERGARTEN, weight=2 if kind == K.BRANCH else 4,
                       approved_in_year=name == "民办幼儿园第二联合党支部"))
    for name in ["校外培训机构第一联合党支部", "校外培训机构第二联合党支部", "新航道培训学校党支部"]:
        kind = K.JOINT_BRANCH if "联合" in name else K.BRANCH
        units.append(U(f"{DISTRICT}{name}", kind, C.PRIVATE_TRAINING, weight=4 if kind == K.JOINT_BRANCH else 2))
    units[units.index(next(u for u in units if u.name.endswith("新城小学党支部")))].approved_in_year = True
    assert len(units) == 68, len(units)
    return units


LEADERS = [
    ("王建国", m.Leader.Title.SECRETARY),
    ("李文华", m.Leader.Title.DEPUTY),
    ("张丽娟", m.Leader.Title.DEPUTY),
    ("刘志宏", m.Leader.Title.MEMBER),
    ("陈海燕", m.Leader.Title.MEMBER),
    ("杨东亮", m.Leader.Title.MEMBER),
]

# The committee's own year, per year: kind -> list of (count, topics, teams, people) entries.
WORK_LOG = {
    2023: {
        m.WorkKind.GUIDANCE: [(1, 0, 0, 0)] * 3,
        m.WorkKind.RESEARCH: [(1, 0, 0, 0)] * 2,
        m.WorkKind.COMMITTEE_MEETING: [(1, t, 0, 0) for t in (3, 4, 3, 2, 3, 4, 3, 3, 2, 4, 3)],
        m.WorkKind.DEMOCRATIC_LIFE: [(1, 0, 0, 0)],
        m.WorkKind.BRANCH_LIFE: [(1, 0, 0, 0)] * 2,
        m.WorkKind.TRAINING_CLASS: [(1, 0, 0, 60)] * 4,
        m.WorkKind.PAPER: [(1, 0, 0, 0)] * 5,
        m.WorkKind.RESEARCH_TOPIC: [(1, 0, 0, 0)] * 3,
        m.WorkKind.PARTY_LESSON: [(1, 0, 0, 0)] * 4,
        m.WorkKind.PROBLEM_FIXED: [(10, 0, 0, 0), (8, 0, 0, 0), (7, 0, 0, 0)],
        m.WorkKind.CENTRAL_GROUP: [(1, 0, 0, 0)] * 13,
        m.WorkKind.BUREAU_STUDY: [(1, 0, 0, 0)] * 36,
        m.WorkKind.REFLECTION: [(1260, 0, 0, 0), (1015, 0, 0, 0), (767, 0, 0, 0)],
        m.WorkKind.SECTION_APPOINTMENT: [(1, 0, 4, 21), (1, 0, 2, 9)],
        m.WorkKind.UNIT_APPOINTMENT: [(1, 0, 5, 6), (1, 0, 3, 4)],
        m.WorkKind.PRIVATE_MEETING: [(1, 0, 0, 0)] * 3,
        m.WorkKind.PRIVATE_INSPECTION: [(1, 0, 13, 0)],
        m.WorkKind.COLLECTIVE_TALK: [(1, 0, 0, 0)] * 4,
        m.WorkKind.ONE_TO_ONE_TALK: [(1, 0, 4, 18), (1, 0, 5, 22), (1, 0, 6, 28)],
    },
    2022: {
        m.WorkKind.GUIDANCE: [(1, 0, 0, 0)] * 2,
        m.WorkKind.RESEARCH: [(1, 0, 0, 0)] * 2,
        m.WorkKind.COMMITTEE_MEETING: [(1, t, 0, 0) for t in (3, 2, 3, 3, 2, 3, 4, 3, 3)],
        m.WorkKind.DEMOCRATIC_LIFE: [(1, 0, 0, 0)],
        m.WorkKind.BRANCH_LIFE: [(1, 0, 0, 0)] * 2,
        m.WorkKind.TRAINING_CLASS: [(1, 0, 0, 55)] * 2,
        m.WorkKind.PAPER: [(1, 0, 0, 0)] * 3,
        m.WorkKind.RESEARCH_TOPIC: [(1, 0, 0, 0)] * 2,
        m.WorkKind.PARTY_LESSON: [(1, 0, 0, 0)] * 3,
        m.WorkKind.PROBLEM_FIXED: [(9, 0, 0, 0), (7, 0, 0, 0)],
        m.WorkKind.CENTRAL_GROUP: [(1, 0, 0, 0)] * 12,
        m.WorkKind.BUREAU_STUDY: [(1, 0, 0, 0)] * 30,
        m.WorkKind.REFLECTION: [(1200, 0, 0, 0), (1150, 0, 0, 0)],
        m.WorkKind.SECTION_APPOINTMENT: [(1, 0, 3, 14)],
        m.WorkKind.UNIT_APPOINTMENT: [(1, 0, 4, 6)],
        m.WorkKind.PRIVATE_MEETING: [(1, 0, 0, 0)] * 2,
        m.WorkKind.PRIVATE_INSPECTION: [(1, 0, 12, 0)],
        m.WorkKind.COLLECTIVE_TALK: [(1, 0, 0, 0)] * 3,
        m.WorkKind.ONE_TO_ONE_TALK: [(1, 0, 5, 20), (1, 0, 6, 25)],
    },
}
WORK_TITLES = {
    m.WorkKind.GUIDANCE: "专题指导基层党建工作", m.WorkKind.RESEARCH: "基层党建专题调研",
    m.WorkKind.COMMITTEE_MEETING: "党工委会议", m.WorkKind.DEMOCRATIC_LIFE: "参加专题民主生活会",
    m.WorkKind.BRANCH_LIFE: "参加所在支部组织生活会", m.WorkKind.TRAINING_CLASS: "全系统党组织书记轮训班",
    m.WorkKind.PAPER: "主题教育研讨交流材料", m.WorkKind.RESEARCH_TOPIC: "主题教育调研专题",
    m.WorkKind.PARTY_LESSON: "专题党课", m.WorkKind.PROBLEM_FIXED: "主题教育检视整改问题",
    m.WorkKind.CENTRAL_GROUP: "党工委理论学习中心组学习", m.WorkKind.BUREAU_STUDY: "局机关党员干部集中学习",
    m.WorkKind.REFLECTION: "全系统干部群众撰写心得体会", m.WorkKind.SECTION_APPOINTMENT: "配合区委调整配备科级领导班子",
    m.WorkKind.UNIT_APPOINTMENT: "调整配备股级单位领导干部", m.WorkKind.PRIVATE_MEETING: "民办教育机构党组织负责人工作会议",
    m.WorkKind.PRIVATE_INSPECTION: "民办教育机构党建工作调研检查全覆盖", m.WorkKind.COLLECTIVE_TALK: "集体约谈",
    m.WorkKind.ONE_TO_ONE_TALK: "一对一约谈学校领导班子",
}
# Work the secretary does in person ("本人撰写…、上专题党课…").
PERSONAL_WORK = {m.WorkKind.PAPER, m.WorkKind.RESEARCH_TOPIC, m.WorkKind.PARTY_LESSON,
                 m.WorkKind.DEMOCRATIC_LIFE, m.WorkKind.BRANCH_LIFE, m.WorkKind.COMMITTEE_MEETING}

ELECTIONS_PER_YEAR = {2023: 26, 2022: 21}
BACKBONE_PER_YEAR = {2023: (68, 60, 125), 2022: (55, 58, 102)}  # provincial, city, district


class DemoBuilder:
    def __init__(self, members=DEFAULT_MEMBERS, seed=YEAR):
        self.rng = random.Random(seed)
        self.target = members
        self.scale = members / DEFAULT_MEMBERS
        self.used_ids = set()

    # -- small generators --------------------------------------------------------------------
    def date_in(self, year, start_month=1, end_month=12):
        start = datetime.date(year, start_month, 1)
        end = datetime.date(year, end_month, 28)
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def person(self, age_low, age_high, job=None):
        """Name, birth date, ID number and gender of one person aged age_low to age_high at the year's end; for a
        member with a `job`, within working age, or from retirement on for a retiree. The ID number writes the
        birth date and, in its 17th digit, the gender (GB 11643)."""
        rng = self.rng
        sex = "男" if rng.random() < 0.42 else "女"
        if job == m.Member.Job.RETIRED:
            age_low = max(age_low, RETIREMENT_AGE[sex])
        elif job:
            age_high = min(age_high, RETIREMENT_AGE[sex])
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES[sex])
        while True:
            born = datetime.date(YEAR - rng.randint(age_low, age_high), rng.randint(1, 12), rng.randint(1, 28))
            seq = rng.randrange(0, 999) | 1 if sex == "男" else rng.randrange(0, 998) & ~1
            number = idcard.make_id_number(rng.choice(AREA_CODES), born, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return name, born, number, sex

    def phone(self):
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}{self.rng.randint(0, 99999999):08d}"

    # -- the district ------------------------------------------------------------------------
    def build(self):
        rng = self.rng
        leaders = m.Leader.objects.bulk_create(
            [m.Leader(name=n, title=t, sort_order=i) for i, (n, t) in enumerate(LEADERS, start=1)]
        )
        secretary_leader, others = leaders[0], leaders[1:]
        root = m.Organization.objects.create(
            name=f"中共{DISTRICT}教育工作委员会", kind=m.OrgKind.COMMITTEE, unit_name=f"{DISTRICT}教育局",
            unit_category=m.UnitCategory.BUREAU, founded_on=datetime.date(2001, 7, 1),
        )
        units = _units()
        basic, leaves = [], []  # leaves: (org, weight)
        for order, unit in enumerate(units, start=1):
            private = unit.category in m.PRIVATE_CATEGORIES
            founded = self.date_in(YEAR, 3, 9) if unit.approved_in_year else self.date_in(rng.randint(1985, 2018))
            org = m.Organization(
                name=unit.name, parent=root, kind=unit.kind, unit_name=unit.name.removesuffix("党委").removesuffix("党总支").removesuffix("党支部"),
                unit_category=unit.category, ownership=m.Ownership.PRIVATE if private else m.Ownership.PUBLIC,
                area=unit.area, founded_on=founded, approved_on=founded - datetime.timedelta(days=rng.randint(7, 30)),
                approval_document=f"红教工委发〔{founded.year}〕{rng.randint(1, 60)}号", sort_order=order,
                liaison_leader=secretary_leader if order % 8 == 3 and order < 64 else others[order % len(others)],
            )
            basic.append((org, unit))
        m.Organization.objects.bulk_create([o for o, _ in basic])
        children = []
        for org, unit in basic:
            for j, bname in enumerate(unit.branches, start=1):
                children.append((m.Organization(
                    name=f"{org.unit_name}{bname}", parent=org,
                    kind=m.OrgKind.JOINT_BRANCH if "联合" in bname else m.OrgKind.BRANCH,
                    unit_name=org.unit_name, unit_category=org.unit_category, ownership=org.ownership, area=org.area,
                    founded_on=org.founded_on, approved_on=org.approved_on, approval_document=org.approval_document,
                    sort_order=org.sort_order * 100 + j, liaison_leader=None,
                ), unit))
        m.Organization.objects.bulk_create([o for o, _ in children])
        for org, unit in basic:
            if unit.branches:
                # The school's committee and people drawn with it: members of its branches (build_members).
                leaves.append((org, 6 if unit.kind == m.OrgKind.PARTY_COMMITTEE else 5))
            else:
                leaves.append((org, unit.weight))
        leaves += [(o, u.weight) for o, u in children]
        self.root, self.basic, self.children = root, [o for o, _ in basic], [o for o, _ in children]
        self.branches = [o for o, _ in basic + children if o.kind in m.BRANCH_KINDS]
        self.secretary_leader, self.leaders = secretary_leader, leaders
        self.build_members(leaves)
        self.build_elections()
        self.build_assessments()
        self.build_rectifications()
        self.build_work_log()
        # Last: the steps below draw on the generator after everything above has had its draws.
        self.build_roll_changes()
        self.build_meetings()
        self.build_recruitment()
        self.build_secretary_reviews()
        m.AnnualPlan.objects.bulk_create([
            m.AnnualPlan(year=y, standardization_target=t, reflection=r, next_steps=n) for y, (t, r, n) in PLANS.items()
        ])
        self.build_transfers()

    # -- 组织关系转接: the year after the report --------------------------------------------------
    def build_transfers(self):
        """2024's moves, all after the report's year so that every 2023 figure stands: teachers moving between
        public schools in August, members retiring into their school's 离退休教师党支部, two transfers out of the
        district and one in. Each is entered as the office enters one (validated, then applied to the member); the
        介绍信 are numbered in the order of their dates. Posts, party workers and backbone teachers stay where they
        are, and the smallest and largest branches keep their size."""
        rng = random.Random(self.target + YEAR + 1)  # its own draws: the district above is the same with or without it
        year = YEAR + 1
        contacts = [m.Recruit.objects.filter(**{f"{c}__isnull": False}).values(c) for c in ("contact_1", "contact_2")]
        on_roll = (m.Member.objects.on_roll().filter(tenures__isnull=True, party_worker="", backbone_title="", status=m.Member.Status.FULL)
                   .exclude(pk__in=contacts[0]).exclude(pk__in=contacts[1]))  # a 培养联系人 stays with their recruit
        sizes = dict(m.Member.objects.on_roll().values("organization").annotate(n=Count("pk")).values_list("organization", "n").order_by())
        # Between branches of middling size, so that the small branches and the one over 50 stay as they are.
        schools = [o for o in self.branches if o.ownership == m.Ownership.PUBLIC and 7 <= sizes.get(o.pk, 0) <= 45
                   and not o.name.endswith(RETIREE_BRANCH)]
        if len(schools) < 2:
            return  # a district too small for a year of moves
        movers = list(on_roll.filter(organization__in=schools).exclude(job=m.Member.Job.RETIRED)
                      .select_related("organization").order_by("pk"))
        rng.shuffle(movers)
        planned = []  # (member, kind, day, fields)
        for member in movers[:max(2, round(12 * self.scale))]:
            # A teacher moves to another school of the same kind (a primary school's to a primary school).
            targets = [o for o in schools if o.parent_id != member.organization.parent_id and o.pk != member.organization_id
                       and o.unit_category == member.organization.unit_category]
            if targets:
                planned.append((member, m.Transfer.Kind.WITHIN, datetime.date(year, 8, rng.randint(20, 31)),
                                {"from_organization_id": member.organization_id, "to_organization": rng.choice(targets),
                                 "reason": m.Transfer.Reason.JOB}))
        # Retirements: those who reach the age in the year move from their school's branches to its retirees' branch.
        retiree_branches = {o.parent_id: o for o in self.branches if o.name.endswith(RETIREE_BRANCH)}
        chosen = {member.pk for member, *_ in planned}
        retiring = [x for x in on_roll.filter(organization__parent_id__in=retiree_branches).exclude(job=m.Member.Job.RETIRED)
                    .select_related("organization").order_by("birth_date", "pk")
                    if x.pk not in chosen and age_on(x.birth_date, datetime.date(YEAR, 12, 31)) >= RETIREMENT_AGE[x.gender]]
        for member in retiring[:max(1, round(4 * self.scale))]:
            member.job = m.Member.Job.RETIRED
            member.save(update_fields=["job"])
            planned.append((member, m.Transfer.Kind.WITHIN, self._day_after(rng, member.birth_date, RETIREMENT_AGE[member.gender], year),
                            {"from_organization_id": member.organization_id,
                             "to_organization": retiree_branches[member.organization.parent_id], "reason": m.Transfer.Reason.RETIREMENT}))
        chosen |= {member.pk for member, *_ in planned}
        leaving = [x for x in movers if x.pk not in chosen][:2]
        for member, (unit, reason, day) in zip(leaving, [("兰州市城关区教育工委某中学党支部", m.Transfer.Reason.JOB, datetime.date(year, 3, 12)),
                                                         ("天水市秦州区某街道社区党委", m.Transfer.Reason.HOME, datetime.date(year, 9, 6))]):
            planned.append((member, m.Transfer.Kind.OUT, day,
                            {"from_organization_id": member.organization_id, "outside_unit": unit, "reason": reason}))
        # One teacher arrives from a neighbouring county's school, their record created with the transfer; the
        # letter did not give the conversion date, which the warning 转入党员信息不全 asks for.
        name, born, number, sex = self.person(30, 45, job=m.Member.Job.TEACHER)
        joined = datetime.date(born.year + 24, 6, 18)
        arriving = m.Member.objects.create(
            name=name, gender=sex, birth_date=born, id_number=number, join_date=joined, full_member_date=None,
            organization=schools[0], job=m.Member.Job.TEACHER, phone=self.phone(),
        )
        planned.append((arriving, m.Transfer.Kind.IN, datetime.date(year, 9, 2),
                        {"to_organization": schools[0], "outside_unit": "天水市麦积区某中学党支部", "reason": m.Transfer.Reason.JOB}))
        planned.sort(key=lambda p: (p[2], p[0].pk))
        for number, (member, kind, day, fields) in enumerate(planned, start=1):
            transfer = m.Transfer(member=member, kind=kind, transferred_on=day, letter_number=f"教组转〔{year}〕{number}号", **fields)
            # The receipts come back within weeks; the second transfer out's has not (the warning 回执未返回).
            if kind != m.Transfer.Kind.IN and not (kind == m.Transfer.Kind.OUT and day.month == 9):
                transfer.received_on = day + datetime.timedelta(days=rng.randint(5, 20))
            transfer.full_clean()
            transfer.save()

    @staticmethod
    def _day_after(rng, born, age, year):
        """A day in `year` at or after the birthday of `age`, within the year."""
        birthday = add_years(born, age)
        start = max(birthday, datetime.date(year, 1, 1))
        return start + datetime.timedelta(days=rng.randint(0, max(0, (datetime.date(year, 12, 31) - start).days) // 4))

    # -- 述职评议考核 --------------------------------------------------------------------------
    # Each organization's 30 ballots are drawn for it (deterministically) within what its profile allows under the
    # office's rule for its category: a secretary whose organization the records show with at most one warning
    # gets enough 好 for 好 ("strong"); one with two or more enough 好 and 较好 for 较好 but not for 好 ("medium"); a
    # private one with three or more too few for 较好 ("weak"). None is rated 差: the ballots follow the records,
    # which show no organization that bad. Each ballot scores every item of the 测评 by its grade.
    REVIEWERS = [(m.Reviewer.Group.COMMITTEE, 6), (m.Reviewer.Group.LEADER, 9), (m.Reviewer.Group.REPRESENTATIVE, 15)]
    ITEM_SHARE = {m.Grade.GOOD: (0.9, 1.0), m.Grade.FINE: (0.8, 0.9), m.Grade.FAIR: (0.65, 0.8)}  # of the item's marks

    @staticmethod
    def ballot_counts(profile, rule, n, rng):
        """(好, 较好, 一般) of n ballots that the rule grades as the profile says (before its vetoes)."""
        import math

        least_good, most_weak = math.ceil(n * rule.good_share / 100), n * rule.good_weak_at_most // 100
        least_fine = math.ceil(n * rule.fine_share / 100)
        if profile == "strong":
            good = rng.randint(least_good, min(n, least_good + 6))
            fair = rng.randint(0, min(most_weak, n - good))
        elif profile == "medium":  # too few 好, or too many 一般, for 好; enough 好 and 较好 for 较好
            good = rng.randint(n * 2 // 5, least_good - 1)
            fair = rng.randint(1, n - least_fine)
        else:  # too few 好 and 较好 for 较好, and no 差
            fair = rng.randint(n - least_fine + 1, min(n - least_fine + 6, n * rule.poor_share // 100 + 10))
            good = rng.randint(3, min(9, n - fair))
        return good, n - good - fair, fair

    PRIVATE_WEIGHTS = (25, 15, 15, 10, 25, 10)  # of the round's six items, in their order

    def build_secretary_reviews(self):
        from .early_warning import evaluate
        from .secretary_reviews import roots

        rng = random.Random(f"reviews{YEAR}")  # its own draws: the records above stay as they were
        hits = {}
        root_of = roots(self.basic)
        for hit in evaluate(datetime.date(YEAR, 12, 31)).hits:
            hits.setdefault(root_of.get(hit.organization.pk), []).append(hit.rule.title)
        previous = m.ReviewRound.objects.create(year=YEAR - 1, held_on=datetime.date(YEAR, 1, 12))
        current = m.ReviewRound.objects.create(year=YEAR, held_on=datetime.date(YEAR + 1, 1, 18))
        reviewers = m.Reviewer.objects.bulk_create([
            m.Reviewer(round=current, number=n, group=group)
            for n, group in enumerate((g for g, count in self.REVIEWERS for _ in range(count)), start=1)])
        items = list(current.items.all())
        rules = {r.category: r for r in m.GradeRule.objects.all()}
        # 分类考核: in private schools the office weighs the secretary's own responsibility and the school's
        # ideological direction more than the plain marks do.
        m.ItemWeight.objects.bulk_create([
            m.ItemWeight(rule=rules[category], item_name=item.name, weight=weight)
            for category in (m.ReviewCategory.PRIVATE_SCHOOL, m.ReviewCategory.PRIVATE_KINDERGARTEN)
            for item, weight in zip(items, self.PRIVATE_WEIGHTS)])
        ballots, scores, comments, follow_ups, reports = [], [], [], [], []
        private = [o for o in self.basic if o.ownership == m.Ownership.PRIVATE]
        for order, org in enumerate(self.basic):
            found = list(dict.fromkeys(hits.get(org.pk, [])))
            weak = org.ownership == m.Ownership.PRIVATE and len(found) >= 3
            profile = "weak" if weak else "medium" if len(found) >= 2 else "strong"
            counts = self.ballot_counts(profile, rules[m.review_category(org)], len(reviewers), rng)
            grades = [g for g, n in zip((m.Grade.GOOD, m.Grade.FINE, m.Grade.FAIR), counts) for _ in range(n)]
            rng.shuffle(grades)
            for reviewer, grade in zip(reviewers, grades):
                low, high = self.ITEM_SHARE[grade]
                # Half points, as reviewers write them; the ballot's 测评得分 is their sum.
                given = [(item, Decimal(round(rng.uniform(low, high) * item.full_marks * 2)) / 2) for item in items]
                ballot = m.Ballot(round=current, organization=org, reviewer=reviewer, grade=grade,
                                  score=sum(score for _, score in given))
                ballots.append(ballot)
                scores += [m.ItemScore(ballot=ballot, item=item, score=score) for item, score in given]
            leader = org.liaison_leader or self.secretary_leader
            said = "、".join(f"“{t}”" for t in found[:3])
            comments.append(m.Comment(round=current, organization=org, leader=leader, text=(
                f"履职尽责较好，工作有思路、有举措；年底仍有{said}等问题，须对照问题清单抓好整改。" if found else
                "抓党建责任落实到位，“三会一课”等制度执行规范，下一步要在党建品牌创建上再下功夫。")))
            for title in found[:2]:
                follow_ups.append(m.FollowUp(round=current, organization=org, problem=f"整改“{title}”问题",
                                             deadline=datetime.date(YEAR + 1, 6, 30)))
            state = (m.SecretaryReport.DRAFT if order % 23 == 5 else m.Review.PENDING if order % 17 == 4
                     else m.Review.APPROVED)
            reports.append(m.SecretaryReport(round=current, organization=org, review_status=state))
        # Last year's list: done in the year, except one weak private school's, late at the year's end.
        for i, org in enumerate(private[:6]):
            late = i == 1
            follow_ups.append(m.FollowUp(
                round=previous, organization=org, problem="党员教育管理制度不健全，学习记录不全",
                deadline=datetime.date(YEAR, 6, 30), progress="已制定学习制度，记录正在补齐" if late else "已建立学习台账并按月检查",
                done_on=None if late else self.date_in(YEAR, 3, 6)))
        m.Ballot.objects.bulk_create(ballots)
        m.ItemScore.objects.bulk_create(scores, batch_size=2000)
        m.Comment.objects.bulk_create(comments)
        m.FollowUp.objects.bulk_create(follow_ups)
        m.SecretaryReport.objects.bulk_create(reports)

    def roll_sizes(self, leaves):
        """How many members each leaf holds, exactly self.target in all. Sizes follow the weights, flattened and
        varied by a generator of their own (so that the people drawn after keep their order): schools of one kind
        differ, a few small branches hold 3 to 6, and at the district's real size no branch passes 50 members
        but the bureau's own, the one the over-50 warning names, once the people of each 党委 and 党总支 have joined
        its branches (place_in_branches)."""
        rng = random.Random(f"sizes{YEAR}")
        weights = [(RETIREE_WEIGHT if org.name.endswith(RETIREE_BRANCH) else w) ** 0.8 * rng.uniform(0.6, 1.4)
                   for org, w in leaves]
        room = [rng.randint(0, 10) for _ in leaves]  # how far under the cap a large branch stops
        sizes = [0] * len(leaves)
        bureau = next(i for i, (org, _) in enumerate(leaves) if org.name == "教育局机关党支部")
        sizes[bureau] = round((m.BRANCH_MAX_MEMBERS + 6) * self.scale)
        cap = [int((m.BRANCH_MAX_MEMBERS - 6 - r) * max(1.0, self.scale)) for r in room]  # room for the committees' own members
        free = set(range(len(leaves))) - {bureau}
        while True:  # share what is left among the leaves under the cap, until none passes it
            left = self.target - sum(sizes[i] for i in range(len(leaves)) if i not in free)
            total = sum(weights[i] for i in free)
            for i in free:
                sizes[i] = max(2, round(weights[i] * left / total))
            over = {i for i in free if sizes[i] > cap[i]}
            if not over or over == free:
                break
            for i in over:
                sizes[i] = cap[i]
            free -= over
        # Land exactly on the target: trim or pad the largest rolls still under the cap.
        order = sorted(free, key=lambda i: -sizes[i])
        k = 0
        while sum(sizes) != self.target:
            i = order[k % len(order)]
            sizes[i] += 1 if sum(sizes) < self.target else -1
            k += 1
        return sizes

    def place_in_branches(self, leaves, sizes):
        """党章第八条: every member belongs to a branch. The people drawn for a 党委 or 党总支 (its committee first) are
        members of its branches, each put in the one with the fewest members so far (not the retirees'), so that no
        branch passes 50 at the district's real size; their posts stay the upper organization's (self.posts).
        No draws: the people after them are the same."""
        size = {org.pk: n for (org, _), n in zip(leaves, sizes)}
        below = {}
        for child in self.children:
            if child.kind in m.BRANCH_KINDS and not child.name.endswith(RETIREE_BRANCH):
                below.setdefault(child.parent_id, []).append(child)
        for org, _ in leaves:
            if org.kind in m.BRANCH_KINDS or org.pk not in below:
                continue
            for member in self.rolls[org.pk]:
                branch = min(below[org.pk], key=lambda b: size[b.pk])  # the first of the smallest
                member.organization = branch
                size[branch.pk] += 1

    def build_members(self, leaves):
        rng = self.rng
        sizes = self.roll_sizes(leaves)
        # Organizations with staffing problems, as the seed's "班子没有配齐、年龄偏大" says.
        names = [o.name for o, _ in leaves]
        vacant = {n for n in names if n.endswith(("小天使幼儿园党支部", "校外培训机构第二联合党支部", "大坝小学党支部", "第八幼儿园党支部"))}
        thin = {n for n in names if n.endswith(("第七中学党总支", "东山小学党支部", "英才中学党支部", "水川镇学区党总支", "第六小学党支部"))}
        members, self.posts = [], []  # posts: (member, organization, post), the tenures build_elections opens
        self.rolls = {}
        new_members = round(96 * self.scale)
        overdue_probation = 6
        converted_in_year = round(88 * self.scale)
        for (org, _), size in zip(leaves, sizes):
            private = org.ownership == m.Ownership.PRIVATE
            retirees = org.name.endswith(RETIREE_BRANCH)
            roll = []
            for _ in range(size):
                # Retirees sit in their own branches; everyone else works, within working age.
                job = (m.Member.Job.RETIRED if retirees else m.Member.Job.MANAGER if org.unit_category == m.UnitCategory.BUREAU
                       else rng.choices(["teacher", "manager", "support", "worker"], (72, 14, 6, 3))[0])
                name, born, number, sex = self.person(*((55, 75) if retirees else (22, 60)), job=job)
                join = self.date_in(rng.randint(born.year + 20, min(YEAR - 2, born.year + 45)))
                roll.append(m.Member(
                    name=name, gender=sex, birth_date=born, id_number=number, join_date=join,
                    full_member_date=m.probation_end(join),
                    status=m.Member.Status.FULL, organization=org,
                    education=rng.choices(["postgraduate", "bachelor", "junior_college", "secondary"], (8, 70, 18, 4))[0],
                    job=job, phone=self.phone(),
                    ethnicity=rng.choices(["汉族", "回族", "藏族", "东乡族", "满族"], (93, 4, 1, 1, 1))[0],
                ))
            # The team: a secretary (older, 40-58) unless vacant, and committee members where the rule asks.
            full = roll
            needed = 5 if org.kind in (m.OrgKind.PARTY_COMMITTEE, m.OrgKind.GENERAL_BRANCH) else (3 if len(full) >= 7 else 1)
            if org.name in thin:
                needed = max(1, needed - 2)
            posts = [m.Member.Post.SECRETARY, m.Member.Post.ORGANIZATION, m.Member.Post.PUBLICITY,
                     m.Member.Post.DISCIPLINE, m.Member.Post.DEPUTY_SECRETARY, m.Member.Post.YOUTH][:needed]
            if org.name in vacant:
                posts = posts[1:]
            self.rolls[org.pk] = roll
            for member, post in zip(full, posts):
                self.posts.append((member, org, post))
                if post == m.Member.Post.SECRETARY:
                    # Ageing teams: about one secretary in five is 55 or older, more often in the countryside.
                    old = rng.random() < (0.35 if org.area == m.Area.RURAL else 0.18)
                    low, high = (62, 70) if retirees else (55, 59) if old else (38, 54)
                    self.used_ids.discard(member.id_number)
                    member.name, member.birth_date, member.id_number, member.gender = self.person(low, high, member.job)
                    member.join_date = self.date_in(member.birth_date.year + 24)
                    member.full_member_date = m.probation_end(member.join_date)
                    if org.parent_id == self.root.pk:  # the basic-level organization's secretary does party work part-time
                        member.party_worker = m.Member.PartyWorker.PART_TIME
                elif org.unit_category == m.UnitCategory.BUREAU and org.name.endswith("机关党支部"):
                    member.party_worker = m.Member.PartyWorker.FULL_TIME  # the office's own cadres (组织科)
            members += roll
        self.place_in_branches(leaves, sizes)
        # Probationary members: those who joined this year, and a few whose year has passed unconverted.
        holders = {id(x) for x, _, _ in self.posts}
        plain = [x for x in members if id(x) not in holders and x.birth_date.year >= YEAR - 40]
        rng.shuffle(plain)
        for x in plain[:new_members]:
            x.join_date = self.date_in(YEAR, 1, 11)
            x.status, x.full_member_date = m.Member.Status.PROBATIONARY, None
        for x in plain[new_members:new_members + overdue_probation]:
            x.join_date = self.date_in(YEAR - 2, 3, 11)
            x.status, x.full_member_date = m.Member.Status.PROBATIONARY, None
        converted = plain[new_members + overdue_probation:new_members + overdue_probation + converted_in_year]
        for x in converted:
            x.join_date = self.date_in(YEAR - 1, 1, 11)
            x.full_member_date = m.probation_end(x.join_date)
        # 延长预备期 (once, 6 to 12 months): two converted when the extension ended, one still on probation at the
        # year's end; 取消预备党员资格: one, among the records off the roll below.
        extended = []
        for x, months, convert in zip(converted[-3:], (6, 12, 12), (True, True, False)):
            x.join_date = datetime.date(YEAR - 2, x.join_date.month, min(x.join_date.day, 28))
            if convert:
                x.full_member_date = m.probation_end(x.join_date, months)
            else:
                x.join_date = datetime.date(YEAR - 1, x.join_date.month, x.join_date.day)
                x.status, x.full_member_date = m.Member.Status.PROBATIONARY, None
            extended.append((x, months))
        # 双培双强: backbone teachers named in each year.
        teachers = [x for x in members if x.job == "teacher" and not x.backbone_title]
        rng.shuffle(teachers)
        start = 0
        for year, counts in BACKBONE_PER_YEAR.items():
            for title, count in zip(("provincial", "city", "district"), counts):
                count = round(count * self.scale)
                for x in teachers[start:start + count]:
                    x.backbone_title, x.backbone_year = title, year
                start += count
        m.Member.objects.bulk_create(members, batch_size=2000)
        m.ProbationExtension.objects.bulk_create([
            m.ProbationExtension(member=x, months=months, decided_on=m.probation_end(x.join_date),
                                 reason="预备期内发挥先锋模范作用不够明显，需继续教育和考察。")
            for x, months in extended
        ])
        # Off the roll: transferred out and deceased, kept for the record but not counted.
        gone = []
        for i in range(15):
            org = self.rng.choice(self.branches)
            name, born, number, sex = self.person(30, 80)
            gone.append(m.Member(
                name=name, gender=sex, birth_date=born, id_number=number, join_date=datetime.date(born.year + 25, 7, 1),
                full_member_date=datetime.date(born.year + 26, 7, 1), organization=org,
                roll_status=m.Member.Roll.DECEASED if i < 3 else m.Member.Roll.TRANSFERRED,
                left_on=datetime.date(YEAR - 2, 1 + i % 12, 10),  # before both years the figures compare
            ))
        cancelled = gone[3]  # 取消预备党员资格: joined the year before, did not meet the conditions when probation ended
        cancelled.join_date = datetime.date(YEAR - 1, 5, 8)
        cancelled.status, cancelled.full_member_date = m.Member.Status.PROBATIONARY, None
        cancelled.roll_status, cancelled.cancelled_on = m.Member.Roll.CANCELLED, datetime.date(YEAR, 5, 26)
        cancelled.left_on = cancelled.cancelled_on
        cancelled.cancellation_reason = "预备期内不履行党员义务，经支部大会讨论、上级党委批准，取消预备党员资格。"
        m.Member.objects.bulk_create(gone)

    def build_elections(self):
        rng = self.rng
        orgs = self.basic + self.children
        new_orgs = [o for o in self.basic if o.approved_on and o.approved_on.year == YEAR]
        never = [o for o in orgs if o.name.endswith(("校外培训机构第一联合党支部", "童心幼儿园党支部"))]
        overdue = [o for o in orgs if o.name.endswith(("王岘小学党支部", "第五幼儿园党支部", "华锐实验学校党支部",
                                                       "第八中学党总支", "育英学校党支部"))]
        candidates = [o for o in orgs if o not in new_orgs + never + overdue]
        rng.shuffle(candidates)
        held = {YEAR: new_orgs + candidates[: ELECTIONS_PER_YEAR[YEAR] - len(new_orgs)]}
        rest = candidates[ELECTIONS_PER_YEAR[YEAR] - len(new_orgs):]
        held[YEAR - 1] = rest[: ELECTIONS_PER_YEAR[YEAR - 1]]
        rest = rest[ELECTIONS_PER_YEAR[YEAR - 1]:]
        elections = []
        full = dict(m.Member.objects.filter(status=m.Member.Status.FULL, organization__in=orgs)
                    .values_list("organization").annotate(n=Count("pk")).order_by())
        for child in self.children:  # a 党委's or 党总支's 党员大会: the full members of its branches
            full[child.parent_id] = full.get(child.parent_id, 0) + full.get(child.pk, 0)

        def elect(org, day, kind=m.Election.Kind.NEW_TERM, seats=None, rng=rng):
            term = m.TERM_YEARS[org.kind]
            # The draws of the names once written as free text stay, so that the rest of the district stays as it was.
            names = [f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}" for _ in range(seats or (5 if term == 5 else 3))]
            # What the upper committee checks: nine in ten entitled members present (more than 4/5), and a 差额
            # of at least 20% (no draws from the generator, so that the rest of the district stays as it was).
            electorate = max(full.get(org.pk, 0), len(names))
            election = m.Election(
                organization=org, kind=kind, held_on=day, term_years=term,
                electorate=electorate, present=electorate - electorate // 10,
                seats=len(names), candidates=m.fewest_candidates(len(names)),
                approval_document=f"红教工委复〔{day.year}〕{rng.randint(1, 80)}号",
                approved_on=day + datetime.timedelta(days=rng.randint(5, 20)),
            )
            election.fill_term()
            elections.append(election)

        for year, group in held.items():
            for org in group:
                if org in new_orgs:
                    day = org.founded_on + datetime.timedelta(days=10)
                else:
                    day = self.date_in(year, 3, 11)
                    elect(org, add_years(day, -m.TERM_YEARS[org.kind]))
                elect(org, day)
        for org in overdue:  # the term ran out in 2023 and no election followed
            elect(org, self.date_in(YEAR - m.TERM_YEARS[org.kind], 1, 8))
        for org in rest:  # mid-term, elected before last year; some terms end within six months of the year's end (due)
            term = m.TERM_YEARS[org.kind]
            elect(org, self.date_in(YEAR - rng.randint(2, term - 1), 5, 12))
        # A seat filled mid-term (补选) in a school elected last year, in December, its approval not yet come: it
        # does not restart the term, and the warning list shows it unapproved. Its own generator, so that the steps
        # after this one draw what they drew before it was added.
        elect(held[YEAR - 1][0], datetime.date(YEAR, 12, 18), kind=m.Election.Kind.BY_ELECTION, seats=1, rng=random.Random(YEAR))
        elections[-1].approval_document, elections[-1].approved_on = "", None
        m.Election.objects.bulk_create(elections, batch_size=1000)
        self.build_tenures(elections)

    def build_tenures(self, elections):
        """Every post is a tenure opened by the 换届 that elected it (a 换届 ends the term before it), held through
        both terms by the same people where they were full members by the earlier one; one who was not joined the
        committee on conversion (增补, no election). The 补选 fills the seat of a committee member who left it."""
        terms = {}
        for e in sorted(elections, key=lambda e: e.held_on):
            if e.kind == m.Election.Kind.NEW_TERM:
                terms.setdefault(e.organization_id, []).append(e)
        tenures = []
        for member, org, post in self.posts:
            held = terms.get(org.pk, [])
            for i, election in enumerate(held):
                ends = held[i + 1].held_on if i + 1 < len(held) else None
                eligible = member.full_member_date <= election.held_on
                start = election.held_on if eligible else max(member.full_member_date, election.held_on)
                if ends is None or start < ends:
                    tenures.append(m.Tenure(member=member, organization=org, post=post, started_on=start,
                                            ended_on=ends, election=election if eligible else None))
            if not held:  # never elected: appointed (指定) when the organization was founded, or on conversion
                tenures.append(m.Tenure(member=member, organization=org, post=post,
                                        started_on=max(member.full_member_date, org.founded_on or member.full_member_date)))
        by_election = elections[-1]
        seat = next((t for t in tenures if t.organization.pk == by_election.organization_id and t.ended_on is None
                     and t.post != m.Member.Post.SECRETARY), None)
        holders = {t.member.pk for t in tenures if t.organization.pk == by_election.organization_id}
        newcomer = next(x for x in self.rolls[by_election.organization_id]
                        if x.pk not in holders and x.status == m.Member.Status.FULL and x.full_member_date < by_election.held_on)
        post = seat.post if seat else m.Member.Post.COMMITTEE
        if seat is not None:
            seat.ended_on = datetime.date(YEAR, 11, 30)  # 调离 the committee; the 补选 fills the seat
        tenures.append(m.Tenure(member=newcomer, organization_id=by_election.organization_id, post=post,
                                started_on=by_election.held_on, election=by_election))
        m.Tenure.objects.bulk_create(tenures, batch_size=2000)

    def build_assessments(self):
        rng = self.rng
        items = list(m.StandardItem.objects.filter(is_active=True))
        required = [i for i in items if i.is_required] or [None]
        branches = [b for b in self.branches if not (b.approved_on and b.approved_on.year == YEAR)]
        private = [b for b in branches if b.ownership == m.Ownership.PRIVATE]
        public = [b for b in branches if b.ownership == m.Ownership.PUBLIC]
        rng.shuffle(private)
        rng.shuffle(public)
        # 2023: 84 branches reach the standard; private schools lag (the seed's "进展不平衡").
        met_private = private[:5]
        failed = private[5:9] + public[:8]
        met = met_private + public[8:8 + 84 - len(met_private)]
        results = {b: m.AssessmentResult.PASSED for b in met}
        for b in rng.sample(met[len(met_private):], 14):
            results[b] = m.AssessmentResult.EXEMPLARY
        results.update({b: m.AssessmentResult.FAILED for b in failed})
        year_before = {b: (m.AssessmentResult.PASSED if rng.random() < 0.82 else m.AssessmentResult.FAILED) for b in public + private[:6]}
        assessments, scores = [], []
        for year, plan in ((YEAR - 1, year_before), (YEAR, results)):
            for branch, result in plan.items():
                a = m.Assessment(organization=branch, year=year, result=result, assessed_on=datetime.date(year, 12, rng.randint(5, 28)))
                assessments.append(a)
                short = {m.AssessmentResult.EXEMPLARY: 0, m.AssessmentResult.PASSED: rng.choice((0, 1, 2)),
                         m.AssessmentResult.FAILED: rng.randint(4, 7)}[result]
                short_items = set(rng.sample(range(len(items)), short))
                for i, item in enumerate(items):
                    score = item.points - (rng.randint(1, int(item.points) - 1) if i in short_items else 0)
                    # The scores follow the result (m.result_refusal), with the draws as they were: a branch that
                    # passed met every 必达项; one that failed fell short of one, by a point where the draws did not.
                    if item.is_required and result in m.STANDARD_MET:
                        score = item.points
                    elif item.is_required and result == m.AssessmentResult.FAILED and item == required[0] and score == item.points:
                        score = item.points - 1
                    scores.append((a, item, score))
        m.Assessment.objects.bulk_create(assessments)
        m.AssessmentItem.objects.bulk_create(
            [m.AssessmentItem(assessment=a, item=i, score=s, remark="" if s == i.points else "资料不全，扣分")
             for a, i, s in scores], batch_size=2000,
        )

    def build_rectifications(self):
        rng = self.rng
        private = [o for o in self.basic if o.ownership == m.Ownership.PRIVATE]
        categories = list(m.ProblemCategory.objects.all())
        plan = {
            YEAR - 1: [("closed", False)] * 4,
            YEAR: [("closed", True), ("closed", True), ("closed", False), ("awaiting", False), ("in_progress", False)],
        }
        cases, links, progress = [], [], []
        for year, rows in plan.items():
            for org, (status, exemplary) in zip(rng.sample(private, len(rows)), rows):
                deadline = datetime.date(year, rng.choice((6, 9, 10)), 30)
                case = m.RectificationCase(
                    organization=org, year=year, status=status, is_exemplary=exemplary, deadline=deadline,
                    problems="组织生活不规范，“三会一课”记录不全；党员教育管理松散。",
                    measures="工委包抓领导蹲点指导，配齐支部班子，建立“三会一课”台账，每月督查。",
                    responsible_leader=rng.choice(self.leaders[1:]),
                    closed_on=deadline - datetime.timedelta(days=rng.randint(0, 40)) if status == "closed" else None,
                    identified_on=datetime.date(year, 3, 1),
                )
                if status == "closed":  # 验收 by the leader who led it, a week before 销号
                    case.accepted_by = case.responsible_leader.name
                    case.accepted_on = case.closed_on - datetime.timedelta(days=7)
                cases.append(case)
                links += [(case, c) for c in rng.sample(categories[:7], 2)]
                for month in (3, 6, 9):
                    progress.append(m.RectificationProgress(case=case, date=datetime.date(year, month, 15),
                                                            note=f"{month}月督查：整改措施逐项推进。"))
        m.RectificationCase.objects.bulk_create(cases)
        m.RectificationCase.categories.through.objects.bulk_create(
            [m.RectificationCase.categories.through(rectificationcase=c, problemcategory=p) for c, p in links]
        )
        m.RectificationProgress.objects.bulk_create(progress)

    def build_work_log(self):
        rng = self.rng
        entries = []
        for year, plan in WORK_LOG.items():
            for kind, rows in plan.items():
                # The ordinal in the title (第N次) follows the dates: drawn first, then numbered in their order.
                dates = sorted(self.date_in(year, 1, 12) for _ in rows)
                for i, ((count, topics, teams, people), day) in enumerate(zip(rows, dates), start=1):
                    entries.append(m.WorkLogEntry(
                        date=day, kind=kind, title=f"{WORK_TITLES[kind]}（第{i}次）" if len(rows) > 1 else WORK_TITLES[kind],
                        count=count, topics=topics, teams=teams, people=people,
                        leader=self.secretary_leader if kind in PERSONAL_WORK else None,
                    ))
        m.WorkLogEntry.objects.bulk_create(entries)

    def build_roll_changes(self):
        """Where the year left gaps: when each vacant secretary's post fell vacant, and a branch left too small."""
        end = datetime.date(YEAR, 12, 31)
        vacant = list(m.Organization.objects.exclude(kind=m.OrgKind.COMMITTEE)
                      .exclude(tenures__in=m.Tenure.objects.counted(end).filter(post=m.Member.Post.SECRETARY))
                      .order_by("sort_order"))
        # Three vacancies older than three months by the year's end, one only weeks old: the day the last
        # secretary's tenure ended (调离 the school, still on the roll here until the transfer is recorded).
        since = [datetime.date(YEAR - 1, 11, 7), datetime.date(YEAR, 3, 20), datetime.date(YEAR, 6, 12), datetime.date(YEAR, 11, 6)]
        held = {t.member_id for t in m.Tenure.objects.filter(organization__in=vacant)}
        former = []
        for i, org in enumerate(vacant):
            ended = since[i % len(since)]
            elected = (m.Election.objects.new_terms().filter(organization=org, held_on__lt=ended).order_by("-held_on").first())
            began = elected.held_on if elected else (org.founded_on or add_years(ended, -3))
            person = (m.Member.objects.filter(organization=org, status=m.Member.Status.FULL, full_member_date__lte=began)
                      .exclude(pk__in=held).order_by("birth_date", "pk").first())
            if person is not None:
                former.append(m.Tenure(member=person, organization=org, post=m.Member.Post.SECRETARY, started_on=began,
                                       ended_on=ended, election=elected))
        m.Tenure.objects.bulk_create(former)
        # The kindergartens of the second joint branch moved their teachers to the first in the autumn: two full
        # members stay, its secretary first; the others' posts there end with the move.
        first, second = (m.Organization.objects.get(name=f"{DISTRICT}民办幼儿园{n}联合党支部") for n in "第一 第二".split())
        posts = {t.member_id: t.post for t in m.Tenure.objects.valid_on(end).filter(organization=second)}
        full = m.Member.objects.filter(organization=second, status=m.Member.Status.FULL).order_by("pk").values_list("pk", flat=True)
        keep = sorted(full, key=lambda pk: (pk not in posts, posts.get(pk) != m.Member.Post.SECRETARY, pk))[:2]
        moved_on = datetime.date(YEAR, 9, 1)
        m.Tenure.objects.filter(organization=second, ended_on=None, started_on__lt=moved_on).exclude(member__in=keep).update(ended_on=moved_on)
        m.Member.objects.filter(organization=second).exclude(pk__in=keep).update(organization=first)

    def build_meetings(self):
        """A year of organizational life (from the fourth quarter of the year before): most branches keep to the
        regulations, a handful of public ones slip, private schools slip more, as the seed report says."""
        rng = self.rng
        types = list(m.MeetingType.objects.filter(is_required=True))
        branches = list(m.Organization.objects.branches().with_staffing().order_by("sort_order", "pk"))
        chairs = {}
        for org_id, post, name in (m.Tenure.objects.counted(datetime.date(YEAR, 12, 31))
                                   .order_by("organization_id", "member_id").values_list("organization_id", "post", "member__name")):
            if post == m.Member.Post.SECRETARY or org_id not in chairs:
                chairs[org_id] = name
        public = [b for b in branches if b.ownership == m.Ownership.PUBLIC]
        lagging = set(rng.sample(public, max(1, round(len(public) * 0.06))))
        start, end = datetime.date(YEAR - 1, 10, 1), datetime.date(YEAR, 12, 31)
        meetings = []
        for branch in branches:
            private = branch.ownership == m.Ownership.PRIVATE
            if not m.has_secretary(branch):
                slip = 0.5
            elif private:
                slip = rng.uniform(0.12, 0.4)
            else:
                slip = 0.2 if branch in lagging else 0.004
            for t in types:
                periods = periods_within(t.period, start, end) if t.period != MeetingPeriod.YEAR else \
                    [period_containing(t.period, datetime.date(y, 1, 1)) for y in (YEAR - 1, YEAR)]
                for p_start, p_end in periods:
                    if not t.applies_to(branch, p_start) or rng.random() < slip:
                        continue
                    if t.period == MeetingPeriod.YEAR:  # held towards the year's end
                        p_start = datetime.date(p_start.year, 11, 1)
                    on_roll = {"支委会": branch.committee_count, "党小组会": max(3, branch.roll_count // 3)}.get(t.name, branch.roll_count)
                    on_roll = max(on_roll, 1)
                    present = max(1, min(on_roll, round(on_roll * rng.uniform(0.6 if private else 0.8, 1.0))))
                    held = p_start + datetime.timedelta(days=rng.randint(0, (p_end - p_start).days))
                    meetings.append(m.Meeting(
                        organization=branch, meeting_type=t, held_on=held, topic=self.meeting_topic(t.name, held),
                        chaired_by=chairs.get(branch.pk, ""), present=present, on_roll=on_roll,
                    ))
        self.number_meetings(meetings)
        m.Meeting.objects.bulk_create(meetings, batch_size=2000)

    @staticmethod
    def number_meetings(meetings):
        """党员大会 and 支委会 are minuted as the year's 第N次: N follows held_on within the branch, type and year."""
        count = {}
        for meeting in sorted(meetings, key=lambda x: (x.organization.pk, x.meeting_type.pk, x.held_on)):
            if meeting.meeting_type.name in NUMBERED_MEETINGS:
                key = (meeting.organization.pk, meeting.meeting_type.pk, meeting.held_on.year)
                count[key] = count.get(key, 0) + 1
                meeting.topic = f"{meeting.held_on.year}年第{count[key]}次{meeting.meeting_type.name}：{meeting.topic}"

    # -- 发展党员 -------------------------------------------------------------------------------
    def steps_to(self, accepted):
        """The dated steps of someone a 党员大会 accepted on `accepted`, each in its time as the 细则 asks."""
        rng, day = self.rng, datetime.timedelta(days=1)
        pre_reviewed = accepted - day * rng.randint(5, 15)
        publicity_ended = pre_reviewed - day * rng.randint(2, 6)
        publicity_began = publicity_ended - day * 7  # eight days: at least five working days
        trained = publicity_began - day * rng.randint(3, 20)
        training_began = trained - day * 2
        candidate = training_began - day * rng.randint(30, 90)
        activist = add_years(candidate, -1) - day * rng.randint(10, 120)
        applied = activist - day * rng.randint(30, 180)
        approved = accepted + day * rng.randint(20, 60)
        return {
            "applied_on": applied, "talked_on": applied + day * rng.randint(5, 25), "activist_on": activist,
            "candidate_on": candidate, "vetted_on": candidate + day * rng.randint(10, 30),
            "training_began_on": training_began, "trained_on": trained, "publicity_began_on": publicity_began,
            "publicity_ended_on": publicity_ended, "pre_reviewed_on": pre_reviewed, "accepted_on": accepted,
            "upper_talk_on": accepted + day * rng.randint(5, 15), "approved_on": approved,
            "sworn_on": approved + day * rng.randint(0, 20),
        }

    def build_recruitment(self):
        """发展党员 in 2022 and 2023: the years' new members came through the pipeline (their records linked), others
        are on their way in most organizations (fewer in private ones); a handful of steps broke their time rule or
        were entered out of order in an old ledger, as the checks are there to find."""
        rng = self.rng
        day = datetime.timedelta(days=1)
        members = list(m.Member.objects.on_roll().select_related("organization").order_by("organization_id", "pk"))
        full = {}
        for x in members:
            if x.status == m.Member.Status.FULL and x.join_date.year < YEAR - 1:
                full.setdefault(x.organization_id, []).append(x)
        recruits = []

        def contacts(org_id, exclude=()):
            pool = [x for x in full.get(org_id, []) if x.pk not in exclude]
            picked = rng.sample(pool, min(2, len(pool)))
            return (picked + [None, None])[:2]

        admitted = [x for x in members if x.join_date.year in (YEAR - 1, YEAR)]
        for x in admitted:
            steps = self.steps_to(x.join_date)
            one, two = contacts(x.organization_id, (x.pk,))
            recruits.append(m.Recruit(
                name=x.name, id_number=x.id_number, gender=x.gender, birth_date=x.birth_date, organization=x.organization,
                job=x.job, backbone_title=x.backbone_title, backbone_year=x.backbone_year, member=x,
                contact_1=one, contact_2=two, **steps,
            ))
        # On their way: applicants, activists and 发展对象 on 31 December, in most organizations.
        orgs = sorted({x.organization for x in members}, key=lambda o: (o.sort_order, o.pk))
        for org in orgs:
            private = org.ownership == m.Ownership.PRIVATE
            for _ in range(round(rng.choice((0, 0, 1) if private else (0, 1, 1, 2, 2, 3)) * max(self.scale, 0.2))):
                name, born, number, sex = self.person(22, 40)
                stage = rng.choice(("applicant", "activist", "activist", "candidate"))
                # Where the steps would lead: only those dated by the year's end are kept.
                accepted = self.date_in(YEAR + 1, 1, 4) if stage == "candidate" else self.date_in(YEAR + 1, 5, 12)
                steps = {k: v for k, v in self.steps_to(accepted).items() if v.year <= YEAR}
                if stage == "applicant":
                    applied = self.date_in(YEAR, 1, 11)
                    steps = {"applied_on": applied, "talked_on": applied + day * rng.randint(5, 25)}
                elif stage == "activist":
                    steps = {k: steps[k] for k in ("applied_on", "talked_on", "activist_on") if k in steps}
                    if "activist_on" not in steps:
                        activist = self.date_in(YEAR, 1, 10)
                        steps = {"applied_on": activist - day * 90, "talked_on": activist - day * 75, "activist_on": activist}
                one, two = contacts(org.pk) if "activist_on" in steps else (None, None)
                recruits.append(m.Recruit(
                    name=name, id_number=number, gender=sex, birth_date=born, organization=org,
                    job=rng.choices(["teacher", "manager", "support"], (80, 14, 6))[0], contact_1=one, contact_2=two, **steps,
                ))
        self.break_time_rules(recruits, members)
        m.Recruit.objects.bulk_create(recruits, batch_size=1000)
        self.build_recruitment_plans(admitted)

    def break_time_rules(self, recruits, members):
        """One of each irregularity the checks look for, in private schools first, as the seed's lagging side."""
        rng, day = self.rng, datetime.timedelta(days=1)
        in_year = sorted((r for r in recruits if r.member is not None and r.accepted_on.year == YEAR),
                         key=lambda r: (r.organization.ownership != m.Ownership.PRIVATE, r.accepted_on, r.id_number))
        waiting = [r for r in recruits if r.member is None and r.activist_on and not r.candidate_on]
        if len(in_year) < 5 or not waiting:
            return
        short, unvetted, publicity, late, disorder = in_year[:5]
        short.activist_on = short.candidate_on - day * rng.randint(200, 300)  # 发展对象 within the year
        short.applied_on = min(short.applied_on, short.activist_on - day * 30)
        short.talked_on = short.applied_on + day * 10
        unvetted.vetted_on = None  # accepted without its 政审
        publicity.publicity_began_on = publicity.publicity_ended_on - day * 3  # four days: too short
        late.approved_on = late.accepted_on + day * 120  # approved four months after the 党员大会
        late.sworn_on = late.approved_on + day * 5
        disorder.vetted_on = disorder.candidate_on - day * 20  # an old ledger: 政审 dated before the 发展对象
        # An activist whose 培养联系人 has since transferred out, and an application left without its talk.
        gone = m.Member.objects.filter(roll_status=m.Member.Roll.TRANSFERRED).order_by("pk").first()
        if gone is not None:
            waiting[0].contact_1 = gone
        applicants = [r for r in recruits if r.member is None and not r.activist_on]
        if applicants:
            applicants[-1].talked_on = None

    def build_recruitment_plans(self, admitted):
        """发展党员计划 per basic-level organization: about what it achieved, a few short of it."""
        rng = self.rng
        basic_of = {}
        for org in self.basic:
            basic_of[org.pk] = org
        for child in self.children:
            basic_of[child.pk] = basic_of[child.parent_id]
        achieved = {}
        for x in admitted:
            key = (basic_of[x.organization_id].pk, x.join_date.year)
            achieved[key] = achieved.get(key, 0) + 1
        plans = []
        for org in self.basic:
            for year in (YEAR - 1, YEAR):
                quota = max(0, achieved.get((org.pk, year), 0) + rng.choice((-1, 0, 0, 0, 0, 1, 1)))
                if quota:
                    plans.append(m.RecruitmentPlan(organization=org, year=year, quota=quota))
        m.RecruitmentPlan.objects.bulk_create(plans)

    def meeting_topic(self, type_name, day):
        topics = MEETING_TOPICS.get(type_name)
        if not topics:
            return f"{day.year}年度{type_name}"
        return topics[(day.month - 1) % len(topics)]


NUMBERED_MEETINGS = ("党员大会", "支委会")
MEETING_TOPICS = {
    "党员大会": ["学习贯彻党的二十大精神", "讨论接收预备党员", "通报党费收缴和使用情况", "传达上级党组织会议精神"],
    "支委会": ["研究本月支部工作安排", "研究发展党员工作", "研究“三会一课”落实情况", "研究主题教育推进措施"],
    "党小组会": ["学习《习近平著作选读》", "交流学习心得", "讨论教育教学中党员示范岗落实"],
    "党课": ["书记讲党课：以学铸魂", "书记讲党课：教育家精神", "专题党课：党的纪律建设", "微党课：身边的榜样"],
    "主题党日": ["重温入党誓词", "党员志愿服务进社区", "参观红色教育基地", "“学习强国”学习交流",
                 "师德师风专题学习", "开展“五强五争做”先锋引领活动"],
}


# The office's own words for 2023, as the secretary wrote them (text, not figures: the figures are computed).
REFLECTION_2023 = """通过认真自省，查找原因，主要有三个方面:一是抓责任落实上下的功夫不够。抓党建责任制柔性措施多，刚性措施少，检查指导频次低，班子成员、工委委员齐抓共管力度不够，缺乏常抓不懈的作风和钉钉子的精神。二是抓党建压力传导不足。对基层党组织书记抓责任落实、方式方法创新等方面指导督促不够，致使一些好的想法落空，没有呈现应有的成效。三是缺乏有效的激励机制。考核评价制度乏力，问责机制不到位，部分基层党组织书记抓党建精力投入不足，创新能力不强。"""
NEXT_STEPS_2023 = """1.进一步强化思想政治教育。深入开展主题教育，加强习近平新时代特色社会主义思想和党的二十大精神的学习，推动运用新思想解决新问题，让新思想进教材、进课堂、进师生头脑，更加自觉用这一思想武装头脑、指导实践、推动工作。
2.从严抓实党内政治生活。充分运用学习强国、甘肃党建等平台，加强基层党组织“三会一课”落实力度，从严从细落实基层党组织生活制度，不断增强党内生活的政治性、原则性、战斗性，使党内政治生活真正发挥出教育、改造和提高党员干部的重要作用。
3.持续加强党建示范点和品牌打造力度。坚持“分类指导、示范带动、整体提升”的工作思路，深入开展以“务实、奋进、责任”为主题的党性实践活动，分类在公办-民办、中学-小学-幼儿园等不同类型学校间确立考核评价体系，加强民办教育机构党建工作的指导，打造提升党建品牌。
4.全方位加强干部队伍建设。加大对党务干部的培训力度，通过组织党建论坛、党建研讨等形式，增强党务干部党性修养、思想境界，让党务干部成为理论基础扎实、工作思路开阔、工作程序规范、工作方法灵活的行家里手，为整体提升教育系统组织工作水平积蓄骨干力量。"""
PLANS = {2022: (70, "", ""), 2023: (80, REFLECTION_2023, NEXT_STEPS_2023)}


DEMO_MODELS = [m.ItemWeight, m.ItemScore, m.Ballot, m.Comment, m.FollowUp, m.SecretaryReport, m.ReviewRound, m.RecruitmentPlan, m.Recruit, m.AnnualPlan, m.Meeting,
    m.RectificationProgress, m.RectificationCase, m.AssessmentItem, m.Assessment, m.WorkLogEntry,
    m.Tenure, m.Election, m.Transfer, m.Member,
]


def clear():
    for model in DEMO_MODELS:
        delete_with_history(model.objects.all())
    # Organizations protect their parents: delete from the leaves up.
    while m.Organization.objects.exists():
        delete_with_history(m.Organization.objects.filter(children__isnull=True))
    delete_with_history(m.Leader.objects.all())


def seed_catalogues():
    """Seed again what the migrations seed (idempotent): a flushed database, as a transactional test leaves it,
    has lost those rows, and the demo's assessments and meetings need them."""
    from importlib import import_module

    from django.apps import apps

    for module, function in (("0002_seed_catalogues", "seed"), ("0004_organizational_life", "seed_meeting_types"),
                             ("0060_recruitment", "seed_step_rules"), ("0132_standard_levels", "seed_levels"),
                             ("0140_secretary_reviews", "seed_grade_rules")):
        getattr(import_module(f"branches.migrations.{module}"), function)(apps, None)


@transaction.atomic
def load(members=DEFAULT_MEMBERS, reset=False):
    """Build the demo district. Returns False (and changes nothing) where records already exist and reset is off."""
    if m.Organization.objects.exists() and not reset:
        return False
    # Accounts bound to a demo organization (a secretary, the office) keep it across a reset, by its name.
    profiles = m.Organization.accounts.field.model.objects.filter(organization__isnull=False)
    bound = dict(profiles.values_list("pk", "organization__name"))
    profiles.update(organization=None)
    clear()
    seed_catalogues()
    DemoBuilder(members).build()
    by_name = dict(m.Organization.objects.filter(name__in=set(bound.values())).values_list("name", "pk"))
    for pk, name in bound.items():
        profiles.model.objects.filter(pk=pk).update(organization_id=by_name.get(name))
    version.changed()  # built in bulk: no signal told the remembered figures
    return True
