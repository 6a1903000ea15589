"""What each decision was made from (its figures) and its counter-offers; who asked, by name.

SQLite rebuilds a table to alter a column, and a rebuilt table has lost its triggers: the one
that refuses changes to decisions (migration 0004) is made again here.
"""

from django.db import migrations, models

SQLITE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS loans_creditdecision_no_update
    BEFORE UPDATE ON loans_creditdecision
    BEGIN SELECT RAISE(ABORT, 'credit decisions are immutable: UPDATE refused'); END"""


def keep_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('loans', '0005_tenure_within_limits'),
    ]

    operations = [
        migrations.AddField(
            model_name='creditdecision',
            name='figures',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='creditdecision',
            name='max_eligible_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name='creditdecision',
            name='min_tenure_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='creditdecision',
            name='requested_by',
            field=models.CharField(blank=True, help_text='Who asked (core.auth.who_asked): never a key.', max_length=150),
        ),
        migrations.RunPython(keep_sqlite_trigger, migrations.RunPython.noop),
    ]
