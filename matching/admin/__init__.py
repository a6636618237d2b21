"""The review console: the matching admin (queue, review pages, dashboard), and the cigar
and publication admins completed with what review needs (catalogue and customs do not
import matching, so their admins are extended here)."""

from matching.admin import cigars, publications, queue, vocabulary  # noqa: F401
