"""Password spraying (issue #15, item 5): a few wrong passwords for each of many usernames from one
address stay under the per-username lock-out, so the address itself has a limit, counted in the
cache that all workers share."""

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tongzhou.accounts.models import User


def login(username: str, password: str, address: str = "10.9.8.7"):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@override_settings(TONGZHOU_LOGIN_FAILURES_PER_ADDRESS=20)
def test_eight_users_times_four_wrong_passwords_from_one_address_are_stopped(demo):
    users = [User.objects.create_user(f"sprayed_{n}", password="right-password-1") for n in range(8)]
    answers = [login(user.username, f"guess-{guess}").status_code for user in users for guess in range(4)]
    assert settings.AXES_FAILURE_LIMIT > 4  # each username alone stays under its own lock-out
    assert answers[:20] == [200] * 20
    assert answers[20:] == [429] * 12
    # Even the right password of an account never tried is refused from that address...
    refused = login("taian_staff", "tongzhou-demo")
    assert refused.status_code == 429 and "_auth_user_id" not in refused.client.session
    # ...while other addresses log in as usual.
    assert login("taian_staff", "tongzhou-demo", address="10.9.8.8").status_code == 302


def test_successful_log_ins_do_not_count(demo):
    for _ in range(settings.TONGZHOU_LOGIN_FAILURES_PER_ADDRESS + 2):
        assert login("taian_staff", "tongzhou-demo").status_code == 302
