import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from tongzhou.scale.city import generate_city

TABLES = (
    "places_place",
    "places_household",
    "people_person",
    "volunteers_volunteer",
    "volunteers_assignment",
    "volunteers_hoursentry",
    "checkpoints_passage",
    "monitoring_isolationorder",
    "monitoring_healthcheck",
    "assistance_helprequest",
    "alerts_alert",
    "testing_tube",
    "testing_sample",
    "supplies_entry",
    "supplies_balance",
    "supplies_distribution",
    "supplies_distributionhousehold",
    "notices_reach",
    "notices_recipient",
    "core_outboxmessage",
    "core_outboxkey",
    "welfare_enrollment",
    "welfare_claim",
    "reports_snapshot",
)


def _aware(moment: datetime | None) -> datetime | None:
    """A --now without an offset is read in the project's time zone (Asia/Shanghai)."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Build a generated district for measuring: real Guiyang communities from Nanming District on, fake "
        "residents and a month of activity in every module, deterministic for a seed. Into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--communities", type=int, default=300)
        parser.add_argument("--residents", type=int, default=1_000_000, help="in all, spread evenly")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-snapshots", action="store_true", help="skip the daily snapshots")
        parser.add_argument(
            "--now",
            type=datetime.fromisoformat,
            default=None,
            help="the moment the month ends (ISO 8601, e.g. 2026-11-30T08:00+08:00); "
            "the same seed and --now give the same district",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="processes building communities side by side (PostgreSQL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("communities", "residents", "days", "workers"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["residents"] < options["communities"]:
            raise CommandError("--residents must be at least --communities (one a community).")
        began = time.perf_counter()
        try:
            stats = generate_city(
                communities=options["communities"],
                residents=options["residents"],
                days=options["days"],
                seed=options["seed"],
                snapshots=not options["no_snapshots"],
                workers=options["workers"],
                now=_aware(options["now"]),
                log=lambda line: self.stdout.write(line),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        took = time.perf_counter() - began
        self.stdout.write(f"\ngenerated in {took:.1f} s (parts: seconds summed over the processes)")
        for part, seconds in stats.seconds.items():
            self.stdout.write(f"  {part:14} {seconds:8.1f} s")
        self.stdout.write("\ntable sizes:")
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (names are constants)
                rows = cursor.fetchone()[0]
                size = ""
                if connection.vendor == "postgresql":
                    # A partitioned table's size is its partitions'.
                    cursor.execute(
                        "SELECT pg_size_pretty(coalesce((SELECT sum(pg_total_relation_size(relid))"
                        " FROM pg_partition_tree(%s)), pg_total_relation_size(%s)))",
                        [table, table],
                    )
                    size = cursor.fetchone()[0]
                self.stdout.write(f"  {table:28} {rows:>12,} rows {size:>10}")
