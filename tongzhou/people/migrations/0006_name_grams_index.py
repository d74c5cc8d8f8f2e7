"""A district's search for part of a name, on PostgreSQL, by index: a GIN index over each name's
characters and pairs of adjacent characters (`tz_name_grams`). A LIKE '%…%' over the register can
use no B-tree, and pg_trgm needs three characters where most Chinese names have two or three. A
name containing the searched text contains all of its pairs (or its one character), so the index
finds the candidates and the LIKE that stays in the query keeps the answer exact
(people/selectors.py, register). SQLite keeps the plain LIKE."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION tz_name_grams(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    grams text[] := '{}';
    n int := char_length(name);
BEGIN
    FOR i IN 1..n LOOP
        grams := grams || substr(name, i, 1);
        IF i < n THEN
            grams := grams || substr(name, i, 2);
        END IF;
    END LOOP;
    RETURN grams;
END $$;
CREATE INDEX person_name_grams ON people_person USING gin (tz_name_grams(name));
"""
PG_BACKWARD = """
DROP INDEX IF EXISTS person_name_grams;
DROP FUNCTION IF EXISTS tz_name_grams(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("people", "0005_organisation")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
