"""The secretary's annual duty report (抓基层党建工作述职报告), written from the year's records.

Every number comes from reports.figures.district() (or annual.records for what only the report needs); this
module only puts them into the sentences of the seed report (shared/seed/duty-report-2023.txt). A figure with
nothing recorded behind it is left out of its sentence rather than said as "0", and the office is told on the preview.
"""
import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings

from branches import models as m
from branches.models import WorkKind as W

from .. import warnings
from . import records as report_records
from ..figures import DistrictFigures, district
from ..secretary_reports.results import annual_sentences as review_sentences
from .document import OfficialDocument, Para

ORDINALS = "一二三四五六七八九十"
# The warnings (branches.early_warning) the problems add to what the figures above already say.
SUPERVISION_RULES = ["secretary_vacant", "no_committee", "too_large", "too_small", "no_recruitment"]


def about(n):
    """Counts of a thousand and more are said the way the seed says them: 3,042 → "3000余"."""
    if n >= 1000 and n % 1000:
        return f"{n // 1000 * 1000}余"
    return str(n)


def was(before, unit):
    """"（上年9次）": the year before, beside a figure, where there is one."""
    return f"（上年{about(before)}{unit}）" if before else ""


def said(now, unit, before=0):
    """"11次（上年9次）": the year's figure, with the year before beside it."""
    return f"{about(now)}{unit}{was(before, unit)}"


def percent(rate):
    return f"{rate * 100:.1f}%"


@dataclass
class Clause:
    value: int  # nothing is said where this is 0
    text: str
    label: str  # what the records lack, for the office's notes


@dataclass
class Sentence:
    clauses: list
    head: str = ""  # prose before the figures
    tail: str = ""  # prose after them, in the same sentence


@dataclass
class DutyReport:
    year: int
    as_of: datetime.date
    document: OfficialDocument
    figures: DistrictFigures
    plan: m.AnnualPlan
    assigned: list  # the secretary's 包抓 organizations
    notes: list = field(default_factory=list)  # for the office, on the preview: what the records lack


