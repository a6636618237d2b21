"""Cigars, their blend and their packages."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.functions import Lower

from catalogue.models import (
    BlendComponent,
    BlendRole,
    Cigar,
    CigarLine,
    CigarPackage,
)
from catalogue.packages import ParsedPackage
from catalogue.services._common import (
    CIGAR_FIELDS,
    _apply,
    _clean,
    _refresh_names,
)

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


class CigarInUse(Exception):
    """Something references the cigar: it is merged into another, not deleted."""

    def __init__(self, cigar: Cigar, references: dict[str, int]) -> None:
        self.cigar_id = cigar.pk
        #: ``app_label.model`` → rows pointing at the cigar (stable keys for API clients).
        self.references = references
        super().__init__(
            f"{cigar} cannot be deleted: rows refer to it ({describe_references(references)}). "
            "If it is a duplicate, merge it into the cigar that stays."
        )


def describe_references(references: dict[str, int]) -> str:
    """``{"matching.cigarcustomsmatch": 3}`` → ``cigar customs match: 3``."""
    return ", ".join(
        f"{apps.get_model(label)._meta.verbose_name}: {count}"
        for label, count in references.items()
    )


def cigar_references(*, cigar: Cigar) -> dict[str, int]:
    """Rows of other tables (any app's) that point at the cigar, counted per kind.

    The cigar's own description (its blend, its catalogue packages) does not count: a cigar
    made by mistake can be deleted with it. The apps are read through the model registry,
    so the catalogue counts matches and merchant products without importing their apps.
    """
    references: dict[str, int] = {}
    for relation in Cigar._meta.related_objects:
        model = relation.related_model
        if model is BlendComponent:
            continue
        rows = model._base_manager.filter(**{relation.field.name: cigar})
        if model is CigarPackage:
            rows = rows.exclude(merchant="")
        count = rows.count()
        if count:
            references[model._meta.label_lower] = count
    return references


@transaction.atomic
def cigar_delete(*, cigar: Cigar) -> None:
    """Delete a cigar nothing references; otherwise ``CigarInUse`` (nothing deleted)."""
    Cigar.objects.select_for_update().filter(pk=cigar.pk).exists()
    references = cigar_references(cigar=cigar)
    if references:
        raise CigarInUse(cigar, references)
    try:
        cigar.delete()
    except ProtectedError as exc:
        # A decision written since the count: the foreign keys refuse, the same answer.
        protected = Counter(o._meta.label_lower for o in exc.protected_objects)
        raise CigarInUse(cigar, dict(protected)) from exc


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
