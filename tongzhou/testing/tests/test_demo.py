"""The demo's testing round: sampled, one positive tube recalled, and loading twice changes nothing."""

from django.urls import reverse

from tongzhou.testing.models import Recall, Result, Round, Sample, Tube


def test_the_demo_round_loads_once_with_a_recall(demo):
    from django.test import Client

    from tongzhou.accounts.models import User
    from tongzhou.demo import load_demo

    def counts():
        return (Round.objects.count(), Sample.objects.count(), Recall.objects.count(), Tube.objects.count())

    load_demo(log=lambda message: None)
    first = counts()
    assert first[0] == 1 and first[1] > 20 and first[2] == 10
    assert Tube.objects.filter(result=Result.POSITIVE).count() == 1
    load_demo(log=lambda message: None)
    assert counts() == first
    test_round = Round.objects.get()
    officer = Client()
    officer.force_login(User.objects.get(username="health_officer"))  # loading again set the password anew
    page = officer.get(reverse("testing:round", args=[test_round.pk]))
    assert page.status_code == 200 and len(page.context["recalls"]) == 10
    assert page.context["totals"]["untested"] > 0 and page.context["totals"]["exempt"] == 1
