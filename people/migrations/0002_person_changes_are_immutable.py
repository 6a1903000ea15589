"""Database triggers that keep the record of changes to people as it was written, whatever code
(or person with a SQL prompt and the application's role) tries to rewrite who was given which
role or whose password was reset.

PostgreSQL refuses UPDATE and DELETE. SQLite, the embedded default, refuses UPDATE only: Django
empties SQLite tables with DELETE between transactional tests, where PostgreSQL uses TRUNCATE.
"""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE FUNCTION people_personchange_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'changes to people are immutable: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER people_personchange_no_update BEFORE UPDATE ON people_personchange
    FOR EACH ROW EXECUTE FUNCTION people_personchange_refuse_change();
CREATE TRIGGER people_personchange_no_delete BEFORE DELETE ON people_personchange
    FOR EACH ROW EXECUTE FUNCTION people_personchange_refuse_change();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER people_personchange_no_update ON people_personchange;
DROP TRIGGER people_personchange_no_delete ON people_personchange;
DROP FUNCTION people_personchange_refuse_change();
"""
SQLITE_FORWARD = """
CREATE TRIGGER people_personchange_no_update BEFORE UPDATE ON people_personchange
BEGIN SELECT RAISE(ABORT, 'changes to people are immutable: UPDATE refused'); END
"""
SQLITE_BACKWARD = "DROP TRIGGER people_personchange_no_update"


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        statement = sql_by_vendor.get(schema_editor.connection.vendor)
        if statement:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
