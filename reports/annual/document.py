"""A document in the layout of a Chinese official document (GB/T 9704-2012 党政机关公文格式), as .docx.

Model-free: it knows paragraphs and typography, nothing of party building. The annual report builds an
`OfficialDocument` and both the preview page and `render_docx` lay out the same paragraphs.
"""
import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree


@dataclass(frozen=True)
class Para:
    """One paragraph: body text, or a level-1 heading ("一、…"); `lead` is a level-2 heading run in at its start."""

    text: str
    heading: bool = False
    lead: str = ""

    @property
    def full(self):
        return self.lead + self.text


@dataclass(frozen=True)
class Table:
    """A table among the paragraphs: a header row, then rows of text."""

    headers: tuple
    rows: tuple
    widths: tuple = ()  # in millimetres, one per column; Word's own where empty


@dataclass(frozen=True)
class Annex:
    """An attachment (附件): its own page after the body, under "附件N" and its title."""

    title: str
    paragraphs: list = field(default_factory=list)  # Para and Table


@dataclass
class OfficialDocument:
    title: str
    signature: str = ""  # the line under the title: who reports
    paragraphs: list = field(default_factory=list)
    author: str = ""
    annexes: list = field(default_factory=list)

    @property
    def annex_note(self):
        """附件说明 (GB/T 9704 7.3.4): "附件：" and the annexes' names, numbered where there are several."""
        if not self.annexes:
            return []
        if len(self.annexes) == 1:
            return [f"附件：{self.annexes[0].title}"]
        return [f"{'附件：' if i == 1 else '　　　'}{i}.{a.title}" for i, a in enumerate(self.annexes, 1)]

    def annex_mark(self, index):
        return "附件" if len(self.annexes) == 1 else f"附件{index}"


# GB/T 9704: 二号 = 22 pt, 三号 = 16 pt, 四号 = 14 pt; 22 lines on a 225 mm high text block give 28.95 pt.
TITLE_SIZE, BODY_SIZE, FOLIO_SIZE = Pt(22), Pt(16), Pt(14)
LINE = Pt(28.95)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}

# The fonts the standard names, each with the one Windows always has as the fallback (w:altName in the font
# table: a reader without 方正小标宋简体 or the *_GB2312 fonts uses the alternate before guessing by metrics).
TITLE_FONT, BODY_FONT, HEADING_FONT, LEAD_FONT, FOLIO_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", LEAD_FONT: "楷体", HEADING_FONT: "SimHei", FOLIO_FONT: "SimSun"}

TITLE_STYLE, SIGNATURE_STYLE, HEADING_STYLE, LEAD_STYLE = "公文标题", "公文署名", "公文一级标题", "公文二级标题"
ANNEX_MARK_STYLE = "附件标识"


def set_fonts(font_owner, name):
    """Set a run's or style's typeface for every script: python-docx's Font.name leaves w:eastAsia alone."""
    font_owner.font.name = name
    rpr = font_owner.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph_style(doc, name, font, size, align=None, outline_level=None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.next_paragraph_style = doc.styles["Normal"]
    set_fonts(style, font)
    style.font.size = size
    if align is not None:
        style.paragraph_format.alignment = align
        style.paragraph_format.first_line_indent = Pt(0)
    if outline_level is not None:  # lets Word's navigation pane list the headings
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(outline_level))
        style.element.get_or_add_pPr().append(outline)
    return style


