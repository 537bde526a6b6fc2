"""党员组织关系介绍信: the letter the office prints for a transfer, in its layout — the 存根 (stub) it keeps, the
正本 (the letter) the member carries, and the 回执 (receipt slip) the receiving side sends back, parted by cut
lines; one letter a page. Read from the Transfer record; the writing is python-docx, with the fonts of
annual/document.py."""
import datetime
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Pt

from accounts import personal
from branches import models as m
from branches.dates import age_on

from .annual.document import BODY_FONT, FOLIO_FONT, TITLE_FONT, _font_table, set_fonts

VALID_DAYS = 30  # 有效期: the member reports to the receiving organization within a month
TITLE, STUB, RECEIPT = "中国共产党党员组织关系介绍信", "（存根）", "回执"
CUT = "- - - - - - - - - - - - - - - 此处裁开（加盖骑缝章） - - - - - - - - - - - - - - -"
TITLE_SIZE, BODY_SIZE, NOTE_SIZE = Pt(16), Pt(14), Pt(10.5)
BLANK_DATE = "　　年　　月　　日"


def _day(day):
    return f"{day.year}年{day.month}月{day.day}日"


def issuer():
    """The organization that writes the letters: the district's committee, the root of the tree."""
    root = m.Organization.objects.filter(parent=None).order_by("pk").first()
    return root.name if root else ""


class Letter:
    """What one letter says, read from one transfer (its member and organizations selected with it)."""

    def __init__(self, transfer, user, issued_by):
        self.transfer, member = transfer, transfer.member
        self.number = transfer.letter_number or "第　　　号"
        self.name = member.name
        facts = [member.gender, f"{age_on(member.birth_date, transfer.transferred_on)}岁" if member.birth_date else "",
                 member.ethnicity]
        self.facts = "，".join(f for f in facts if f)
        self.status = member.get_status_display()
        self.id_number = personal.shown(user, "id_number", member.id_number)
        self.source = transfer.from_organization.name if transfer.from_organization_id else transfer.outside_unit
        self.destination = transfer.to_organization.name if transfer.to_organization_id else transfer.outside_unit
        self.reason = transfer.get_reason_display()
        self.issued_on = transfer.transferred_on
        self.valid_until = transfer.transferred_on + datetime.timedelta(days=VALID_DAYS)
        self.issued_by = issued_by

    def stub(self):
        return (f"{self.name}同志（{self.facts}），系中共{self.status}，公民身份号码{self.id_number}，"
                f"组织关系由{self.source}转到{self.destination}。转接原因：{self.reason}。")

    def body(self):
        return (f"{self.name}同志（{self.facts}），系中共{self.status}，公民身份号码{self.id_number}，"
                f"由{self.source}去{self.destination}，因{self.reason}，请转接组织关系。")

    def validity(self):
        return f"（有效期{VALID_DAYS}天，至{_day(self.valid_until)}）"


def _paragraph(doc, text="", size=BODY_SIZE, font=BODY_FONT, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False,
               after=Pt(0)):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = size * 2 if indent else Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(size.pt * 1.65)
    fmt.space_before, fmt.space_after = Pt(0), after
    if text:
        run = p.add_run(text)
        set_fonts(run, font)
        run.font.size = size
    return p


def _title(doc, text):
    return _paragraph(doc, text, TITLE_SIZE, TITLE_FONT, WD_ALIGN_PARAGRAPH.CENTER, after=Pt(4))


def _right(doc, text):
    return _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _cut(doc):
    _paragraph(doc, CUT, NOTE_SIZE, FOLIO_FONT, WD_ALIGN_PARAGRAPH.CENTER, after=Pt(6)).paragraph_format.space_before = Pt(6)


def _write(doc, letter, new_page):
    _title(doc, TITLE + STUB).paragraph_format.page_break_before = new_page
    _right(doc, letter.number)
    _paragraph(doc, letter.stub(), indent=True)
    _paragraph(doc, letter.validity(), indent=True)
    _right(doc, _day(letter.issued_on))
    _cut(doc)

    _title(doc, TITLE)
    _right(doc, letter.number)
    _paragraph(doc, f"{letter.destination}：")
    _paragraph(doc, letter.body(), indent=True)
    _paragraph(doc, letter.validity(), indent=True)
    _right(doc, f"{letter.issued_by}（盖章）")
    _right(doc, _day(letter.issued_on))
    _cut(doc)

    _title(doc, TITLE + RECEIPT)
    _right(doc, letter.number)
    _paragraph(doc, f"{letter.issued_by}：")
    _paragraph(doc, f"{letter.name}同志的党员组织关系已转达我处，特此回复。", indent=True)
    _right(doc, "接收党组织（盖章）")
    _right(doc, BLANK_DATE)


def render_letters(transfers, user):
    """The letters of `transfers` (with member and organizations selected), one a page, as .docx bytes."""
    doc = Document()
    _font_table(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(25)
    issued_by = issuer()
    for index, transfer in enumerate(transfers):
        _write(doc, Letter(transfer, user, issued_by), new_page=index > 0)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = TITLE, issued_by, issued_by
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def printable(user):
    """The transfers `user` may print a letter for: those they see, except a 转入 (its letter came from outside)."""
    return (m.Transfer.objects.visible_to(user).exclude(kind=m.Transfer.Kind.IN)
            .select_related("member", "from_organization", "to_organization"))
