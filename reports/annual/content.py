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
from .document import Annex, OfficialDocument, Para, Table

ORDINALS = "一二三四五六七八九十"


def about(n):
    """Counts of a thousand and more are said the way the seed says them: 3,042 → "3000余"."""
    if n >= 1000 and n % 1000:
        return f"{n // 1000 * 1000}余"
    return str(n)


def said(now, unit):
    """"3000余篇": the year's figure; the year before is in the annex's comparison table, not beside it."""
    return f"{about(now)}{unit}"


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
    watch: warnings.AnnualProblems = None  # the warnings and organizational life as of as_of
    comparison: list = field(default_factory=list)  # (指标, unit, the year, the year before)
    notes: list = field(default_factory=list)  # for the office, on the preview: what the records lack


class _Writer:
    def __init__(self, year, f, assigned, plan, text, watch):
        self.year, self.f, self.assigned, self.plan, self.text, self.watch = year, f, assigned, plan, text, watch
        self.now = f.work[year]
        self.missing, self.empty_areas = [], []

    # -- part 1 -------------------------------------------------------------------------------
    def work(self, kind, text, unit, label=None):
        """A clause on one kind of work: `text` holds {} where the count goes."""
        n = self.now[kind].count
        return Clause(n, text.format(said(n, unit)), label or kind.label)

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
            self.empty_areas.append(area_name)  # said to the office on the preview, never in the document
            return None
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
        one = self.now[W.ONE_TO_ONE_TALK]
        section, unit = self.now[W.SECTION_APPOINTMENT], self.now[W.UNIT_APPOINTMENT]
        sf, bb, rf = f.standardization, f.backbone, f.rectification
        met_beside = f"（年度目标{sf.target}个）" if sf.target else ""
        political = [
            ("强化党组织政治功能", ["加强党对教育工作的全面领导，充分发挥党组织把方向、管大局、作决策的领导核心作用。"
                                    "党建工作与业务工作同研究、同部署、同检查、同考核，把党的领导融入业务工作全过程。"]),
            ("全面落实主体责任", [Sentence([
                self.work(W.GUIDANCE, "专题指导基层党建工作{}", "次"),
                self.work(W.RESEARCH, "开展专题调研{}", "次"),
                Clause(len(self.assigned), f"包抓{len(self.assigned)}个基层党组织党建工作", "书记包抓党组织"),
            ], tail="靠实责任、全力推进党建重点任务落实"), *review_sentences(self.year)]),
            ("切实加强班子建设", [Sentence([
                Clause(cm.count, f"主持召开党工委会议{said(cm.count, '次')}"
                                 + (f"，研究党建议题{said(cm.topics, '项')}" if cm.topics else ""),
                       W.COMMITTEE_MEETING.label),
            ], head="坚持民主集中制原则，认真落实“三重一大”、“三不一末”等制度",
                tail="支持班子成员各司其职，各负其责，充分发挥班子成员的作用，形成了工作合力")]),
            ("严肃党内政治生活", [Sentence([
                self.work(W.DEMOCRATIC_LIFE, "年内参加专题民主生活会{}", "次"),
                self.work(W.BRANCH_LIFE, "参加所在支部组织生活会{}", "次"),
            ], head="带头落实党员领导干部双重组织生活会制度",
                tail="，".join(t for t in ("抓好基层学校领导班子民主生活会和支部专题组织生活会", self.text["guidance_group"]) if t))]),
        ]
        ideological = [("", [Sentence([
            self.work(W.TRAINING_CLASS, "全系统开展书记轮训班{}", "期"),
            self.work(W.PAPER, "本人撰写研讨交流材料{}", "篇"),
            self.work(W.RESEARCH_TOPIC, "完成调研专题{}", "个"),
            self.work(W.PARTY_LESSON, "上专题党课{}", "次"),
            self.work(W.PROBLEM_FIXED, "检视整改问题{}", "个"),
        ], head="坚持以学习贯彻习近平新时代中国特色社会主义思想为主线，在教育系统深入开展"
                + (self.text["theme_education"] or "党内学习教育")), Sentence([
            self.work(W.CENTRAL_GROUP, "召开中心组理论学习会议{}", "次"),
            self.work(W.BUREAU_STUDY, "组织局机关党员干部集中学习{}", "次"),
            self.work(W.REFLECTION, "全系统干部群众撰写心得体会{}", "篇"),
        ])])]
        organizational = [
            ("抓干部队伍建设", [Sentence([
                Clause(section.teams, f"年内配合区委调整配备{section.teams}个科级班子{section.people}名科级领导干部",
                       W.SECTION_APPOINTMENT.label),
                Clause(unit.teams, f"调整配备{unit.teams}个股级单位{unit.people}名领导干部", W.UNIT_APPOINTMENT.label),
            ], tail=self.text["team_review"])]),
            ("持续推进党支部建设标准化", [Sentence([
                Clause(f.organizations.approved_count,
                       f"批准成立{f.organizations.approved_count}个党组织", "批准成立党组织"),
                Clause(f.elections.held, f"指导{f.elections.held}个基层党组织开展换届选举", "换届选举"),
            ]), Sentence([
                Clause(sf.met, f"{sf.met}个基层党支部完成标准化建设{met_beside}", "党支部标准化达标"),
            ], head="组织工委所属支部开展党支部建设标准化建设" + self.text["mutual_learning"])]),
            ("深化党员教育管理", [self.text["activities"], Sentence([
                Clause(bb.provincial, f"年内共培养省级骨干、学科带头人{bb.provincial}人", "省级骨干、学科带头人"),
                Clause(bb.city_and_district, f"市区级骨干名师{bb.city_and_district}人", "市区级骨干名师"),
            ]), Sentence(self.recruitment())]),
            ("加强民办教育党建工作", [Sentence([
                self.work(W.PRIVATE_MEETING, "召开民办教育机构党组织负责人工作会议{}", "次"),
                self.work(W.PRIVATE_INSPECTION, "全覆盖进行民办教育机构党建工作调研检查{}", "次"),
                Clause(len(rf.cases), f"抓实民办教育软弱涣散党组织整顿提升工作，年内整顿{len(rf.cases)}个"
                                     + (f"、销号{len(rf.closed_in_year)}个" if rf.closed_in_year else ""), "软弱涣散党组织整顿"),
                Clause(rf.exemplary, f"{rf.exemplary}个民办教育机构党组织在整顿提升中被树为典型",
                       "整顿后树为典型"),
            ])]),
        ]
        one_text = f"一对一约谈学校领导班子{one.teams}个，领导干部{one.people}人"
        discipline = [("", ["始终把纪律和规矩挺在前面，严守规矩，廉洁自律，强化教育，管好系统。", Sentence([
            self.work(W.COLLECTIVE_TALK, "年内开展集体约谈{}", "次"),
            Clause(one.teams, one_text, W.ONE_TO_ONE_TALK.label),
        ]), self.text["inspection"] + self.text["clean_government"]])]
        areas = [
            self.area("1.加强政治建设，提高政治站位。", "政治建设", political),
            self.area("2.加强思想建设，夯实理论根基。", "思想建设", ideological),
            self.area("3.加强组织建设，提升组织力。", "组织建设", organizational),
            self.area("4.加强党风廉政建设，深入推进全面从严治党。", "党风廉政建设", discipline),
        ]
        return [Para("一、履职工作特色和亮点", heading=True), *[a for a in areas if a]]

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
        """The seed's four problems, each said only where the records bearing on it show something."""
        f, watch = self.f, self.watch
        lead, mf, sf = f.leadership, f.members, f.standardization
        found = []

        # 一 the leadership teams: vacancies and ages
        unstaffed = lead.no_secretary + lead.incomplete
        parts = []
        if unstaffed:
            kinds = [f"{label}{len(orgs)}个" for label, orgs in (("书记空缺", lead.no_secretary), ("班子成员不足", lead.incomplete)) if orgs]
            parts.append(f"目前还有{len(unstaffed)}个党组织班子没有配齐（{'、'.join(kinds)}，分布在{self.where(unstaffed)}）")
        if lead.ageing:
            age = settings.SHUZHI["SECRETARY_AGE_WARNING"]
            parts.append(f"{len(lead.ageing)}个党组织书记年满{age}周岁（分布在{self.where(lead.ageing)}），"
                         "班子成员年龄偏大的问题急需解决")
        if parts:
            found.append(("干部队伍建设还需再着力", "，".join(parts)))

        # 二 the force of party work: 党务干部 against the members, and 三会一课 held as due
        if mf.total:
            short = not mf.party_workers or bool(watch.life and watch.life_short)
            if short:
                load = (f"党务工作者{mf.party_workers}人，平均每名党务工作者联系服务{mf.members_per_worker:.1f}名党员"
                        if mf.party_workers else "没有登记党务工作者")
                body = (f"全系统共有{f.organizations.basic_level}个直属党组织（含所属党支部共{watch.evaluated}个）、"
                        f"{mf.total}名党员，{load}，党建工作力量不足")
                if watch.life:
                    body += f"；{watch.life}"
                found.append(("抓党建工作持续用力不够", body + "，在抓党建责任落实、重点任务跟踪问效上还有一定的差距"))

        # 三 brands and exemplars: the 示范 branches and how far they reach
        assessed = sf.met + sf.failed
        if sf.branches and assessed:
            with_none = [m.UnitCategory(c).label if c else "其他" for c, t in sf.by_category.items()
                         if t.branches and not t.exemplary]
            if sf.exemplary:
                spread = "、".join(f"{m.UnitCategory(c).label if c else '其他'}{t.exemplary}个"
                                   for c, t in sorted(sf.by_category.items(), key=lambda kv: -kv[1].exemplary) if t.exemplary)
                parts = [f"{sf.branches}个党支部中评定为示范党支部的{sf.exemplary}个，集中在{spread}"]
                if with_none:
                    parts.append(f"{'、'.join(with_none)}还没有示范党支部")
            else:
                parts = [f"{sf.branches}个党支部中还没有示范党支部"]
            if sf.failed:
                text = f"{sf.failed}个党支部未达到标准化建设要求"
                if sf.short_by_item:
                    text += "，主要差在" + "、".join(f"“{item.title}”（{n}个）" for item, n in sf.short_by_item[:3])
                parts.append(text)
            if with_none or not sf.exemplary or sf.failed:
                found.append(("党建品牌培育力度不够", "；".join(parts) + "。虽然培育了一些党建示范典型，但还没有形成品牌，"
                              "先进典型的带动示范作用不足，没有形成以点带面、整体推进的局面"))

        # 四 private education: its warnings and its rectification
        public, private = f.sides[m.Ownership.PUBLIC], f.sides[m.Ownership.PRIVATE]
        flagged, judged = watch.private_flagged
        rf = f.rectification
        if private.organizations and (flagged or private.open_rectification or private.met_rate < public.met_rate):
            parts = [f"民办教育机构党组织{private.organizations}个、党员{private.members}名"]
            if flagged:
                parts.append("全部存在预警事项" if flagged == judged else f"其中{flagged}个党组织存在预警事项")
            if private.met + private.failed and public.met + public.failed and private.met_rate < public.met_rate:
                parts.append(f"党支部标准化达标率{percent(private.met_rate)}，低于公办学校的{percent(public.met_rate)}")
            for label, mine in (("班子没有配齐的", private.no_secretary + private.incomplete),
                                ("逾期未换届的", private.overdue_elections)):
                if mine:
                    parts.append(f"{label}{mine}个")
            if rf.cases or private.open_rectification:
                fixing = f"年内整顿软弱涣散党组织{len(rf.cases)}个、销号{len(rf.closed_in_year)}个"
                if private.open_rectification:
                    fixing += f"，仍在整顿的{private.open_rectification}个"
                if rf.past_deadline:
                    fixing += f"，其中超过整改时限的{len(rf.past_deadline)}个"
                parts.append(fixing)
            found.append(("民办教育党建仍需加强", "民办教育党组织工作进展不平衡，" + "，".join(parts) +
                          "。民办教育机构党组织管理难度大，党组织在发挥政治功能、凝聚党员群众方面组织力、战斗力还不强，"
                          "需要结合实际、有针对性地加强指导工作"))

        if not found:
            return []
        text = "".join(f"{ORDINALS[i]}是{title}。{body}。" for i, (title, body) in enumerate(found))
        if watch.flagged:
            text += f"日常监督中发现的换届选举、组织设置、党员管理等预警事项涉及{watch.flagged}个党组织，逐项见附件1。"
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
            return paras  # the preview's notes tell the office it is not written yet
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


