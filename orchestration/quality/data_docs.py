"""Data Docs readable without internet: the scripts and styles GX's pages load from CDNs
(jQuery, Bootstrap, bootstrap-table, Vega, Font Awesome, ...) served from the docs folder.

GX's page templates (great_expectations/render/view/templates) reference each asset by a
CDN URL. The exact files, from the npm packages of those versions, are vendored in
vendor/gx_data_docs/<package>@<version>/ (licences alongside); after GX renders a page,
`serve_assets_locally` copies them to <docs>/static/vendor/ and points the page at them.
Upgrading GX: run tests/test_data_docs_offline.py; a page still loading from the network
fails it, and the URL to add is in the assertion.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ..config import REPO_ROOT

ASSETS = REPO_ROOT / "vendor" / "gx_data_docs"
VENDOR = Path("static") / "vendor"

# CDN URL in GX's templates -> the file under vendor/gx_data_docs/
CDN_FILES: dict[str, str] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js@1.12.9/dist/umd/popper.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap@4.3.1/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap@4.3.1/dist/js/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table@1.19.1/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table@1.19.1/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js":
        "bootstrap-table@1.19.1/dist/extensions/filter-control/"
        "bootstrap-table-filter-control.min.js",
    # the templates ask for the 1.19.0 stylesheet; 1.19.1's is the same extension's
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css":
        "bootstrap-table@1.19.1/dist/extensions/filter-control/"
        "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css":
        "bootstrap-table@1.19.1/dist/extensions/filter-control/"
        "bootstrap-table-filter-control.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css":
        "bootstrap-datepicker@1.9.0/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js":
        "bootstrap-datepicker@1.9.0/dist/js/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css":
        "bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome-free@6.6.0/css/all.min.css",
    # jsDelivr serves a package's `jsdelivr` file: build/<name>.min.js
    "https://cdn.jsdelivr.net/npm/vega@5": "vega@5.33.1/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite@5.23.0/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed@6.29.0/build/vega-embed.min.js",
}  # fmt: skip

# GX's logo (with a query that names the data context) -> its copy in <docs>/static/images
_GX_LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3\.[\w.-]+/(?:full_logo_dark|logo-long)\.png"
    r"[^\"')\s]*"
)
_CDN_ATTRIBUTE = re.compile(r'(src|href)="(https://[^"]+)"')
# subresource integrity and CORS mode make no sense for a local file (and block it)
_INTEGRITY = re.compile(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")')


def _localise(html: str, page_dir: Path, vendor_dir: Path) -> str:
    def local(match: re.Match) -> str:
        attribute, url = match.groups()
        if url not in CDN_FILES:
            return match.group(0)
        path = os.path.relpath(vendor_dir / CDN_FILES[url], page_dir)
        return f'{attribute}="{path}"'

    html = _CDN_ATTRIBUTE.sub(local, html)
    logo = os.path.relpath(vendor_dir.parent / "images" / "logo-long.png", page_dir)
    html = _GX_LOGO.sub(logo, html)
    return _INTEGRITY.sub("", html)


def serve_assets_locally(docs_dir: Path, since: float = 0.0) -> None:
    """Copy the vendored assets into `docs_dir` (once) and point the pages written since
    `since` (a time.time(); 0: every page) at them. Idempotent."""
    vendor_dir = docs_dir / VENDOR
    for source in ASSETS.rglob("*"):
        target = vendor_dir / source.relative_to(ASSETS)
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for page in docs_dir.rglob("*.html"):
        if page.stat().st_mtime < since:
            continue
        html = page.read_text(encoding="utf-8")
        localised = _localise(html, page.parent, vendor_dir)
        if localised != html:
            page.write_text(localised, encoding="utf-8")
