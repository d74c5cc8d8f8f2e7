from tongzhou.core.management.commands.partitions import Command as PartitionsCommand


class Command(PartitionsCommand):
    help = "The former name of `manage.py partitions` (every partitioned event table, passages included)."
