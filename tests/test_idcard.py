"""GB 11643 citizen ID numbers: the check digit, the birth date inside, the upper-case X."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import idcard
from branches import models as m

VALID = "11010519491231002X"  # the standard's own example


def test_the_standards_example_passes_and_its_check_digit_is_computed():
    idcard.validate_id_number(VALID)
    assert idcard.check_digit(VALID[:17]) == "X"


@pytest.mark.parametrize("last", "0123456789")
def test_a_wrong_check_digit_is_rejected_naming_the_right_one(last):
    number = VALID[:17] + last
    with pytest.raises(ValidationError) as err:
        idcard.validate_id_number(number)
    assert "校验位错误：末位应为X" in err.value.messages[0]


def test_a_lower_case_x_is_normalised_to_upper_case():
    assert idcard.normalize(" 11010519491231002x ") == VALID
    idcard.validate_id_number("11010519491231002x")


@pytest.mark.parametrize(
    "number, message",
    [
        ("1101051949123100", "应为18位"),
        ("11010519491231002Y", "非法字符"),
        ("110105194902300021", "不是有效日期"),  # 30 February
        (idcard.make_id_number("620402", datetime.date(2999, 1, 1), 1), "不是有效日期"),
    ],
)
def test_malformed_numbers_get_a_chinese_reason(number, message):
    with pytest.raises(ValidationError) as err:
        idcard.validate_id_number(number)
    assert message in err.value.messages[0]


def test_birth_date_and_gender_are_read_from_the_number():
    number = idcard.make_id_number("620402", datetime.date(1985, 3, 9), 123)
    assert idcard.birth_date(number) == datetime.date(1985, 3, 9)
    assert idcard.gender(number) == "男"
    assert idcard.gender(idcard.make_id_number("620402", datetime.date(1985, 3, 9), 124)) == "女"


def test_a_member_whose_birth_date_contradicts_the_id_is_refused(build):
    org = build.org()
    member = m.Member(
        name="张三", id_number=idcard.make_id_number("620402", datetime.date(1985, 3, 9), 123),
        birth_date=datetime.date(1985, 3, 10), join_date=datetime.date(2010, 7, 1),
        full_member_date=datetime.date(2011, 7, 1), organization=org,
    )
    with pytest.raises(ValidationError) as err:
        member.full_clean()
    assert "与身份证号码中的1985-03-09不一致" in str(err.value.message_dict["birth_date"])


def test_a_member_without_birth_date_or_gender_gets_them_from_the_id(build):
    org = build.org()
    member = m.Member(
        name=" 李四 ", id_number=idcard.make_id_number("620402", datetime.date(1990, 1, 2), 124).lower(),
        join_date=datetime.date(2015, 7, 1), full_member_date=datetime.date(2016, 7, 1), organization=org,
    )
    member.full_clean()
    assert member.birth_date == datetime.date(1990, 1, 2)
    assert member.gender == "女"
    assert member.name == "李四"


def test_a_superscript_digit_is_an_illegal_character_not_a_crash():
    with pytest.raises(ValidationError) as err:
        idcard.validate_id_number(VALID[:15] + "²" + VALID[16:])
    assert "非法字符" in err.value.messages[0]
