"""Who may see which organizations: the one rule every scoped queryset's visible_to() applies.

An account belongs to one organization and sees that organization and everything below it. The office's
admins and the leaders belong to the working committee, the root of the tree, and so see the whole district;
a school's secretary sees their school. An account without an organization sees nothing, so a forgotten
setting fails closed. Superusers (the installation account) see everything, as Django lets them do everything.
"""
import functools

from django.core.exceptions import ObjectDoesNotExist


def organization_ids(user):
    """None for every organization, else the ids this user may see (empty for none).

    Kept on the user object, as Django keeps its permissions there (_perm_cache): one request asks many
    times, and a user object lives for one request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    if not hasattr(user, "_organization_ids_cache"):
        user._organization_ids_cache = _organization_ids(user)
    return user._organization_ids_cache


def _organization_ids(user):
    try:
        organization = user.profile.organization
    except ObjectDoesNotExist:
        return []
    if organization is None:
        return []
    if organization.parent_id is None:  # the committee: the root of the only tree
        return None
    return organization.subtree_ids()


def sees_everything(user):
    return organization_ids(user) is None


def organizations(user):
    """For code that takes an organizations queryset (figures, warnings): None for the whole district."""
    from branches.models import Organization

    return None if sees_everything(user) else Organization.objects.visible_to(user)


@functools.cache
def organization_path(model):
    """The model's queryset's organization_path (a class attribute: looked up once per model, not per record)."""
    return getattr(model._default_manager.all(), "organization_path", None)


def organization_of(instance):
    """The id of the organization a record belongs to, by its queryset's organization_path; None if unscoped."""
    path = organization_path(type(instance))
    if path is None:
        return None
    *hops, last = path.split("__")
    for hop in hops:
        instance = getattr(instance, hop)
    return instance.pk if last == "pk" else getattr(instance, f"{last}_id")


def holds(user, instance):
    """Whether `instance` lies in what `user` may see: visible_to()'s rule for one record in hand."""
    ids = organization_ids(user)
    if ids is None or not hasattr(type(instance)._default_manager.all(), "visible_to"):
        return True
    return organization_of(instance) in ids


def district_wide(view):
    """For views of the whole district (the annual report): those who see every organization, else 403."""
    from functools import wraps

    from django.core.exceptions import PermissionDenied

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sees_everything(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
