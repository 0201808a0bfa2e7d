"""The dashboard's timings on a release: `make dashboard-timings SERVING=<release file>`.

    python -m benchmarks.dashboard_timings --serving data/serving/cx.duckdb [--out DIR]

Starts the dashboard with the command `make dashboard` runs (`streamlit run
orchestration/dashboard/app.py`, headless) on the release, opens every page in Debian's
chromium through Playwright (tests/test_dashboard_browser.py's `browse`: the same checks,
no error text and no console error), and prints as JSON, in seconds:

- `first_page_seconds`: from starting streamlit to the overview rendered (the script run
  finished and every chart drawn);
- `seconds`: each page's time, from navigating to it to that state (each page is a fresh
  browser load: a new Streamlit session, the release's connection already open).

Screenshots of each page land in --out. Needs `make chromium`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from tests.test_dashboard_browser import PAGES, browse


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serving", type=Path, default=os.environ.get("CXW_SERVING_PATH"))
    parser.add_argument("--out", type=Path, default=None, help="screenshots and log folder")
    args = parser.parse_args(argv)
    if args.serving is None or not args.serving.exists():
        parser.error(f"no release at {args.serving}: give --serving or CXW_SERVING_PATH")
    out = args.out or Path(tempfile.mkdtemp(prefix="dashboard-timings-"))
    result = browse(args.serving.resolve(), out, expect_data=PAGES)
    report = {
        "serving": str(args.serving),
        "release_bytes": args.serving.stat().st_size,
        "first_page_seconds": round(result["first_page_seconds"], 2),
        "seconds": {page: round(s, 2) for page, s in result["seconds"].items()},
        "no_data": {page: notes for page, notes in result["no_data"].items() if notes},
        "screenshots": str(out),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
