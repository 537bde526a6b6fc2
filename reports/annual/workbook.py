"""The statistical tables behind the annual report (.xlsx): one sheet per area, each figure of the report with the
records or grouped counts it was counted from, and totals that equal the report's numbers.

It reads the same DutyReport (the same district() figures) the text was written from, so the two cannot differ.
"""
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from branches import models as m
from branches.models import Staffing as S
from branches.sheets import write_row

from . import records as report_records

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TOTAL = "合计"


class Sheet:
    """Writes titled tables one under another, leaving a blank row between them."""

    def __init__(self, book, title, widths):
        self.ws = book.create_sheet(title)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width

    def row(self, values, font=None, fill=None):
        cells = write_row(self.ws, values)
        if font or fill:
            for cell in cells:
                cell.font = font or cell.font
                if fill:
                    cell.fill = fill
        return self

    def table(self, title, headers, rows, total=None):
        """A table; `total` is the last row (its first cell says 合计)."""
        self.row([title], font=TITLE)
        self.row(headers, font=BOLD, fill=HEADER_FILL)
        for values in rows:
            self.row(values)
        if total is not None:
            self.row([TOTAL, *total], font=BOLD)
        self.ws.append([])
        return self


def _label(choices, value):
    return choices(value).label if value else ""


def _date(day):
    return day.strftime("%Y-%m-%d") if day else ""


def _rate(rate):
    return round(rate * 100, 1) if rate is not None else ""


def _org_row(org):
    return [org.name, _label(m.OrgKind, org.kind), _label(m.UnitCategory, org.unit_category), _label(m.Ownership, org.ownership)]


ORG_HEADERS = ["党组织", "组织类别", "单位类别", "办学性质"]


def organizations_sheet(book, report, assigned):
    f, year = report.figures, report.year
    o, lead = f.organizations, f.leadership
    s = Sheet(book, "党组织", [34, 14, 16, 12, 14, 14, 18, 14, 14, 14, 14])
    s.table(f"{year}年党组织汇总（截至{report.as_of:%Y-%m-%d}）", ["指标", "数量", "上年"], [
        ["工委直属党组织", o.basic_level, ""],
        ["党支部（含联合党支部）", o.branches, ""],
        ["年内批准成立党组织", o.approved_count, o.approved_previous],
        ["书记包抓党组织", len(assigned), ""],
        [S.NO_SECRETARY.label, len(lead.no_secretary), ""],
        [S.INCOMPLETE.label, len(lead.incomplete), ""],
        ["书记年龄偏大", len(lead.ageing), ""],
    ])
    s.table("工委直属党组织（按组织类别）", ["组织类别", "数量"],
            [[m.OrgKind(k).label, n] for k, n in o.basic_by_kind.items()], total=[o.basic_level])
    categories = [c for c in m.UnitCategory.values if o.basic_by_category.get(c) or o.branches_by_category.get(c)]
    s.table("按单位类别", ["单位类别", "办学性质", "工委直属党组织", "党支部"], [
        [m.UnitCategory(c).label, m.Ownership.PRIVATE.label if c in m.PRIVATE_CATEGORIES else m.Ownership.PUBLIC.label,
         o.basic_by_category.get(c, 0), o.branches_by_category.get(c, 0)] for c in categories
    ], total=["", o.basic_level, o.branches])
    s.table(f"{year}年批准成立的党组织", [*ORG_HEADERS, "批准成立日期", "批准文号"],
            [[*_org_row(org), _date(org.approved_on), org.approval_document] for org in o.approved],
            total=["", "", "", o.approved_count])
    s.table("书记包抓的党组织", [*ORG_HEADERS, "包抓领导"],
            [[*_org_row(org), org.liaison_leader.name] for org in assigned], total=["", "", "", len(assigned)])
    staffing = [(org, org.staffing.label) for org in [*lead.no_secretary, *lead.incomplete]]
    s.table("班子没有配齐的党组织", [*ORG_HEADERS, "情况", "正式党员", "班子成员"],
            [[*_org_row(org), why, org.full_count, org.committee_count] for org, why in staffing],
            total=["", "", "", len(staffing)])
    s.table("书记年龄偏大的党组织", [*ORG_HEADERS, "书记年龄"],
            [[*_org_row(org), org.secretary_age] for org in lead.ageing], total=["", "", "", len(lead.ageing)])
    sides = list(f.sides.values())
    s.table("公办与民办对比", ["指标", *[side.label for side in sides]], [
        ["工委直属党组织", *[side.organizations for side in sides]],
        ["党支部", *[side.branches for side in sides]],
        ["党员", *[side.members for side in sides]],
        ["标准化达标党支部", *[side.met for side in sides]],
        ["达标率（%）", *[_rate(side.met_rate) for side in sides]],
        ["未达标", *[side.failed for side in sides]],
        ["未评定", *[side.not_assessed for side in sides]],
        [S.NO_SECRETARY.label, *[side.no_secretary for side in sides]],
        [S.INCOMPLETE.label, *[side.incomplete for side in sides]],
        [m.ElectionState.OVERDUE.label, *[side.overdue_elections for side in sides]],
        ["软弱涣散整顿中", *[side.open_rectification for side in sides]],
    ])


