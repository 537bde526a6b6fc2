"""Citizen ID numbers (公民身份号码) as GB 11643-1999 defines them."""
import datetime

from django.core.exceptions import ValidationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_digit(first17):
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def normalize(value):
    """Upper-case the X and drop surrounding spaces; nothing else is guessed."""
    return (value or "").strip().upper()


def birth_date(id_number):
    """The birth date written into an 18-character ID, or None where it is not a real date."""
    try:
        return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def gender(id_number):
    """GB 11643: the 17th character is odd for men, even for women."""
    return "男" if int(id_number[16]) % 2 else "女"


def validate_id_number(value):
    value = normalize(value)
    if len(value) != 18:
        raise ValidationError(f"身份证号码应为18位，“{value}”为{len(value)}位。", code="length")
    # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
    if not (value.isascii() and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise ValidationError(f"身份证号码“{value}”含有非法字符：前17位应为数字，末位为数字或X。", code="chars")
    born = birth_date(value)
    if born is None or not (datetime.date(1900, 1, 1) <= born <= datetime.date.today()):
        raise ValidationError(f"身份证号码“{value}”中的出生日期{value[6:14]}不是有效日期。", code="birth")
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(f"身份证号码“{value}”校验位错误：末位应为{expected}。", code="check_digit")


def make_id_number(area_code, born, sequence):
    """Build a valid ID (used by the demo district and tests): 6-digit area, birth date, 3-digit sequence."""
    first17 = f"{area_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
