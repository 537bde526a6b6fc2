"""Spreadsheets out: exports that the import reads back unchanged, the admin's filters and selection,
and the blank templates."""
import datetime
import io

import openpyxl
import pytest

from branches import models as m
from branches.idcard import make_id_number
from branches.resources import KINDS

ADMIN_PAGES = {
    "organizations": "organization", "members": "member", "elections": "election",
    "assessments": "assessment", "rectifications": "rectificationcase", "worklog": "worklogentry",
    "meetings": "meeting", "recruitment": "recruit", "reviews": "ballot", "transfers": "transfer",
}


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response)))


def rows_of(book):
    return list(book.worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def small_district(build):
    leader = m.Leader.objects.create(name="李文华", title=m.Leader.Title.DEPUTY)
    branch = build.org(name="红山区第一小学党支部", liaison_leader=leader)
    school = build.org(name="红山区育英学校党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    build.member(branch, name="王芳", phone="13900000001", post=m.Member.Post.SECRETARY)
    build.member(branch, name="李丽", status=m.Member.Status.PROBATIONARY, join=datetime.date(2023, 5, 6))
    zhang = build.member(school, name="张伟")
    m.Transfer.objects.create(member=zhang, kind=m.Transfer.Kind.WITHIN, from_organization=school, to_organization=branch,
                              transferred_on=datetime.date(2023, 9, 1), letter_number="教组转〔2023〕5号")
    m.Election.objects.create(organization=branch, held_on=datetime.date(2021, 6, 30))
    m.Assessment.objects.create(organization=branch, year=2023, result=m.AssessmentResult.PASSED, assessed_on=datetime.date(2023, 12, 20))
    case = m.RectificationCase.objects.create(
        organization=school, year=2023, problems="三会一课不落实", deadline=datetime.date(2023, 10, 30),
        status=m.RectificationCase.Status.CLOSED, closed_on=datetime.date(2023, 10, 1), is_exemplary=True,
        responsible_leader=leader,
    )
    case.categories.set(m.ProblemCategory.objects.filter(name__in=["其他", "党员教育管理松散"]))
    m.WorkLogEntry.objects.create(date=datetime.date(2023, 3, 15), kind=m.WorkKind.COMMITTEE_MEETING,
                                  title="党工委会议（第1次）", topics=3, leader=leader, note="=HYPERLINK(\"x\")")
    m.Meeting.objects.create(organization=branch, meeting_type=m.MeetingType.objects.get(name="党员大会"),
                             held_on=datetime.date(2023, 6, 28), topic="讨论接收预备党员", chaired_by="王芳", present=2, on_roll=2)
    m.Recruit.objects.create(name="赵新", id_number=make_id_number("620402", datetime.date(1996, 4, 1), 21), organization=branch,
                             applied_on=datetime.date(2022, 3, 1), activist_on=datetime.date(2022, 4, 1),
                             candidate_on=datetime.date(2023, 5, 1))
    review_round = m.ReviewRound.objects.create(year=2023)
    reviewer = m.Reviewer.objects.create(round=review_round, number=1, group=m.Reviewer.Group.COMMITTEE)
    m.Ballot.objects.create(round=review_round, organization=branch, reviewer=reviewer, grade=m.Grade.GOOD, score=92.5)
    return branch


def test_the_member_export_writes_the_headers_labels_and_real_dates_the_import_reads(small_district, admin_client):
    rows = rows_of(workbook(admin_client.get("/admin/branches/member/export/")))
    header = rows[0]
    assert header[:4] == ("姓名", "身份证号码", "性别", "民族")
    wang = dict(zip(header, next(r for r in rows if r[0] == "王芳")))
    assert wang["所在党组织"] == "红山区第一小学党支部"
    # The post is a tenure (任职): exported as 现任党内职务, which the import does not read.
    assert (wang["党员类别"], wang["现任党内职务"], wang["在册状态"]) == ("正式党员", "书记", "在册")
    assert isinstance(wang["入党日期"], datetime.datetime)  # a date cell, not text
    assert wang["联系电话"] == "13900000001"


def test_yes_no_columns_and_many_to_many_columns_are_written_as_people_write_them(small_district, admin_client):
    rows = rows_of(workbook(admin_client.get("/admin/branches/rectificationcase/export/")))
    case = dict(zip(rows[0], rows[1]))
    assert case["树为典型"] == "是" and case["状态"] == "已销号"
    assert set(case["问题类别"].split("、")) == {"其他", "党员教育管理松散"}


def test_text_that_looks_like_a_formula_is_exported_as_text(small_district, admin_client):
    book = workbook(admin_client.get("/admin/branches/worklogentry/export/"))
    cell = next(c for row in book.worksheets[0].iter_rows() for c in row if c.value and str(c.value).startswith("="))
    assert cell.data_type == "s"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_export_imported_again_changes_nothing(small_district, admin_client, sheets, kind):
    page = ADMIN_PAGES[kind]
    exported = b"".join(admin_client.get(f"/admin/branches/{page}/export/"))
    preview = sheets.upload(page, exported, f"{kind}.xlsx").context["preview"]
    assert preview["problems"] == []
    assert (preview["new"], preview["update"], preview["invalid"]) == (0, 0, 0)
    assert preview["skip"] == KINDS[kind]._meta.model.objects.count() > 0


def test_the_demo_districts_roster_round_trips_unchanged(demo, admin_client, sheets, settings):
    # Checked on the page itself: a roster this size would otherwise go to the background worker.
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 10**6}
    exported = b"".join(admin_client.get("/admin/branches/member/export/"))
    preview = sheets.upload("member", exported).context["preview"]
    assert (preview["skip"], preview["new"], preview["update"], preview["invalid"]) == (m.Member.objects.count(), 0, 0, 0)


def test_the_export_follows_the_changelists_filters_and_search(small_district, admin_client):
    probationary = rows_of(workbook(admin_client.get("/admin/branches/member/export/?status__exact=probationary")))
    assert [r[0] for r in probationary[1:]] == ["李丽"]
    searched = rows_of(workbook(admin_client.get("/admin/branches/member/export/?q=张伟")))
    assert [r[0] for r in searched[1:]] == ["张伟"]
    page = admin_client.get("/admin/branches/member/?status__exact=probationary").content.decode()
    assert 'href="/admin/branches/member/export/?status__exact=probationary"' in page


def test_the_selected_rows_can_be_exported_from_the_action_menu(small_district, admin_client):
    chosen = m.Member.objects.filter(name__in=["王芳", "张伟"])
    response = admin_client.post("/admin/branches/member/", {
        "action": "export_admin_action", "_selected_action": [str(x.pk) for x in chosen],
    })
    assert sorted(r[0] for r in rows_of(workbook(response))[1:]) == ["张伟", "王芳"]
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_exporting_needs_the_view_permission(small_district, client, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="a-long-test-password", is_staff=True)
    client.force_login(nobody)
    assert client.get("/admin/branches/member/export/").status_code == 403


# -- templates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_template_has_the_header_an_example_row_drop_downs_and_date_formats(admin_client, kind):
    page = ADMIN_PAGES[kind]
    resource = KINDS[kind]()
    book = workbook(admin_client.get(f"/admin/branches/{page}/template/"))
    sheet = book.worksheets[0]
    header, example = rows_of(book)[:2]
    assert list(header) == [f.column_name for f in resource.get_export_fields()]
    assert any(v not in (None, "") for v in example)
    choice_columns = [f.column_name for f in resource.get_export_fields() if hasattr(f.widget, "options")]
    validated = {sheet.cell(1, next(iter(dv.sqref.ranges)).min_col).value for dv in sheet.data_validations.dataValidation}
    assert set(choice_columns) <= validated
    for f in resource.get_export_fields():
        column = list(header).index(f.column_name) + 1
        if type(f.widget).__name__ == "Date":
            assert sheet.cell(2, column).number_format == "yyyy-mm-dd", f.column_name


def test_the_member_templates_drop_down_offers_the_labels(admin_client):
    book = workbook(admin_client.get("/admin/branches/member/template/"))
    sheet, lists = book.worksheets
    status = next(dv for dv in sheet.data_validations.dataValidation if sheet.cell(1, next(iter(dv.sqref.ranges)).min_col).value == "党员类别")
    column = status.formula1.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    values = [c.value for c in lists[column]][1:]
    assert values[:2] == ["正式党员", "预备党员"]
    assert lists.sheet_state == "hidden"
    id_column = [c.value for c in sheet[1]].index("身份证号码") + 1
    assert sheet.cell(2, id_column).number_format == "@"  # text, so that Excel keeps all 18 digits


def test_a_filled_template_imports_without_its_example_row(build, admin_client, sheets):
    branch = build.org(name="红山区第一小学党支部")
    book = workbook(admin_client.get("/admin/branches/member/template/"))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = dict.fromkeys(header)
    row.update({"姓名": "李丽", "身份证号码": make_id_number("620402", datetime.date(1985, 5, 6), 4), "所在党组织": branch.name, "入党日期": datetime.date(2011, 7, 1)})
    sheet.append([row[h] for h in header])
    out = io.BytesIO()
    book.save(out)
    preview = sheets.upload("member", out.getvalue()).context["preview"]
    assert (preview["new"], preview["invalid"]) == (1, 0), preview["problems"]
    assert any("模板示例行" in note for note in preview["notes"])
