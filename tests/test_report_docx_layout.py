"""The .docx is laid out as a Chinese official document (GB/T 9704): read back with python-docx."""
import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from reports.annual.document import OfficialDocument, Para, render_docx


@pytest.fixture(scope="module")
def document():
    doc = OfficialDocument(
        title="2023年抓基层党建工作述职报告", signature="中共测试区教育工作委员会书记　张三", author="测试区教育工委",
        paragraphs=[
            Para("根据会议安排，现就本人2023年抓基层党建履职情况述职如下："),
            Para("一、履职工作特色和亮点", heading=True),
            Para("一是强化党组织政治功能。" * 30, lead="1.加强政治建设，提高政治站位。"),
        ],
    )
    return docx.Document(io.BytesIO(render_docx(doc)))


def style_chain(paragraph, run=None):
    """The elements a run's formatting is looked up in, nearest first: the run, its character style, the paragraph styles."""
    chain = []
    if run is not None:
        chain.append(run._r)
        if run._r.rPr is not None and run._r.rPr.rStyle is not None:
            chain.append(run.style.element)
    style = paragraph.style
    while style is not None:
        chain.append(style.element)
        style = style.base_style
    return chain


def east_asia_font(paragraph, run=None):
    for element in style_chain(paragraph, run):
        fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
    return None


def font_size(paragraph, run=None):
    for element in style_chain(paragraph, run):
        size = element.find(f"{qn('w:rPr')}/{qn('w:sz')}")
        if size is not None:
            return Pt(int(size.get(qn("w:val"))) / 2)
    return None


def test_the_page_is_a4_with_the_standards_margins(document):
    section = document.sections[0]

    def mm(length):  # Word stores twentieths of a point: a millimetre is not a whole number of them
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37, 35)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28, 26)


def test_the_title_is_xiaobiaosong_22pt_centred(document):
    title = document.paragraphs[0]
    assert title.text == "2023年抓基层党建工作述职报告"
    assert east_asia_font(title) == "方正小标宋简体"
    assert font_size(title) == Pt(22)
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_fonts_a_reader_may_lack_fall_back_to_the_ones_windows_has(document):
    table = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    fonts = docx.oxml.parse_xml(table.blob)
    alternates = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
                  for f in fonts if f.find(qn("w:altName")) is not None}
    assert alternates["方正小标宋简体"] == "宋体"
    assert alternates["仿宋_GB2312"] == "仿宋"
    assert alternates["楷体_GB2312"] == "楷体"


def test_the_body_is_fangsong_16pt_indented_two_characters_on_fixed_lines(document):
    body = document.paragraphs[2]
    assert body.text.startswith("根据会议安排")
    assert east_asia_font(body, body.runs[0]) == "仿宋_GB2312"
    assert font_size(body, body.runs[0]) == Pt(16)
    fmt = body.style.paragraph_format
    assert fmt.first_line_indent == Pt(32)
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and Pt(28) <= fmt.line_spacing <= Pt(29)


def test_level_one_headings_are_heiti_and_level_two_kaiti(document):
    heading = document.paragraphs[3]
    assert heading.text == "一、履职工作特色和亮点"
    assert east_asia_font(heading) == "黑体" and font_size(heading) == Pt(16)
    lead, rest = document.paragraphs[4].runs
    assert lead.text == "1.加强政治建设，提高政治站位。"
    assert east_asia_font(document.paragraphs[4], lead) == "楷体_GB2312"
    assert east_asia_font(document.paragraphs[4], rest) == "仿宋_GB2312"


def test_page_numbers_are_a_page_field_between_dashes_in_songti_14pt(document):
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.paragraph_format.alignment == align
        assert {east_asia_font(p, r) for r in p.runs} == {"宋体"}
        assert {r.font.size for r in p.runs} == {Pt(14)}


def test_the_file_carries_no_template_thumbnail_and_names_its_author(document):
    assert document.core_properties.author == "测试区教育工委"
    assert document.core_properties.title == "2023年抓基层党建工作述职报告"
    out = io.BytesIO()
    document.save(out)
    assert not [n for n in zipfile.ZipFile(out).namelist() if "thumbnail" in n]


def test_the_downloaded_report_sets_its_three_parts_and_their_measures_in_the_heading_fonts(demo, admin_client):
    from django.urls import reverse

    response = admin_client.get(reverse("annual_report_docx"), {"year": 2023})
    assert 'filename*=utf-8\'\'2023' in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = document.paragraphs
    assert east_asia_font(paragraphs[0]) == "方正小标宋简体"
    level_one = [p for p in paragraphs if p.text[:2] in ("一、", "二、", "三、")]
    assert [p.text for p in level_one] == ["一、履职工作特色和亮点", "二、存在的主要问题及原因", "三、下一步工作思路和措施"]
    assert {east_asia_font(p) for p in level_one} == {"黑体"}
    numbered = [p for p in paragraphs[1:] if p.text[:1].isdigit()]  # after the title "2023年…"
    assert [p.runs[0].text[:2] for p in numbered] == ["1.", "2.", "3.", "4.", "1.", "2.", "3.", "4."]
    assert {east_asia_font(p, p.runs[0]) for p in numbered} == {"楷体_GB2312"}
    assert {east_asia_font(p, p.runs[-1]) for p in numbered} == {"仿宋_GB2312"}