def members_sheet(book, report):
    f, year = report.figures, report.year
    mf, bb = f.members, f.backbone
    s = Sheet(book, "党员", [26, 14, 14, 14, 14, 14])
    s.table(f"{year}年党员汇总（在册，截至{report.as_of:%Y-%m-%d}）", ["指标", "数量", "上年"], [
        ["党员总数", mf.total, ""],
        ["正式党员", mf.full, ""],
        ["预备党员", mf.probationary, ""],
        ["年内新发展党员", mf.new, mf.new_previous],
        ["党务工作者（专职、兼职党务干部）", mf.party_workers, ""],
        ["每名党务工作者联系党员", round(mf.members_per_worker, 1) if mf.members_per_worker else "", ""],
        ["预备期满未转正", mf.conversion_overdue_count, ""],
        ["省级骨干、学科带头人", bb.provincial, bb.provincial_previous],
        ["市区级骨干名师", bb.city_and_district, bb.city_and_district_previous],
    ])
    tally_headers = ["党员", "正式党员", "预备党员", "年内新发展"]
    s.table("按单位类别", ["单位类别", *tally_headers], [
        [m.UnitCategory(c).label if c else "未填", t.total, t.full, t.probationary, t.new]
        for c, t in mf.by_category.items() if t.total
    ], total=[mf.total, mf.full, mf.probationary, mf.new])
    s.table("按办学性质", ["办学性质", *tally_headers], [
        [m.Ownership(w).label, t.total, t.full, t.probationary, t.new] for w, t in mf.by_ownership.items()
    ], total=[mf.total, mf.full, mf.probationary, mf.new])
    s.table("按年龄", ["年龄段", "党员"],
            [[b.label, b.count] for b in mf.age_bands] + [["出生日期未填", mf.age_unknown]], total=[mf.total])
    s.table("按党龄（自转正之日起）", ["党龄", "党员"], [[b.label, b.count] for b in mf.party_years_bands]
            + [["预备党员（尚无党龄）", mf.total - sum(b.count for b in mf.party_years_bands)]], total=[mf.total])
    s.table("党组织书记年龄", ["年龄段", "书记"],
            [[b.label, b.count] for b in f.leadership.secretary_age_bands], total=[f.leadership.secretaries])
    s.table("骨干教师（按称号年度）", ["称号", f"{year}年", f"{year - 1}年"], [
        [m.Member.Backbone.PROVINCIAL.label, bb.provincial, bb.provincial_previous],
        ["市区级骨干名师（市级、区级）", bb.city_and_district, bb.city_and_district_previous],
        [f"　其中{m.Member.Backbone.CITY.label}", bb.city, ""],
        [f"　其中{m.Member.Backbone.DISTRICT.label}", bb.district, ""],
    ], total=[bb.provincial + bb.city_and_district, bb.provincial_previous + bb.city_and_district_previous])
    s.table("预备期满未转正的党员", ["姓名", "所在党组织", "入党日期", "预备期满"], [
        [x.name, x.organization.name, _date(x.join_date), _date(x.conversion_due_on)] for x in mf.conversion_overdue
    ], total=["", "", mf.conversion_overdue_count])


def elections_sheet(book, report, held):
    f, year = report.figures, report.year
    el = f.elections
    s = Sheet(book, "换届选举", [34, 14, 14, 12, 14, 14, 22, 14])
    s.table(f"{year}年换届选举汇总（截至{report.as_of:%Y-%m-%d}）", ["指标", "数量", "上年"], [
        ["年内开展换届选举的党组织", el.held, el.held_previous],
        ["任期届满逾期未换届", len(el.overdue), ""],
        ["半年内任期届满", len(el.due), ""],
        ["没有换届选举记录", len(el.never), ""],
    ])
    counted, rows = set(), []
    for e in held:  # district() counts organizations: a second election in the year counts 0
        rows.append([e.organization.name, _date(e.held_on), _date(e.term_ends_on), e.term_years, e.secretary.name if e.secretary else "",
                     _date(e.approved_on), e.approval_document, 0 if e.organization_id in counted else 1])
        counted.add(e.organization_id)
    s.table(f"{year}年换届选举", ["党组织", "选举日期", "任期届满", "任期（年）", "当选书记", "批复日期", "批复文号", "计入党组织数"],
            rows, total=["", "", "", "", "", "", len(counted)])
    s.table("任期届满逾期未换届的党组织", [*ORG_HEADERS, "上次选举", "任期届满", "逾期（月）"], [
        [*_org_row(org), _date(org.last_election_on), _date(org.term_ends_on), org.months_overdue] for org in el.overdue
    ], total=["", "", "", len(el.overdue)])
    s.table("半年内任期届满的党组织", [*ORG_HEADERS, "上次选举", "任期届满"], [
        [*_org_row(org), _date(org.last_election_on), _date(org.term_ends_on)] for org in el.due
    ], total=["", "", "", len(el.due)])
    s.table("没有换届选举记录的党组织", ORG_HEADERS, [_org_row(org) for org in el.never], total=["", "", len(el.never)])


