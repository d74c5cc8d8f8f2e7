"""Staff withdraw a consent to be named that staff recorded (the name is flagged again); the
approver sees the pseudonym check's findings on the story waiting for them; a file is removed
from a draft notice, never from a sent one; personas outside the place get 404."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongzhou.core.models import AuditEvent
from tongzhou.notices.models import NamingConsent, NoticeAttachment
from tongzhou.notices.services import notice_attach, notice_attachment_remove, notice_create, notice_send
from tongzhou.notices.stories.pseudonyms import FindingKind, check_story, unresolved
from tongzhou.notices.stories.services import naming_consent_record, naming_consent_withdraw, story_submit
from tongzhou.notices.tests.test_notices import PDF, building, draft
from tongzhou.notices.tests.test_stories import resident_in_unit, write
from tongzhou.volunteers.models import Volunteer


def test_staff_withdraw_a_consent_and_the_name_is_flagged_again(demo, client_as):
    person = resident_in_unit(demo)
    story = write(demo, f"{person.name}每天帮老人买菜。")
    consent = naming_consent_record(actor=demo.taian_staff, person=person, note="本人口头同意")
    assert unresolved(check_story(story)) == []
    staff = client_as("taian_staff")
    url = reverse("stories:detail", args=[story.pk])
    page = staff.get(url).content.decode()
    assert 'class="d-flex flex-wrap gap-2 mt-2 withdraw-consent"' in page and "本人口头同意" in page

    # 松花巷 staff cannot reach it: 404, and it stays in force.
    songhua = client_as("songhua_staff")
    assert songhua.post(url, {"action": "withdraw_consent", "consent": consent.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        naming_consent_withdraw(actor=demo.songhua_staff, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert staff.post(url, {"action": "withdraw_consent", "consent": "junk"}).status_code == 404

    assert staff.post(url, {"action": "withdraw_consent", "consent": consent.pk}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEvent.objects.filter(action="naming_consent_withdrawn").count() == 1
    assert [f.kind for f in unresolved(check_story(story))] == [FindingKind.NAME]
    with pytest.raises(ValidationError):
        story_submit(actor=demo.taian_staff, story=story)
    # Withdrawn already: the form is gone and a second post finds nothing.
    assert "withdraw-consent" not in staff.get(url).content.decode()
    assert staff.post(url, {"action": "withdraw_consent", "consent": consent.pk}).status_code == 404


def test_staff_do_not_withdraw_a_volunteer_s_own_consent(demo):
    person = resident_in_unit(demo)
    volunteer = Volunteer.objects.create(
        name=person.name,
        phone=person.phone,
        id_number=person.id_number,
        community=demo.places["taian"],
        place_path=demo.places["taian"].path,
        consent_at="2026-01-01T00:00:00Z",
        status="approved",
        user=demo.volunteer,
    )
    own = NamingConsent.objects.create(
        person=person, volunteer=volunteer, name=person.name, place_path=person.place_path, given_by=demo.volunteer
    )
    with pytest.raises(ValidationError):
        naming_consent_withdraw(actor=demo.taian_staff, consent=own)
    own.refresh_from_db()
    assert own.withdrawn_at is None


def test_the_approver_sees_the_findings_of_the_story_waiting_for_them(demo, client_as):
    person = resident_in_unit(demo)
    story = write(demo, f"{person.name}每天帮老人买菜。")
    naming_consent_record(actor=demo.taian_staff, person=person, note="本人书面同意")
    story_submit(actor=demo.taian_staff, story=story)
    page = client_as("street_admin").get(reverse("stories:detail", args=[story.pk])).content.decode()
    assert 'id="decide"' in page and 'id="findings"' in page
    assert f'data-text="{person.name}"' in page and 'class="d-flex flex-wrap gap-2 mt-2 replace"' not in page
    # The author, waiting, sees no findings list (nothing to do there) and no decision.
    author = client_as("taian_staff").get(reverse("stories:detail", args=[story.pk])).content.decode()
    assert 'id="findings"' not in author and 'id="decide"' not in author


def test_a_file_is_removed_from_a_draft_but_not_from_a_sent_notice(
    demo, client_as, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    notice = notice_create(actor=demo.taian_staff, draft=draft(building(demo)))
    kept = notice_attach(actor=demo.taian_staff, notice=notice, name="地图.pdf", data=PDF)
    gone = notice_attach(actor=demo.taian_staff, notice=notice, name="旧版.pdf", data=PDF)
    stored = tmp_path / gone.file.name
    assert stored.exists()
    url = reverse("notices:detail", args=[notice.pk])
    staff = client_as("taian_staff")
    assert 'class="remove-attachment"' in staff.get(url).content.decode()
    assert (
        client_as("songhua_staff").post(url, {"action": "remove_attachment", "attachment": gone.pk}).status_code == 404
    )
    assert staff.post(url, {"action": "remove_attachment", "attachment": "x"}).status_code == 404
    assert staff.post(url, {"action": "remove_attachment", "attachment": 999999}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(url, {"action": "remove_attachment", "attachment": gone.pk}).status_code == 302
    assert list(NoticeAttachment.objects.filter(notice=notice)) == [kept] and not stored.exists()
    assert AuditEvent.objects.filter(action="notice_attachment_removed").count() == 1

    # Once sent, the notice stays as issued.
    notice_send(actor=demo.taian_staff, notice=notice)
    with pytest.raises(ValidationError):
        notice_attachment_remove(actor=demo.taian_staff, attachment=kept)
    assert "remove-attachment" not in staff.get(url).content.decode()
    staff.post(url, {"action": "remove_attachment", "attachment": kept.pk})
    assert NoticeAttachment.objects.filter(pk=kept.pk).exists()
