"""Data Docs in a real browser with the network cut: styled, scripted, results listed.

Playwright drives Debian's chromium (`make chromium`; never `playwright install`). Every
request that is not a file:// URL is aborted and recorded: the page must need none.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.quality import run_suite
from tests.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_quality import _build_clean_warehouse

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    """Data Docs of two runs of two suites; the latest scorecard run fails (NPS 130)."""
    root = tmp_path_factory.mktemp("docs_offline")
    warehouse = root / "wh.duckdb"
    _build_clean_warehouse(warehouse)
    for suite in ("marts_fct_orders", "marts_kpi_scorecard"):
        run_suite(warehouse, suite, data_dir=root, run_name="first_run")
    con = duckdb.connect(str(warehouse))
    con.execute("update marts.kpi_scorecard set value = 130 where kpi = 'nps'")
    con.close()
    run_suite(warehouse, "marts_kpi_scorecard", data_dir=root, run_name="latest_run")
    return root / "docs"


def _open_offline(page, url: str) -> list[str]:
    """Open `url` with every non-file request aborted; return the aborted URLs."""
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("load")
    return blocked


def test_data_docs_show_the_latest_results_without_network(docs: Path):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        blocked = _open_offline(page, (docs / "index.html").as_uri())
        assert blocked == [] and errors == []
        # the scripts ran (jQuery, bootstrap-table) and Bootstrap's stylesheet applies
        assert page.evaluate("typeof $ === 'function' && typeof $.fn.bootstrapTable")
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.nav-tabs')).display"
        ) == "flex"  # fmt: skip
        # bootstrap-table rendered the validation results: the latest run is listed
        page.click("#Validation-Results-tab")
        rows = page.locator("#Validation-Results table tbody tr")
        rows.first.wait_for()
        listed = "\n".join(rows.all_inner_texts())
        assert "latest_run" in listed and "first_run" in listed
        assert "marts_kpi_scorecard" in listed and "marts_fct_orders" in listed
        # the failed result's own page (a click on its row) opens offline and shows 130
        failed = rows.filter(has_text="latest_run").filter(has_text="values")
        failed.locator("td").first.click()
        page.wait_for_url("**/validations/marts_kpi_scorecard/values/latest_run/**")
        page.wait_for_load_state("load")
        assert "130" in page.inner_text("body")
        assert blocked == [] and errors == []
        browser.close()
