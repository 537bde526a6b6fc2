"""Personal data (ID numbers, phone numbers) shown masked to anyone without the dedicated permission."""

PERMISSION = "accounts.view_personal_data"


def can_see(user):
    return user is not None and user.has_perm(PERMISSION)


def mask_id_number(value):
    """6201**********123X: the region's first four digits and the last four; the birth date is hidden."""
    value = value or ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value):
    """139****5678"""
    value = value or ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


# Field name -> mask, wherever a model has such a field.
MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def shown(user, field, value):
    """The value as this user may see it."""
    if field in MASKS and not can_see(user):
        return MASKS[field](value)
    return value
