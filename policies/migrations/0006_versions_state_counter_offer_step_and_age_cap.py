"""Every stored version states the two parameters added after it was made: counter_offer_step
(1000, rupees) and max_age_at_maturity (null, no cap). They are the values the declaration
reads an absent key as, so no decision comes out differently and none recorded is touched; the
version only says in full what it always decided by.

Versions out of draft are immutable by trigger (0002): the trigger is set aside for this one
statement per version, in the migration's transaction, and is back before it commits.
"""

import importlib

from django.db import migrations

ADDED = {"counter_offer_step": "1000", "max_age_at_maturity": None}
TRIGGER = "policies_policyversion_no_change"


def fill_in(PolicyVersion, connection) -> None:
    """Also run by the tests, on a database already migrated."""
    table = PolicyVersion._meta.db_table
    with connection.cursor() as cursor:
        _set_aside(cursor, connection.vendor, table)
        for row in PolicyVersion.objects.all():
            missing = {key: value for key, value in ADDED.items() if key not in row.parameters}
            if missing:
                row.parameters = {**row.parameters, **missing}
                row.save(update_fields=["parameters"])
        _restore(cursor, connection.vendor, table)


def _set_aside(cursor, vendor: str, table: str) -> None:
    if vendor == "postgresql":
        # ALTER TABLE refuses a table with foreign-key checks still deferred in the transaction
        # (a test's rows): they are run now. Django's are the only deferrable constraints, and
        # DEFERRED is their default, so _restore puts that back.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
    elif vendor == "sqlite":
        cursor.execute(f"DROP TRIGGER {TRIGGER}")


def _restore(cursor, vendor: str, table: str) -> None:
    if vendor == "postgresql":
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    elif vendor == "sqlite":
        first = importlib.import_module(
            "policies.migrations.0002_version_one_and_immutable_versions"
        )
        for statement in first.SQLITE_FORWARD:
            cursor.execute(statement)


def forward(apps, schema_editor):
    fill_in(apps.get_model("policies", "PolicyVersion"), schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("policies", "0005_simulations_move_to_decisions")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
