"""Bounded queries: each of the office's main admin lists asks the database as often at 7,600 members as at 3,800.

The list's staffing and warning columns are computed for the page's rows, not per row, so a page of 50 rows costs
the same number of queries however large the district (benchmarks/lists.py prints the seconds).
"""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import demo as demo_module

LISTS = ["/admin/branches/organization/", "/admin/branches/member/", "/admin/branches/election/",
         "/admin/branches/rectificationcase/", "/admin/branches/transfer/", "/admin/branches/tenure/",
         "/admin/branches/meeting/"]
MOST = 40  # the queries of one list page, its filters' choices and the admin's own included


def test_each_main_list_takes_as_many_queries_for_7600_members_as_for_3800(db, admin_client):
    counts = {}
    for members in (3800, 7600):
        demo_module.load(members=members, reset=True)
        for url in LISTS:
            admin_client.get(url)  # the session and content types read once, as on any later page
            with CaptureQueriesContext(connection) as page:
                response = admin_client.get(url)
            assert response.status_code == 200
            counts[members, url] = len(page)
    for url in LISTS:
        assert counts[3800, url] == counts[7600, url] <= MOST, (url, counts)