def comparison(year, f):
    """The figures of part 一 beside the year before's, for the annex's table and the workbook's sheet."""
    now, before = f.work[year], f.work[year - 1]
    # Counted by teams and people, as part 一 says them; every other kind by its count, in part 一's unit.
    by_team = {W.SECTION_APPOINTMENT: ("班子数", "名"), W.UNIT_APPOINTMENT: ("单位数", "名"), W.ONE_TO_ONE_TALK: ("班子数", "人")}
    units = {W.TRAINING_CLASS: "期", W.PAPER: "篇", W.REFLECTION: "篇", W.RESEARCH_TOPIC: "个", W.PROBLEM_FIXED: "个"}
    rows = []
    for kind in now:
        if kind in by_team:
            teams, people = by_team[kind]
            rows += [(f"{kind.label}{teams}", "个", now[kind].teams, before[kind].teams),
                     (f"{kind.label}人数", people, now[kind].people, before[kind].people)]
        else:
            rows.append((kind.label, units.get(kind, "次"), now[kind].count, before[kind].count))
        if kind == W.COMMITTEE_MEETING:
            rows.append(("党工委会议研究党建议题", "项", now[kind].topics, before[kind].topics))
    sf, bb, rf, mf = f.standardization, f.backbone, f.rectification, f.members
    rows += [
        ("批准成立党组织", "个", f.organizations.approved_count, f.organizations.approved_previous),
        ("开展换届选举的党组织", "个", f.elections.held, f.elections.held_previous),
        ("标准化建设达标党支部", "个", sf.met, sf.met_previous),
        ("新发展党员", "名", mf.new, mf.new_previous),
        ("省级骨干、学科带头人", "人", bb.provincial, bb.provincial_previous),
        ("市区级骨干名师", "人", bb.city_and_district, bb.city_and_district_previous),
        ("整顿软弱涣散党组织", "个", len(rf.cases), rf.cases_previous),
        ("整顿后树为典型", "个", rf.exemplary, rf.exemplary_previous),
    ]
    return [row for row in rows if row[2] or row[3]]


