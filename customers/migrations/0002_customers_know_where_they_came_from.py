"""Where each customer came from: registered through the API, or imported from the history
files. Customers stored before this was kept are taken as imported when any of their loans was
imported (files created those), else as registered.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_imported(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Loan = apps.get_model("loans", "Loan")
    imported = Loan.objects.filter(customer=OuterRef("pk"), origin="imported")
    Customer.objects.filter(Exists(imported)).update(origin="imported")


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0001_initial'),
        ('loans', '0002_loan_source_loan_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='origin',
            field=models.CharField(choices=[('registered', 'Registered through the API'), ('imported', 'Imported from the history files')], default='registered', max_length=16),
        ),
        migrations.RunPython(mark_imported, migrations.RunPython.noop),
    ]
