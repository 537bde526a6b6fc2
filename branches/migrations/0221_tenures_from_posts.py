"""Today's posts become tenures (任职), and the elections' names become the people they elected, before 0222 drops
the columns that held them.

- Every member with a 党内职务 gets an open tenure of that post in their own organization, from the day of the last
  换届 of that organization if there is one, else from their conversion (else joining) date; never before the
  member could hold it (the conversion, else joining). Where the tenure starts on that 换届's day and the 换届
  wrote the member's name as 书记, 副书记 or among the 委员, the tenure points to it. A probationary post holder (entered before the rule) gets one too,
  so that nothing entered is lost: the figures do not count it (Tenure.objects.counted) and the office sees it.
- An election's names that match no post holder are kept in its 备注, so that no written name is lost.
- A secretary's member change waiting for review loses its proposed 党内职务 (the column goes; a post is a tenure the
  office records), so that approving the rest of it still applies; the other values stay as proposed.
- Organization.secretary_vacant_since is not carried over: the vacancy is now derived (the day the last secretary's
  tenure ended, else the founding). That is safe: no tenure has ended yet, so an organization without a secretary
  reads as vacant since its founding, on or before the stored date, and every vacancy flagged before is flagged
  still (for longer); the office corrects it by entering the former secretary's tenure with its 离任日期.
"""
from django.db import migrations

SEPARATORS = ("、", ",", "，", ";", "；", "/", "\n")


def names_in(text):
    for sep in SEPARATORS:
        text = text.replace(sep, "、")
    return {"".join(part.split()) for part in text.split("、") if part.strip()}


def posts_to_tenures(apps, schema_editor):
    Member = apps.get_model("branches", "Member")
    Election = apps.get_model("branches", "Election")
    Tenure = apps.get_model("branches", "Tenure")
    last = {}
    for election in Election.objects.filter(kind="new_term").order_by("organization_id", "-held_on", "-pk"):
        last.setdefault(election.organization_id, election)
    matched, tenures = set(), []
    for member in Member.objects.exclude(party_post="").iterator():
        earliest = member.full_member_date or member.join_date
        election = last.get(member.organization_id)
        started = max(election.held_on, earliest) if election else earliest
        named = None
        if election is not None and started == election.held_on:  # elected then, not a member who joined later
            names = {"secretary": names_in(election.secretary_name), "deputy_secretary": names_in(election.deputy_names)}
            everyone = names_in(election.committee_members) | names["secretary"] | names["deputy_secretary"]
            if "".join(member.name.split()) in (names.get(member.party_post) or everyone):
                named = election
                matched.add((election.pk, "".join(member.name.split())))
        tenures.append(Tenure(member=member, organization_id=member.organization_id, post=member.party_post,
                              started_on=started, election=named))
    Tenure.objects.bulk_create(tenures, batch_size=1000)
    for election in Election.objects.all().iterator():
        written = names_in(election.secretary_name) | names_in(election.deputy_names) | names_in(election.committee_members)
        left = sorted(n for n in written if (election.pk, n) not in matched)
        if left:
            kept = f"原登记当选人（名册中未对应到任职）：{'、'.join(left)}"
            election.note = f"{election.note}\n{kept}" if election.note else kept
            election.save(update_fields=["note"])
    MemberChange = apps.get_model("branches", "MemberChange")
    for change in MemberChange.objects.filter(review_status__in=("pending", "returned")).iterator():
        if "party_post" in change.values:
            change.values.pop("party_post")
            change.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0220_tenure"),
        ("audit", "0220_tenure_history"),
    ]

    operations = [migrations.RunPython(posts_to_tenures, migrations.RunPython.noop)]