def standardization_sheet(book, report):
    f, year = report.figures, report.year
    sf = f.standardization
    s = Sheet(book, "标准化建设", [34, 14, 14, 12, 12, 12, 60])
    s.table(f"{year}年党支部标准化建设汇总", ["指标", "数量", "上年"], [
        ["党支部（含联合党支部）", sf.branches, ""],
        ["达标（含示范）", sf.met, sf.met_previous],
        ["其中示范", sf.exemplary, ""],
        ["未达标", sf.failed, ""],
        ["未评定", sf.not_assessed_count, ""],
        ["年度目标", sf.target, ""],
        ["达标率（%）", _rate(sf.met_rate), ""],
    ])
    headers = ["党支部", "达标（含示范）", "其中示范", "未达标", "未评定"]
    s.table("按单位类别", ["单位类别", *headers], [
        [m.UnitCategory(c).label if c else "未填", t.branches, t.met, t.exemplary, t.failed, t.not_assessed]
        for c, t in sf.by_category.items() if t.branches or t.met or t.failed
    ], total=[sf.branches, sf.met, sf.exemplary, sf.failed, sf.not_assessed_count])
    s.table("按办学性质", ["办学性质", *headers], [
        [m.Ownership(w).label, t.branches, t.met, t.exemplary, t.failed, t.not_assessed] for w, t in sf.by_ownership.items()
    ], total=[sf.branches, sf.met, sf.exemplary, sf.failed, sf.not_assessed_count])
    s.table("未达标的党支部", [*ORG_HEADERS, "评定日期", "未达要求细则数", "未达要求的细则"], [
        [*_org_row(a.organization), _date(a.assessed_on), len(a.short_items),
         "；".join(f"{x.item.code} {x.item.title}" for x in a.short_items)] for a in sf.short
    ], total=["", "", "", len(sf.short)])
    s.table("未达标党支部的短板细则", ["细则", "标准内容", "未达要求的党支部"],
            [[item.code, item.title, n] for item, n in sf.short_by_item])
    s.table("未评定的党支部", ORG_HEADERS, [_org_row(org) for org in sf.not_assessed],
            total=["", "", sf.not_assessed_count])


def rectification_sheet(book, report):
    f, year = report.figures, report.year
    rf = f.rectification
    s = Sheet(book, "软弱涣散整顿", [34, 12, 12, 14, 14, 10, 12])
    status = m.RectificationCase.Status
    s.table(f"{year}年民办教育软弱涣散党组织整顿汇总", ["指标", "数量", "上年"], [
        ["年内整顿的党组织", len(rf.cases), rf.cases_previous],
        *[[f"其中{status(k).label}", n, ""] for k, n in rf.by_status.items()],
        ["年内销号（含往年台账）", len(rf.closed_in_year), ""],
        ["超过整改时限未销号", len(rf.past_deadline), ""],
        ["整顿后树为典型", rf.exemplary, rf.exemplary_previous],
    ])

    def case_row(c):
        return [c.organization.name, c.year, c.get_status_display(), _date(c.deadline), _date(c.closed_on),
                "是" if c.is_exemplary else "", c.responsible_leader.name if c.responsible_leader else ""]

    headers = ["党组织", "台账年度", "状态", "整改时限", "销号日期", "树为典型", "包抓领导"]
    s.table(f"{year}年整顿台账", headers, [case_row(c) for c in rf.cases],
            total=[len(rf.cases), "", "", "", rf.exemplary])
    s.table("超过整改时限未销号的台账", headers, [case_row(c) for c in rf.past_deadline], total=[len(rf.past_deadline)])
    s.table(f"{year}年销号的台账", headers, [case_row(c) for c in rf.closed_in_year], total=[len(rf.closed_in_year)])


