import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from tongzhou.accounts.models import User
from tongzhou.accounts.selectors import user_by_phone
from tongzhou.core import pii
from tongzhou.core.services import pii_rotate

PHONE = "13812345678"


def raw_row(user: User) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()


def test_masks():
    assert pii.mask_id_number("520102199001011234") == "5201**********1234"
    assert pii.mask_phone(PHONE) == "138****5678"
    assert pii.mask_phone("123") == "***"


@given(st.text(alphabet="0123456789X", min_size=9, max_size=18))
def test_mask_never_shows_the_middle(value):
    masked = pii.mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[4:-4] == "*" * (len(value) - 8)


def test_the_database_holds_no_plain_value(db):
    user = User.objects.create_user("wang", password="x-password-123", phone=PHONE)
    stored, index = raw_row(user)
    assert PHONE not in stored and "5678" not in stored
    assert index == pii.blind_index(PHONE)
    assert User.objects.get(pk=user.pk).phone == PHONE


def test_lookup_by_blind_index(db):
    user = User.objects.create_user("wang", password="x-password-123", phone=PHONE)
    User.objects.create_user("li", password="x-password-123", phone="13900000000")
    assert user_by_phone("138 1234 5678") == user
    assert user_by_phone("13812345679") is None


def test_encrypted_column_cannot_be_filtered(db):
    with pytest.raises(FieldError, match="blind index"):
        User.objects.filter(phone=PHONE).exists()


def test_rotation_reencrypts_under_the_new_key(db, settings):
    old_keys = list(settings.TONGZHOU_PII_KEYS)
    user = User.objects.create_user("wang", password="x-password-123", phone=PHONE)
    old_token, old_index = raw_row(user)

    new_key = Fernet.generate_key().decode()
    settings.TONGZHOU_PII_KEYS = [new_key, *old_keys]
    # Mid-rotation: old rows still read, and lookups still find them.
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert user_by_phone(PHONE) == user

    counts = pii_rotate()
    assert counts["accounts.User"] == User.objects.count()
    assert set(counts) == {
        "accounts.User",
        "people.Person",
        "core.ImportJob",
        "core.OutboxMessage",
        "assistance.HelpRequest",
        "assistance.Purchase",
        "volunteers.Volunteer",
        "checkpoints.Visitor",
        "welfare.Enrollment",
    }
    new_token, new_index = raw_row(user)
    assert new_token != old_token and new_index != old_index
    assert Fernet(new_key.encode()).decrypt(new_token.encode()).decode() == PHONE

    settings.TONGZHOU_PII_KEYS = [new_key]  # the old keys are gone
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert user_by_phone(PHONE) == user


def test_a_removed_key_fails_loudly(db, settings):
    user = User.objects.create_user("wang", password="x-password-123", phone=PHONE)
    settings.TONGZHOU_PII_KEYS = [Fernet.generate_key().decode()]
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="rotate_pii_key"):
        User.objects.get(pk=user.pk)


def test_a_bad_key_is_named(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TONGZHOU_PII_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 1 is not a Fernet key"):
        pii.encrypt("x")


def test_rotation_covers_pending_uploads(demo, settings):
    from tongzhou.core.imports.models import ImportJob

    taian = demo.places["taian"]
    job = ImportJob.objects.create(
        importer="residents",
        place_path=taian.path,
        place_name=taian.name,
        created_by=demo.taian_staff,
        filename="r.xlsx",
        file=b"id,520102",
    )
    old_keys = list(settings.TONGZHOU_PII_KEYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT file FROM core_importjob WHERE id = %s", [job.pk])
        assert b"520102" not in bytes(cursor.fetchone()[0])
    new_key = Fernet.generate_key().decode()
    settings.TONGZHOU_PII_KEYS = [new_key, *old_keys]
    pii_rotate()
    settings.TONGZHOU_PII_KEYS = [new_key]
    assert ImportJob.objects.get(pk=job.pk).file == b"id,520102"
