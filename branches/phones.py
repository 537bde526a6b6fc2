"""Phone numbers (联系电话) as the office dials them: an 11-digit mobile, or a landline with its area code."""
import re

from django.core.exceptions import ValidationError

# 中国大陆手机号 1[3-9] + 9 digits; 固定电话 区号 (0 + 2–3 digits) + 7–8 digits, a hyphen between them or not,
# and an extension after a hyphen.
MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?")
MESSAGE = "联系电话“{}”格式不对：应为11位手机号码（如13912345678）或带区号的固定电话（如0931-8123456）。"


def validate_phone(value):
    text = (value or "").strip()
    if text and not (MOBILE.fullmatch(text) or LANDLINE.fullmatch(text)):
        raise ValidationError(MESSAGE.format(text[:20]), code="invalid_phone")