def recruitment_sheet(book, report, admitted):
    rec, year = report.figures.recruitment, report.year
    s = Sheet(book, "发展党员", [34, 14, 14, 14, 14, 18, 18])
    s.table(f"{year}年发展党员各环节（人数）", ["环节", "人数"], [
        ["申请入党", rec.applied], ["确定入党积极分子", rec.activists], ["确定发展对象", rec.candidates],
        ["发展党员（支部大会接收，上级党委已审批）", rec.admitted],
        ["　其中骨干教师", rec.admitted_backbone], ["　其中35岁以下青年教师", rec.admitted_young],
    ])
    s.table(f"{report.as_of:%Y-%m-%d}在培养的", ["阶段", "人数"],
            [[stage.label, n] for stage, n in rec.at_stage.items() if stage != m.RecruitStage.PROBATIONARY])
    s.table("发展党员计划完成情况", ["党组织", "计划（名）", "已发展（名）"],
            [[row.organization.name, row.quota, row.admitted] for row in rec.plans], total=[rec.planned, rec.admitted])
    s.table("本年发展的党员", ["姓名", "所在党组织", "支部大会讨论日期", "上级党委审批日期", "岗位", "骨干教师称号", "35岁以下青年教师"], [
        [r.name, r.organization.name, _date(r.accepted_on), _date(r.approved_on), _label(m.Member.Job, r.job),
         _label(m.Member.Backbone, r.backbone_title), "是" if r.is_young_teacher(report.as_of) else "否"]
        for r in admitted
    ], total=["", "", "", "", "", len(admitted)])


def work_sheet(book, report, entries):
    f, year = report.figures, report.year
    s = Sheet(book, "工作台账", [12, 28, 40, 10, 12, 16, 12, 12])
    fields = ["数量", "研究议题", "涉及班子（单位）", "涉及人数"]
    for y in (year, year - 1):
        totals = f.work[y]
        s.table(f"{y}年党建工作台账（按工作类型）", ["工作类型", *fields], [
            [kind.label, t.count, t.topics, t.teams, t.people] for kind, t in totals.items()
        ])
    for y in (year, year - 1):
        rows = [e for e in entries if e.date.year == y]
        s.table(f"{y}年党建工作台账（逐条）", ["日期", "工作类型", "事项", *fields, "领导"], [
            [_date(e.date), e.get_kind_display(), e.title, e.count, e.topics, e.teams, e.people,
             e.leader.name if e.leader else ""] for e in rows
        ], total=["", f"{len(rows)}条", sum(e.count for e in rows), sum(e.topics for e in rows),
                  sum(e.teams for e in rows), sum(e.people for e in rows)])


def warnings_sheet(book, report):
    watch = report.watch
    s = Sheet(book, "预警事项", [18, 36, 12, 10, 10, 90])
    flagged, judged = watch.private_flagged
    s.table(f"截至{watch.on:%Y-%m-%d}预警汇总", ["指标", "数量"], [
        ["参与研判的党组织（直属党组织及所属党支部）", watch.evaluated],
        ["存在预警事项的党组织", watch.flagged],
        ["其中民办教育党组织", flagged],
        ["民办教育党组织（参与研判）", judged],
    ])
    s.table("预警事项清单（附件1）", ["类别", "预警事项", "党组织数", "公办", "民办", "涉及党组织"],
            [list(row) for row in watch.rows])


def life_sheet(book, report):
    life = report.watch.compliance
    s = Sheet(book, "组织生活", [24, 14, 14, 14, 14, 14])
    headers = ["应开展（次）", "按期开展（次）", "实际开展（次）", "按期落实率（%）"]

    def cells(t):
        return [t.expected, t.met, t.held, _rate(t.rate)]

    s.table(f"{life.label}“三会一课”等组织生活落实情况", ["", *headers],
            [[m.Ownership(w).label, *cells(t)] for w, t in life.by_ownership.items()], total=cells(life.total))
    s.table("按组织生活类型", ["类型", "办学性质", *headers], [
        [t.name, m.Ownership(w).label, *cells(tally)] for t in life.types for w, tally in life.by_type[t].items()
    ])


def comparison_sheet(book, report):
    s = Sheet(book, "与上年对比", [36, 8, 14, 14, 10])
    year = report.year
    s.table(f"{year}年主要工作指标与{year - 1}年对比（附件2）", ["指标", "单位", f"{year}年", f"{year - 1}年", "增减"],
            [[label, unit, now, before, now - before] for label, unit, now, before in report.comparison])


def render_xlsx(report):
    book = Workbook()
    book.remove(book.active)
    organizations_sheet(book, report, report.assigned)
    members_sheet(book, report)
    elections_sheet(book, report, report_records.elections_held(report.year))
    standardization_sheet(book, report)
    rectification_sheet(book, report)
    recruitment_sheet(book, report, report_records.admitted(report.year))
    work_sheet(book, report, report_records.work_entries(report.year, report.year - 1))
    warnings_sheet(book, report)
    life_sheet(book, report)
    comparison_sheet(book, report)
    book.properties.title = report.document.title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
