"""Signals matching sends; apps above it listen (matching never imports them).

- ``publication_matched(sender, publication_id)``: a publication's entries were scored
  (``publication_match``); sent after the run, outside its transactions.
- ``entry_linked(sender, entry_id, cigar_id)``: a reviewer accepted a cigar for an entry;
  sent once the decision's transaction commits.
"""

from django.dispatch import Signal

publication_matched = Signal()
entry_linked = Signal()
