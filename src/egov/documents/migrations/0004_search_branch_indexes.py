"""Indexes for the per-branch search of ``selectors.search_incoming`` / ``search_outgoing`` on
PostgreSQL (at a million documents):

- GIN indexes on (agency, [drafting unit,] search text) — ``btree_gin`` for the integer
  columns, ``pg_trgm`` for the text: ``agency_id IN (…) AND search_text LIKE '%word%'`` is one
  index scan that intersects the agency's entries with the words' trigrams, so a common word
  (1–5 % of the documents) no longer fetches every match of the province to keep those of one
  commune. Created only when both extensions are available (as in 0002).
- partial indexes on the secret documents (2 %): by id, and by the officer who registered,
  drafted or reviews them, so that the secret branches read only those rows.
- (unit, incoming) on assignments: the documents a unit was directed to, newest first,
  without touching the table.

On SQLite (or without the extensions) nothing is created: search runs its plain query there.
"""

from django.db import migrations

GIN = [
    (
        "doc_in_agency_search",
        "documents_incomingdocument",
        "agency_id, search_text gin_trgm_ops",
    ),
    (
        "doc_out_agency_search",
        "documents_outgoingdocument",
        "agency_id, drafting_unit_id, search_text gin_trgm_ops",
    ),
]

BTREE = [
    ("doc_in_secret", "documents_incomingdocument", "id", "secrecy > 0"),
    ("doc_in_secret_reg", "documents_incomingdocument", "registered_by_id, id", "secrecy > 0"),
    ("doc_out_secret", "documents_outgoingdocument", "id", "secrecy > 0"),
    ("doc_out_secret_creator", "documents_outgoingdocument", "created_by_id, id", "secrecy > 0"),
    ("doc_out_secret_reviewer", "documents_outgoingdocument", "reviewer_id, id", "secrecy > 0"),
    ("doc_asg_unit_incoming", "documents_assignment", "unit_id, incoming_id", None),
]


def _has_extension(schema_editor, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
        if cursor.fetchone():
            return True
        try:
            cursor.execute("SAVEPOINT egov_ext")
            cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
            cursor.execute("RELEASE SAVEPOINT egov_ext")
            return True
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT egov_ext")
            return False


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, table, columns, where in BTREE:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"
            + (f" WHERE {where}" if where else "")
        )
    if _has_extension(schema_editor, "pg_trgm") and _has_extension(schema_editor, "btree_gin"):
        for name, table, columns in GIN:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({columns})"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_rest in GIN + BTREE:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_amendment_ordering")]
    operations = [migrations.RunPython(forwards, backwards)]
