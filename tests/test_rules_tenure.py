"""任职: posts held through time. Each rule of Tenure, of the staffing read from tenures on a date, and of the
elections that open and close them, checked on hand-built cases and through the admin and the import.

The committee rules cite 中国共产党支部工作条例（试行）: the searched texts quote them (有正式党员7人以上的党支部，应当设立
党支部委员会；党支部委员会由3至5人组成…设书记和组织委员、宣传委员、纪检委员等；正式党员不足7人的党支部，设1名书记) from its 第六章
(党支部委员会和党支部书记); no searched page gave the article's number, and 第十条, once cited here, is the branch's
basic tasks (第三章), not the committee.
"""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import roles
from branches import models as m
from conftest import make_xlsx
from reports import figures
from scoped_district import account, as_user, district, secretary  # noqa: F401  (fixtures)

D = datetime.date
P = m.Member.Post
PROBATIONARY = m.Member.Status.PROBATIONARY


def errors_of(tenure):
    with pytest.raises(ValidationError) as err:
        tenure.full_clean()
    return err.value.message_dict


def tenure(member, post, since, until=None, organization=None, election=None):
    return m.Tenure(member=member, organization=organization or member.organization, post=post, started_on=since,
                    ended_on=until, election=election)


# -- Tenure.clean ---------------------------------------------------------------------------------------
def test_a_probationary_member_cannot_hold_a_post_nor_one_from_before_the_conversion(build):
    # 中国共产党章程 第七条: 预备党员…没有表决权、选举权和被选举权
    org = build.org()
    probationary = build.member(org, status=PROBATIONARY, join=D(2023, 3, 1))
    assert "党章第七条" in errors_of(tenure(probationary, P.SECRETARY, D(2023, 6, 1)))["member"][0]
    converted = build.member(org, join=D(2020, 5, 1))  # full from 2021-05-01
    assert "尚是预备党员" in errors_of(tenure(converted, P.ORGANIZATION, D(2021, 4, 30)))["started_on"][0]
    tenure(converted, P.ORGANIZATION, D(2021, 5, 1)).full_clean()


def test_a_post_is_held_in_the_members_own_organization_or_one_above_it(build):
    # 党章第八条 and the issue's rule: members sit in branches; a 党委's committee are members of its branches.
    school = build.org(kind=m.OrgKind.PARTY_COMMITTEE)
    branch, sibling = build.org(parent=school), build.org(parent=school)
    member = build.member(branch)
    tenure(member, P.SECRETARY, D(2022, 1, 1)).full_clean()
    tenure(member, P.ORGANIZATION, D(2022, 1, 1), organization=school).full_clean()
    assert "只能在本组织或其上级党组织任职" in errors_of(tenure(member, P.COMMITTEE, D(2022, 1, 1), organization=sibling))["organization"][0]
    # Ended, a tenure may be where the member was before a move.
    tenure(member, P.COMMITTEE, D(2019, 1, 1), D(2020, 1, 1), organization=sibling).full_clean()


def test_a_tenure_starts_on_or_after_joining_and_ends_after_it_starts(build):
    member = build.member(build.org(), join=D(2010, 7, 1))
    assert "不能早于入党日期" in errors_of(tenure(member, P.YOUTH, D(2010, 6, 30)))["started_on"][0]
    assert "应晚于任职日期" in errors_of(tenure(member, P.YOUTH, D(2015, 1, 1), D(2015, 1, 1)))["ended_on"][0]


def test_one_member_holds_a_post_in_an_organization_once_at_a_time(build):
    member = build.member(build.org())
    build.tenure(member, P.PUBLICITY, since=D(2020, 1, 1), until=D(2023, 1, 1))
    assert "不能重叠" in errors_of(tenure(member, P.PUBLICITY, D(2022, 12, 31)))["post"][0]
    tenure(member, P.PUBLICITY, D(2023, 1, 1)).full_clean()  # from the first day out on: no overlap
    tenure(member, P.DISCIPLINE, D(2021, 1, 1)).full_clean()  # another post beside it


def test_an_organization_has_one_secretary_at_a_time(build):
    # 中国共产党支部工作条例（试行）: 党支部委员会设书记 (one), 必要时可以设1名副书记
    org = build.org()
    first, second = build.member(org), build.member(org)
    build.tenure(first, P.SECRETARY, since=D(2020, 1, 1))
    message = errors_of(tenure(second, P.SECRETARY, D(2023, 3, 1)))["post"][0]
    assert "同一时间只能有一名书记" in message and first.name in message
    m.Tenure.objects.filter(member=first).update(ended_on=D(2023, 3, 1))
    tenure(second, P.SECRETARY, D(2023, 3, 1)).full_clean()  # the successor from the day the first left


