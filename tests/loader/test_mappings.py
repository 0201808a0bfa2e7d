"""Source mappings (issue 18): the real exports of ../shared/real-data load through their
presets with every guarantee of the landing contract, and a mapping with a mistake fails
before anything loads, naming the file, the key, its line and what to do.

The real files are read where they are, never copied or edited; the expected counts and
values are computed here from the original files with pandas / the csv module.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from orchestration.cli import main as cxw
from orchestration.loader import ensure_raw_schema
from orchestration.loader.mapping import (
    MappingError,
    check_mappings,
    load_mapped,
    load_mapping,
)

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "real-data"
PRESETS = REPO / "mappings" / "presets"
FOLDERS = sorted(p.name for p in REAL.iterdir() if p.is_dir())


@functools.cache
def physical_lines(path: Path, encoding: str = "utf-8") -> list[str]:
    """The file's lines without their line ends; index 0 is line 1."""
    return path.read_bytes().decode(encoding).splitlines()


def frame(folder: str) -> pd.DataFrame:
    """Every data row of a CSV folder as text, with its file and physical line (the files
    have no line break inside a field: SOURCE.md)."""
    parts = []
    for path in sorted((REAL / folder).glob("*.csv")):
        f = pd.read_csv(path, dtype=str, keep_default_na=False)
        f["_file"] = path.name
        f["_line"] = range(2, len(f) + 2)
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def warehouse() -> Iterator[SimpleNamespace]:
    """Every preset loaded from ../shared/real-data into one in-memory DuckDB."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    results = {}
    for folder in FOLDERS:
        m = load_mapping(PRESETS / f"{folder}.yml")
        check_mappings([m], REAL / folder)
        results[folder] = load_mapped(con, [m], REAL / folder)
    yield SimpleNamespace(con=con, results=results)
    con.close()


def rows(warehouse: SimpleNamespace, table: str, folder: str) -> pd.DataFrame:
    batches = [r.batch_id for r in warehouse.results[folder]]
    return warehouse.con.execute(
        f"select * from {table} where batch_id in (select unnest(?))"
        if table == "raw.quarantine"
        else f"select * from {table} where _batch_id in (select unnest(?))",
        [batches],
    ).df()


def test_every_real_data_folder_has_a_preset_naming_its_attribution() -> None:
    assert FOLDERS, f"no real data under {REAL}"
    assert sorted(p.stem for p in PRESETS.glob("*.yml")) == FOLDERS
    for folder in FOLDERS:
        spec = load_mapping(PRESETS / f"{folder}.yml").spec
        assert spec.attribution and spec.definitions, folder


def expected_records(folder: str) -> int:
    """Records each export gives, counted from the original files: one per CSV row, one per
    question and row where a row holds several answers, one per event of a session."""
    if folder == "otto-sessions":
        sessions = [json.loads(x) for x in physical_lines(REAL / folder / "train.jsonl")]
        return sum(len(s["events"]) for s in sessions)  # 862 per SOURCE.md
    n = len(frame(folder))
    spec = load_mapping(PRESETS / f"{folder}.yml").spec
    return n * len(spec.expand.unpivot) if spec.expand and spec.expand.unpivot else n


@pytest.mark.parametrize("folder", FOLDERS)
def test_rows_read_are_loaded_or_quarantined_and_logged(warehouse, folder: str) -> None:
    results = warehouse.results[folder]
    assert results and all(r.status == "loaded" for r in results), results
    for r in results:
        assert r.rows_read == r.rows_loaded + r.rows_quarantined
    assert sum(r.rows_read for r in results) == expected_records(folder)
    # the load log says the same, and the quarantine holds one row per quarantined line
    log = warehouse.con.execute(
        "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined) from raw.load_log "
        "where batch_id in (select unnest(?))",
        [[r.batch_id for r in results]],
    ).fetchone()
    assert log == (
        sum(r.rows_read for r in results),
        sum(r.rows_loaded for r in results),
        sum(r.rows_quarantined for r in results),
    )
    assert len(rows(warehouse, "raw.quarantine", folder)) == log[2]


def test_online_retail_one_order_per_invoice_with_first_line_and_line_count(warehouse) -> None:
    lines = frame("online-retail")
    orders = rows(warehouse, "raw.crm_orders", "online-retail")
    # an invoice with a CustomerID is an order; 1,088 invoices, of which those without
    # customer are quarantined (SOURCE.md: 7,720 lines have none)
    with_customer = lines[lines.CustomerID != ""]
    assert len(orders) == with_customer.InvoiceNo.nunique()
    first = lines.groupby(["_file", "InvoiceNo"])["_line"].agg(["min", "count"]).reset_index()
    merged = orders.merge(first, left_on=["_file", "order_id"], right_on=["_file", "InvoiceNo"])
    assert len(merged) == len(orders)
    assert (merged._line == merged["min"]).all()  # lineage: the invoice's first line
    counts = warehouse.con.execute(
        "select o.order_id, r.line_count from raw.crm_orders o join raw.mapped_records r "
        "on r.batch_id = o._batch_id and r.line = o._line"
    ).df()
    merged = merged.merge(counts, on="order_id")
    assert (merged.line_count == merged["count"]).all()  # ... and its line count
    # cancellations: the C invoices, with a positive amount (minus their negative total)
    cancelled = orders[orders.status == "cancelled"]
    assert set(cancelled.order_id) == {i for i in with_customer.InvoiceNo if i.startswith("C")}
    assert (orders.amount >= 0).all()
    # hand check, 2010-12-01.csv lines 2-8: invoice 536365 of customer 17850.0 =
    # 6*2.55 + 6*3.39 + 8*2.75 + 6*3.39 + 6*3.39 + 2*7.65 + 6*4.25 = 139.12, 40 units
    assert warehouse.con.execute(
        "select amount, items_count, customer_id, ordered_at, _line from raw.crm_orders "
        "where order_id = '536365'"
    ).fetchall() == [(Decimal("139.12"), 40, "17850", datetime(2010, 12, 1, 8, 26), 2)]


@pytest.mark.parametrize("folder", FOLDERS)
def test_quarantine_keeps_the_original_line_and_a_reason(warehouse, folder: str) -> None:
    quarantine = rows(warehouse, "raw.quarantine", folder)
    for q in quarantine.itertuples():
        text = physical_lines(REAL / folder / q.file_path)[q.line - 1]
        assert q.original_text == text, (q.file_path, q.line)
        assert q.reason.startswith(f"{q.file_path} line ")
    lines = frame(folder) if folder != "otto-sessions" else None
    if folder == "online-retail":
        # every line of an invoice without customer, and nothing else
        expected = lines[lines.groupby("InvoiceNo").CustomerID.transform("max") == ""]
        assert set(zip(quarantine.file_path, quarantine.line, strict=True)) == set(
            zip(expected._file, expected._line, strict=True)
        )
        assert set(quarantine.reason_code) == {"missing_required"}
    elif folder == "carpentrycon-2020-feedback":
        # the 0 in presenters_clear, outside its 1-5 scale (SOURCE.md), and nothing else
        zero = lines[lines.presenters_clear == "0"]
        assert list(quarantine.line) == list(zero._line)
        assert list(quarantine.reason_code) == ["score_out_of_range"]
    else:
        assert quarantine.empty, quarantine.reason.tolist()


# raw key column -> the source column it must equal at the row's line
KEYS = {
    "servicenow-incidents": ("crm_tickets", "ticket_id", "number"),
    "boston-311": ("crm_tickets", "ticket_id", "case_enquiry_id"),
    "amazon-fine-food-reviews": ("survey_responses", "response_id", "Id"),
    "carpentries-instructor-survey": ("survey_responses", "submitted_at", "Date"),
}


@pytest.mark.parametrize("folder", sorted(KEYS))
def test_lineage_points_at_the_original_line(warehouse, folder: str) -> None:
    table, column, source = KEYS[folder]
    loaded = rows(warehouse, f"raw.{table}", folder)
    lines = frame(folder).set_index(["_file", "_line"])
    at_line = lines.loc[list(zip(loaded._file, loaded._line, strict=True)), source]
    if column == "submitted_at":
        expected = pd.to_datetime(at_line, format="%m/%d/%y %H:%M").to_numpy()
        assert (loaded.submitted_at.to_numpy() == expected).all()
    else:
        assert list(loaded[column]) == list(at_line)


def test_servicenow_first_response_is_the_first_update_out_of_new(warehouse) -> None:
    tickets = rows(warehouse, "raw.crm_tickets", "servicenow-incidents")
    lines = frame("servicenow-incidents")
    for number, versions in lines.groupby("number"):
        moved = versions[versions.incident_state != "New"].sys_updated_at
        times = pd.to_datetime(moved, format="%d/%m/%Y %H:%M")
        got = tickets[tickets.ticket_id == number].first_response_at
        if times.empty:
            assert got.isna().all(), number
        else:
            assert (got == times.min()).all(), number
    # hand check: INC0000045 goes New (29/2/2016 01:23) -> Resolved at 29/2/2016 08:53
    inc45 = tickets[tickets.ticket_id == "INC0000045"]
    assert set(inc45.first_response_at) == {pd.Timestamp("2016-02-29 08:53")}
    assert set(inc45.status) == {"new", "solved", "closed"}


def test_boston_local_times_are_stored_in_utc(warehouse) -> None:
    tickets = rows(warehouse, "raw.crm_tickets", "boston-311")
    # line 2: open_dt 2022-01-21 13:47:00 in Boston (EST, UTC-5) = 18:47 UTC
    first = tickets[tickets._line == 2].iloc[0]
    assert first.opened_at == pd.Timestamp("2022-01-21 18:47:00")
    assert first.status == "open" and pd.isna(first.resolved_at)
    # City Worker App cases have no customer channel (the preset maps them to empty)
    lines = frame("boston-311").set_index("_line")
    workers = lines[lines.source == "City Worker App"].index
    assert tickets[tickets._line.isin(workers)].channel.isna().all()


def test_survey_labels_codes_and_na_become_scores(warehouse) -> None:
    answers = rows(warehouse, "raw.survey_responses", "carpentries-instructor-survey")
    # line 2 of the export: LikelyToRecommend 10 (nps); labels -> 1-5 (csat)
    lines = frame("carpentries-instructor-survey").set_index("_line")
    scale = {"Strongly Disagree": 1, "Disagree": 2, "Neither Agree nor Disagree": 3,
             "Agree": 4, "Strongly Agree": 5}  # fmt: skip
    checked = answers[answers._line.isin([2, 3, 500, 968])]
    assert len(checked) == 4 * 7
    for _, a in checked.iterrows():
        question = a.response_id.rsplit(":", 1)[1]
        value = lines.loc[a._line, question].replace("\xa0", " ")
        assert a.survey_type == ("nps" if question == "LikelyToRecommend" else "csat")
        if not value:
            assert pd.isna(a.score)  # a skipped question
        elif question == "LikelyToRecommend":
            assert a.score == int(value)
        else:
            assert a.score == scale[value]
    coded = rows(warehouse, "raw.survey_responses", "carpentrycon-2020-feedback")
    # code 6 of an agreement item (N/A) lands without a score
    lines = frame("carpentrycon-2020-feedback").set_index("_line")
    na = [(line, "valuable_feedback") for line in lines.index[lines.valuable_feedback == "6"]]
    assert na
    for line, question in na:
        answer = coded[coded.response_id == f"2020_carpentryconhome_raw.csv:{line}:{question}"]
        assert len(answer) == 1 and pd.isna(answer.score.iloc[0])


def test_otto_sessions_expand_into_events_with_epoch_ms_times(warehouse) -> None:
    events = rows(warehouse, "raw.web_events", "otto-sessions")
    first = events[events.event_id == "0-1"].iloc[0]
    # SOURCE.md: 1659304800025 ms = 2022-07-31T22:00:00.025Z; session 0 is on line 1
    assert first.event_at == pd.Timestamp("2022-07-31 22:00:00.025")
    assert first._line == 1 and first.anonymous_id == "0"
    assert first.event_type == "product_view"
    assert dict(events.event_type.value_counts()) == {
        "product_view": 800, "add_to_cart": 52, "purchase": 10  # SOURCE.md: 800/52/10
    }  # fmt: skip


def test_a_file_loads_once_by_content(warehouse) -> None:
    before = warehouse.con.execute("select count(*) from raw.crm_orders").fetchone()
    m = load_mapping(PRESETS / "online-retail.yml")
    again = load_mapped(warehouse.con, [m], REAL / "online-retail")
    assert {r.status for r in again} == {"duplicate"}
    assert warehouse.con.execute("select count(*) from raw.crm_orders").fetchone() == before


# --------------------------------------------------------------------------- a made-up export


ITALIAN = (
    "Esportazione vendite;;;;\n"
    "generata il 01/04/2024;;;;\n"
    "Ordine;Cliente;Data;Importo;Stato\n"
    "A-1;Caffè1;05/03/2024 10:30;1.234,50;Pagato\n"
    "A-2;C2;31/03/2024 12:30;0,5;Spedito\n"
    "A-3;C3;06/03/2024 11:00;n.d.;Annullato\n"
    "A-4;C4;7 marzo 2024;12,00;Pagato\n"
)
ITALIAN_MAPPING = """\
entity: crm/orders
files: "vendite/*.csv"
read:
  delimiter: ";"
  encoding: latin-1
  skip_rows: 2
  decimal_separator: ","
  thousands_separator: "."
  null_values: ["n.d."]
  timestamp_format: "%d/%m/%Y %H:%M"
  time_zone: Europe/Rome
