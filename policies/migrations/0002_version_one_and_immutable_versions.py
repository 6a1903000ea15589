"""Version 1, active, with exactly the parameters the code held before policies were data (the
policy docs/credit-policy.md called 2026-11-26.1), so every decision comes out as before. And
database triggers that refuse to change the parameters of a version once it has left draft, or
to delete it, whatever code or person with a SQL prompt tries.

PostgreSQL refuses both. SQLite, the embedded default, refuses the change only: Django empties
SQLite tables with DELETE between transactional tests (PostgreSQL's flush is a TRUNCATE).
"""

from django.core.management.color import no_style
from django.db import migrations
from django.utils import timezone

VERSION_ONE = {
    "weights": {
        "repayment_on_time": "35.00",
        "loans_taken": "25.00",
        "current_year_activity": "25.00",
        "approved_volume": "15.00",
    },
    "completed_loans_for_full_marks": 5,
    "loans_this_year_to_lose_all": 4,
    "rate_floors": [
        {"min_score": 51, "min_rate": "0.00"},
        {"min_score": 30, "min_rate": "12.00"},
        {"min_score": 10, "min_rate": "16.00"},
    ],
    "minimum_score": 10,
    "max_emi_share_of_salary": "0.5000",
    "limit_multiplier": "36.00",
    "limit_rounding": "100000",
}


def create_version_one(PolicyVersion, connection) -> None:
    """Also run after a flush empties the tables (policies/apps.py: a_policy_in_force). The id
    is given, so the id sequence is moved past it (PostgreSQL's does not follow explicit ids)."""
    _, created = PolicyVersion.objects.get_or_create(
        pk=1,
        defaults={
            "status": "active",
            "parameters": VERSION_ONE,
            "created_by": "migration",
            "activated_by": "migration",
            "activated_at": timezone.now(),
        },
    )
    if created:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [PolicyVersion]):
                cursor.execute(statement)


def forward(apps, schema_editor):
    create_version_one(apps.get_model("policies", "PolicyVersion"), schema_editor.connection)


POSTGRESQL_FORWARD = """
CREATE FUNCTION policies_policyversion_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'policy version % is %: it cannot be deleted', OLD.id, OLD.status;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND NEW.parameters IS DISTINCT FROM OLD.parameters THEN
        RAISE EXCEPTION 'policy version % is %: its parameters are immutable', OLD.id, OLD.status;
    END IF;
    IF OLD.status <> 'draft' AND NEW.status = 'draft' THEN
        RAISE EXCEPTION 'policy version % is %: it cannot become a draft again', OLD.id, OLD.status;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policies_policyversion_no_change BEFORE UPDATE OR DELETE ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION policies_policyversion_refuse_change();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER policies_policyversion_no_change ON policies_policyversion;
DROP FUNCTION policies_policyversion_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER policies_policyversion_no_change BEFORE UPDATE ON policies_policyversion
    WHEN OLD.status <> 'draft'
        AND (NEW.parameters IS NOT OLD.parameters OR NEW.status = 'draft')
    BEGIN SELECT RAISE(ABORT, 'policy versions out of draft are immutable'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER policies_policyversion_no_change"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": [POSTGRESQL_FORWARD], "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": [POSTGRESQL_BACKWARD], "sqlite": SQLITE_BACKWARD}),
        ),
    ]
