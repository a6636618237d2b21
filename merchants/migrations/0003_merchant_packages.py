"""The merchant's packages by id (``merchant_package``), linked once from the labels.

Until now merchants found its catalogue packages by the shop's name
(``cigar_package.merchant``). The backfill links every package labelled with a merchant's
current name to that merchant (the last join on the name); from here on, merchants joins
on ids only.
"""

import django.db.models.deletion
from django.db import migrations, models


def link_packages_by_label(apps, schema_editor):
    Merchant = apps.get_model("merchants", "Merchant")
    CigarPackage = apps.get_model("catalogue", "CigarPackage")
    MerchantPackage = apps.get_model("merchants", "MerchantPackage")
    for merchant in Merchant.objects.all():
        MerchantPackage.objects.bulk_create(
            [
                MerchantPackage(merchant=merchant, package_id=package_id)
                for package_id in CigarPackage.objects.filter(merchant=merchant.name).values_list(
                    "pk", flat=True
                )
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0008_protect_aliases_and_audit"),
        ("merchants", "0002_offers_and_product_kinds"),
    ]

    operations = [
        migrations.CreateModel(
            name="MerchantPackage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="packages",
                        to="merchants.merchant",
                    ),
                ),
                (
                    "package",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merchant_link",
                        to="catalogue.cigarpackage",
                    ),
                ),
            ],
            options={
                "db_table": "merchant_package",
            },
        ),
        migrations.RunPython(link_packages_by_label, migrations.RunPython.noop),
    ]
