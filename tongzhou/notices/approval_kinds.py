"""Notices' four-eyes request in the shared approval queue: a notice to a whole street or wider.
Registered in NoticesConfig.ready()."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongzhou.core.permissions import Perm
from tongzhou.core.transitions import ApprovalKind, register_approval_kind

NOTICE = "notice"
STORY = "story"


def _decide(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.notices.services import notice_approval_decide

    return notice_approval_decide(
        actor=actor, approval=obj, approve=approve, note=note, site_url=settings.TONGZHOU_SITE_URL
    )


def _describe(approval: Any) -> str:
    notice = approval.notice
    return f"{notice.place.name}：{notice.title}"


def _url(approval: Any) -> str:
    return reverse("notices:detail", args=[approval.notice_id])


def _decide_story(*, actor: Any, obj: Any, approve: bool, note: str = "") -> Any:
    from tongzhou.notices.stories.services import story_approval_decide

    return story_approval_decide(actor=actor, approval=obj, approve=approve, note=note)


def _describe_story(approval: Any) -> str:
    story = approval.story
    return f"{story.place.name}：{story.title}"


def _story_url(approval: Any) -> str:
    return reverse("stories:detail", args=[approval.story_id])


KINDS = (
    ApprovalKind(
        key=NOTICE,
        label=_("Notice to a whole street or wider"),
        model="notices.NoticeApproval",
        perm=Perm.NOTICES_APPROVE,
        path_field="place_path",
        decide=_decide,
        describe=_describe,
        url=_url,
        select_related=("notice", "notice__place"),
    ),
    ApprovalKind(
        key=STORY,
        label=_("Story for the street's public page"),
        model="notices.StoryApproval",
        perm=Perm.NOTICES_APPROVE,
        path_field="place_path",
        decide=_decide_story,
        describe=_describe_story,
        url=_story_url,
        select_related=("story", "story__place"),
    ),
)


def register_kinds() -> None:
    register_approval_kind(*KINDS)
