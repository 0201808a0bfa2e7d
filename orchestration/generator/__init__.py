"""Deterministic sample extracts (landing contract) and their ground truth.

`generate(out_dir, truth_dir, customers=..., days=..., seed=...)` writes

- under out_dir the landing layout: crm/customers, crm/orders, crm/tickets (*.csv),
  web/events (*.jsonl, every third batch *.jsonl.gz), survey/responses (*.csv), one file
  per entity and 30-day batch, named `<entity>_<last day>_001` so lexical order = load order;
  plus three files the loader must reject whole (`..._002`: latin-1, a missing column, empty);
- under truth_dir (default out_dir/../ground_truth): identities.csv, shared_identifiers.csv,
  bad_rows.csv, bad_files.csv, summary.json (see README of the package / run.py).
"""

from .run import generate

__all__ = ["generate"]
