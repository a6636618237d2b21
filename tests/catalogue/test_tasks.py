import pytest
from django_q.models import Schedule

from catalogue import services
from catalogue.models import Cigar
from catalogue.schedules import EMBED_SCHEDULE_NAME, schedules_register
from catalogue.tasks import embed_missing_cigars
from cigarspace import embeddings

pytestmark = pytest.mark.django_db


def test_schedule_is_registered_once_and_keeps_its_cadence():
    # post_migrate already registered it when the test database was migrated.
    schedule = Schedule.objects.get(name=EMBED_SCHEDULE_NAME)
    assert schedule.func == "catalogue.tasks.embed_missing_cigars"
    first_run = schedule.next_run
    schedules_register()
    assert Schedule.objects.filter(name=EMBED_SCHEDULE_NAME).count() == 1
    assert Schedule.objects.get(name=EMBED_SCHEDULE_NAME).next_run == first_run


def test_task_embeds_new_and_renamed_cigars(catalogue):
    assert embed_missing_cigars() == Cigar.objects.count()
    assert embed_missing_cigars() == 0
    services.line_update(line=catalogue["lines"]["siglo"], name="Línea 1492")
    assert embed_missing_cigars() == 6  # the six renamed Siglos only
    assert not Cigar.objects.exclude(embedding_model=embeddings.model_name()).exists()
