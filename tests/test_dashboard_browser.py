"""The dashboard in a real browser: Playwright driving Debian's chromium (`make chromium`).

Starts `streamlit run` on a release, opens every page, finds no error text and no console
error, reads the overview's NPS, CSAT and conversion tiles and compares them with
kpi_scorecard, and saves a screenshot of each page in the test's output folder (with
CXW_DASHBOARD_SCREENSHOTS=<folder>, also there: how the README's images are made).
Never `playwright install`: the browser is the system's chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import cxw_env, run_cxw
from tests.test_dashboard import SERVICE_LEVELS  # label -> (kpi, unit, digits)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
STREAMLIT = str(Path(sys.executable).with_name("streamlit"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAGES = ("overview", "experience", "commerce", "web", "service", "customers")
SURVEY_PAGES = ("overview", "experience")
ERROR_TEXT = ("Traceback", "Error:", "Exception", "StreamlitAPIException")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dashboard:
    """`streamlit run` as `make dashboard` starts it, on one serving file."""

    def __init__(self, serving_path: Path, log: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "CXW_SERVING_PATH": str(serving_path), "PYTHONPATH": str(REPO)}
        env.pop("CXW_WAREHOUSE_PATH", None)
        self.started = time.monotonic()
        self.log = log
        self.process = subprocess.Popen(
            [
                STREAMLIT, "run", "orchestration/dashboard/app.py",
                "--server.port", str(self.port),
                "--server.address", "127.0.0.1",
                "--server.headless", "true",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"streamlit did not answer on {self.url}: {log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def open_page(page, url: str, name: str) -> float:
    """Load a page and wait until Streamlit has finished running it; seconds taken."""
    started = time.monotonic()
    page.goto(f"{url}/?page={name}")
    # the app's last element marks a complete script run of this page
    page.locator(f'#cxw-rendered[data-page="{name}"]').wait_for(state="attached", timeout=120_000)
    # charts render after the script run: wait for every Vega chart to have drawn
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
        ".every(c => c.querySelector('canvas, svg'))",
        timeout=120_000,
    )
    return time.monotonic() - started


def save_small_png(page, path: Path) -> None:
    """A screenshot in 64 colours (a few tens of kB): small enough to commit."""
    from PIL import Image

    page.screenshot(path=str(path))
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=64).save(path, optimize=True)


def read_tile(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def browse(
    serving_path: Path, out: Path, expect_data: tuple[str, ...], *, readme: bool = False
) -> dict:
    """Open every page; return the tiles read, the no-data notes and the timings.

    With `readme`, the screenshots are also copied to CXW_DASHBOARD_SCREENSHOTS if set.
    """
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    dashboard = Dashboard(serving_path, out / "streamlit.log")
    console: list[str] = []
    result: dict = {"seconds": {}, "no_data": {}}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console.append(str(e)))
            for name in PAGES:
                result["seconds"][name] = open_page(page, dashboard.url, name)
                if name == PAGES[0]:
                    result["first_page_seconds"] = time.monotonic() - dashboard.started
                assert page.locator('[data-testid="stException"]').count() == 0, name
                text = page.locator('[data-testid="stMain"]').inner_text()
                assert not [t for t in ERROR_TEXT if t in text], (name, text[:2000])
                notes = page.locator('[data-testid="stAlert"]').all_inner_texts()
                result["no_data"][name] = [n for n in notes if n.startswith("No data")]
                if name in expect_data:
                    assert page.locator('[data-testid="stVegaLiteChart"]').count() > 0 or (
                        name == "overview"
                    ), name
                if name == "overview":
                    result["tiles"] = {
                        label: read_tile(page, label) for label in ("NPS", "CSAT", "Conversion")
                    }
                if name == "service" and name in expect_data:
                    result["service_tiles"] = {
                        label: read_tile(page, label) for label in SERVICE_LEVELS
                    }
                save_small_png(page, out / f"{name}.png")
            browser.close()
    finally:
        dashboard.stop()
    assert console == [], console
    target = os.environ.get("CXW_DASHBOARD_SCREENSHOTS")
    if readme and target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for name in PAGES:
            shutil.copy(out / f"{name}.png", Path(target) / f"{name}.png")
    print({k: v for k, v in result.items() if k != "no_data"})  # the timings, for the record
    return result


def scorecard_tiles(serving_path: Path) -> dict[str, str]:
    """The tiles as the overview formats them, from kpi_scorecard's all-time rows."""
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        rows = dict(
            (kpi, (value, moe))
            for kpi, value, moe in con.execute(
                "select kpi, value, margin_of_error_95 from marts.kpi_scorecard "
                "where grain = 'all_time' and dimension = 'overall'"
            ).fetchall()
        )
    finally:
        con.close()

    def fmt(kpi: str, unit: str) -> str:
        value, moe = rows[kpi]
        if value is None:
            return "no data"
        text = f"{value:,.1f}{unit}"
        return text + f" ± {moe:.1f}" if kpi == "nps" else text

    return {
        "NPS": fmt("nps", ""),
        "CSAT": fmt("csat", " %"),
        "Conversion": fmt("conversion_rate", " %"),
    }


def scorecard_service_tiles(serving_path: Path) -> dict[str, str]:
    """The service-level tiles as the service page formats kpi_scorecard's all-time rows."""
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        values = dict(
            con.execute(
                "select kpi, value from marts.kpi_scorecard "
                "where grain = 'all_time' and dimension = 'overall'"
            ).fetchall()
        )
    finally:
        con.close()
    return {
        label: f"{values[kpi]:,.{digits}f}{unit}"
        for label, (kpi, unit, digits) in SERVICE_LEVELS.items()
    }


@pytest.fixture(scope="module")
def survey_only_dir(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A landing with only the sample's survey answers, run once."""
    data_dir = tmp_path_factory.mktemp("survey_only")
    shutil.copytree(sample_dir / "landing" / "survey", data_dir / "landing" / "survey")
    result = run_cxw("run", env=cxw_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    yield data_dir


@pytest.mark.timeout(1200)
def test_dashboard_in_a_browser_on_the_sample_release(pipeline_dir: Path, tmp_path: Path) -> None:
    serving_path = pipeline_dir / "serving" / "cx.duckdb"
    result = browse(serving_path, tmp_path / "sample", expect_data=PAGES, readme=True)
    assert result["tiles"] == scorecard_tiles(serving_path)
    assert result["service_tiles"] == scorecard_service_tiles(serving_path)
    assert result["no_data"] == {name: [] for name in PAGES}


@pytest.mark.timeout(1200)
def test_dashboard_in_a_browser_on_a_survey_only_release(
    survey_only_dir: Path, tmp_path: Path
) -> None:
    serving_path = survey_only_dir / "serving" / "cx.duckdb"
    result = browse(serving_path, tmp_path / "survey_only", expect_data=SURVEY_PAGES)
    tiles = result["tiles"]
    assert tiles == scorecard_tiles(serving_path)
    assert tiles["NPS"] != "no data" and tiles["Conversion"] == "no data"
    # the survey pages show data; the others say which input is missing
    assert result["no_data"]["experience"] == []
    assert any("orders" in n for n in result["no_data"]["commerce"])
    assert any("web events" in n for n in result["no_data"]["web"])
    assert any("tickets" in n for n in result["no_data"]["service"])
