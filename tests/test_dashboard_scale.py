"""Bounded queries: the figures and the dashboard ask the database as often for 38,000 members as for 3,800."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import demo as demo_module
from reports.figures import district


def test_the_figures_and_the_dashboard_take_as_many_queries_for_38000_members_as_for_3800(db, admin_client):
    counts = {}
    for members in (3800, 38000):
        demo_module.load(members=members, reset=True)
        admin_client.get("/dashboard/")  # the session and the user, once
        with CaptureQueriesContext(connection) as figures:
            assert district(2023).members.total == members
        with CaptureQueriesContext(connection) as page:
            assert admin_client.get("/dashboard/").context["n"]["members"].value == members
        counts[members] = len(figures), len(page)
    assert counts[3800] == counts[38000]
    figure_queries, page_queries = counts[3800]
    # The page adds the early-warning panel (its own bounded set of queries) and the session and user; the
    # 发展党员 figures are three or four of the figures' queries, and two of the panel's; the 述职评议 card fourteen
    # (the round, its organizations, its 测评 items, the grade rules with their item weights, the grades' ballots and
    # vetoes, the reports submitted, the follow-ups), and one for the panel's late follow-ups, two for its transfer
    # rules (回执未返回, 转入党员信息不全), one for the recruits' 培养联系人, and the posts read from the tenures counted on
    # the day. The organizations' state is the figures' (their last elections read with the organizations), not
    # counted again for the panel and meeting compliance, whose organizations' parents are joined.
    assert figure_queries <= 24 and page_queries <= 71


def _roll_passes(queries):
    """The queries that count members per organization (staffing_counts: full_count, roll_count)."""
    return [q["sql"] for q in queries if '"roll_count"' in q["sql"] and "branches_member" in q["sql"]]


def test_a_cold_dashboard_counts_the_roll_once_and_its_warnings_are_those_the_list_finds(demo, admin_client):
    from branches.early_warning import evaluate

    admin_client.get("/dashboard/?year=2023")  # the session and the user, once
    with CaptureQueriesContext(connection) as page:
        response = admin_client.get("/dashboard/?year=2023")
    # The figures' pass over the roll gives each organization's state; the warnings and meeting compliance read it
    # (or the tenures), they do not count the members again.
    assert len(_roll_passes(page.captured_queries)) == 1
    panel = response.context["warning_panel"]
    alone = evaluate(panel["on"])  # the list page's own evaluation, counting the roll itself
    assert [(row["rule"].code, row["total"]) for row in panel["rows"]] == [(r.code, n) for r, n, _, _ in alone.counts()]
    assert panel["flagged"] == len(alone.by_organization) and panel["evaluated"] == len(alone.organizations)


def test_meeting_compliance_reads_the_posts_not_the_roll(demo):
    import datetime

    from reports.meetings import compliance

    with CaptureQueriesContext(connection) as queries:
        result = compliance(2023, on=datetime.date(2023, 12, 31))
    assert result.total.expected and not _roll_passes(queries.captured_queries)
