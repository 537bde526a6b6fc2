"""The three roles, as groups with their permissions, and the one way an account is given a role."""
from django.apps import apps as global_apps
from django.db import transaction

ADMIN, SECRETARY, LEADER = "admin", "secretary", "leader"
GROUPS = {ADMIN: "工委管理员", SECRETARY: "党组织书记", LEADER: "领导"}

# What the leaders read: the records, the audit trail and the reports; not accounts or personal data.
READ_APPS = ("branches", "audit", "reports")
# The committee's own records, which a school's secretary has no business with.
COMMITTEE_ONLY = {"branches.worklogentry", "branches.annualplan", "branches.reporttext"}
# Scoped, but only read: the tree is the committee's to change (it approves new organizations), the recruitment
# plan is the quota it sets, and the imports are written by the system.
SECRETARY_READS_ONLY = {"branches.organization", "branches.importbatch", "branches.recruitmentplan", "branches.comment"}


def is_scoped(model):
    """A model whose rows belong to an organization (its queryset has visible_to)."""
    return hasattr(model._default_manager.all(), "visible_to")


def role_codenames():
    """{role: {(app_label, codename)}} from the models as they are now; new models are covered as they come."""
    wanted = {ADMIN: set(), SECRETARY: set(), LEADER: set()}
    for model in global_apps.get_models():
        opts = model._meta
        label = opts.label_lower
        actions = {"view"} if opts.default_permissions == () else set(opts.default_permissions)
        codes = {(opts.app_label, f"{action}_{opts.model_name}") for action in actions}
        if opts.app_label in READ_APPS:
            wanted[LEADER].add((opts.app_label, f"view_{opts.model_name}"))
        if opts.app_label == "branches" and label not in COMMITTEE_ONLY:
            if is_scoped(model) and label not in SECRETARY_READS_ONLY:
                wanted[SECRETARY] |= codes
            else:
                wanted[SECRETARY].add((opts.app_label, f"view_{opts.model_name}"))
    return wanted


def sync_groups(apps=global_apps, **kwargs):
    """Create the three groups and give them their permissions. Adds only: a grant made by hand stays.

    Runs in the accounts migration (a fresh database has the roles) and after every migrate (post_migrate),
    so that a model added later is read by the leaders and, when it is scoped, kept by the secretaries.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = {(p.content_type.app_label, p.codename): p for p in Permission.objects.select_related("content_type")}
    wanted = role_codenames()
    for role, name in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = list(every.values()) if role == ADMIN else [every[key] for key in wanted[role] if key in every]
        group.permissions.add(*perms)


def group(role):
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=GROUPS[role])[0]


@transaction.atomic
def grant(user, role, organization, must_change_password=None):
    """Give `user` exactly one role and one organization; staff status so the admin opens for them."""
    from django.contrib.auth.models import Group

    from .models import Profile

    user.is_staff = True
    user.is_active = True
    user.save()
    user.groups.remove(*Group.objects.filter(name__in=GROUPS.values()))
    user.groups.add(group(role))
    defaults = {"organization": organization}
    if must_change_password is not None:
        defaults["must_change_password"] = must_change_password
    user.profile, _ = Profile.objects.update_or_create(user=user, defaults=defaults)
    user.__dict__.pop("_organization_ids_cache", None)
    return user


def check_password(password, username):
    """The office's rules for a password set from the command line (Django's validators, as in the admin's forms):
    CommandError with the reasons in Chinese."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.management.base import CommandError

    try:
        validate_password(password, get_user_model()(username=username))
    except ValidationError as exc:
        raise CommandError("密码不符合要求：" + "".join(exc.messages) + "未作任何改动。") from exc
