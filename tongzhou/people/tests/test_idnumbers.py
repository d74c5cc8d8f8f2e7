from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tongzhou.core.pii import mask_id_number, mask_phone
from tongzhou.people.idnumbers import IdType, check_digit, id_card_facts, normalize_id_number, normalize_phone

birthdays = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
regions = st.sampled_from(["520102", "220102", "110101", "810000"])


def make(region: str, born: date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


@given(regions, birthdays, st.integers(0, 999))
def test_valid_numbers_give_birth_date_and_sex(region, born, seq):
    facts = id_card_facts(make(region, born, seq))
    assert facts.birth_date == born
    assert facts.sex == ("M" if seq % 2 else "F")


@given(regions, birthdays, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(region, born, seq, position, delta):
    number = make(region, born, seq)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError):
        id_card_facts(typo)


@given(regions, birthdays, st.integers(0, 999))
def test_masking_keeps_only_the_ends(region, born, seq):
    number = make(region, born, seq)
    masked = mask_id_number(number)
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert number[4:14] not in masked


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_phone_masking(phone):
    assert mask_phone(phone) == phone[:3] + "****" + phone[-4:]
    assert normalize_phone(phone) == phone


def test_known_number_and_lower_case_x():
    assert normalize_id_number(IdType.ID_CARD, "52010219900101123x") == "52010219900101123X"


@pytest.mark.parametrize(
    ("id_type", "number", "fragment"),
    [
        (IdType.ID_CARD, "5201021990010112", "17 digits"),
        (IdType.ID_CARD, make("520102", date(1990, 1, 1), 123)[:-1] + "0", "check digit should be"),
        (IdType.ID_CARD, "520102199002301230"[:17] + check_digit("52010219900230123"), "does not exist"),
        (IdType.PASSPORT, "E1", "5 to 17"),
        (IdType.HK_MACAO_PERMIT, "X12345678", "H or M"),
        (IdType.TAIWAN_PERMIT, "1234", "8 or 10"),
    ],
)
def test_bad_numbers_say_why(id_type, number, fragment):
    with pytest.raises(ValidationError, match=fragment):
        normalize_id_number(id_type, number)


def test_other_documents():
    assert normalize_id_number(IdType.PASSPORT, "e 1234 5678") == "E12345678"
    assert normalize_id_number(IdType.HK_MACAO_PERMIT, "H12345678") == "H12345678"
    assert normalize_id_number(IdType.TAIWAN_PERMIT, "0123456789") == "0123456789"
