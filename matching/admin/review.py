"""The review page of one price entry, its decisions, "next", search and "create a cigar".

An entry is reviewed with its group (``matching.services.groups``): the page says "appears
in N editions, M presentations", a decision settles every pending entry of the group
(unless the reviewer ticks "this line only"), labels can be split off, and the brand the
label names can be marked "not carried" or reviewed alone.

Views added to the admin through ``CigarCustomsMatchAdmin.get_urls`` (wrapped by
``admin_site.admin_view``: login, staff, CSRF). They are thin: reads come from
``matching.selectors``, every decision is a ``matching.services.decisions`` call.

They are deliberately not wrapped in a transaction: the decision services open their own
durable transaction, which must not be nested in a request-wide one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qsl

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from catalogue.models import Cigar, CigarPackage, MediaAsset, Packaging
from catalogue.search import cigar_search
from customs.models import CustomsPriceEntry
from matching.admin.charts import highlight_tokens, score_colour, signal_bars_html, waterfall_svg
from matching.admin.params import filters_from_querystring, queue_querystring
from matching.admin.permissions import can_review
from matching.conf import SIGNAL_NAMES, current_config
from matching.group_selectors import entry_group, queue_counts
from matching.models import HUMAN_STATUSES, CigarCustomsMatch, MatchStatus, ReviewGroupMember
from matching.selectors import entry_candidates, match_explanation, next_in_queue, review_queue
from matching.services.decisions import (
    DecisionConflict,
    entry_create_cigar,
    entry_create_cigar_initial,
    entry_mark_not_in_catalogue,
    entry_repoint,
    match_accept,
    match_reject,
)
from matching.services.groups import (
    brand_mark_not_carried,
    group_members_refresh,
    group_settle_members,
    group_split,
)
from matching.services.timing import review_timing_record

ACTIONS = ("accept", "reject", "not_in_catalogue", "repoint")
MAX_NOTE = 2000
MAX_QUERY = 100
SEARCH_RESULTS = 10
ALTERNATIVES = 3


def _require_reviewer(request: HttpRequest) -> None:
    if not can_review(request.user):
        raise PermissionDenied("Reviewing matches needs the matching.review_match permission.")


def _parse_expected(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("The page's version stamp is malformed; reload the page.") from exc


MAX_GROUP_SKIP = 200


def _group_key(entry_id: int) -> tuple[str, str] | None:
    return (
        ReviewGroupMember.objects.filter(price_entry_id=entry_id)
        .values_list("source_slug", "group_key")
        .first()
    )


def _thumbnail_url(cigar: Cigar) -> str | None:
    asset = (
        MediaAsset.objects.filter(cigar_id=cigar.pk, is_primary=True).select_related("blob").first()
    )
    if asset is None:
        return None
    return reverse("media-blob-thumbnail", args=[asset.blob.digest, 256])


class CreateCigarForm(forms.Form):
    brand_name = forms.CharField(max_length=120)
    line_name = forms.CharField(max_length=120, required=False, help_text="Empty: the brand.")
    vitola_name = forms.CharField(max_length=160)
    vitola_de_galera = forms.CharField(max_length=120, required=False, label="Factory name")
    length_mm = forms.DecimalField(
        max_digits=5, decimal_places=1, required=False, min_value=Decimal("1")
    )
    ring_gauge = forms.IntegerField(required=False, min_value=1, max_value=200)
    pack_size = forms.IntegerField(required=False, min_value=1, max_value=10000)
    packaging = forms.CharField(max_length=200, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # The entry's best row as the page showed it (ISO 8601, to the microsecond): the
    # service checks it under the lock.
    expected_updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_expected_updated_at(self) -> dt.datetime | None:
        return _parse_expected(self.cleaned_data["expected_updated_at"])

    def clean_packaging(self) -> str:
        return self.cleaned_data["packaging"].strip()


class ReviewConsole:
    """The console's views, bound to the admin site for its context and URLs."""

    template = "admin/matching/review.html"

    def __init__(self, admin_site) -> None:
        self.admin_site = admin_site

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def queue_query(request: HttpRequest) -> str:
        return queue_querystring(request.GET if request.method == "GET" else request.POST)

    def review_url(self, entry_id: int, query: str) -> str:
        url = reverse("admin:matching_review", args=[entry_id])
        return f"{url}?{query}" if query else url

    def redirect_next(self, request: HttpRequest, after: CigarCustomsMatch | None, query: str):
        filters = filters_from_querystring(query)
        following = next_in_queue(after=after, **filters)
        # "Skip" passes over the rest of the skipped item's group too.
        group = _group_key(after.price_entry_id) if after is not None else None
        for _ in range(MAX_GROUP_SKIP):
            if following is None or group is None or _group_key(following.price_entry_id) != group:
                break
            following = next_in_queue(after=following, **filters)
        if following is None and after is not None:
            # Past the end: start again from the top (entries skipped earlier, or ones
            # above the page the reviewer opened from the list).
            following = next_in_queue(after=None, **filters)
        if following is None:
            messages.success(request, "The queue is empty: nothing left to review here.")
            changelist = reverse("admin:matching_cigarcustomsmatch_changelist")
            return HttpResponseRedirect(f"{changelist}?{query}" if query else changelist)
        return HttpResponseRedirect(self.review_url(following.price_entry_id, query))

    def context(self, request: HttpRequest, entry: CustomsPriceEntry, **extra) -> dict:
        config = current_config()
        candidates = entry_candidates(entry=entry, limit=ALTERNATIVES + 1)
        best = candidates[0] if candidates else None
        explanation = match_explanation(match=best) if best is not None else None
        alternatives = []
        for number, match in enumerate(candidates[1:], start=1):
            alternatives.append(
                {
                    "number": number,
                    "match": match,
                    "colour": score_colour(
                        float(match.score),
                        accept=config.accept_threshold,
                        reject=config.reject_threshold,
                    ),
                    "bars": signal_bars_html(match.signals or {}, SIGNAL_NAMES),
                }
            )
        label = entry.new_label or entry.raw_label
        if explanation is not None:
            assert best is not None  # the explanation is the best candidate's
            tokens = explanation["tokens"]
            # Brand words and codes are compared apart from the name words: a label word
            # that the cigar's name also holds counts as matched.
            matched = [
                *tokens["matched"],
                *(pair[0] for pair in tokens["typos"]),
                *best.cigar.full_name.split(),
            ]
            highlighted = highlight_tokens(label, matched, tokens["label_only"])
        else:
            highlighted = highlight_tokens(label, [], [])
        query = self.queue_query(request)
        cigar = best.cigar if best is not None else None
        group_members_refresh()
        group_members_refresh(entry_ids=[entry.pk])
        group = entry_group(entry=entry) if best is not None else None
        counts = queue_counts(review_queue(**filters_from_querystring(query)))
        return {
            **self.admin_site.each_context(request),
            "title": f"Review: {entry.raw_label}",
            "subtitle": None,
            "opts": CigarCustomsMatch._meta,
            "entry": entry,
            "publication": entry.publication,
            "best": best,
            "decided": best is not None and best.status in HUMAN_STATUSES,
            "explanation": explanation,
            "waterfall": waterfall_svg(explanation) if explanation else "",
            "best_colour": score_colour(
                float(best.score), accept=config.accept_threshold, reject=config.reject_threshold
            )
            if best
            else "",
            "highlighted_label": highlighted,
            "alternatives": alternatives,
            "cigar": cigar,
            "packages": list(CigarPackage.objects.filter(cigar=cigar).order_by("pack_size"))
            if cigar
            else [],
            "thumbnail_url": _thumbnail_url(cigar) if cigar else None,
            "queue_query": query,
            "queue_params": parse_qsl(query),
            "remaining": counts.lines,
            "remaining_items": counts.items,
            "group": group if group is not None and group.size.lines > 1 else None,
            "group_brand": group,
            "statuses": MatchStatus,
            "config": config,
            **extra,
        }

    # --- views --------------------------------------------------------------------------------

    @staticmethod
    def _entry(entry_id: int) -> CustomsPriceEntry:
        return get_object_or_404(
            CustomsPriceEntry.objects.select_related("publication__source"), pk=entry_id
        )

    def review_view(self, request: HttpRequest, entry_id: int) -> HttpResponse:
        _require_reviewer(request)
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        entry = self._entry(entry_id)
        if request.method == "POST":
            return self.decide(request, entry)
        return TemplateResponse(request, self.template, self.context(request, entry))

    def decide(self, request: HttpRequest, entry: CustomsPriceEntry) -> HttpResponse:
        action = request.POST.get("action", "")
        note = request.POST.get("note", "")[:MAX_NOTE].strip()
        query = self.queue_query(request)
        candidates = entry_candidates(entry=entry, limit=1)
        best = candidates[0] if candidates else None
        try:
            if action not in ACTIONS:
                raise ValidationError(f"Unknown decision {action!r}.")
            expected = _parse_expected(request.POST.get("expected_updated_at"))
            posted = request.POST.get("match_id", "")
            if best is not None and posted and posted != str(best.pk):
                # The entry's best candidate changed (a matcher run, another reviewer).
                raise DecisionConflict("The proposed cigar changed since the page was loaded.")
            lines = self.apply(request, entry, best, action=action, note=note, expected=expected)
            review_timing_record(
                actor=request.user,
                entry_id=entry.pk,
                action=action,
                lines=lines,
                think_ms=request.POST.get("think_ms"),
            )
        except DecisionConflict as exc:
            return self.refused(request, entry, str(exc), status=409)
        except ValidationError as exc:
            return self.refused(request, entry, " ".join(exc.messages), status=400)
        return self.redirect_next(request, best, query)

    def apply(self, request, entry, best, *, action: str, note: str, expected) -> int:
        """Decide the entry (and its group); returns the lines settled."""
        cigar = None
        if action == "repoint":
            cigar_id = request.POST.get("cigar_id", "")
            cigar = Cigar.objects.filter(pk=int(cigar_id)).first() if cigar_id.isdigit() else None
        elif best is not None:
            cigar = best.cigar

        def decide_entry() -> None:
            self.apply_entry(request, entry, best, action=action, note=note, expected=expected)

        if request.POST.get("only_this_line") or (action != "not_in_catalogue" and cigar is None):
            decide_entry()
            return 1
        outcome = group_settle_members(
            entry=entry,
            action=action,
            cigar=cigar,
            actor=request.user,
            note=note,
            decide_entry=decide_entry,
        )
        if outcome.lines > 1:
            messages.success(request, f"Decided for the whole group: {outcome.lines} lines.")
        if outcome.conflicts:
            messages.warning(request, f"{len(outcome.conflicts)} line(s) of the group left alone.")
        return outcome.lines

    def apply_entry(self, request, entry, best, *, action: str, note: str, expected) -> None:
        actor = request.user
        if action == "repoint":
            cigar_id = request.POST.get("cigar_id", "")
            if not cigar_id.isdigit():
                raise ValidationError("Choose a cigar first.")
            cigar = Cigar.objects.filter(pk=int(cigar_id)).first()
            if cigar is None:
                raise ValidationError("That cigar no longer exists.")
            entry_repoint(
                entry=entry, cigar=cigar, actor=actor, note=note, expected_updated_at=expected
            )
            return
        if action == "not_in_catalogue":
            # The version is checked by the service, under the entry lock.
            entry_mark_not_in_catalogue(
                entry=entry, actor=actor, note=note, expected_updated_at=expected
            )
            return
        if best is None:
            raise ValidationError("This entry has no candidate to decide on.")
        service = match_accept if action == "accept" else match_reject
        service(match=best, actor=actor, note=note, expected_updated_at=expected)

    def refused(self, request, entry, message: str, *, status: int) -> HttpResponse:
        context = self.context(request, entry, refusal=message)
        return TemplateResponse(request, self.template, context, status=status)

    @staticmethod
    def _after(request: HttpRequest) -> CigarCustomsMatch | None:
        after = request.GET.get("after", "")
        if after.isdigit():
            return CigarCustomsMatch.objects.filter(pk=int(after)).first()
        return None

    def next_view(self, request: HttpRequest) -> HttpResponse:
        """Open the queue's next entry (after ``?after=<match id>`` when skipping)."""
        _require_reviewer(request)
        return self.redirect_next(request, self._after(request), self.queue_query(request))

    @staticmethod
    def search_view(request: HttpRequest) -> JsonResponse:
        """Trigram autocomplete of the re-point box: ``?q=`` → the nearest cigars."""
        _require_reviewer(request)
        query = request.GET.get("q", "").strip()[:MAX_QUERY]
        if not query:
            return JsonResponse({"results": []})
        hits = cigar_search(query, k=SEARCH_RESULTS, use_vectors=False)
        cigars = Cigar.objects.in_bulk([hit.cigar_id for hit in hits])
        results = []
        for hit in hits:
            cigar = cigars.get(hit.cigar_id)
            if cigar is None:
                continue
            results.append(
                {
                    "id": cigar.pk,
                    "full_name": cigar.full_name,
                    "vitola_de_galera": cigar.vitola_de_galera or "",
                    "length_mm": str(cigar.length_mm) if cigar.length_mm is not None else None,
                    "ring_gauge": cigar.ring_gauge,
                    "score": hit.score,
                }
            )
        return JsonResponse({"results": results})

    def split_view(self, request: HttpRequest, entry_id: int) -> HttpResponse:
        """Split the ticked labels off the entry's group (each becomes its own item)."""
        _require_reviewer(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self._entry(entry_id)
        labels = [label[:500] for label in request.POST.getlist("label")][:200]
        if not labels:
            messages.warning(request, "Tick the labels to split off first.")
        else:
            made = group_split(
                source_slug=entry.publication.source.slug,
                normalised_labels=labels,
                actor=request.user,
                note=request.POST.get("note", "")[:MAX_NOTE],
            )
            messages.success(request, f"{made} label(s) split off: each is now its own item.")
        return HttpResponseRedirect(self.review_url(entry.pk, self.queue_query(request)))

    def brand_not_carried_view(self, request: HttpRequest, entry_id: int) -> HttpResponse:
        """Every pending label of the brand this entry names: "not in the catalogue"."""
        _require_reviewer(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self._entry(entry_id)
        group_members_refresh(entry_ids=[entry.pk])
        member = ReviewGroupMember.objects.filter(price_entry_id=entry.pk).first()
        query = self.queue_query(request)
        if member is None:
            messages.warning(request, "This entry names no brand the queue knows.")
            return HttpResponseRedirect(self.review_url(entry.pk, query))
        outcome = brand_mark_not_carried(
            brand_key=member.brand_key,
            source_slug=member.source_slug,
            actor=request.user,
            note=request.POST.get("note", "")[:MAX_NOTE].strip(),
        )
        messages.success(
            request,
            f"{member.brand_name or member.brand_key} not carried: {outcome.lines} line(s) "
            "marked not in the catalogue.",
        )
        return self.redirect_next(request, None, query)

    def create_cigar_view(self, request: HttpRequest, entry_id: int) -> HttpResponse:
        """ "Create a cigar from this entry": a form prefilled from the label."""
        _require_reviewer(request)
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        entry = self._entry(entry_id)
        query = self.queue_query(request)
        if request.method == "POST":
            form = CreateCigarForm(request.POST)
            if form.is_valid():
                data = dict(form.cleaned_data)
                note = data.pop("note")
                expected = data.pop("expected_updated_at")
                fields = {k: v for k, v in data.items() if v not in (None, "")}
                try:
                    match = entry_create_cigar(
                        entry=entry,
                        actor=request.user,
                        note=note,
                        expected_updated_at=expected,
                        **fields,
                    )
                except (ValidationError, DecisionConflict) as exc:
                    errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                    form.add_error(None, " ".join(errors))
                else:
                    outcome = group_settle_members(
                        entry=entry, action="repoint", cigar=match.cigar, actor=request.user,
                        note=note or "cigar created from an entry of this group",
                    )  # fmt: skip
                    messages.success(
                        request,
                        f"Created {match.cigar.full_name} and accepted it"
                        f" for {1 + outcome.lines} line(s).",
                    )
                    return self.redirect_next(request, match, query)
        else:
            initial = entry_create_cigar_initial(entry=entry)
            best = next(iter(entry_candidates(entry=entry, limit=1)), None)
            initial["expected_updated_at"] = best.updated_at.isoformat() if best else None
            form = CreateCigarForm(initial={k: v for k, v in initial.items() if v is not None})
        context = {
            **self.admin_site.each_context(request),
            "title": "Create a cigar from this entry",
            "opts": CigarCustomsMatch._meta,
            "entry": entry,
            "form": form,
            "packagings": Packaging.choices,
            "queue_query": query,
            "review_url": self.review_url(entry.pk, query),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/matching/create_cigar.html", context, status=status)