columns:
  order_id: Ordine
  customer_id: Cliente
  ordered_at: Data
  amount: Importo
  status: Stato
values:
  status: {Pagato: paid, Spedito: shipped, Annullato: cancelled}
"""


def test_an_excel_export_with_italian_settings(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "vendite").mkdir(parents=True)
    (landing / "vendite" / "2024-03.csv").write_bytes(ITALIAN.encode("latin-1"))
    mapping = tmp_path / "vendite.yml"
    mapping.write_text(ITALIAN_MAPPING)
    con = duckdb.connect()
    ensure_raw_schema(con)
    m = load_mapping(mapping)
    check_mappings([m], landing)
    (result,) = load_mapped(con, [m], landing)
    # 4 records (lines 4-7 after two leading lines and the header): 2 load, 2 quarantined
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    loaded = con.execute(
        "select order_id, customer_id, ordered_at, amount, status, _line from raw.crm_orders "
        "order by _line"
    ).fetchall()
    assert loaded == [
        # 05/03/2024 10:30 in Rome (CET, UTC+1) = 09:30 UTC; 1.234,50 = 1234.50
        ("A-1", "Caffè1", datetime(2024, 3, 5, 9, 30), Decimal("1234.5"), "paid", 4),
        # 31/03/2024 12:30 in Rome (CEST since 02:00 that day, UTC+2) = 10:30 UTC
        ("A-2", "C2", datetime(2024, 3, 31, 10, 30), Decimal("0.5"), "shipped", 5),
    ]
    bad = con.execute(
        "select line, reason_code, original_text, reason from raw.quarantine order by line"
    ).fetchall()
    assert [(line, code, text) for line, code, text, _ in bad] == [
        (6, "missing_required", "A-3;C3;06/03/2024 11:00;n.d.;Annullato"),  # n.d. = no amount
        (7, "bad_timestamp", "A-4;C4;7 marzo 2024;12,00;Pagato"),
    ]
    assert '"7 marzo 2024"' in bad[1][3]
    # the same bytes under another name are not loaded again
    (landing / "vendite" / "copia.csv").write_bytes(ITALIAN.encode("latin-1"))
    statuses = {r.file_path: r.status for r in load_mapped(con, [m], landing)}
    assert statuses == {"vendite/2024-03.csv": "duplicate", "vendite/copia.csv": "duplicate"}


# --------------------------------------------------------------------------- mistakes


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yml"
    path.write_text(text)
    return path


MISTAKES = {
    # name: (what to change in the Italian mapping, key named, line named, words of the todo)
    "unknown source column": (
        ("customer_id: Cliente", "customer_id: Client"),
        "columns.customer_id", 14, "its columns: Ordine, Cliente, Data, Importo, Stato",
    ),
    "bad expression": (
        ("amount: Importo", "amount: src_number(Importo) +* 2"),
        "columns.amount", 16, "correct the DuckDB SQL expression",
    ),
    "wrong entity": (
        ("entity: crm/orders", "entity: crm/invoices"),
        "entity", 1, "use one of crm/customers, crm/orders",
    ),
    "not a contract column": (
        ("  status: Stato\n", "  status: Stato\n  total: Importo\n"),
        "columns.total", 18, "map only its columns",
    ),
    "unknown key": (
        ("  delimiter:", "  separator:"),
        "read.separator", 4, "remove it or correct its spelling",
    ),
    "required column not mapped": (
        ("  ordered_at: Data\n", ""),
        "columns", 12, "ordered_at",
    ),
    "aggregate needed": (
        ("entity: crm/orders\n", "entity: crm/orders\ngroup_by: [Ordine]\n"),
        "columns.customer_id", 15, "wrap the column in an aggregate",
    ),
    "bad time zone": (
        ("time_zone: Europe/Rome", "time_zone: Europe/Roma"),
        "read.time_zone", 11, "IANA name",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_mapping_mistake_fails_before_loading_naming_file_key_line(
    tmp_path: Path, name: str, capsys, monkeypatch
) -> None:
    (old, new), key, line, todo = MISTAKES[name]
    assert old in ITALIAN_MAPPING
    mapping = write(tmp_path, ITALIAN_MAPPING.replace(old, new))
    landing = tmp_path / "landing"
    (landing / "vendite").mkdir(parents=True)
    (landing / "vendite" / "2024-03.csv").write_bytes(ITALIAN.encode("latin-1"))
    with pytest.raises(MappingError) as error:
        check_mappings([load_mapping(mapping)], landing)
    message = str(error.value)
    assert str(mapping) in message and f"key {key} (line {line})" in message, message
    assert todo in message, message
    # `cxw run --mapping` stops on it before anything is loaded or even created
    data = tmp_path / "data"
    for k in [k for k in os.environ if k.startswith("CXW_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("CXW_DATA_DIR", str(data))
    monkeypatch.setenv("CXW_LANDING_DIR", str(landing))
    assert cxw(["run", "--mapping", str(mapping)]) == 2
    assert f"key {key} (line {line})" in capsys.readouterr().err
    assert not data.exists()
    assert "CXW_MAPPINGS" not in os.environ


def test_a_mapping_that_covers_no_file_fails(tmp_path: Path) -> None:
    mapping = write(tmp_path, ITALIAN_MAPPING)
    (tmp_path / "landing").mkdir()
    with pytest.raises(MappingError, match=r"key files \(line 2\): no file under .* matches"):
        check_mappings([load_mapping(mapping)], tmp_path / "landing")


def test_mapping_check_prints_what_would_be_quarantined(capsys) -> None:
    folder = "carpentrycon-2020-feedback"
    assert cxw(["mapping", "check", str(PRESETS / f"{folder}.yml"), "--landing",
                str(REAL / folder)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "read 1488, would load 1487, would quarantine 1" in out  # 124 rows x 12 answers
    assert "1 line(s) score_out_of_range" in out
    assert '2020_carpentryconhome_raw.csv line 45: column "score" has 0' in out


# --------------------------------------------------------------------------- tool presets

# Two events as `bq extract --destination_format NEWLINE_DELIMITED_JSON` writes a GA4
# events_YYYYMMDD table (INT64 as strings), with the fields the GA4 BigQuery Export schema
# documents (support.google.com/analytics/answer/7029846).
GA4_EVENTS = (
    '{"event_date":"20240301","event_timestamp":"1709287200123456","event_name":"page_view",'
    '"event_params":[{"key":"page_location","value":{"string_value":"https://shop.example/"}},'
    '{"key":"ga_session_id","value":{"int_value":"1709287200"}}],"event_bundle_sequence_id":"1",'
    '"user_pseudo_id":"123.456","device":{"category":"mobile"},"collected_traffic_source":'
    '{"manual_source":"google","manual_medium":"cpc","manual_campaign_name":"spring"}}\n'
    '{"event_date":"20240301","event_timestamp":"1709287260000000","event_name":"purchase",'
    '"event_params":[{"key":"page_referrer","value":{"string_value":"https://shop.example/cart"}}'
    '],"event_bundle_sequence_id":"2","user_pseudo_id":"123.456","user_id":"C42",'
    '"device":{"category":"desktop"},"ecommerce":{"transaction_id":"T-1001"}}\n'
)


def test_ga4_bigquery_export_preset(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "ga4").mkdir(parents=True)
    (landing / "ga4" / "events_20240301.json").write_text(GA4_EVENTS)
    con = duckdb.connect()
    ensure_raw_schema(con)
    m = load_mapping(REPO / "mappings" / "tools" / "ga4-bigquery-export.yml")
    check_mappings([m], landing)
    (result,) = load_mapped(con, [m], landing)
    assert (result.rows_read, result.rows_loaded) == (2, 2)
    got = con.execute(
        "select event_at, anonymous_id, user_id, event_type, page_url, referrer, utm_source, "
        "utm_medium, utm_campaign, device_type, order_id, _line from raw.web_events order by _line"
    ).fetchall()
    assert got == [
        # 1709287200123456 µs = 1709251200 s (2024-03-01 00:00 UTC) + 10 h + 0.123456 s
        (datetime(2024, 3, 1, 10, 0, 0, 123456), "123.456", None, "page_view",
         "https://shop.example/", None, "google", "cpc", "spring", "mobile", None, 1),
        (datetime(2024, 3, 1, 10, 1), "123.456", "C42", "purchase", None,
         "https://shop.example/cart", None, None, None, "desktop", "T-1001", 2),
    ]  # fmt: skip


# Three rows of a Shopify "Export orders" CSV as the Help Center documents it: order #1001
# has two line items (order-level fields on its first row only), #1002 was refunded and
# cancelled.
SHOPIFY_ORDERS = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Cancelled at,Source,Id\n"
    "#1001,Ann@Example.com,paid,2025-10-07 09:50:26 +0200,fulfilled,2025-10-08 14:21:21 +0200,"
    "yes,EUR,53.91,0.00,0.00,53.91,WELCOME10,5.99,Standard,2025-10-07 09:50:26 +0200,3,Mask,"
    "34.90,,web,7410991464714\n"
    "#1001,,,,,,,,,,,,,,,,1,Cream,19.01,,,\n"
    "#1002,bo@example.com,refunded,2025-10-09 10:00:00 +0200,,,no,EUR,10.00,0.00,0.00,10.00,,"
    "0.00,,2025-10-09 09:59:00 +0200,1,Soap,10.00,2025-10-10 08:00:00 +0200,pos,7410991464715\n"
)


def test_shopify_orders_export_preset(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "shopify").mkdir(parents=True)
    (landing / "shopify" / "orders_export_1.csv").write_text(SHOPIFY_ORDERS)
    con = duckdb.connect()
    ensure_raw_schema(con)
    m = load_mapping(REPO / "mappings" / "tools" / "shopify-orders-export.yml")
    check_mappings([m], landing)
    (result,) = load_mapped(con, [m], landing)
    assert (result.rows_read, result.rows_loaded) == (3, 3)  # 3 lines into 2 orders
    got = con.execute(
        "select order_id, customer_id, ordered_at, channel, status, currency, amount, "
        "items_count, updated_at, _line from raw.crm_orders order by _line"
    ).fetchall()
    assert got == [
        # 09:50:26 +0200 = 07:50:26 UTC; 3 + 1 items; last change: fulfilled 14:21:21 +0200
        ("#1001", "ann@example.com", datetime(2025, 10, 7, 7, 50, 26), "web", "shipped", "EUR",
         Decimal("53.91"), 4, datetime(2025, 10, 8, 12, 21, 21), 2),
        ("#1002", "bo@example.com", datetime(2025, 10, 9, 7, 59), "store", "cancelled", "EUR",
         Decimal("10.00"), 1, datetime(2025, 10, 10, 6, 0), 4),
    ]  # fmt: skip
    lineage = con.execute("select line, line_count from raw.mapped_records order by line")
    assert lineage.fetchall() == [(2, 2), (4, 1)]


def test_a_mapping_that_fails_on_a_file_quarantines_the_file_whole(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "vendite").mkdir(parents=True)
    (landing / "vendite" / "2024-03.csv").write_bytes(ITALIAN.encode("latin-1"))
    # binds (a text cast to a decimal), but '1.234,50' cannot convert: a mapping mistake the
    # data reveals; the file is kept whole in quarantine with the reason, nothing crashes
    mapping = write(
        tmp_path, ITALIAN_MAPPING.replace("amount: Importo", "amount: Importo::decimal")
    )
    con = duckdb.connect()
    ensure_raw_schema(con)
    m = load_mapping(mapping)
    check_mappings([m], landing)
    (result,) = load_mapped(con, [m], landing, quarantine_dir=tmp_path / "q")
    assert result.status == "quarantined"
    (reason,) = con.execute("select reason from raw.quarantine where line is null").fetchone()
    assert "cannot be applied to this file" in reason and "1.234,50" in reason
    assert con.execute("select count(*) from raw.crm_orders").fetchone() == (0,)


def test_files_a_mapping_covers_are_pending_until_loaded(tmp_path: Path, monkeypatch) -> None:
    from orchestration.loader.pending import unhandled_files
    from orchestration.sensors import pending_landing_files

    landing = tmp_path / "landing"
    (landing / "vendite").mkdir(parents=True)
    (landing / "vendite" / "2024-03.csv").write_bytes(ITALIAN.encode("latin-1"))
    mapping = write(tmp_path, ITALIAN_MAPPING)
    # the sensor sees the file through the configured mappings (CXW_MAPPINGS)
    monkeypatch.setenv("CXW_MAPPINGS", str(mapping))
    warehouse = tmp_path / "cx.duckdb"
    assert pending_landing_files(landing, warehouse) == [landing / "vendite" / "2024-03.csv"]
    con = duckdb.connect(str(warehouse))
    ensure_raw_schema(con)
    load_mapped(con, [load_mapping(mapping)], landing)
    assert unhandled_files(con, landing) == []  # loaded: nothing pending, no run needed
    con.close()
    assert pending_landing_files(landing, warehouse) == []
