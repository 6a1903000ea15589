"""A simulation keeps the parameters it decides under, so a draft edited while (or after) it ran
can neither mix two parameter sets into one report nor make an old report look current.
Simulations asked for before this take their version's parameters as they are now: the best
that is known of them."""

from django.db import migrations, models


def parameters_of_their_version(apps, schema_editor):
    simulation = apps.get_model("decisions", "PolicySimulation")
    for each in simulation.objects.select_related("policy"):
        each.parameters = each.policy.parameters
        each.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("decisions", "0002_decisions_refer_to_their_policy_version")]

    operations = [
        migrations.AddField(
            model_name="policysimulation", name="parameters", field=models.JSONField(null=True)
        ),
        migrations.RunPython(parameters_of_their_version, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="policysimulation", name="parameters", field=models.JSONField()
        ),
    ]
