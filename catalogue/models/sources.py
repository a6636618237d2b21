"""Provenance of catalogue data (``source_record``)."""

from __future__ import annotations

from django.db import models

from catalogue.models.cigars import Cigar


class SourceRecord(models.Model):
    """Provenance of catalogue data: which URL or file was read, when, by which parser."""

    url = models.CharField(max_length=2000)
    fetched_at = models.DateTimeField(db_index=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    parser = models.CharField(max_length=64)
    parser_version = models.CharField(max_length=32)
    content_hash = models.CharField(max_length=64, blank=True)
    cigar = models.ForeignKey(
        Cigar, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_records"
    )
    notes = models.TextField(blank=True)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "source_record"
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return f"{self.parser} {self.url} @ {self.fetched_at:%Y-%m-%d %H:%M}"
