"""Imports and exports under the same rule as the admin, and in the audit trail (the resource mixins).

A plain django-import-export resource in bulk mode stands for the project's spreadsheet resources here.
"""
import datetime

import pytest
import tablib
from import_export import fields, resources, widgets

from branches.importing import OUTSIDE, AuditedResourceMixin, ScopedResourceMixin
from branches.models import ImportBatch
from branches import models as m
from branches.idcard import make_id_number
from scoped_district import district, office, secretary  # noqa: F401  (fixtures)


class MemberSheet(ScopedResourceMixin, AuditedResourceMixin, resources.ModelResource):
    organization = fields.Field(attribute="organization", column_name="organization",
                                widget=widgets.ForeignKeyWidget(m.Organization, "name"))

    class Meta:
        model = m.Member
        fields = ("name", "id_number", "organization", "join_date", "full_member_date", "phone")
        import_id_fields = ("id_number",)
        use_bulk = True
        skip_unchanged = True
        use_transactions = True
        clean_model_instances = True


HEADERS = ["name", "id_number", "organization", "join_date", "full_member_date", "phone"]


def row(member=None, name="新党员", seq=1, organization="育英学校第一党支部", phone="13100000000"):
    if member is not None:
        return [member.name, member.id_number, member.organization.name, member.join_date, member.full_member_date, member.phone]
    number = make_id_number("620403", datetime.date(1985, 1, 1), seq)
    return [name, number, organization, datetime.date(2010, 7, 1), datetime.date(2011, 7, 1), phone]


def run(user, rows, dry_run=False):
    return MemberSheet(user=user).import_data(tablib.Dataset(*rows, headers=HEADERS), dry_run=dry_run, user=user,
                                              file_name="党员名册.xlsx", use_transactions=True)


def test_a_secretarys_import_is_refused_row_by_row_outside_their_organization(district, secretary):
    other = district.other_member
    before = m.Member.objects.filter(pk=other.pk).values().get()
    changed_other = row(other)
    changed_other[5] = "13999999999"
    result = run(secretary, [
        row(seq=11),                                   # a new member of their branch
        row(seq=12, organization="博文学校党支部"),     # a new member of another school
        changed_other,                                  # a change to another school's member
        row(other),                                     # another school's member, unchanged: refused all the same
        row(district.member)[:2] + ["博文学校党支部"] + row(district.member)[3:],  # moving their member out
    ])
    invalid = {r.number: r.error.message_dict for r in result.invalid_rows}
    assert set(invalid) == {2, 3, 4, 5}
    assert all(OUTSIDE in sum(errors.values(), []) for errors in invalid.values())
    assert result.totals["new"] == 1
    assert m.Member.objects.filter(pk=other.pk).values().get() == before
    assert m.Member.objects.get(pk=district.member.pk).organization == district.branch
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.user, batch.organization, batch.created, batch.refused) == (
        "党员名册.xlsx", secretary, district.school, 1, 4)


def test_the_refusal_reads_the_same_whether_the_record_exists_elsewhere_or_not(district, secretary):
    result = run(secretary, [row(district.other_member), row(seq=21, organization="博文学校党支部")], dry_run=True)
    first, second = (r.error.message_dict for r in result.invalid_rows)
    assert list(first.values()) == list(second.values()) == [[OUTSIDE]]


def test_an_import_is_one_event_and_every_row_it_writes_points_to_it(district, office):
    result = run(office, [row(seq=31), row(seq=32), row(seq=33, organization="博文学校党支部"),
                          row(district.member)[:5] + ["13700000000"]])
    assert result.totals["new"] == 3 and result.totals["update"] == 1
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.updated, batch.user) == (3, 1, office)
    rows = m.Member.history.filter(import_batch=batch)
    assert sorted(rows.values_list("history_type", flat=True)) == ["+", "+", "+", "~"]
    assert set(rows.values_list("history_user", flat=True)) == {office.pk}
    assert rows.filter(history_type="~").get().phone == "13700000000"
    assert all(r.history_change_reason == "导入：党员名册.xlsx" for r in rows)


def test_a_preview_dry_run_leaves_no_event_and_no_history(district, office):
    run(office, [row(seq=41)], dry_run=True)
    assert not ImportBatch.objects.exists()
    assert not m.Member.history.filter(name="新党员").exists()


def test_exports_mask_numbers_for_a_secretary_and_not_for_the_office(district, secretary, office):
    members = m.Member.objects.filter(pk=district.member.pk)
    masked = MemberSheet(user=secretary).export(members)
    assert masked.dict[0]["phone"] == "139****5678" and "*" in masked.dict[0]["id_number"]
    full = MemberSheet(user=office).export(members)
    assert full.dict[0]["phone"] == "13912345678" and full.dict[0]["id_number"] == district.member.id_number
