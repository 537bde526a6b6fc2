"""发展党员工作流程: one person's pipeline as the office prints it (each step, its date, whether it kept its time
rule), read from the record and the office's time rules (branches.models.StepRule); laid out by annual/document.py."""
from dataclasses import dataclass

from accounts import personal
from branches import models as m
from branches.dates import today

from .annual.document import OfficialDocument, Para, Table


@dataclass
class FlowRow:
    step: m.Step
    day: object  # date or None
    rule: str  # the time rule that applies to the step ("" where none)
    verdict: str  # 符合 / 不符合（…） / 未到 / ""


def _day(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def flow(recruit, rules, on=None):
    """[FlowRow] for every step of the 细则, in order, judged on `on` (today)."""
    on = on or today()
    judged = {}
    for rule, met, found in recruit.checks(rules, on):
        judged.setdefault(rule.step, []).append((rule, met, found))
    late = dict(recruit.out_of_order(on))
    rows = []
    for step in m.Step:
        day = recruit.dated(step, on)
        texts = [r.requirement and f"{m.Step(r.after).label}后{r.requirement}" for r in rules if r.step == step]
        verdicts = []
        for rule, met, found in judged.get(step, ()):
            start = recruit.dated(rule.after, on)
            if met:
                verdicts.append("符合")
            else:  # the dates are in the row's own columns: the table says only how long it was
                verdicts.append(f"不符合（实际{rule.measure(start, day)}）" if day else f"不符合（{found}）")
        if step in late:
            verdicts.append(f"日期早于{late[step].label}")
        if step == m.Step.ACCEPTED and day is not None:
            missing = [s.label for s in (m.Step.VETTED, m.Step.TRAINED)
                       if recruit.dated(s, on) is None or recruit.dated(s, on) > day]
            verdicts.append("讨论前未完成" + "、".join(missing) if missing else "符合")
            texts.append("讨论前应完成政治审查和集中培训")
        if not verdicts and texts and day is None:
            verdicts.append("尚未进行")
        rows.append(FlowRow(step, day, "；".join(t for t in texts if t), "；".join(verdicts)))
    return rows


def flow_document(recruit, user, on=None):
    """The summary as an OfficialDocument; the ID number masked for those who may not see it."""
    on = on or today()
    rules = list(m.StepRule.objects.all())
    rows = flow(recruit, rules, on)
    stage = recruit.stage_on(on)
    contacts = "、".join(c.name for c in (recruit.contact_1, recruit.contact_2) if c is not None) or "未登记"
    facts = [
        f"姓名：{recruit.name}　性别：{recruit.gender or '—'}　出生日期：{_day(recruit.birth_date)}",
        f"公民身份号码：{personal.shown(user, 'id_number', recruit.id_number)}",
        f"所在党组织：{recruit.organization.name}",
        f"岗位：{recruit.get_job_display() or '—'}　骨干教师称号：{recruit.get_backbone_title_display() if recruit.backbone_title else '无'}",
        f"培养联系人：{contacts}　所处阶段：{stage.label if stage else '—'}（截至{_day(on)}）",
    ]
    if recruit.member_id:
        facts.append(f"已于{_day(recruit.accepted_on)}接收为预备党员，编入党员名册。")
    kept = sum(1 for row in rows if row.verdict.startswith("符合"))
    broken = [row for row in rows if row.verdict and not row.verdict.startswith(("符合", "尚未"))]
    summary = (f"对照时限规定，{kept}项符合" + (f"，{len(broken)}项不符合：" + "、".join(r.step.label for r in broken) if broken else "，未发现不符合规定的环节")
               + "。")
    table = Table(
        headers=("序号", "环节", "日期", "时限要求", "执行情况"),
        rows=tuple((str(i), row.step.label, _day(row.day), row.rule or "—", row.verdict or "—") for i, row in enumerate(rows, 1)),
        widths=(10, 32, 38, 44, 32),
    )
    return OfficialDocument(
        title="发展党员工作流程纪实", signature=recruit.organization.name,
        paragraphs=[*(Para(line) for line in facts), Para("一、各环节及时限执行情况", heading=True), table,
                    Para("二、审核意见", heading=True), Para(summary)],
        author=recruit.organization.name,
    )
