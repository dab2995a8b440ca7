"""The full-text index of the catalogue, one per database (see catalog/search.py).

PostgreSQL: the ``unaccent`` extension (trusted since PostgreSQL 13, so the database
owner may create it), a ``ventanilla_es`` configuration that folds accents before the
Spanish stemmer, a ``search_vector`` column and its GIN index.
SQLite: an FTS5 table of Python-computed stems, keyed by the procedure's id.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'ventanilla_es') THEN
        CREATE TEXT SEARCH CONFIGURATION ventanilla_es (COPY = pg_catalog.spanish);
        ALTER TEXT SEARCH CONFIGURATION ventanilla_es
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
      END IF;
    END $$
    """,
    "ALTER TABLE catalog_procedure ADD COLUMN search_vector tsvector",
    "CREATE INDEX catalog_procedure_search_idx ON catalog_procedure USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_procedure_search_idx",
    "ALTER TABLE catalog_procedure DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE catalog_procedure_fts USING fts5(name, body, tokenize='unicode61')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS catalog_procedure_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
