"""Database triggers that keep an approval request as it was decided, whatever code (or person
with a SQL prompt and the application's role) tries to change it: while it is pending only its
decision may be written (never its kind, inputs, reason or maker), and once decided nothing.

PostgreSQL refuses DELETE too. SQLite, the embedded default, refuses UPDATE only: Django empties
SQLite tables with DELETE between transactional tests, where PostgreSQL uses TRUNCATE.
"""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE FUNCTION approvals_approvalrequest_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'approval requests are immutable: DELETE refused';
    END IF;
    IF OLD.status <> 'pending'
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.inputs IS DISTINCT FROM OLD.inputs
        OR NEW.reason IS DISTINCT FROM OLD.reason
        OR NEW.maker IS DISTINCT FROM OLD.maker
        OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'approval requests are immutable once decided: UPDATE refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER approvals_approvalrequest_no_update BEFORE UPDATE ON approvals_approvalrequest
    FOR EACH ROW EXECUTE FUNCTION approvals_approvalrequest_refuse_change();
CREATE TRIGGER approvals_approvalrequest_no_delete BEFORE DELETE ON approvals_approvalrequest
    FOR EACH ROW EXECUTE FUNCTION approvals_approvalrequest_refuse_change();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER approvals_approvalrequest_no_update ON approvals_approvalrequest;
DROP TRIGGER approvals_approvalrequest_no_delete ON approvals_approvalrequest;
DROP FUNCTION approvals_approvalrequest_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER approvals_approvalrequest_no_update BEFORE UPDATE ON approvals_approvalrequest
    WHEN OLD.status <> 'pending'
        OR NEW.kind IS NOT OLD.kind
        OR NEW.inputs IS NOT OLD.inputs
        OR NEW.reason IS NOT OLD.reason
        OR NEW.maker IS NOT OLD.maker
        OR NEW.created_at IS NOT OLD.created_at
    BEGIN SELECT RAISE(ABORT, 'approval requests are immutable once decided: UPDATE refused');
    END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER approvals_approvalrequest_no_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRESQL_FORWARD], "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": [POSTGRESQL_BACKWARD], "sqlite": SQLITE_BACKWARD}),
        )
    ]
