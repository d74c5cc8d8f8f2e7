"""The stock ledger refuses UPDATE on both engines and DELETE on PostgreSQL, below the application
(as the audit log does, core 0002): a mistake is corrected by a reversing entry.

SQLite keeps DELETE open only because Django's test flush empties tables with DELETE there; the
application refuses it (AppendOnlyEntries, Entry.delete). On PostgreSQL the flush uses TRUNCATE,
which row triggers do not see.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION supplies_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'supplies_entry is append-only: write a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER supplies_entry_no_update BEFORE UPDATE OR DELETE ON supplies_entry
    FOR EACH ROW EXECUTE FUNCTION supplies_entry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS supplies_entry_no_update ON supplies_entry;
DROP FUNCTION IF EXISTS supplies_entry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER supplies_entry_no_update BEFORE UPDATE ON supplies_entry
BEGIN SELECT RAISE(ABORT, 'supplies_entry is append-only: write a reversing entry'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS supplies_entry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
