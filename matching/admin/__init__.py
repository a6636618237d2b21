"""The review console: the matching admin (queue, review pages, dashboard), and what review
needs on the cigar and publication admins (catalogue and customs do not import matching:
``cigars`` and ``publications`` register ``AdminExtension``s of their owners' admins)."""

from matching.admin import cigars, publications, queue, vocabulary  # noqa: F401
