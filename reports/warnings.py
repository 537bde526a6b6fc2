"""Where the early warnings (branches.early_warning) are shown: their workbook, the dashboard's panel, and the
annual report's 存在的主要问题 said in sentences."""
import datetime
from dataclasses import dataclass

from django.urls import reverse

from branches import models as m
from branches.dates import today
from branches.early_warning import (ELECTIONS, LIFE, MEMBERS, RULES, STANDARD, TEAM, _admin, _day, evaluate,
                                    grouped_by_rule)
from branches.sheets import write_row


# -- where the list is shown -------------------------------------------------------------------------
XLSX_COLUMNS = ["党组织", "上级党组织", "组织类别", "单位类别", "办学性质", "预警内容", "具体情况"]


def workbook(result):
    """The list as an xlsx workbook: one row per finding, then a sheet of counts per rule."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "预警清单"
    write_row(sheet, [f"截至{_day(result.on)}基层党组织预警清单（{len(result.by_organization)}个党组织）"])
    sheet["A1"].font = Font(bold=True, size=13)
    write_row(sheet, XLSX_COLUMNS)
    for hit in result.hits:
        org = hit.organization
        write_row(sheet, [
            org.name, org.parent.name if org.parent_id else "", org.get_kind_display(),
            org.get_unit_category_display(), org.get_ownership_display(), hit.rule.title, hit.detail,
        ])
    summary = book.create_sheet("规则汇总")
    write_row(summary, ["序号", "预警内容", "类别", "党组织数", "公办", "民办"])
    for number, (r, total, public, private) in enumerate(result.counts(), 1):
        write_row(summary, [number, r.title, r.group, total, public, private])
    for ws in (sheet, summary):
        for column, width in zip("ABCDEFG", (34, 30, 12, 14, 10, 26, 50)):
            ws.column_dimensions[column].width = width
    return book


def panel_context(on=None, organizations=None, states=None):
    """What the dashboard's 预警 panel (reports/warning_panel.html) shows: per rule, public and private counts,
    each linking to the list; how many private organizations are flagged; the year's meeting rates. `states`: the
    organizations' state on `on` as the dashboard's figures computed it (models.OrganizationStates)."""
    from urllib.parse import urlencode

    from .meetings import compliance

    result = evaluate(on, organizations, states=states)
    base = reverse("warnings")

    def link(**params):
        return base + "?" + urlencode({"date": result.on.isoformat(), **params})

    rows = [
        {"rule": r, "total": total, "public": public, "private": private, "url": link(rule=r.code),
         "public_url": link(rule=r.code, ownership=m.Ownership.PUBLIC),
         "private_url": link(rule=r.code, ownership=m.Ownership.PRIVATE)}
        for r, total, public, private in result.counts()
    ]
    life = compliance(result.on.year, organizations=organizations, on=result.on)
    # The private schools that lag, each with the reasons in a word: the seed's "民办教育党建仍需加强" at a glance.
    private = []
    for org, hits in result.by_organization.items():
        if org.ownership != m.Ownership.PRIVATE:
            continue
        reasons = [{"title": r.title + (f"（{len(hs)}项）" if len(hs) > 1 else ""),
                    "detail": "；".join(h.detail for h in hs), "url": hs[0].url} for r, hs in grouped_by_rule(hits).items()]
        private.append({"organization": org, "url": _admin(m.Organization, org.pk), "reasons": reasons})
    return {"warning_panel": {
        "on": result.on, "rows": rows, "flagged": len(result.by_organization), "evaluated": len(result.organizations),
        "public": result.flagged_share(m.Ownership.PUBLIC), "private": result.flagged_share(m.Ownership.PRIVATE),
        "private_flagged": private,
        "list_url": link(), "private_url": link(ownership=m.Ownership.PRIVATE), "xlsx_url": link(format="xlsx"),
        "life": life, "life_url": reverse("meeting_compliance") + f"?year={result.on.year}",
    }}


# -- the annual report's 存在的主要问题 --------------------------------------------------------------------
@dataclass
class AnnualProblems:
    on: datetime.date
    summary: str  # how many organizations were flagged, and how the private side compares ("" if none)
    life: str  # organizational life held against what was due, public against private ("" if nothing was due)
    clauses: dict  # rule code -> "书记空缺超过3个月的3个", for the rules that found something
    sentences: list  # all of it, one sentence per heading, for a report that wants every warning said
    rows: list  # (group, rule title, organizations, public, private, their names)
    evaluated: int = 0  # the organizations judged: the committee's direct ones and the branches under them
    flagged: int = 0  # of those, how many have a warning
    private_flagged: tuple = (0, 0)  # (private organizations with a warning, all private ones judged)
    life_short: bool = False  # some organizational life due was not held
    compliance: object = None  # reports.meetings.Compliance of the year, behind `life`


def _pct(rate):
    return f"{rate * 100:.1f}%"


def problems_for_year(year, organizations=None, on=None):
    """The warnings and the year's organizational life as they stood on `on` (31 December of `year`, or today
    for the current year), said the way the duty report says its problems. Sentences end without "。"."""
    from .meetings import compliance

    on = on or min(datetime.date(year, 12, 31), today())
    result = evaluate(on, organizations)
    life = compliance(year, organizations=organizations, on=on)
    counts = {r.code: total for r, total, _, _ in result.counts() if total}
    rows = [(r.group, r.title, total, public, private, "、".join(o.name for o in result.by_rule[r]))
            for r, total, public, private in result.counts() if total]

    summary = ""
    if result.hits:
        summary = f"截至{_day(on)}，全系统{len(result.organizations)}个党组织中有{len(result.by_organization)}个存在预警事项"
        (private, all_private), (public, all_public) = (result.flagged_share(m.Ownership.PRIVATE),
                                                        result.flagged_share(m.Ownership.PUBLIC))
        if private and all_public:
            summary += (f"，其中民办教育党组织{private}个，占民办党组织的{_pct(private / all_private)}"
                        f"（公办为{_pct(public / all_public)}）")

    text = ""
    pub, pri = life.by_ownership[m.Ownership.PUBLIC], life.by_ownership[m.Ownership.PRIVATE]
    if life.total.expected:
        text = f"{life.label}“三会一课”等组织生活按期落实率为{_pct(life.total.rate)}"
        if pub.expected and pri.expected:
            text += f"，其中公办{_pct(pub.rate)}、民办{_pct(pri.rate)}"
            worst = min((t for t in life.types if life.by_type[t][m.Ownership.PRIVATE].expected),
                        key=lambda t: life.by_type[t][m.Ownership.PRIVATE].rate)
            text += f"，民办{worst.name}落实率最低，仅{_pct(life.by_type[worst][m.Ownership.PRIVATE].rate)}"
        if counts.get("meeting_missed"):
            text += f"；{counts['meeting_missed']}个党支部最近一期未按规定开展组织生活"

    clauses = {}
    late_members = sum(len(h.records) for h in result.hits if h.rule.code == "conversion_overdue")
    for r in RULES:
        if r.code not in counts:
            continue
        if r.code == "conversion_overdue":
            clauses[r.code] = f"预备党员逾期未转正{late_members}名（涉及{counts[r.code]}个党组织）"
        else:
            clauses[r.code] = f"{r.title.replace('，', '')}的{counts[r.code]}个"

    sentences = [s for s in (summary,) if s]
    if text:
        sentences.append(f"{LIFE}方面，{text}")
    for group in (TEAM, ELECTIONS, MEMBERS, STANDARD):
        parts = [clauses[r.code] for r in RULES if r.group == group and r.code in clauses]
        if parts:
            sentences.append(f"{group}方面，" + "，".join(parts))
    return AnnualProblems(on, summary, text, clauses, sentences, rows, evaluated=len(result.organizations),
                          flagged=len(result.by_organization),
                          private_flagged=result.flagged_share(m.Ownership.PRIVATE),
                          life_short=bool(life.total.expected and (life.total.rate < 1 or counts.get("meeting_missed"))),
                          compliance=life)
