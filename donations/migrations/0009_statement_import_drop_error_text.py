from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('donations', '0008_statement_import_error_code'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='statementimport',
            name='error',
        ),
    ]
