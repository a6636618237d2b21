"""The PostgreSQL extensions every domain app relies on, created before any table."""

from django.contrib.postgres.operations import CreateExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        CreateExtension("vector"),
        TrigramExtension(),
    ]
