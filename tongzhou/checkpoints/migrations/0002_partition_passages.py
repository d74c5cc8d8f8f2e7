"""On PostgreSQL, the passage log becomes a table partitioned by month of `scanned_at`, with a
default partition for whatever falls outside the monthly ones (a device whose clock is years off).
Monthly partitions are made ahead and old ones dropped by `passages_partitions`
(tongzhou.checkpoints.partitions). The primary key has to include the partition key, so it is
(id, scanned_at); the id still comes from one sequence and is unique. SQLite keeps the plain table."""

from django.db import migrations

CREATE = """
DROP TABLE "checkpoints_passage";
CREATE SEQUENCE "checkpoints_passage_id_seq" AS bigint;
CREATE TABLE "checkpoints_passage" (
    "id" bigint NOT NULL DEFAULT nextval('checkpoints_passage_id_seq'),
    "scanned_at" timestamp with time zone NOT NULL,
    "received_at" timestamp with time zone NOT NULL,
    "place_path" varchar(255) COLLATE "C" NOT NULL,
    "client_uuid" uuid NOT NULL,
    "household_id" bigint NULL,
    "direction" varchar(3) NOT NULL,
    "temperature" numeric(3, 1) NULL,
    "allowed" boolean NOT NULL,
    "reason" varchar(16) NOT NULL,
    "level" varchar(12) NOT NULL,
    "offline_allowed" boolean NULL,
    "clock_skew" boolean NOT NULL,
    "visitor" boolean NOT NULL,
    "device_id" bigint NULL,
    "gate_id" bigint NOT NULL,
    "pass_ref_id" bigint NULL,
    "scanned_by_id" bigint NULL,
    CONSTRAINT "checkpoints_passage_pkey" PRIMARY KEY ("id", "scanned_at"),
    CONSTRAINT "passage_client_uuid_once" UNIQUE ("client_uuid", "scanned_at"),
    CONSTRAINT "checkpoints_passage_gate_id_da10bf8f_fk_checkpoints_gate_id" FOREIGN KEY ("gate_id")
        REFERENCES "checkpoints_gate" ("id") DEFERRABLE INITIALLY DEFERRED
) PARTITION BY RANGE ("scanned_at");
ALTER SEQUENCE "checkpoints_passage_id_seq" OWNED BY "checkpoints_passage"."id";
CREATE INDEX "passage_gate_time" ON "checkpoints_passage" ("gate_id", "scanned_at");
CREATE INDEX "passage_household_time" ON "checkpoints_passage" ("household_id", "scanned_at");
CREATE INDEX "passage_place_time" ON "checkpoints_passage" ("place_path", "scanned_at");
CREATE TABLE "checkpoints_passage_default" PARTITION OF "checkpoints_passage" DEFAULT;
"""


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    from tongzhou.checkpoints.partitions import ensure_partitions

    ensure_partitions(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0001_initial")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
