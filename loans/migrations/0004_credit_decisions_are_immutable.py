"""Database triggers that refuse changes to the decision audit trail, whatever code (or person
with a SQL prompt and the application's role) tries it.

PostgreSQL refuses UPDATE and DELETE. SQLite, the embedded default, refuses UPDATE only: Django
empties SQLite tables with DELETE between transactional tests, where PostgreSQL uses TRUNCATE.
"""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE FUNCTION loans_creditdecision_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credit decisions are immutable: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER loans_creditdecision_no_update BEFORE UPDATE ON loans_creditdecision
    FOR EACH ROW EXECUTE FUNCTION loans_creditdecision_refuse_change();
CREATE TRIGGER loans_creditdecision_no_delete BEFORE DELETE ON loans_creditdecision
    FOR EACH ROW EXECUTE FUNCTION loans_creditdecision_refuse_change();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER loans_creditdecision_no_update ON loans_creditdecision;
DROP TRIGGER loans_creditdecision_no_delete ON loans_creditdecision;
DROP FUNCTION loans_creditdecision_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER loans_creditdecision_no_update BEFORE UPDATE ON loans_creditdecision
    BEGIN SELECT RAISE(ABORT, 'credit decisions are immutable: UPDATE refused'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER loans_creditdecision_no_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("loans", "0003_servicing_and_audit")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRESQL_FORWARD], "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": [POSTGRESQL_BACKWARD], "sqlite": SQLITE_BACKWARD}),
        )
    ]
