from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.supplies.services.checks import ledger_check
from tongzhou.supplies.tally_check import tally_check


class Command(BaseCommand):
    help = (
        "Compare every stock balance with the sum of its ledger entries, and every hand-out tally with "
        "its hand-outs; raise an alert on any difference."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = ledger_check()
        self.stdout.write(
            f"{report.entries} entries, {report.balances} balances checked in {report.seconds:.2f} s: "
            f"{len(report.mismatches)} differ, {report.alerts} new alerts"
        )
        tallies = tally_check()
        self.stdout.write(
            f"{tallies.tallies} hand-out tallies checked in {tallies.seconds:.2f} s: "
            f"{len(tallies.mismatches)} differ, {tallies.alerts} new alerts"
        )
