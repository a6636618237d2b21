"""Signals customs sends; other apps listen (customs never imports them).

``publication_ingested(sender, publication_id)``: sent after the transaction that wrote a
publication's entries commits. The matching app connects to it to queue embedding and
matching of the new entries.
"""

from django.dispatch import Signal

publication_ingested = Signal()
