"""egov_fold(text) on PostgreSQL: lower(unaccent(...)) with đ/Đ → d, marked IMMUTABLE so it can be
indexed. On SQLite the same function is registered from Python (egov.core.text)."""

from django.db import migrations

CREATE = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION egov_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, translate(value, 'đĐð', 'ddd'))), '\s+', ' ', 'g'))
$$;
"""
DROP = "DROP FUNCTION IF EXISTS egov_fold(text);"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
