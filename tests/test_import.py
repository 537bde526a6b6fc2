"""Spreadsheets in: the two-step admin import (upload, preview, confirm) and the import_sheet command."""
import datetime
import math
import io
import re

import pytest
from conftest import make_xlsx
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import models as m
from branches.idcard import make_id_number
from branches.importing import sheet_format
from branches.resources import MemberResource

BORN = datetime.date(1985, 5, 6)


def an_id(seq, born=BORN):
    return make_id_number("620402", born, seq)


def members_sheet(*rows, header=("姓名", "身份证号码", "所在党组织", "入党日期"), **kwargs):
    return make_xlsx(header, *rows, **kwargs)


def preview_of(response):
    assert response.status_code == 200, response.status_code
    return response.context["preview"]


@pytest.fixture
def branch(build):
    return build.org(name="红山区第一小学党支部")


# -- the roster as it really arrives ----------------------------------------------------------------
def test_a_roster_from_the_national_system_is_read_past_its_titles_variants_and_totals(branch, sheets):
    x_id = next(an_id(seq) for seq in range(2, 999, 2) if an_id(seq).endswith("X"))  # a woman's ID ending in X
    data = make_xlsx(
        ["红山区教育系统党员名册"],
        ["填报单位：红山区第一小学", None, None, None, "2024年1月"],
        [],
        ["序号", "姓 名", "公民身份号码", "所在党支部", "人员类别", "入党时间", "转正时间", "性别"],
        [1, "\u3000王  芳 ", x_id.lower().replace("2", "２", 1), " 红山区第一小学党支部 ", "正式党员", "2010.07.01", "2011年7月1日", "女"],
        [2, "李建国", an_id(11), "红山区第一小学党支部", "预备党员", datetime.datetime(2023, 5, 6), None, "男"],
        [],
        [3, "张伟", an_id(13), "红山区第一小学党支部", "正式党员", 20090701, "2010/7/1", "男"],
        ["合计", "3人"],
        ["填表人：赵敏"],
        merges=["A1:H1"],
    )
    response = sheets.upload("member", data)
    preview = preview_of(response)
    assert (preview["new"], preview["invalid"]) == (3, 0), preview["problems"]
    assert any("第4行为表头" in note for note in preview["notes"])
    assert any("合计行" in note for note in preview["notes"])
    assert m.Member.objects.count() == 0  # the preview writes nothing

    sheets.confirm("member", response)
    wang = m.Member.objects.get(name="王芳")
    assert wang.id_number == x_id
    assert wang.organization == branch
    assert (wang.join_date, wang.full_member_date) == (datetime.date(2010, 7, 1), datetime.date(2011, 7, 1))
    assert wang.birth_date == BORN and wang.gender == "女"
    li = m.Member.objects.get(name="李建国")
    assert li.status == m.Member.Status.PROBATIONARY and li.join_date == datetime.date(2023, 5, 6)
    assert m.Member.objects.get(name="张伟").join_date == datetime.date(2009, 7, 1)


def test_an_id_number_excel_turned_into_a_number_is_refused_with_how_to_fix_it(branch, sheets):
    response = sheets.upload("member", members_sheet(["王芳", 620402198505060021, branch.name, "2010-07-01"]))
    preview = preview_of(response)
    [problem] = preview["problems"]
    assert (problem.row, problem.column, problem.value) == (2, "身份证号码", "620402198505060000")  # as Excel shows it
    assert "文本" in problem.message and "重新" in problem.message
    assert "confirm_form" not in response.context
    assert m.Member.objects.count() == 0


def test_merged_cells_give_every_row_of_the_range_their_value(branch, sheets):
    data = members_sheet(
        ["王芳", an_id(2), branch.name, "2010-07-01"],
        ["李丽", an_id(4), None, "2011-07-01"],
        merges=["C2:C3"],
    )
    sheets.confirm("member", sheets.upload("member", data))
    assert set(m.Member.objects.values_list("organization__name", flat=True)) == {branch.name}


