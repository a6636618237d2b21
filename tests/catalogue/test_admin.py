import pytest
from django.urls import reverse

from catalogue.models import Brand, Cigar, CigarLine

pytestmark = pytest.mark.django_db


def inline_management(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_forms_go_through_the_services(admin_client_logged_in):
    client = admin_client_logged_in
    response = client.post(
        reverse("admin:catalogue_brand_add"), {"name": "Trinidad", "aliases": "[]"}
    )
    assert response.status_code == 302, response.content
    brand = Brand.objects.get(name="Trinidad")
    assert brand.slug == "trinidad"

    response = client.post(
        reverse("admin:catalogue_cigarline_add"), {"brand": brand.pk, "name": "Trinidad"}
    )
    assert response.status_code == 302
    line = CigarLine.objects.get(brand=brand)

    # Other apps may add inlines to the cigar page: send an empty formset for each.
    add_page = client.get(reverse("admin:catalogue_cigar_add"))
    data = {
        "line": line.pk,
        "vitola_name": "Fundadores",
        "length_mm": "192",
        "ring_gauge": "40",
        "tasting_profile": "{}",
    }
    for inline in add_page.context["inline_admin_formsets"]:
        data.update(inline_management(inline.formset.prefix))
    response = client.post(reverse("admin:catalogue_cigar_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    cigar = Cigar.objects.get(vitola_name="Fundadores")
    assert cigar.full_name == "Trinidad Fundadores"
    assert cigar.search_name == "trinidad fundadores"
    assert cigar.slug == "trinidad-fundadores"

    response = client.post(
        reverse("admin:catalogue_brand_change", args=[brand.pk]),
        {"name": "Trinidad Habana", "aliases": "[]"},
    )
    assert response.status_code == 302
    cigar.refresh_from_db()
    assert cigar.full_name == "Trinidad Habana Fundadores"
