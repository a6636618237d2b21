"""The rate-limit table (accounts/rate_limits.py), UNLOGGED like the cache table.

Every API request writes it; an unlogged table writes no WAL. After a crash it is
empty: every client starts with a whole budget, which is all a rate limit may lose.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_cache_table_unlogged"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateLimit",
            fields=[
                ("key", models.CharField(max_length=250, primary_key=True, serialize=False)),
                (
                    "theoretical_arrival",
                    models.FloatField(help_text="Unix time; the past means a full budget."),
                ),
            ],
            options={
                "db_table": "accounts_rate_limit",
            },
        ),
        migrations.RunSQL(
            "ALTER TABLE accounts_rate_limit SET UNLOGGED",
            reverse_sql="ALTER TABLE accounts_rate_limit SET LOGGED",
        ),
    ]
