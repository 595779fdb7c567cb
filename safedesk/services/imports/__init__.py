"""Bringing people and markers in from CSV (the housing system's export) without ever changing who
a flagged record is.

Bad rows are reported with their line numbers and reasons and the good rows are kept, so one
typo never blocks a nightly import; importing the same file again changes nothing.

- ``people``: customer records, and the rule (``same_identity``) for when a row still describes
  the stored person;
- ``markers``: markers placed under the placing rules of ``safedesk.services.markers``;
- ``csv_rows``: reading the file into rows by line number (quotes that do not pair up, a header
  in any case) and the dates its columns hold;
- ``report``: what an import reports (``ImportReport``, a ``RowProblem`` for each rejected row).
"""