def test_a_tenure_is_valid_from_its_first_day_to_the_day_before_it_ended(build):
    member = build.member(build.org())
    held = build.tenure(member, P.SECRETARY, since=D(2021, 3, 1), until=D(2024, 3, 1))
    valid = m.Tenure.objects.filter(pk=held.pk).valid_on
    assert not valid(D(2021, 2, 28)).exists() and valid(D(2021, 3, 1)).exists()
    assert valid(D(2024, 2, 29)).exists() and not valid(D(2024, 3, 1)).exists()


# -- staffing on a date, from tenures -------------------------------------------------------------------
def test_a_secretary_whose_tenure_ended_in_2024_still_counts_for_2023(build):
    # 中国共产党支部工作条例（试行）: 正式党员不足7人的党支部，设1名书记. A past year reads the tenures valid then.
    org = build.org(founded_on=D(2015, 1, 1))
    secretary = build.member(org, born=D(1966, 2, 1))
    build.member(org)
    build.tenure(secretary, P.SECRETARY, since=D(2020, 9, 1), until=D(2024, 4, 1))
    year_end = m.Organization.objects.with_staffing(D(2023, 12, 31)).get(pk=org.pk)
    assert m.staffing_of(year_end) == m.Staffing.COMPLETE and year_end.secretary_birth == D(1966, 2, 1)
    now = m.Organization.objects.with_staffing().get(pk=org.pk)
    assert m.staffing_of(now) == m.Staffing.NO_SECRETARY and now.secretary_vacant_since == D(2024, 4, 1)
    f = figures.district(2023)
    assert f.leadership.secretaries == 1 and not f.leadership.no_secretary
    assert [b.count for b in f.leadership.secretary_age_bands][-1] == 1  # 57 on 2023-12-31: ageing
    assert [o.pk for o in f.leadership.ageing] == [org.pk]


def test_a_party_committee_counts_the_tenures_in_it_of_its_branches_members(build):
    # A basic-level 党委's committee has 5 to 9 members (基层组织选举工作条例); they are members of its branches.
    school = build.org(kind=m.OrgKind.PARTY_COMMITTEE)
    branches = [build.org(parent=school) for _ in range(2)]
    people = [build.member(b) for b in branches for _ in range(3)]
    posts = [P.SECRETARY, P.DEPUTY_SECRETARY, P.ORGANIZATION, P.PUBLICITY]
    for person, post in zip(people, posts):
        build.tenure(person, post, since=D(2021, 6, 1), organization=school)
    build.tenure(people[0], P.SECRETARY, since=D(2021, 6, 1))  # also its own branch's secretary
    state = m.Organization.objects.with_staffing(D(2023, 12, 31)).get(pk=school.pk)
    assert (state.committee_count, m.staffing_of(state)) == (4, m.Staffing.INCOMPLETE)
    build.tenure(people[4], P.DISCIPLINE, since=D(2023, 1, 1), organization=school)
    state = m.Organization.objects.with_staffing(D(2023, 12, 31)).get(pk=school.pk)
    assert (state.committee_count, m.staffing_of(state)) == (5, m.Staffing.COMPLETE)
    posts, secretaries = m.Tenure.objects.posts_by_organization(D(2023, 12, 31))
    assert posts[school.pk][0] == 5 and posts[branches[0].pk][0] == 1
    assert list(secretaries) == [people[0].pk]  # one person, secretary of both


def test_a_probationary_or_departed_post_holder_is_not_counted(build):
    # 中国共产党章程 第七条; a member off the roll holds no post.
    org = build.org()
    probationary = build.member(org, status=PROBATIONARY, join=D(2023, 3, 1))
    m.Tenure.objects.create(member=probationary, organization=org, post=P.SECRETARY, started_on=D(2023, 6, 1))
    gone = build.member(org, post=P.ORGANIZATION)
    gone.roll_status, gone.left_on = m.Member.Roll.TRANSFERRED, D(2023, 8, 1)
    gone.save()
    state = m.Organization.objects.with_staffing(D(2023, 12, 31)).get(pk=org.pk)
    assert (state.committee_count, m.has_secretary(state)) == (0, False)
    assert gone.tenures.get().ended_on == D(2023, 8, 1)  # leaving the roll ends the post that day


