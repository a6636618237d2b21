"""Writes to the catalogue. Views, admin, commands and tasks all call these functions.

Derived fields are never typed by hand: slugs, ``Cigar.full_name`` and
``Cigar.search_name`` are computed here, and a rename of a brand or a line rewrites its
cigars' names in the same transaction. A cigar whose name changes loses its embedding
(``cigar_embed`` recomputes the missing ones), so a vector never describes an old name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from catalogue.models import (
    BlendComponent,
    BlendRole,
    Brand,
    Cigar,
    CigarLine,
    CigarPackage,
    SourceRecord,
    TastingNote,
)
from catalogue.naming import cigar_full_name, fold, search_key
from catalogue.packages import ParsedPackage
from catalogue.search import forget_brand_keys, forget_embeddings_present
from cigarspace import embeddings

BRAND_FIELDS = ("name", "country", "description", "website", "image_url", "aliases")
LINE_FIELDS = ("name", "description")
CIGAR_FIELDS = (
    "external_id",
    "vitola_name",
    "vitola_de_galera",
    "length_mm",
    "ring_gauge",
    "weight_g",
    "shape",
    "wrapper_origin",
    "binder_origin",
    "filler_origin",
    "country",
    "strength",
    "tasting_profile",
    "is_discontinued",
    "needs_review",
)
TASTING_NOTE_FIELDS = ("reviewer", "score", "text", "pairings", "tasted_on")


# --- helpers -----------------------------------------------------------------------------


def _unique_slug(base: str, queryset: QuerySet, *, max_length: int, exclude_pk=None) -> str:
    """``base`` or ``base-2``, ``base-3``… whichever is free in ``queryset``."""
    base = (slugify(base) or "item")[: max_length - 6].strip("-") or "item"
    taken_qs = queryset.filter(Q(slug=base) | Q(slug__startswith=f"{base}-"))
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _apply(instance, fields: dict[str, Any], allowed: Sequence[str]) -> list[str]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _check_name_free(queryset: QuerySet, name: str, what: str, exclude_pk=None) -> None:
    # Friendlier than the database constraint's message, and names the field.
    clash = queryset.filter(name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"{what} named {name!r} already exists."})


def _clean(instance, *, exclude: Iterable[str] = ()) -> None:
    # Slugs are ours (unique by construction); everything else, constraints included, is
    # checked before the INSERT so that callers get a field-level message, not an IntegrityError.
    instance.full_clean(exclude=["slug", *exclude], validate_unique=False)


def _refresh_names(cigar: Cigar, brand_name: str, line_name: str) -> bool:
    """Recompute the derived names of ``cigar``; True when its full name changed."""
    full_name = cigar_full_name(brand=brand_name, line=line_name, vitola=cigar.vitola_name)
    if full_name == cigar.full_name and cigar.slug:
        return False
    cigar.full_name = full_name
    cigar.search_name = search_key(full_name)
    cigar.slug = _unique_slug(full_name, Cigar.objects.all(), max_length=420, exclude_pk=cigar.pk)
    cigar.embedding = None
    cigar.embedding_model = ""
    return True


def _cascade_names(cigars: QuerySet[Cigar]) -> int:
    """Rewrite the derived names of many cigars after a brand or line rename."""
    changed = []
    for cigar in cigars.select_related("line__brand").order_by("pk"):
        if _refresh_names(cigar, cigar.line.brand.name, cigar.line.name):
            changed.append(cigar)
    Cigar.objects.bulk_update(
        changed,
        ["full_name", "search_name", "slug", "embedding", "embedding_model"],
        batch_size=500,
    )
    return len(changed)


# --- brands --------------------------------------------------------------------------------


@transaction.atomic
def brand_create(
    *,
    name: str,
    country: str = "",
    description: str = "",
    website: str = "",
    image_url: str = "",
    aliases: list[str] | None = None,
) -> Brand:
    brand = Brand(
        name=" ".join(name.split()),
        country=country,
        description=description,
        website=website,
        image_url=image_url,
        aliases=aliases or [],
    )
    _check_name_free(Brand.objects.all(), brand.name, "A brand")
    brand.slug = _unique_slug(brand.name, Brand.objects.all(), max_length=140)
    _clean(brand)
    brand.save()
    forget_brand_keys()
    return brand


@transaction.atomic
def brand_update(*, brand: Brand, **fields: Any) -> Brand:
    """Change a brand; a rename rewrites the full names of all its cigars."""
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"]).split())
    old_name = Brand.objects.select_for_update().values_list("name", flat=True).get(pk=brand.pk)
    changed = _apply(brand, fields, BRAND_FIELDS)
    if not changed:
        return brand
    if "name" in changed:
        _check_name_free(Brand.objects.all(), brand.name, "A brand", exclude_pk=brand.pk)
        brand.slug = _unique_slug(
            brand.name, Brand.objects.all(), max_length=140, exclude_pk=brand.pk
        )
    _clean(brand)
    brand.save()
    forget_brand_keys()
    if "name" in changed:
        # The default line carries the brand's name: it follows the rename.
        default_line = brand.lines.filter(name__iexact=old_name).first()
        if default_line is not None:
            default_line.name = brand.name
            default_line.slug = _unique_slug(
                brand.name, brand.lines.all(), max_length=140, exclude_pk=default_line.pk
            )
            default_line.save(update_fields=["name", "slug", "updated_at"])
        _cascade_names(Cigar.objects.filter(line__brand=brand))
    return brand


@transaction.atomic
def brand_delete(*, brand: Brand) -> None:
    if brand.lines.exists():
        raise ValidationError(f"Brand {brand.name!r} still has lines; delete or move them first.")
    brand.delete()
    forget_brand_keys()


def brand_get_or_create(*, name: str) -> tuple[Brand, bool]:
    name = " ".join(name.split())
    brand = Brand.objects.filter(name__iexact=name).first()
    if brand is not None:
        return brand, False
    return brand_create(name=name), True


# --- lines ---------------------------------------------------------------------------------


@transaction.atomic
def line_create(*, brand: Brand, name: str, description: str = "") -> CigarLine:
    line = CigarLine(brand=brand, name=" ".join(name.split()), description=description)
    _check_name_free(brand.lines.all(), line.name, f"A line of {brand.name}")
    line.slug = _unique_slug(line.name, brand.lines.all(), max_length=140)
    _clean(line)
    line.save()
    forget_brand_keys()
    return line


@transaction.atomic
def line_update(*, line: CigarLine, **fields: Any) -> CigarLine:
    """Change a line (name, description, or brand); cigars follow in the same transaction."""
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"]).split())
    new_brand = fields.pop("brand", None)
    CigarLine.objects.select_for_update().filter(pk=line.pk).exists()
    changed = _apply(line, fields, LINE_FIELDS)
    if new_brand is not None and new_brand.pk != line.brand_id:
        line.brand = new_brand
        changed.append("brand")
    if not changed:
        return line
    if "name" in changed or "brand" in changed:
        _check_name_free(
            line.brand.lines.all(), line.name, f"A line of {line.brand.name}", exclude_pk=line.pk
        )
        line.slug = _unique_slug(
            line.name, line.brand.lines.all(), max_length=140, exclude_pk=line.pk
        )
    _clean(line)
    line.save()
    forget_brand_keys()
    if "name" in changed or "brand" in changed:
        _cascade_names(line.cigars.all())
    return line


@transaction.atomic
def line_delete(*, line: CigarLine) -> None:
    if line.cigars.exists():
        raise ValidationError(f"Line {line} still has cigars; delete or move them first.")
    line.delete()
    forget_brand_keys()


def line_default(*, brand: Brand) -> CigarLine:
    """The line named after the brand, where cigars without a line are filed."""
    line = brand.lines.filter(name__iexact=brand.name).first()
    return line if line is not None else line_create(brand=brand, name=brand.name)


def line_get_or_create(*, brand: Brand, name: str) -> tuple[CigarLine, bool]:
    name = " ".join((name or "").split())
    if not name:
        existed = brand.lines.filter(name__iexact=brand.name).exists()
        return line_default(brand=brand), not existed
    line = brand.lines.filter(name__iexact=name).first()
    if line is not None:
        return line, False
    return line_create(brand=brand, name=name), True


# --- cigars --------------------------------------------------------------------------------


def _check_vitola_free(line: CigarLine, vitola_name: str, exclude_pk=None) -> None:
    clash = line.cigars.annotate(v=Lower("vitola_name")).filter(v=vitola_name.lower())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"vitola_name": f"{line} already has a cigar named {vitola_name!r}."})


@transaction.atomic
def cigar_create(
    *,
    line: CigarLine,
    vitola_name: str,
    blend: list[dict[str, Any]] | None = None,
    packages: list[ParsedPackage] | None = None,
    **fields: Any,
) -> Cigar:
    vitola_name = " ".join(vitola_name.split())
    _check_vitola_free(line, vitola_name)
    cigar = Cigar(line=line, vitola_name=vitola_name)
    _apply(cigar, fields, CIGAR_FIELDS)
    if cigar.external_id == "":
        cigar.external_id = None
    _refresh_names(cigar, line.brand.name, line.name)
    _clean(cigar, exclude=["full_name", "search_name", "embedding"])
    cigar.save()
    if blend is not None:
        cigar_set_blend(cigar=cigar, components=blend)
    if packages is not None:
        cigar_set_packages(cigar=cigar, packages=packages)
    return cigar


@transaction.atomic
def cigar_update(
    *,
    cigar: Cigar,
    line: CigarLine | None = None,
    blend: list[dict[str, Any]] | None = None,
    packages: list[ParsedPackage] | None = None,
    **fields: Any,
) -> Cigar:
    Cigar.objects.select_for_update().filter(pk=cigar.pk).exists()
    if "vitola_name" in fields:
        fields["vitola_name"] = " ".join(str(fields["vitola_name"]).split())
    if fields.get("external_id") == "":
        fields["external_id"] = None
    changed = _apply(cigar, fields, CIGAR_FIELDS)
    if line is not None and line.pk != cigar.line_id:
        cigar.line = line
        changed.append("line")
    if "vitola_name" in changed or "line" in changed:
        _check_vitola_free(cigar.line, cigar.vitola_name, exclude_pk=cigar.pk)
        _refresh_names(cigar, cigar.line.brand.name, cigar.line.name)
    if changed:
        _clean(cigar, exclude=["full_name", "search_name", "embedding"])
        cigar.save()
    if blend is not None:
        cigar_set_blend(cigar=cigar, components=blend)
    if packages is not None:
        cigar_set_packages(cigar=cigar, packages=packages)
    return cigar


@transaction.atomic
def cigar_delete(*, cigar: Cigar) -> None:
    cigar.delete()


@transaction.atomic
def cigar_set_blend(*, cigar: Cigar, components: list[dict[str, Any]]) -> list[BlendComponent]:
    """Replace the blend: ``[{"role": "wrapper", "leaf": "Corojo", "country": "Cuba"}…]``."""
    rows = []
    for position, component in enumerate(components):
        row = BlendComponent(
            cigar=cigar,
            role=component.get("role", ""),
            leaf=component.get("leaf", "") or "",
            country=component.get("country", "") or "",
            position=component.get("position", position),
        )
        if row.role not in BlendRole.values:
            raise ValidationError(
                {"blend": f"role {row.role!r} is not one of {', '.join(BlendRole.values)}."}
            )
        rows.append(row)
    BlendComponent.objects.filter(cigar=cigar).delete()
    return BlendComponent.objects.bulk_create(rows)


def _package_key(package) -> tuple[str, int, str]:
    return (package.packaging, package.pack_size, package.description)


@transaction.atomic
def cigar_set_packages(*, cigar: Cigar, packages: list[ParsedPackage], merchant: str = "") -> bool:
    """Replace the packages of one merchant ("" = the catalogue's own); True if changed.

    Rows priced by other merchants are left alone, so an import does not erase prices
    that crawlers observed.
    """
    existing = list(CigarPackage.objects.filter(cigar=cigar, merchant=merchant))
    if sorted(map(_package_key, existing)) == sorted(map(_package_key, packages)):
        return False
    CigarPackage.objects.filter(cigar=cigar, merchant=merchant).delete()
    CigarPackage.objects.bulk_create(
        CigarPackage(
            cigar=cigar,
            merchant=merchant,
            pack_size=p.pack_size,
            packaging=p.packaging,
            description=p.description,
        )
        for p in packages
    )
    return True


# --- forms (the admin) ------------------------------------------------------------------------


@transaction.atomic
def brand_save_instance(*, brand: Brand) -> Brand:
    """Save a brand edited by a form: the slug follows the name, and a rename cascades."""
    if brand.pk is None:
        _check_name_free(Brand.objects.all(), brand.name, "A brand")
        brand.slug = _unique_slug(brand.name, Brand.objects.all(), max_length=140)
        _clean(brand)
        brand.save()
        forget_brand_keys()
        return brand
    stored = Brand.objects.select_for_update().get(pk=brand.pk)
    fields = {name: getattr(brand, name) for name in BRAND_FIELDS}
    return brand_update(brand=stored, **fields)


@transaction.atomic
def line_save_instance(*, line: CigarLine) -> CigarLine:
    if line.pk is None:
        line.slug = _unique_slug(line.name, line.brand.lines.all(), max_length=140)
        _clean(line)
        line.save()
        forget_brand_keys()
        return line
    stored = CigarLine.objects.select_for_update().get(pk=line.pk)
    fields = {name: getattr(line, name) for name in LINE_FIELDS}
    return line_update(line=stored, brand=line.brand, **fields)


@transaction.atomic
def cigar_save_instance(*, cigar: Cigar) -> Cigar:
    """Save a cigar edited by a form, computing its derived names like cigar_create."""
    if cigar.external_id == "":
        cigar.external_id = None
    previous = (
        Cigar.objects.select_for_update()
        .filter(pk=cigar.pk)
        .values("line_id", "vitola_name")
        .first()
        if cigar.pk
        else None
    )
    if previous is None or previous != {"line_id": cigar.line_id, "vitola_name": cigar.vitola_name}:
        _check_vitola_free(cigar.line, cigar.vitola_name, exclude_pk=cigar.pk)
        cigar.full_name = ""  # force the recomputation
        _refresh_names(cigar, cigar.line.brand.name, cigar.line.name)
    _clean(cigar, exclude=["full_name", "search_name", "embedding"])
    cigar.save()
    return cigar


# --- tasting notes ---------------------------------------------------------------------


@transaction.atomic
def tasting_note_create(*, cigar: Cigar, reviewer: str, **fields: Any) -> TastingNote:
    note = TastingNote(cigar=cigar, reviewer=reviewer)
    _apply(note, fields, TASTING_NOTE_FIELDS)
    _clean(note)
    note.save()
    return note


@transaction.atomic
def tasting_note_update(*, note: TastingNote, **fields: Any) -> TastingNote:
    if _apply(note, fields, TASTING_NOTE_FIELDS):
        _clean(note)
        note.save()
    return note


@transaction.atomic
def tasting_note_delete(*, note: TastingNote) -> None:
    note.delete()


# --- provenance ------------------------------------------------------------------------------


@transaction.atomic
def source_record_create(
    *,
    url: str,
    parser: str,
    parser_version: str,
    content_hash: str = "",
    http_status: int | None = None,
    cigar: Cigar | None = None,
    notes: str = "",
    stats: dict[str, Any] | None = None,
) -> SourceRecord:
    return SourceRecord.objects.create(
        url=url[:2000],
        fetched_at=timezone.now(),
        http_status=http_status,
        parser=parser,
        parser_version=parser_version,
        content_hash=content_hash,
        cigar=cigar,
        notes=notes,
        stats=stats or {},
    )


# --- embeddings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedResult:
    embedded: int
    model: str


def cigar_embedding_text(cigar: Cigar) -> str:
    """What the vector describes: the full name, and its normalised key when it differs.

    The key puts "Siglo VI" and "siglo 6" in the same text, so that a query written with
    Arabic numerals (embedded through ``search.query_embedding_text``) lands on the
    right vitola; measured on the Siglo and Montecristo numbers, the name alone does not.
    """
    key = search_key(cigar.full_name)
    return cigar.full_name if key == fold(cigar.full_name) else f"{cigar.full_name} ({key})"


def cigar_embed(
    *,
    mode: str = "missing",
    cigar_ids: Iterable[int] | None = None,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> EmbedResult:
    """(Re)compute cigar embeddings in batches, each batch in its own transaction.

    ``missing``: cigars without a vector, or with one from another model (a name change
    clears the vector, so changed cigars are missing ones); ``all``: every cigar.
    """
    if mode not in ("missing", "all"):
        raise ValueError(f"mode must be 'missing' or 'all', not {mode!r}")
    model = embeddings.model_name()
    queryset = Cigar.objects.all()
    if cigar_ids is not None:
        queryset = queryset.filter(pk__in=list(cigar_ids))
    if mode == "missing":
        queryset = queryset.filter(Q(embedding__isnull=True) | ~Q(embedding_model=model))
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = list(Cigar.objects.filter(pk__in=ids[start : start + batch_size]).order_by("pk"))
        vectors = embeddings.embed_texts(
            [cigar_embedding_text(c) for c in chunk], batch_size=batch_size
        )
        with transaction.atomic():
            for cigar, vector in zip(chunk, vectors, strict=True):
                cigar.embedding = vector
                cigar.embedding_model = model
            Cigar.objects.bulk_update(chunk, ["embedding", "embedding_model"])
        done += len(chunk)
        forget_embeddings_present()
        if progress is not None:
            progress(len(chunk))
    return EmbedResult(embedded=done, model=model)
