"""Identity document numbers: formats, the GB 11643-1999 check digit, what an ID card tells.

Validation returns the normalized number or raises ValidationError with a message a community
worker can act on ("the check digit should be 7").
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class IdType(models.TextChoices):
    # Mainland resident ID card; residence permits of Hong Kong, Macao and Taiwan residents (81/82/83…)
    # have the same 18-character form and check digit.
    ID_CARD = "id_card", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    OTHER = "other", _("Other document")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdCardFacts:
    birth_date: date
    sex: str


def id_card_facts(number: str, *, today: date | None = None) -> IdCardFacts:
    """Validate an 18-character ID card number; return its birth date and sex."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("An ID card number has 17 digits and a final digit or X."))
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(_("The check digit should be %(digit)s: the number has a typo.") % {"digit": expected})
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the ID number (%(text)s) does not exist.") % {"text": number[6:14]}
        ) from None
    if born > (today or date.today()) or born.year < 1890:
        raise ValidationError(
            _("The birth date in the ID number (%(text)s) is not plausible.") % {"text": number[6:14]}
        )
    return IdCardFacts(birth_date=born, sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)


PATTERNS = {
    IdType.PASSPORT: (r"[A-Z0-9]{5,17}", _("A passport number has 5 to 17 letters and digits.")),
    IdType.HK_MACAO_PERMIT: (
        r"[HM]\d{8}(\d{2})?",
        _("A Hong Kong or Macao permit number is H or M and 8 or 10 digits."),
    ),
    IdType.TAIWAN_PERMIT: (r"\d{8}(\d{2})?", _("A Taiwan permit number has 8 or 10 digits.")),
    IdType.OTHER: (r"[A-Z0-9-]{3,30}", _("Use 3 to 30 letters, digits or dashes.")),
}


def normalize_id_number(id_type: str, number: str) -> str:
    """The canonical form of a document number, or ValidationError."""
    number = re.sub(r"\s", "", number).upper()
    if id_type == IdType.ID_CARD:
        id_card_facts(number)
        return number
    pattern, message = PATTERNS[IdType(id_type)]
    if not re.fullmatch(pattern, number):
        raise ValidationError(message)
    return number


def normalize_phone(phone: str) -> str:
    """A mainland mobile number (11 digits starting with 1) or a landline with area code."""
    digits = re.sub(r"[\s\-()]", "", phone)
    if digits.startswith("+86"):
        digits = digits[3:]
    if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{2,3}\d{7,8}", digits):
        return digits
    raise ValidationError(_("A phone number is an 11-digit mobile number or a landline with its area code."))
