"""A secretary's member import proposes: the confirmed rows become changes waiting for the office's review
(MemberChange, in models.py), and the roll is written only when the office approves them. The rows are judged as
any import's are (the model's rules, the secretary's scope) before they get here; the office's imports, and the
command line, write the roll at once."""
from . import models as m
from .history import copy_to_history

PROPOSED_NOTE = "党组织书记导入的党员信息须经工委组织科审核：确认导入后提交为待审核的变更，审核通过后党员名册才会变更。"


class ProposedMembersMixin:
    """On the member resource, before the machinery's bulk writes (importing.SheetResource)."""

    def _proposes(self):
        user = getattr(self, "user", None)
        return user is not None and not m.decides(user)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.proposed_count = 0

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self._proposes():
            return super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        members, self.create_instances = list(self.create_instances), []
        if not dry_run:
            self._propose([(member, None) for member in members])

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self._proposes():
            return super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        members, self.update_instances = list(self.update_instances), []
        self.changed_fields.clear()
        if not dry_run:
            stored = m.Member.objects.in_bulk([member.pk for member in members])
            self._propose([(member, stored[member.pk]) for member in members])

    def _propose(self, pairs):
        """One change per row, an open change of the same member replaced; two queries and their history rows."""
        open_changes = {c.member_id: c for c in m.MemberChange.objects.open().filter(
            member__in=[stored.pk for _, stored in pairs if stored is not None])}
        changes = [m.MemberChange.propose(self.user, member, stored, open_changes.get(stored.pk) if stored else None)
                   for member, stored in pairs]
        changes = [c for c in changes if c is not None]
        new = [c for c in changes if c.pk is None]
        again = [c for c in changes if c.pk is not None]
        m.MemberChange.objects.bulk_create(new)
        m.MemberChange.objects.bulk_update(again, ["kind", "values", "name", "organization", *m.Reviewed.REVIEW_FIELDS])
        batch = getattr(self, "batch", None)
        reason = f"导入：{batch.file_name}"[:100] if batch else "导入"
        copy_to_history(m.MemberChange, [c.pk for c in new], "+", user=self.user, batch=batch, reason=reason)
        copy_to_history(m.MemberChange, [c.pk for c in again], "~", user=self.user, batch=batch, reason=reason)
        self.proposed_count += len(changes)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self._proposes():
            result.notes.append(PROPOSED_NOTE)
            result.proposed_changes = self.proposed_count
