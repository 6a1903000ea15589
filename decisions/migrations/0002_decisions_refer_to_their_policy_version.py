"""A decision refers to the policy version that made it (a foreign key) instead of naming it in
text. Decisions recorded before versions were data carry the label of docs/credit-policy.md
they followed, "2026-11-26.1", which is version 1; every other value is a version's number.

Decisions are immutable (loans migration 0004): the triggers that refuse changes are lifted for
this one rewrite and put back, the same on PostgreSQL and SQLite (whose table rebuild would
drop them anyway).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "loans_creditdecision"
FIRST_LABEL = "2026-11-26.1"
TRIGGERS = {
    "postgresql": (
        [
            f"DROP TRIGGER IF EXISTS loans_creditdecision_no_update ON {TABLE}",
            f"DROP TRIGGER IF EXISTS loans_creditdecision_no_delete ON {TABLE}",
        ],
        [
            f"CREATE TRIGGER loans_creditdecision_no_update BEFORE UPDATE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION loans_creditdecision_refuse_change()",
            f"CREATE TRIGGER loans_creditdecision_no_delete BEFORE DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION loans_creditdecision_refuse_change()",
        ],
    ),
    "sqlite": (
        ["DROP TRIGGER IF EXISTS loans_creditdecision_no_update"],
        [
            f"CREATE TRIGGER loans_creditdecision_no_update BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'credit decisions are immutable: UPDATE refused'); END"
        ],
    ),
}


def _execute(statements, schema_editor):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def lift_triggers(apps, schema_editor):
    _execute(TRIGGERS[schema_editor.connection.vendor][0], schema_editor)


def restore_triggers(apps, schema_editor):
    _execute(TRIGGERS[schema_editor.connection.vendor][1], schema_editor)


def labels_to_numbers(apps, schema_editor):
    """The first label becomes 1; anything else that is not a number stops the migration."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET policy_version = %s WHERE policy_version = %s", ["1", FIRST_LABEL]
        )
        cursor.execute(f"SELECT DISTINCT policy_version FROM {TABLE}")
        unknown = [value for (value,) in cursor.fetchall() if not str(value).isascii() or not str(value).isdigit()]
    if unknown:
        raise RuntimeError(f"Decisions name policy versions that are not numbers: {unknown}")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0001_initial"),
        ("policies", "0005_simulations_move_to_decisions"),
    ]

    operations = [
        migrations.RunPython(lift_triggers, restore_triggers),
        migrations.RunPython(labels_to_numbers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="creditdecision",
            name="policy_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="policies.policyversion",
            ),
        ),
        migrations.RunPython(restore_triggers, lift_triggers),
    ]
