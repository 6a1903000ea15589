"""The decision audit trail and the policy simulations move here from loans and policies: their
models, not their rows. The tables keep their names (Meta.db_table), so nothing is copied and
the triggers that keep decisions immutable stay on their table; the content types follow the
models, so the admin's history and permissions stay attached."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {"creditdecision": "loans", "policysimulation": "policies", "simulationflip": "policies"}


def content_types_follow(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        content_type.objects.filter(app_label=app_label, model=model).update(app_label="decisions")


def content_types_return(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        content_type.objects.filter(app_label="decisions", model=model).update(app_label=app_label)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0002_customers_know_where_they_came_from"),
        ("loans", "0006_decision_figures_and_offers"),
        ("policies", "0004_one_flip_per_decision"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='PolicySimulation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='queued', max_length=16)),
                ('phase', models.CharField(blank=True, default='', max_length=32)),
                ('run_token', models.UUIDField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('date_from', models.DateField()),
                ('date_to', models.DateField()),
                ('requested_by', models.CharField(blank=True, max_length=150)),
                ('processed', models.PositiveBigIntegerField(default=0)),
                ('total', models.PositiveBigIntegerField(default=0)),
                ('last_decision_id', models.BigIntegerField(default=0)),
                ('tally', models.JSONField(default=dict)),
                ('failure', models.TextField(blank=True)),
                ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.policyversion')),
            ],
            options={
                'db_table': 'policies_policysimulation',
                'ordering': ['-id'],
            },
        ),
        migrations.CreateModel(
            name='CreditDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('check_eligibility', 'Eligibility check'), ('create_loan', 'Loan application')], max_length=32)),
                ('loan_amount', models.DecimalField(decimal_places=2, max_digits=14)),
                ('interest_rate', models.DecimalField(decimal_places=2, max_digits=5)),
                ('tenure', models.PositiveSmallIntegerField()),
                ('as_of', models.DateField()),
                ('approved', models.BooleanField()),
                ('credit_score', models.PositiveSmallIntegerField()),
                ('score_breakdown', models.JSONField()),
                ('rules', models.JSONField(help_text="Each rule's code and whether it passed.")),
                ('reasons', models.JSONField(help_text="The failed rules' codes and messages.")),
                ('corrected_interest_rate', models.DecimalField(decimal_places=2, max_digits=5)),
                ('monthly_installment', models.DecimalField(decimal_places=2, max_digits=16)),
                ('max_eligible_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                ('min_tenure_months', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('figures', models.JSONField(blank=True, null=True)),
                ('policy_version', models.CharField(max_length=32)),
                ('requested_by', models.CharField(blank=True, help_text='Who asked (core.auth.who_asked): never a key.', max_length=150)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='customers.customer')),
                ('loan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='loans.loan')),
            ],
            options={
                'db_table': 'loans_creditdecision',
                'ordering': ['-id'],
                'indexes': [models.Index(fields=['customer', '-id'], name='decision_customer_newest')],
            },
        ),
        migrations.CreateModel(
            name='SimulationFlip',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision_id', models.BigIntegerField()),
                ('customer_id', models.BigIntegerField()),
                ('as_of', models.DateField()),
                ('loan_amount', models.DecimalField(decimal_places=2, max_digits=14)),
                ('tenure', models.PositiveSmallIntegerField()),
                ('approved_before', models.BooleanField()),
                ('credit_score_before', models.PositiveSmallIntegerField()),
                ('credit_score_after', models.PositiveSmallIntegerField()),
                ('corrected_rate_before', models.DecimalField(decimal_places=2, max_digits=5)),
                ('corrected_rate_after', models.DecimalField(decimal_places=2, max_digits=5)),
                ('reasons_before', models.JSONField()),
                ('reasons_after', models.JSONField()),
                ('simulation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flips', to='decisions.policysimulation')),
            ],
            options={
                'db_table': 'policies_simulationflip',
                'ordering': ['simulation', 'decision_id'],
                'constraints': [models.UniqueConstraint(fields=('simulation', 'decision_id'), name='one_flip_per_decision')],
            },
        ),
            ]
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
