"""The secretaries' reports as .docx, in the annual report's GB/T 9704 layout, one each or all in one .zip."""
import io
import zipfile

from branches import models as m

from ..annual.document import OfficialDocument, Para, render_docx
from . import content

PART_HEADINGS = {"highlights": "一、履职工作特色和亮点", "problems": "二、存在的主要问题及原因",
                 "measures": "三、下一步工作思路和措施"}


def parts(report, facts):
    """The text of each part: what the secretary wrote (a stored report), else the draft from the records."""
    drafted = content.draft(facts)
    if report is None:
        return drafted
    return {name: getattr(report, name) or drafted[name] for name in m.SecretaryReport.PARTS}


def document(review_round, facts, report=None):
    org = facts.organization
    signature = f"{org.name}书记　{facts.secretary}" if facts.secretary else f"{org.name}书记"
    doc = OfficialDocument(title=f"{org.name}书记{review_round.year}年度抓基层党建工作述职报告", signature=signature,
                           author=org.name)
    for name, text in parts(report, facts).items():
        doc.paragraphs.append(Para(PART_HEADINGS[name], heading=True))
        doc.paragraphs.extend(Para(line.strip()) for line in text.splitlines() if line.strip())
    return doc


def filename(org):
    """The organization's name, as a file name (a slash or the like in a name would make a folder)."""
    return "".join("_" if c in '\\/:*?"<>|' else c for c in org.name) + ".docx"


def reports_of(review_round, organizations):
    """Each organization's stored report, one query."""
    return {r.organization_id: r for r in m.SecretaryReport.objects.filter(round=review_round,
                                                                           organization__in=organizations)}


def render_all(review_round, organizations):
    """[(file name, .docx bytes)] for the organizations, in their order."""
    organizations = list(organizations)
    facts = content.gather(review_round.year, organizations)
    stored = reports_of(review_round, organizations)
    return [(filename(o), render_docx(document(review_round, facts[o.pk], stored.get(o.pk)))) for o in organizations]


def render_zip(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return out.getvalue()
