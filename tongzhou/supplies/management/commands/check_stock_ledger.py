from typing import Any

from django.core.management.base import BaseCommand

from tongzhou.supplies.services import ledger_check


class Command(BaseCommand):
    help = "Compare every stock balance with the sum of its ledger entries; raise an alert on any difference."

    def handle(self, *args: Any, **options: Any) -> None:
        report = ledger_check()
        self.stdout.write(
            f"{report.entries} entries, {report.balances} balances checked in {report.seconds:.2f} s: "
            f"{len(report.mismatches)} differ, {report.alerts} new alerts"
        )