def test_an_xls_file_and_a_gbk_csv_are_read_like_an_xlsx(branch, sheets):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("名册")
    for r, row in enumerate([("姓名", "身份证号码", "所在党组织", "入党日期"), ("王芳", an_id(2), branch.name, "2010-07-01")]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    xls = io.BytesIO()
    book.save(xls)
    csv = f"姓名,身份证号码,所在党组织,入党日期\n李丽,{an_id(4)},{branch.name},2011/7/1\n".encode("gbk")

    sheets.confirm("member", sheets.upload("member", xls.getvalue(), "名册.xls"))
    sheets.confirm("member", sheets.upload("member", csv, "名册.csv"))
    assert set(m.Member.objects.values_list("name", flat=True)) == {"王芳", "李丽"}


@pytest.mark.parametrize("written", [
    "2010-07-01", "2010.07.01", "2010.7.1", "2010/7/1", "2010年7月1日", "20100701", 20100701,
    datetime.datetime(2010, 7, 1), datetime.date(2010, 7, 1), "２０１０年７月１日", 40360,
])
def test_every_common_spelling_of_a_date_reads_as_that_date(branch, sheets, written):
    sheets.confirm("member", sheets.upload("member", members_sheet(["王芳", an_id(2), branch.name, written])))
    assert m.Member.objects.get().join_date == datetime.date(2010, 7, 1)


# -- preview, confirm, all or nothing -----------------------------------------------------------------
def test_the_preview_counts_new_updated_unchanged_and_invalid_rows_and_shows_the_changes(build, branch, sheets):
    kept = build.member(branch, name="王芳", phone="13900000001")
    changed = build.member(branch, name="李丽", phone="13900000002")
    data = make_xlsx(
        ("姓名", "身份证号码", "所在党组织", "入党日期", "联系电话"),
        (kept.name, kept.id_number, branch.name, kept.join_date, "13900000001"),
        (changed.name, changed.id_number, branch.name, changed.join_date, "13911112222"),
        ("张伟", an_id(901), branch.name, "2015-07-01", ""),
        ("赵敏", an_id(903), branch.name, "入党那天", ""),
    )
    response = sheets.upload("member", data)
    preview = preview_of(response)
    assert (preview["new"], preview["update"], preview["skip"], preview["invalid"]) == (1, 1, 1, 1)
    assert preview["updates"] == [(3, "李丽", [("联系电话", "13900000002", "13911112222")])]
    [problem] = preview["problems"]
    assert (problem.row, problem.column, problem.value) == (5, "入党日期", "入党那天")
    assert "应为日期" in problem.message
    assert "confirm_form" not in response.context  # only the explicit choice to skip the invalid row
    page = response.content.decode()
    assert "13900000002 → 13911112222" in page and "跳过有误的 1 行" in page


def test_a_big_preview_lists_its_first_rows_counts_the_rest_and_writes_nothing(branch, sheets, monkeypatch):
    from branches import importing

    monkeypatch.setattr(importing, "PREVIEW_ROWS", 3)  # 500 on the page: the same rule at a test's size
    rows = [[f"党员{i}", an_id(100 + i), branch.name, "2010-07-01"] for i in range(8)]
    rows.append(["有误", "1234", branch.name, "2010-07-01"])
    with CaptureQueriesContext(connection) as queries:
        response = sheets.upload("member", members_sheet(*rows))
    preview = preview_of(response)
    assert (preview["total"], preview["new"], preview["invalid"]) == (9, 8, 1)
    assert [row for row, *_ in preview["new_rows"]] == [2, 3, 4] and preview["more_new"] == 5
    assert [p.row for p in preview["problems"]] == [10]  # every invalid row, wherever it is
    result = response.context["result"]
    assert len([r for r in result.rows if r.is_new()]) == 3  # the other rows' results are not kept
    page = response.content.decode()
    assert "预览只逐行列出前3行新增，另有 5 行新增未列出" in page
    # The rows are checked, not written and rolled back: no INSERT of a member or its history.
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT") and "member" in q["sql"]]
    assert m.Member.objects.count() == 0

    sheets.confirm("member", response, skip_invalid=True)  # the confirmed import writes every valid row
    assert m.Member.objects.count() == 8


def test_a_wrong_id_number_is_checked_once_and_reported_once(branch):
    # 公民身份号码 (GB 11643-1999): Member.clean() checks it, and reads the birth date and sex from it.
    member = m.Member(name="王芳", id_number=an_id(2)[:17] + "0", organization=branch, join_date=datetime.date(2010, 7, 1))
    with pytest.raises(ValidationError) as refused:
        member.full_clean(validate_unique=False)
    assert len(refused.value.message_dict["id_number"]) == 1
    assert "校验位错误" in refused.value.message_dict["id_number"][0]


def test_confirming_writes_every_valid_row(branch, sheets):
    data = members_sheet(["王芳", an_id(2), branch.name, "2010-07-01"], ["李丽", an_id(4), branch.name, "2011-07-01"])
    response = sheets.confirm("member", sheets.upload("member", data))
    assert response.status_code == 302
    assert m.Member.objects.count() == 2
    messages = [str(x) for x in sheets.client.get(response["Location"]).context["messages"]]
    assert messages == ["党员导入完成：新增2条，更新0条，无变化0条。"]


def test_skipping_the_invalid_rows_imports_the_rest_and_names_the_skipped(branch, sheets):
    data = members_sheet(["王芳", an_id(2), branch.name, "2010-07-01"], ["李丽", "1234", branch.name, "2011-07-01"])
    response = sheets.confirm("member", sheets.upload("member", data), skip_invalid=True)
    assert list(m.Member.objects.values_list("name", flat=True)) == ["王芳"]
    messages = [str(x) for x in sheets.client.get(response["Location"]).context["messages"]]
    assert "第3行" in messages[0]


def test_a_row_that_became_invalid_after_the_preview_rolls_the_whole_import_back(build, branch, sheets):
    data = members_sheet(["王芳", an_id(2), branch.name, "2010-07-01"], ["李丽", an_id(4), branch.name, "2011-07-01"])
    preview = sheets.upload("member", data)
    branch.is_active, branch.dissolved_on = False, datetime.date(2024, 1, 1)
    branch.save()  # dissolved between the preview and the confirm
    response = sheets.confirm("member", preview)
    assert response.status_code == 200
    assert "没有写入任何数据" in response.content.decode()
    assert m.Member.objects.count() == 0


def test_a_confirm_whose_file_is_gone_asks_for_the_upload_again(branch, sheets):
    response = sheets.upload("member", members_sheet(["王芳", an_id(2), branch.name, "2010-07-01"]))
    sheets.confirm("member", response)
    again = sheets.confirm("member", response)  # the same confirm posted twice
    assert again.status_code == 302 and again["Location"].endswith("/import/")
    assert m.Member.objects.count() == 1


# -- the other record types ---------------------------------------------------------------------------
def test_an_organization_tree_imports_in_one_file_whatever_the_order_of_its_rows(build, sheets):
    data = make_xlsx(
        ("党组织名称", "上级党组织", "组织类别", "单位类别", "办学性质", "成立日期"),
        ("红山区第九中学第一党支部", "红山区第九中学党总支", "党支部", "初中", "公办", "2019-03-01"),
        ("红山区第九中学党总支", build.root.name, "党总支", "初中", "公办", "2019-03-01"),
        ("红山区育英学校党支部", build.root.name, "党支部", "民办学校", "民办", "2020-05-01"),
    )
    response = sheets.upload("organization", data)
    assert preview_of(response)["new"] == 3
    sheets.confirm("organization", response)
    branch = m.Organization.objects.get(name="红山区第九中学第一党支部")
    assert branch.parent.name == "红山区第九中学党总支" and branch.parent.parent == build.root
    assert m.Organization.objects.get(name="红山区育英学校党支部").ownership == m.Ownership.PRIVATE


def test_an_organization_the_model_rules_refuse_is_reported_with_the_rule(build, sheets):
    data = make_xlsx(
        ("党组织名称", "上级党组织", "组织类别", "单位类别", "办学性质"),
        ("红山区育英学校党支部", build.root.name, "党支部", "民办学校", "公办"),
    )
    [problem] = preview_of(sheets.upload("organization", data))["problems"]
    assert problem.column == "办学性质" and "应为民办" in problem.message


def test_imported_elections_get_their_term_end_from_the_kind_of_organization(build, sheets):
    committee = build.org(name="红山区第一中学党委", kind=m.OrgKind.PARTY_COMMITTEE)
    branch = build.org(name="红山区第二小学党支部")
    data = make_xlsx(
        ("党组织", "选举日期"),
        (committee.name, "2021-06-30"),
        (branch.name, "2020.02.29"),
    )
    sheets.confirm("election", sheets.upload("election", data))
    assert m.Election.objects.get(organization=committee).term_ends_on == datetime.date(2026, 6, 30)
    assert m.Election.objects.get(organization=branch).term_ends_on == datetime.date(2023, 2, 28)
    again = preview_of(sheets.upload("election", data))
    assert again["skip"] == 2
    # Re-imported with a term the kind does not have, the row is refused at its 任期 cell and nothing changes.
    longer = make_xlsx(("党组织", "选举日期", "任期"), (branch.name, "2020.02.29", 5))
    [problem] = preview_of(sheets.upload("election", longer))["problems"]
    assert (problem.row, problem.column) == (2, "任期（年）") and "党支部每届任期3年" in problem.message
    assert m.Election.objects.get(organization=branch).term_ends_on == datetime.date(2023, 2, 28)


def test_rectification_cases_import_with_their_problem_categories(build, sheets):
    school = build.org(name="红山区育英学校党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    leader = m.Leader.objects.create(name="李文华", title=m.Leader.Title.DEPUTY)
    data = make_xlsx(
        ("党组织", "年度", "排查方式", "排查确定日期", "问题类别", "存在问题", "包抓领导", "整改时限", "状态", "验收人",
         "验收日期", "销号日期", "树为典型"),
        (school.name, 2023, "巡察督查发现", "2023-03-01", "党员教育管理松散、其他", "三会一课不落实", leader.name, "2023-10-30",
         "已销号", leader.name, "2023-10-13", "2023-10-20", "是"),
    )
    sheets.confirm("rectificationcase", sheets.upload("rectificationcase", data))
    case = m.RectificationCase.objects.get()
    assert {c.name for c in case.categories.all()} == {"其他", "党员教育管理松散"}
    assert case.is_exemplary and case.responsible_leader == leader and case.status == "closed"
    assert (case.identified_by, case.accepted_by, case.accepted_on) == ("inspection", leader.name, datetime.date(2023, 10, 13))
    assert preview_of(sheets.upload("rectificationcase", data))["skip"] == 1


def test_assessments_and_work_log_entries_import_by_their_labels(build, branch, sheets):
    assessments = make_xlsx(("党支部", "年度", "评定结果", "评定日期"), (branch.name, 2023, "示范", "2023-12-20"))
    worklog = make_xlsx(
        ("日期", "工作类型", "事项", "数量", "研究议题数"), ("2023-03-15", "党工委会议", "党工委会议（第1次）", 1, 3),
    )
    sheets.confirm("assessment", sheets.upload("assessment", assessments))
    sheets.confirm("worklogentry", sheets.upload("worklogentry", worklog))
    assert m.Assessment.objects.get().result == m.AssessmentResult.EXEMPLARY
    entry = m.WorkLogEntry.objects.get()
    assert (entry.kind, entry.topics) == (m.WorkKind.COMMITTEE_MEETING, 3)


# -- cost ---------------------------------------------------------------------------------------------
def import_counting_queries(branch, count, offset, times=1):
    rows = [[f"党员{i}", an_id(i + offset), branch.name, "2010-07-01"] for i in range(count)]
    data = members_sheet(*rows)
    for _ in range(times):
        resource = MemberResource()
        with CaptureQueriesContext(connection) as queries:
            result = resource.import_data(resource.read(data), dry_run=False)
    sql = [q["sql"] for q in queries]
    inserts = sum(s.startswith('INSERT INTO "branches_member"') for s in sql)
    # The audit trail's writes (the import's event, a history row per member) are counted apart.
    audit = sum(s.startswith(('INSERT INTO "audit_', 'UPDATE "audit_')) for s in sql)
    return result, len(sql) - inserts - audit, inserts


def test_importing_twice_as_many_rows_takes_no_more_lookups_and_inserts_in_batches(branch):
    result, lookups, inserts = import_counting_queries(branch, 150, 0)
    result2, lookups2, inserts2 = import_counting_queries(branch, 300, 300)
    assert (result.totals["new"], result2.totals["new"]) == (150, 300)
    assert lookups == lookups2
    # SQLite takes at most 999 values per statement (as many members as fit, a value per column); PostgreSQL
    # takes the whole batch.
    per_statement = 999 // (len(m.Member._meta.concrete_fields) - 1)
    assert inserts2 <= math.ceil(300 / per_statement)


def test_reimporting_twice_as_many_unchanged_rows_takes_no_more_queries(branch):
    result, lookups, inserts = import_counting_queries(branch, 150, 0, times=2)
    result2, lookups2, inserts2 = import_counting_queries(branch, 300, 300, times=2)
    assert (result.totals["skip"], result2.totals["skip"]) == (150, 300)
    assert lookups == lookups2 and inserts == inserts2 == 0


def test_an_update_writes_only_the_columns_the_file_changed_in_batches_of_200(branch):
    header = ("姓名", "身份证号码", "所在党组织", "入党日期", "联系电话")
    rows = [[f"党员{i}", an_id(i), branch.name, "2010-07-01", f"1390000{i:04d}"] for i in range(450)]
    resource = MemberResource()
    resource.import_data(resource.read(members_sheet(*rows, header=header)), dry_run=False)
    for row in rows:
        row[4] = row[4].replace("139", "177", 1)
    resource = MemberResource()
    with CaptureQueriesContext(connection) as queries:
        result = resource.import_data(resource.read(members_sheet(*rows, header=header)), dry_run=False)
    assert result.totals["update"] == 450
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "branches_member"')]
    # Django writes a CASE per row and column given: every column of 450 rows in one statement costs seconds.
    assert len(updates) == 3
    assert all(re.findall(r'"(\w+)" = \(?CASE', sql) == ["phone"] for sql in updates)
    phones = dict(m.Member.objects.values_list("name", "phone"))
    assert phones["党员0"] == "17700000000" and phones["党员449"] == "17700000449"
    assert m.Member.objects.filter(join_date=datetime.date(2010, 7, 1), organization=branch).count() == 450
    change = m.Member.history.filter(name="党员7").latest("history_date")
    assert [(c.field, c.old, c.new) for c in change.diff_against(change.prev_record).changes] == [
        ("phone", "13900000007", "17700000007")
    ]


def test_an_imported_members_history_row_holds_the_record_exactly_as_stored(branch):
    header = ("姓名", "身份证号码", "所在党组织", "入党日期", "转正日期", "联系电话", "学历", "党内职务")
    data = members_sheet(("王芳", an_id(3), branch.name, "2010-07-01", "2011-07-01", "13900001111", "硕士研究生", "书记"),
                         header=header)
    resource = MemberResource()
    resource.import_data(resource.read(data), dry_run=False, file_name="名册.xlsx")
    member = m.Member.objects.get()
    row = m.Member.history.get()
    assert [getattr(row, f.attname) for f in row.tracked_fields] == [getattr(member, f.attname) for f in row.tracked_fields]
    assert (row.history_type, row.history_change_reason, row.instance.pk) == ("+", "导入：名册.xlsx", member.pk)
    assert row.import_batch.file_name == "名册.xlsx"


# -- permissions --------------------------------------------------------------------------------------
def test_importing_needs_the_add_permission(branch, client, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="a-long-test-password", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(clerk)
    assert client.get("/admin/branches/member/import/").status_code == 403
    assert client.get("/admin/branches/member/template/").status_code == 403
    assert client.get("/admin/branches/member/export/").status_code == 200


# -- the command ----------------------------------------------------------------------------------------
def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_sheet", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def roster(tmp_path, branch):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(members_sheet(
        ["王芳", an_id(2), branch.name, "2010-07-01"],
        ["李丽", an_id(4), "不存在的党支部", "2011-07-01"],
    ))
    return str(path)


def test_the_command_previews_by_default_and_writes_nothing(roster):
    code, output = run("members", roster)
    assert code == 1
    assert "新增1行" in output and "有误1行" in output
    assert "第3行\t所在党组织\t不存在的党支部\t系统中没有名为“不存在的党支部”的党组织" in output
    assert m.Member.objects.count() == 0


def test_the_command_commits_nothing_while_a_row_is_invalid(roster):
    code, output = run("members", roster, "--commit")
    assert code == 1 and "未写入任何数据" in output
    assert m.Member.objects.count() == 0


def test_the_command_can_skip_the_invalid_rows_and_lists_them(roster):
    code, output = run("members", roster, "--commit", "--skip-invalid")
    assert code == 1 and "跳过有误的1行（第3行）" in output
    assert list(m.Member.objects.values_list("name", flat=True)) == ["王芳"]


def test_the_command_exits_0_when_every_row_is_valid(tmp_path, branch):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(members_sheet(["王芳", an_id(2), branch.name, "2010-07-01"]))
    assert run("members", str(path))[0] == 0
    assert m.Member.objects.count() == 0
    assert run("members", str(path), "--commit")[0] == 0
    assert m.Member.objects.count() == 1


def test_the_command_explains_a_file_that_is_not_a_spreadsheet(tmp_path, branch):
    path = tmp_path / "说明.xlsx"
    path.write_bytes(b"%PDF-1.4 not a sheet")
    code, output = run("members", str(path))
    assert code == 1 and "PDF" in output


def test_the_format_the_admin_uses_reads_the_same_table_as_the_command(branch):
    data = members_sheet(["王芳", an_id(2), branch.name, "2010-07-01"])
    assert sheet_format(MemberResource)().create_dataset(data).dict == MemberResource().read(data).dict


def test_a_closed_case_imported_without_its_acceptance_is_refused_at_its_row_and_column(build, sheets):
    school = build.org(name="红山区第九小学党支部")  # a public school: rectification is not for private ones only
    data = make_xlsx(("党组织", "年度", "存在问题", "整改时限", "状态", "销号日期"),
                     (school.name, 2023, "三会一课不落实", "2023-10-30", "已销号", "2023-10-20"))
    [problem] = preview_of(sheets.upload("rectificationcase", data))["problems"]
    assert (problem.row, problem.column) == (2, "验收日期") and "销号前须经验收" in problem.message
    assert not m.RectificationCase.objects.exists()
