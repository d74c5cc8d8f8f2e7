"""Signed links to a notice's online version: one for the messages, one per building for its door
notice. The signature makes the link tamper-evident: a changed id is a 404, not another notice."""

from django.core import signing
from django.urls import reverse

from tongzhou.notices.models import Notice

SALT = "tongzhou.notices.link"


def notice_token(notice: Notice, building_id: int | None = None) -> str:
    data: dict[str, int] = {"n": notice.pk}
    if building_id:
        data["b"] = building_id
    return signing.dumps(data, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, int | None] | None:
    """(notice id, building id or None), or None when the token is forged or junk."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), int):
        return None
    building = data.get("b")
    return data["n"], building if isinstance(building, int) else None


def notice_url(notice: Notice, site_url: str = "", building_id: int | None = None) -> str:
    path = reverse("notices:public", args=[notice_token(notice, building_id)])
    return site_url.rstrip("/") + path if site_url else path