def test_staffing_from_tenures_takes_a_fixed_number_of_queries(build, django_assert_max_num_queries):
    for n in (2, 12):
        for _ in range(n):
            org = build.org()
            build.tenure(build.member(org), P.SECRETARY, since=D(2020, 1, 1))
            build.tenure(build.member(org), P.ORGANIZATION, since=D(2020, 1, 1))
        with django_assert_max_num_queries(1):
            list(m.Organization.objects.with_staffing(D(2023, 12, 31)))
        with django_assert_max_num_queries(1):
            m.Tenure.objects.posts_by_organization(D(2023, 12, 31))


# -- elections open and close tenures -------------------------------------------------------------------
def election_form(org, held_on, kind="new_term", people=(), prefix="tenures"):
    data = {"organization": org.pk, "kind": kind, "held_on": held_on.isoformat(), "term_years": "",
            "postponed_to": "", "electorate": "", "present": "", "candidates": "", "seats": "",
            "approval_document": "", "approved_on": "", "note": "",
            f"{prefix}-TOTAL_FORMS": str(len(people)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, (member, post) in enumerate(people):
        data.update({f"{prefix}-{i}-member": member.pk, f"{prefix}-{i}-post": post, f"{prefix}-{i}-ended_on": ""})
    return data


def test_a_new_term_election_in_the_admin_opens_the_elected_tenures_and_closes_the_previous_terms(build, admin_client):
    # 中国共产党基层组织选举工作条例: the committee is elected for a term; the new term replaces the previous one.
    org = build.org()
    old, new, kept = build.member(org), build.member(org), build.member(org)
    build.tenure(old, P.SECRETARY, since=D(2020, 5, 1))
    build.tenure(kept, P.ORGANIZATION, since=D(2020, 5, 1))
    url = reverse("admin:branches_election_add")
    response = admin_client.post(url, election_form(org, D(2023, 5, 10), people=[(new, P.SECRETARY), (kept, P.ORGANIZATION)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    election = m.Election.objects.get(organization=org)
    assert election.secretary == new
    assert {(t.member, t.started_on) for t in election.tenures.all()} == {(new, D(2023, 5, 10)), (kept, D(2023, 5, 10))}
    assert set(m.Tenure.objects.filter(ended_on=D(2023, 5, 10)).values_list("member", flat=True)) == {old.pk, kept.pk}
    assert m.Tenure.objects.valid_on(D(2023, 5, 9)).get(post=P.SECRETARY).member == old


def test_a_by_election_opens_the_new_tenure_and_leaves_the_others(build, admin_client):
    # 选举工作条例: 补选 fills a vacant seat within the term (it does not restart it).
    org = build.org()
    secretary, newcomer = build.member(org), build.member(org)
    build.tenure(secretary, P.SECRETARY, since=D(2021, 5, 1))
    response = admin_client.post(reverse("admin:branches_election_add"),
                                 election_form(org, D(2023, 9, 1), kind="by_election", people=[(newcomer, P.PUBLICITY)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert m.Tenure.objects.get(member=secretary).ended_on is None
    assert m.Tenure.objects.get(member=newcomer).started_on == D(2023, 9, 1)


def test_the_admin_refuses_a_second_secretary_and_a_probationary_one_with_the_field_named(build, admin_client):
    org = build.org()
    sitting, other = build.member(org), build.member(org)
    probationary = build.member(org, status=PROBATIONARY, join=D(2023, 3, 1))
    build.tenure(sitting, P.SECRETARY, since=D(2021, 5, 1))
    url = reverse("admin:branches_election_add")
    response = admin_client.post(url, election_form(org, D(2023, 9, 1), kind="by_election", people=[(other, P.SECRETARY)]))
    assert response.status_code == 200 and "同一时间只能有一名书记" in response.content.decode()
    response = admin_client.post(url, election_form(org, D(2023, 9, 1), people=[(probationary, P.SECRETARY)]))
    assert response.status_code == 200 and "党章第七条" in response.content.decode()
    assert not m.Election.objects.exists()


ELECTION_HEADERS = ("党组织", "选举类别", "选举日期", "书记", "副书记", "委员")


def test_an_election_import_names_the_elected_by_id_number_or_unambiguous_name(build, sheets):
    org = build.org(name="红山区示例小学党支部")
    zhang, li, wang = (build.member(org, name=n) for n in ("张三", "李四", "王五"))
    build.tenure(build.member(org, name="赵六"), P.SECRETARY, since=D(2020, 4, 1))
    data = make_xlsx(ELECTION_HEADERS, (org.name, "换届", D(2023, 4, 20), zhang.id_number, "", "张三、李四、王五"))
    preview = sheets.upload("election", data)
    assert preview.context["preview"]["new"] == 1, preview.content.decode()[:3000]
    sheets.confirm("election", preview)
    election = m.Election.objects.get(organization=org)
    assert {(t.member.name, t.post, t.started_on) for t in election.tenures.all()} == {
        ("张三", P.SECRETARY, D(2023, 4, 20)), ("李四", P.COMMITTEE, D(2023, 4, 20)), ("王五", P.COMMITTEE, D(2023, 4, 20))}
    assert m.Tenure.objects.get(member__name="赵六").ended_on == D(2023, 4, 20)  # the previous term's
    assert m.Tenure.objects.filter(member__in=[li, wang]).count() == 2


def test_an_election_import_refuses_an_unknown_or_ambiguous_name_by_row_and_column_and_writes_nothing(build, sheets):
    org = build.org(name="红山区示例小学党支部")
    build.member(org, name="张三")
    build.member(org, name="李四")
    build.member(org, name="李四")
    data = make_xlsx(ELECTION_HEADERS,
                     (org.name, "换届", D(2023, 4, 20), "张三", "", "李四"),
                     (org.name, "补选", D(2023, 10, 9), "", "", "孙七"))
    text = sheets.upload("election", data).content.decode()
    assert "第2行" in text and "有2名在册党员叫“李四”，请改填其公民身份号码" in text
    assert "第3行" in text and "“孙七”不在" in text
    assert not m.Election.objects.exists() and not m.Tenure.objects.exists()


def test_a_member_import_does_not_read_posts_and_says_so(build, sheets):
    from branches.idcard import make_id_number

    org = build.org(name="红山区示例小学党支部")
    born = D(1975, 3, 4)
    row = ["张三", make_id_number("620402", born, 17), born, org.name, "正式党员", D(2000, 7, 1), D(2001, 7, 1), "书记"]
    headers = ["姓名", "身份证号码", "出生日期", "所在党组织", "党员类别", "入党日期", "转正日期", "党内职务"]
    preview = sheets.upload("member", make_xlsx(headers, row))
    assert "“党内职务”" in preview.content.decode()  # 以下列不是导入项，已忽略
    sheets.confirm("member", preview)
    assert m.Member.objects.filter(name="张三").exists() and not m.Tenure.objects.exists()


# -- scope ----------------------------------------------------------------------------------------------
def test_a_secretary_sees_only_the_tenures_of_their_subtree_and_cannot_write_them(district, secretary):
    # The branch secretary's member holds a post in the 党委 above: that record is the 党委's, not the branch's.
    mine = m.Tenure.objects.create(member=district.member, organization=district.branch, post=P.SECRETARY,
                                   started_on=D(2022, 5, 1))
    upper = m.Tenure.objects.create(member=district.member, organization=district.school, post=P.ORGANIZATION,
                                    started_on=D(2022, 5, 1))
    other = m.Tenure.objects.create(member=district.other_member, organization=district.other, post=P.SECRETARY,
                                    started_on=D(2022, 5, 2))
    branch_secretary = as_user(account("育英学校第一党支部", roles.SECRETARY, district.branch))
    listing = branch_secretary.get(reverse("admin:branches_tenure_changelist"))
    assert list(listing.context["cl"].result_list) == [mine]
    assert branch_secretary.get(reverse("admin:branches_tenure_change", args=[other.pk])).status_code == 404
    page = branch_secretary.get(reverse("admin:branches_member_change", args=[district.member.pk]))
    [inline] = [f for f in page.context["inline_admin_formsets"] if f.formset.model is m.Tenure]
    assert [form.instance for form in inline.formset.forms] == [mine]  # not the post in the 党委 above
    school_secretary = as_user(secretary)
    assert set(school_secretary.get(reverse("admin:branches_tenure_changelist")).context["cl"].result_list) == {mine, upper}
    assert school_secretary.post(reverse("admin:branches_tenure_add"), {}).status_code == 403