def annexes(year, watch, rows):
    """附件1 the warning list, 附件2 the year-before comparison; an annex with nothing to list is left out."""
    found = []
    if watch.rows:
        found.append(Annex("基层党组织预警事项清单", [Para(
            f"截至{watch.on.year}年{watch.on.month}月{watch.on.day}日，{watch.flagged}个党组织存在预警事项，逐项如下。"), Table(
            ("类别", "预警事项", "党组织数", "公办", "民办", "涉及党组织"),
            tuple((group, title, total, public, private, names) for group, title, total, public, private, names in watch.rows),
            widths=(22, 36, 20, 13, 13, 52))]))
    if rows:
        found.append(Annex("主要工作指标与上年对比", [Para(f"以下为{year}年与{year - 1}年的对比，数字均取自台账和各项记录。"), Table(
            ("指标", f"{year}年", f"{year - 1}年", "增减"),
            tuple((f"{label}（{unit}）", now, before, f"{now - before:+d}" if now != before else "0")
                  for label, unit, now, before in rows),
            widths=(80, 24, 24, 24))]))
    return found


def build(year):
    f = district(year)
    plan = m.AnnualPlan.for_year(year)
    committee, secretary = report_records.committee_and_secretary()
    assigned = report_records.assigned_to_secretary(f.as_of)
    watch = warnings.problems_for_year(year, on=f.as_of)
    texts, own_texts = m.ReportText.for_year(year)
    writer = _Writer(year, f, assigned, plan, texts, watch)
    since = f"{year}年"
    if f.as_of != datetime.date(year, 12, 31):  # the current year, so far
        since += f"（截至{f.as_of.month}月{f.as_of.day}日）"
    rows = comparison(year, f)
    annexed = annexes(year, watch, rows)
    paragraphs = [
        Para(f"根据会议安排，现就本人{since}抓基层党建履职情况述职如下："),
        *writer.part_one(),
        *writer.part_two(),
        *writer.part_three(),
    ]
    signature = f"{committee.name if committee else ''}书记　{secretary.name}" if secretary else ""
    document = OfficialDocument(
        title=f"{year}年抓基层党建工作述职报告", signature=signature, paragraphs=paragraphs,
        author=committee.name if committee else "", annexes=annexed,
    )
    notes = []
    if not (f.members.total or f.organizations.basic_level):
        notes.append(f"系统中没有{year}年的党组织和党员记录，报告第二部分没有可据以查找的问题。")
    elif not any(p.full.startswith("存在的问题") for p in paragraphs):
        notes.append(f"从{year}年的记录看，四个方面均未发现需要报告的问题，第二部分只有原因分析。")
    if writer.empty_areas:
        listed = "、".join(writer.empty_areas)
        notes.append(f"台账中没有{year}年{listed}方面的工作记录，报告中略去了这些方面。")
    if writer.missing:
        listed = "、".join(f"“{label}”" for label in dict.fromkeys(writer.missing))
        notes.append(f"台账或记录中没有{year}年以下各项的数据，报告中略去了这些项：{listed}。")
    if plan.pk is None and (plan.reflection or plan.next_steps):
        notes.append(f"{year}年的原因分析和下一步工作思路尚未保存，报告中暂用上一年度的文稿，请在后台修改后保存。")
    elif not plan.next_steps:
        notes.append(f"{year}年的下一步工作思路和措施尚未填写。")
    if not own_texts and any(texts.values()):
        notes.append(f"{year}年的述职报告固定文字尚未建立，报告中暂用上一年度的文字，请在后台“述职报告固定文字”中修改。")
    return DutyReport(year=year, as_of=f.as_of, document=document, figures=f, plan=plan, assigned=assigned, notes=notes,
                      watch=watch, comparison=rows)