def _styles(doc):
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT)
    normal.font.size = BODY_SIZE
    normal.font.color.rgb = RGBColor(0, 0, 0)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = BODY_SIZE * 2
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False  # an official document fills its 22 lines; no lines pushed to the next page

    title = _paragraph_style(doc, TITLE_STYLE, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, outline_level=0)
    title.paragraph_format.line_spacing = Pt(36)  # 二号 characters need more than the body's 28.95 pt
    title.paragraph_format.space_after = LINE
    signature = _paragraph_style(doc, SIGNATURE_STYLE, LEAD_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    signature.paragraph_format.space_after = LINE
    heading = _paragraph_style(doc, HEADING_STYLE, HEADING_FONT, BODY_SIZE, outline_level=1)
    heading.paragraph_format.keep_with_next = True
    # "附件N" in 3号黑体 flush left on the annex page's first line (GB/T 9704 8).
    _paragraph_style(doc, ANNEX_MARK_STYLE, HEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT)
    lead = doc.styles.add_style(LEAD_STYLE, WD_STYLE_TYPE.CHARACTER)
    set_fonts(lead, LEAD_FONT)


def _font_table(doc):
    """Declare each font with its fallback, for GB 2312 (charset 86)."""
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    fonts = parse_xml(part.blob)
    for name, alternate in FALLBACKS.items():
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternate}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"modern" if name in (HEADING_FONT,) else "roman"}"/><w:pitch w:val="fixed"/></w:font>'
        ))
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(footer, align):
    """"— 1 —" in 宋体 四号: odd pages right, even pages left, one character in from the edge (GB/T 9704 7.5)."""
    p = footer.paragraphs[0]
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = FOLIO_SIZE
    else:
        fmt.left_indent = FOLIO_SIZE

    def run(text=""):
        r = p.add_run(text)
        set_fonts(r, FOLIO_FONT)
        r.font.size = FOLIO_SIZE
        return r

    run("— ")
    field_run = run()
    for kind in ("begin", None, "separate", "1", "end"):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            field_run._r.append(instr)
        elif kind.isdigit():
            text = OxmlElement("w:t")
            text.text = kind  # the value shown until the reader updates the field
            field_run._r.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            field_run._r.append(char)
    run(" —")


TABLE_SIZE = Pt(12)  # 小四: a table's cells in the body's typeface, smaller than its 三号


def _table(doc, table):
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    rows = [(table.headers, True)] + [(row, False) for row in table.rows]
    for index, (values, is_header) in enumerate(rows):
        cells = grid.rows[0].cells if index == 0 else grid.add_row().cells
        for cell, value in zip(cells, values):
            p = cell.paragraphs[0]
            fmt = p.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if is_header else WD_ALIGN_PARAGRAPH.LEFT
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            run = p.add_run(str(value))
            run.font.size = TABLE_SIZE
            if is_header:
                set_fonts(run, HEADING_FONT)
    if table.widths:
        grid.autofit = False
        for column, width in zip(grid.columns, table.widths):
            column.width = Mm(width)  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = Mm(width)  # each cell, which Word reads


def _paragraphs(doc, paragraphs):
    for para in paragraphs:
        if isinstance(para, Table):
            _table(doc, para)
            continue
        if para.heading:
            doc.add_paragraph(para.text, style=HEADING_STYLE)
            continue
        p = doc.add_paragraph()
        if para.lead:
            p.add_run(para.lead, style=LEAD_STYLE)
        p.add_run(para.text)


def render_docx(document):
    doc = Document()
    _styles(doc)
    _font_table(doc)
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    # The folio's top edge sits 7 mm below the text block: bottom margin − 7 mm − one 四号 line.
    section.footer_distance = MARGINS["bottom_margin"] - Mm(7) - FOLIO_SIZE
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    doc.add_paragraph(document.title, style=TITLE_STYLE)
    if document.signature:
        doc.add_paragraph(document.signature, style=SIGNATURE_STYLE)
    _paragraphs(doc, document.paragraphs)
    note = document.annex_note
    if note:
        doc.add_paragraph()  # 附件说明 one blank line under the body
        for line in note:
            doc.add_paragraph(line)
    for index, annex in enumerate(document.annexes, 1):
        mark = doc.add_paragraph(document.annex_mark(index), style=ANNEX_MARK_STYLE)
        mark.paragraph_format.page_break_before = True  # each annex on a page of its own
        doc.add_paragraph()  # the annex's title on the text block's third line (GB/T 9704 8)
        doc.add_paragraph(annex.title, style=TITLE_STYLE)
        _paragraphs(doc, annex.paragraphs)

    # python-docx's template carries its own thumbnail picture; a filed document should not show it.
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
        rels.pop(rid)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = document.title, document.author, document.author
    props.comments = props.keywords = props.subject = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
