"""Search indexes on PostgreSQL: trigram GIN indexes on the folded search columns, so that
``search_text LIKE '%word%'`` walks an index at a million documents. pg_trgm is created when
the database allows it; without it (or on SQLite) search falls back to the agency/id indexes,
which keep the keyset pages bounded."""

from django.db import migrations

INDEXES = [
    ("doc_in_search_trgm", "documents_incomingdocument"),
    ("doc_out_search_trgm", "documents_outgoingdocument"),
]


def _has_trgm(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
        try:
            cursor.execute("SAVEPOINT egov_trgm")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute("RELEASE SAVEPOINT egov_trgm")
            return True
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT egov_trgm")
            return False


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not _has_trgm(schema_editor):
        return
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
