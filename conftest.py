"""Shared test fixtures: the demo street and its personas, a browser, and CI's rule that a skipped
test is a failed one."""

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

# No time limit per example: on a loaded machine a property test failed on its 200 ms deadline,
# which measures the machine, not the property.
hypothesis_settings.register_profile("tongzhou", deadline=None)
hypothesis_settings.load_profile("tongzhou")

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"A skip is a failure in CI (CI=true): {report.longrepr}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The standby tests have no meaning on SQLite (no replica of an embedded database), nor have
    the killed-worker tests (`postgres`: a worker process cannot see the test's database): they
    are left out of that run, not skipped (a skip fails CI). On PostgreSQL they need the standby,
    and Redis."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return

    def postgres_only(item: pytest.Item) -> bool:
        return any(item.get_closest_marker(name) for name in ("standby", "postgres"))

    left_out = [item for item in items if postgres_only(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not postgres_only(item)]


@dataclass
class Demo:
    """The demo street (二戈街道) with its personas, as `make demo` loads it (less its extras)."""

    users: dict[str, Any]
    places: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        if name in self.users:
            return self.users[name]
        raise AttributeError(name)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded files (story photos) go to a temporary folder, not the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def demo(db: None) -> Demo:
    from tongzhou.accounts.models import User
    from tongzhou.demo import DONGFENG, ER_GE, SONGHUA, TAIAN, USERS, load_demo
    from tongzhou.places.models import Household, Place

    # Without the demo's key persons and volunteer sign-ups: tests make their own and count them.
    load_demo(log=lambda message: None, extras=False)
    users = {u.username: u for u in User.objects.filter(username__in=USERS)}
    users["outsider"] = User.objects.create_user("outsider", password="outsider-password-1")
    taian = Place.objects.get(code=TAIAN)
    songhua = Place.objects.get(code=SONGHUA)
    places = {
        "er_ge": Place.objects.get(code=ER_GE),
        "taian": taian,
        "songhua": songhua,
        "dongfeng": Place.objects.get(code=DONGFENG),
        "taian_compound": Place.objects.get(name="泰安巷3号院"),
        "songhua_compound": Place.objects.get(name="松花巷8号院"),
        "taian_household": Household.objects.filter(place__path__startswith=taian.path).order_by("pk").first(),
        "songhua_household": Household.objects.filter(place__path__startswith=songhua.path).order_by("pk").first(),
    }
    return Demo(users=users, places=places)


@pytest.fixture
def client_as(demo: Demo) -> Callable[[str], Client]:
    """A logged-in test client for a persona by username."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(demo.users[username])
        return client

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser tests need it")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """Makes phone-sized (390 × 844) browser pages in Chinese, each its own session; fails the test
    if any page raised a JavaScript error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make() -> Any:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []
