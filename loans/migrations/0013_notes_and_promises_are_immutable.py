"""Database triggers that keep a loan's notes and promises as they were written, whatever code
(or person with a SQL prompt and the application's role) tries to rewrite what an officer
recorded or what a borrower promised: a correction is a new note, a new promise follows a broken
one (docs/console.md).

PostgreSQL refuses UPDATE and DELETE. SQLite, the embedded default, refuses UPDATE only: Django
empties SQLite tables with DELETE between transactional tests, where PostgreSQL uses TRUNCATE.
"""

from django.db import migrations

TABLES = ("loans_loannote", "loans_paymentpromise")

POSTGRESQL_FORWARD = """
CREATE FUNCTION loans_follow_up_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'notes and promises are immutable: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION loans_follow_up_refuse_change();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION loans_follow_up_refuse_change();
"""
    for table in TABLES
)
POSTGRESQL_BACKWARD = "".join(
    f"DROP TRIGGER {table}_no_update ON {table}; DROP TRIGGER {table}_no_delete ON {table};"
    for table in TABLES
) + "DROP FUNCTION loans_follow_up_refuse_change();"
SQLITE_FORWARD = [
    f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'notes and promises are immutable: UPDATE refused'); END"""
    for table in TABLES
]
SQLITE_BACKWARD = [f"DROP TRIGGER {table}_no_update" for table in TABLES]


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        statements = sql_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("loans", "0012_customer_lookups_by_the_unique_index")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
