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
    # rules (回执未返回, 转入党员信息不全), and the posts read from the tenures counted on the day.
    assert figure_queries <= 25 and page_queries <= 73