class _Writer:
    def __init__(self, year, f, assigned, plan):
        self.year, self.f, self.assigned, self.plan = year, f, assigned, plan
        self.now, self.before = f.work[year], f.work[year - 1]
        self.missing = []

    # -- part 1 -------------------------------------------------------------------------------
    def work(self, kind, text, unit, label=None):
        """A clause on one kind of work: `text` holds {} where the count goes."""
        n = self.now[kind].count
        return Clause(n, text.format(said(n, unit, self.before[kind].count)), label or kind.label)

    @staticmethod
    def sentence(s):
        present = [c.text for c in s.clauses if c.value]
        return "，".join([p for p in (s.head, *present, s.tail) if p]) + "。"

    def area(self, lead, area_name, items):
        """One of the four areas: items are (heading or "", [Sentence | str]) in the order the seed has them.

        An item, or a sentence, whose figures are all missing is left out; an area with none says so.
        """
        clauses = [c for _, parts in items for s in parts if isinstance(s, Sentence) for c in s.clauses]
        self.missing += [c.label for c in clauses if not c.value]
        if not any(c.value for c in clauses):
            return Para(f"台账中没有{self.year}年{area_name}方面的工作记录。", lead=lead)
        texts, ordinal = [], 0
        for heading, parts in items:
            kept = [s for s in parts if isinstance(s, str) or any(c.value for c in s.clauses)]
            if len(kept) < len(parts) and all(isinstance(s, str) for s in kept):
                continue  # none of the item's figures was recorded: its prose alone would claim what no record shows
            body = "".join(s if isinstance(s, str) else self.sentence(s) for s in kept)
            if heading:
                body = f"{ORDINALS[ordinal]}是{heading}。{body}"
                ordinal += 1
            texts.append(body)
        return Para("".join(texts), lead=lead)

    def part_one(self):
        f = self.f
        cm = self.now[W.COMMITTEE_MEETING]
        cm_before = self.before[W.COMMITTEE_MEETING]
        one = self.now[W.ONE_TO_ONE_TALK]
        section, unit = self.now[W.SECTION_APPOINTMENT], self.now[W.UNIT_APPOINTMENT]
        sf, bb, rf = f.standardization, f.backbone, f.rectification
        beside = [f"上年{sf.met_previous}个"] * bool(sf.met_previous) + [f"年度目标{sf.target}个"] * bool(sf.target)
        met_beside = f"（{'，'.join(beside)}）" if beside else ""
        political = [
            ("强化党组织政治功能", ["加强党对教育工作的全面领导，充分发挥党组织把方向、管大局、作决策的领导核心作用。"
                                    "党建工作与业务工作同研究、同部署、同检查、同考核，把党的领导融入业务工作全过程。"]),
            ("全面落实主体责任", [Sentence([
                self.work(W.GUIDANCE, "专题指导基层党建工作{}", "次"),
                self.work(W.RESEARCH, "开展专题调研{}", "次"),
                Clause(len(self.assigned), f"包抓{len(self.assigned)}个基层党组织党建工作", "书记包抓党组织"),
            ], tail="靠实责任、全力推进党建重点任务落实"), *review_sentences(self.year)]),
            ("切实加强班子建设", [Sentence([
                Clause(cm.count, f"主持召开党工委会议{said(cm.count, '次', cm_before.count)}"
                                 + (f"，研究党建议题{said(cm.topics, '项', cm_before.topics)}" if cm.topics else ""),
                       W.COMMITTEE_MEETING.label),
            ], head="坚持民主集中制原则，认真落实“三重一大”、“三不一末”等制度",
                tail="支持班子成员各司其职，各负其责，充分发挥班子成员的作用，形成了工作合力")]),
            ("严肃党内政治生活", [Sentence([
                self.work(W.DEMOCRATIC_LIFE, "年内参加专题民主生活会{}", "次"),
                self.work(W.BRANCH_LIFE, "参加所在支部组织生活会{}", "次"),
            ], head="带头落实党员领导干部双重组织生活会制度",
                tail="抓好基层学校领导班子民主生活会和支部专题组织生活会")]),
        ]
        ideological = [("", [Sentence([
            self.work(W.TRAINING_CLASS, "全系统开展书记轮训班{}", "期"),
            self.work(W.PAPER, "本人撰写研讨交流材料{}", "篇"),
            self.work(W.RESEARCH_TOPIC, "完成调研专题{}", "个"),
            self.work(W.PARTY_LESSON, "上专题党课{}", "次"),
            self.work(W.PROBLEM_FIXED, "检视整改问题{}", "个"),
        ], head="坚持以学习贯彻习近平新时代中国特色社会主义思想为主线，在教育系统深入开展党内学习教育"), Sentence([
            self.work(W.CENTRAL_GROUP, "召开中心组理论学习会议{}", "次"),
            self.work(W.BUREAU_STUDY, "组织局机关党员干部集中学习{}", "次"),
            self.work(W.REFLECTION, "全系统干部群众撰写心得体会{}", "篇"),
        ])])]
        before_section, before_unit = self.before[W.SECTION_APPOINTMENT], self.before[W.UNIT_APPOINTMENT]
        organizational = [
            ("抓干部队伍建设", [Sentence([
                Clause(section.teams, f"年内配合区委调整配备{section.teams}个科级班子{section.people}名科级领导干部"
                                      + (f"（上年{before_section.teams}个班子{before_section.people}名）" if before_section.teams else ""),
                       W.SECTION_APPOINTMENT.label),
                Clause(unit.teams, f"调整配备{unit.teams}个股级单位{unit.people}名领导干部"
                                   + (f"（上年{before_unit.teams}个单位{before_unit.people}名）" if before_unit.teams else ""),
                       W.UNIT_APPOINTMENT.label),
            ])]),
            ("持续推进党支部建设标准化", [Sentence([
                Clause(f.organizations.approved_count,
                       f"批准成立{f.organizations.approved_count}个党组织{was(f.organizations.approved_previous, '个')}", "批准成立党组织"),
                Clause(f.elections.held, f"指导{f.elections.held}个基层党组织开展换届选举{was(f.elections.held_previous, '个')}", "换届选举"),
            ]), Sentence([
                Clause(sf.met, f"{sf.met}个基层党支部完成标准化建设{met_beside}", "党支部标准化达标"),
            ], head="组织工委所属支部开展党支部建设标准化建设")]),
            ("深化党员教育管理", ["深入推进“五强五争做”先锋引领行动、“双培双强”人才培养工程、“两帮一带”等党性实践活动。",
                                  Sentence([
                Clause(bb.provincial, f"年内共培养省级骨干、学科带头人{said(bb.provincial, '人', bb.provincial_previous)}", "省级骨干、学科带头人"),
                Clause(bb.city_and_district, f"市区级骨干名师{said(bb.city_and_district, '人', bb.city_and_district_previous)}", "市区级骨干名师"),
            ]), Sentence(self.recruitment())]),
            ("加强民办教育党建工作", [Sentence([
                self.work(W.PRIVATE_MEETING, "召开民办教育机构党组织负责人工作会议{}", "次"),
                self.work(W.PRIVATE_INSPECTION, "全覆盖进行民办教育机构党建工作调研检查{}", "次"),
                Clause(len(rf.cases), f"抓实民办教育软弱涣散党组织整顿提升工作，年内整顿{said(len(rf.cases), '个', rf.cases_previous)}"
                                     + (f"、销号{len(rf.closed_in_year)}个" if rf.closed_in_year else ""), "软弱涣散党组织整顿"),
                Clause(rf.exemplary, f"{rf.exemplary}个民办教育机构党组织在整顿提升中被树为典型{was(rf.exemplary_previous, '个')}",
                       "整顿后树为典型"),
            ])]),
        ]
        one_text = f"一对一约谈学校领导班子{one.teams}个，领导干部{one.people}人"
        if self.before[W.ONE_TO_ONE_TALK].teams:
            one_text += f"（上年{self.before[W.ONE_TO_ONE_TALK].teams}个、{self.before[W.ONE_TO_ONE_TALK].people}人）"
        discipline = [("", ["始终把纪律和规矩挺在前面，严守规矩，廉洁自律，强化教育，管好系统。", Sentence([
            self.work(W.COLLECTIVE_TALK, "年内开展集体约谈{}", "次"),
            Clause(one.teams, one_text, W.ONE_TO_ONE_TALK.label),
        ]), "全力配合区委巡察工作，巩固提升巡察整改工作成果。如实报告个人有关事项，从严要求配偶、亲属及身边工作人员，秉公办事，廉洁奉公。"])]
        return [
            Para("一、履职工作特色和亮点", heading=True),
            self.area("1.加强政治建设，提高政治站位。", "政治建设", political),
            self.area("2.加强思想建设，夯实理论根基。", "思想建设", ideological),
            self.area("3.加强组织建设，提升组织力。", "组织建设", organizational),
            self.area("4.加强党风廉政建设，深入推进全面从严治党。", "党风廉政建设", discipline),
        ]

    def recruitment(self):
        """发展党员 against the plan, with the 双培双强 among the new members, then the pipeline's earlier steps."""
        rec = self.f.recruitment
        admitted = f"年内发展党员{rec.admitted}名"
        if rec.planned:
            admitted += f"（计划{rec.planned}名，完成{percent(rec.plan_rate)}）"
        two_strong = [f"{label}{n}名" for label, n in (("骨干教师", rec.admitted_backbone), ("35岁以下青年教师", rec.admitted_young)) if n]
        if two_strong:
            admitted += "，其中" + "、".join(two_strong)
        return [
            Clause(rec.admitted, admitted, "发展党员"),
            Clause(rec.candidates, f"确定发展对象{rec.candidates}名", "确定发展对象"),
            Clause(rec.activists, f"确定入党积极分子{rec.activists}名", "确定入党积极分子"),
            Clause(rec.applied, f"收到入党申请{rec.applied}份", "入党申请"),
        ]

    # -- part 2 -------------------------------------------------------------------------------
    @staticmethod
    def where(orgs):
        """Where the organizations are, by unit category: "小学3个、幼儿园2个"."""
        counts = {}
        for org in orgs:
            label = m.UnitCategory(org.unit_category).label if org.unit_category else "其他"
            counts[label] = counts.get(label, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        return "、".join(f"{label}{n}个" for label, n in ranked[:3]) + ("等" if len(ranked) > 3 else "")

    def problems(self):
        f = self.f
        lead, mf, sf, el = f.leadership, f.members, f.standardization, f.elections
        found = []
        unstaffed = lead.no_secretary + lead.incomplete
        if unstaffed or lead.ageing:
            parts = []
            if unstaffed:
                parts.append(f"目前还有{len(unstaffed)}个党组织班子没有配齐（书记空缺{len(lead.no_secretary)}个、"
                             f"班子成员不足{len(lead.incomplete)}个，分布在{self.where(unstaffed)}）")
            if lead.ageing:
                age = settings.SHUZHI["SECRETARY_AGE_WARNING"]
                parts.append(f"{len(lead.ageing)}个党组织书记年满{age}周岁（分布在{self.where(lead.ageing)}），"
                             "班子成员年龄偏大的问题急需解决")
            found.append(("干部队伍建设还需再着力", "，".join(parts)))
        if mf.total:
            load = (f"党务工作者{mf.party_workers}人，平均每名党务工作者联系服务{mf.members_per_worker:.1f}名党员，"
                    if mf.party_workers else "没有登记党务工作者，")
            found.append(("抓党建工作持续用力不够", f"全系统共有{f.organizations.basic_level}个党组织{mf.total}名党员，{load}"
                          "党建工作力量不足，在抓党建责任落实、重点任务跟踪问效上还有一定的差距"))
        assessed = sf.met + sf.failed
        if sf.branches and (sf.failed or sf.not_assessed_count or sf.met < sf.target):
            parts = []
            if assessed:
                parts.append(f"全系统{sf.branches}个党支部中，示范党支部{sf.exemplary}个，占{percent(sf.exemplary / sf.branches)}"
                             if sf.exemplary else f"全系统{sf.branches}个党支部中还没有示范党支部")
            if sf.failed:
                text = f"{sf.failed}个党支部未达到标准化建设要求"
                if sf.short_by_item:
                    text += "，主要差在" + "、".join(f"“{item.title}”（{n}个）" for item, n in sf.short_by_item[:3])
                parts.append(text)
            if sf.not_assessed_count:
                parts.append(f"{sf.not_assessed_count}个党支部{'尚未' if assessed else '均未'}开展{self.year}年标准化评定")
            if assessed and sf.met < sf.target:
                parts.append(f"达标{sf.met}个，距年度目标{sf.target}个还差{sf.target - sf.met}个")
            found.append(("党建品牌培育力度不够", "；".join(parts) + "。虽然培育了一些党建示范典型，但还没有形成品牌，"
                          "先进典型的带动示范作用不足，没有形成以点带面、整体推进的局面"))
        public, private = f.sides[m.Ownership.PUBLIC], f.sides[m.Ownership.PRIVATE]
        if private.organizations:
            # Side by side: each of the private side's figures with the public side's beside it.
            parts = [f"民办教育机构党组织{private.organizations}个（公办{public.organizations}个）、"
                     f"党员{private.members}名（公办{public.members}名）"]
            if private.met + private.failed and public.met + public.failed:
                lower = "，低于公办学校的" if private.met_rate < public.met_rate else "，公办学校为"
                parts.append(f"党支部标准化达标率{percent(private.met_rate)}{lower}{percent(public.met_rate)}")
            for label, mine, theirs in (("班子没有配齐的", private.no_secretary + private.incomplete, public.no_secretary + public.incomplete),
                                        ("逾期未换届的", private.overdue_elections, public.overdue_elections)):
                if mine:
                    parts.append(f"{label}{mine}个（公办{theirs}个）")
            if private.open_rectification:
                parts.append(f"软弱涣散党组织仍在整顿的{private.open_rectification}个")
            found.append(("民办教育党建仍需加强", "民办教育党组织工作进展不平衡，" + "，".join(parts) +
                          "。民办教育机构党组织管理难度大，党组织在发挥政治功能、凝聚党员群众方面组织力、战斗力还不强，"
                          "需要结合实际、有针对性地加强指导工作"))
        parts = []
        if el.overdue:
            longest = max(org.months_overdue for org in el.overdue)
            parts.append(f"{len(el.overdue)}个党组织任期届满未按期换届（最长逾期{longest}个月）")
        if el.never:
            parts.append(f"{len(el.never)}个党组织没有换届选举记录")
        if el.due:
            parts.append(f"{len(el.due)}个党组织将在半年内任期届满")
        if mf.conversion_overdue:
            parts.append(f"{len(mf.conversion_overdue)}名预备党员预备期满未及时转正")
        if parts:
            found.append(("组织制度执行还不够严格", "，".join(parts)))
        # Organizational life and the early warnings, which the figures above do not cover; the rules said above are not repeated.
        watch = warnings.problems_for_year(self.year, on=f.as_of)
        if watch.life:
            found.append(("“三会一课”等组织生活制度落实还不到位", watch.life))
        extra = [watch.clauses[c] for c in SUPERVISION_RULES if c in watch.clauses]
        if watch.summary and extra:
            found.append(("日常监督发现的问题还需逐一整改", f"{watch.summary}；" + "，".join(extra)))

        if not found:
            if not (mf.total or f.organizations.basic_level):
                return [Para(f"存在的问题：系统中没有{self.year}年的党组织和党员记录，无法据以查找问题。")]
            return [Para("存在的问题：从本年度的记录看，班子配备、标准化建设、换届和党员管理均未发现需要报告的问题。")]
        text = "".join(f"{ORDINALS[i]}是{title}。{body}。" for i, (title, body) in enumerate(found))
        return [Para(f"存在的问题：{text}")]

    def part_two(self):
        paras = [Para("二、存在的主要问题及原因", heading=True), *self.problems()]
        paras += [Para(line.strip()) for line in self.plan.reflection.splitlines() if line.strip()]
        return paras

    # -- part 3 -------------------------------------------------------------------------------
    def part_three(self):
        paras = [Para("三、下一步工作思路和措施", heading=True)]
        lines = [line.strip() for line in self.plan.next_steps.splitlines() if line.strip()]
        if not lines:
            return paras + [Para(f"（{self.year}年的下一步工作思路和措施尚未填写。）")]
        for line in lines:
            lead, _, rest = line.partition("。")
            if rest and _numbered(lead):
                paras.append(Para(rest, lead=lead + "。"))
            else:
                paras.append(Para(line))
        return paras


def _numbered(text):
    """A measure's own heading: "1.进一步…" or "（一）…"."""
    return re.match(r"([0-9]+[.．、]|（[一二三四五六七八九十]+）)", text) is not None


def build(year):
    f = district(year)
    plan = m.AnnualPlan.for_year(year)
    committee, secretary = report_records.committee_and_secretary()
    assigned = report_records.assigned_to_secretary(f.as_of)
    writer = _Writer(year, f, assigned, plan)
    since = f"{year}年"
    if f.as_of != datetime.date(year, 12, 31):  # the current year, so far
        since += f"（截至{f.as_of.month}月{f.as_of.day}日）"
    paragraphs = [
        Para(f"根据会议安排，现就本人{since}抓基层党建履职情况述职如下："),
        *writer.part_one(),
        *writer.part_two(),
        *writer.part_three(),
    ]
    signature = f"{committee.name if committee else ''}书记　{secretary.name}" if secretary else ""
    document = OfficialDocument(
        title=f"{year}年抓基层党建工作述职报告", signature=signature, paragraphs=paragraphs,
        author=committee.name if committee else "",
    )
    notes = []
    if writer.missing:
        listed = "、".join(f"“{label}”" for label in dict.fromkeys(writer.missing))
        notes.append(f"台账或记录中没有{year}年以下各项的数据，报告中略去了这些项：{listed}。")
    if plan.pk is None and (plan.reflection or plan.next_steps):
        notes.append(f"{year}年的原因分析和下一步工作思路尚未保存，报告中暂用上一年度的文稿，请在后台修改后保存。")
    elif not plan.next_steps:
        notes.append(f"{year}年的下一步工作思路和措施尚未填写。")
    return DutyReport(year=year, as_of=f.as_of, document=document, figures=f, plan=plan, assigned=assigned, notes=notes)
