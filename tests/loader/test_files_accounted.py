"""Every file under the landing folder is accounted for, and a file in another shape is
diagnosed (issue 17 §7)."""

from pathlib import Path

import pytest
from loader_support import (
    GOOD_ORDER,
    ORDERS,
    ORDERS_HEADER,
    SURVEYS,
    SURVEYS_HEADER,
    assert_file_quarantined,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip

from orchestration.loader.load import LandingFolderMissing


def _log(con) -> list[tuple]:
    return con.execute(
        "select file_path, entity, status, message from raw.load_log order by file_path"
    ).fetchall()


def test_hidden_temporary_and_stray_files_are_logged_as_ignored(con, landing):
    good = csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1))
    write(landing, f"{ORDERS}/a.csv", good)
    write(landing, f"{ORDERS}/.~lock.a.csv#", "lock")
    write(landing, f"{ORDERS}/_SUCCESS", "")
    write(landing, f"{ORDERS}/_tmp/b.csv", good.replace("o1", "o2"))
    write(landing, ".DS_Store", b"\x00\x01")
    write(landing, "crm/contacts/c.csv", "id\n1\n")
    write(landing, "orders.csv", good)
    report = load(con, landing)
    log = _log(con)
    assert [(p, e, s) for p, e, s, _ in log] == [
        (".DS_Store", "", "ignored"),
        ("crm/contacts/c.csv", "", "ignored"),
        ("crm/orders/.~lock.a.csv#", "crm_orders", "ignored"),
        ("crm/orders/_SUCCESS", "crm_orders", "ignored"),
        ("crm/orders/_tmp/b.csv", "crm_orders", "ignored"),
        ("crm/orders/a.csv", "crm_orders", "loaded"),
        ("orders.csv", "", "ignored"),
    ]
    messages = {p: m for p, _, _, m in log}
    assert "hidden or temporary" in messages["crm/orders/_SUCCESS"]
    assert "hidden or temporary" in messages[".DS_Store"]
    assert "not in an entity folder" in messages["crm/contacts/c.csv"]
    assert "crm/orders" in messages["orders.csv"]
    assert report.files_ignored == 6 and report.files_loaded == 1
    # a second run finds them logged: no new line
    assert load(con, landing).files_ignored == 0
    assert len(_log(con)) == 7


def test_a_file_in_no_landing_format_in_an_entity_folder_is_ignored_with_the_reason(con, landing):
    """Landing contract: every file is loaded, duplicate, quarantined, or ignored with the
    reason (a hidden or temporary file, an unknown extension or folder). A README, notes
    or a spreadsheet beside the extracts is no extract: ignored, not quarantined (before:
    quarantined whole as unreadable, as if an extract had failed)."""
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1)))
    write(landing, f"{ORDERS}/README.txt", "Orders export, one file a day.\n")
    write(landing, f"{ORDERS}/orders.xlsx", b"PK\x03\x04 a workbook")
    write(landing, f"{ORDERS}/LICENSE", "CC BY 4.0\n")
    write(landing, f"{ORDERS}/.DS_Store", b"\x00\x01")
    report = load(con, landing)
    log = _log(con)
    assert [(p, e, s) for p, e, s, _ in log] == [
        ("crm/orders/.DS_Store", "crm_orders", "ignored"),
        ("crm/orders/LICENSE", "crm_orders", "ignored"),
        ("crm/orders/README.txt", "crm_orders", "ignored"),
        ("crm/orders/a.csv", "crm_orders", "loaded"),
        ("crm/orders/orders.xlsx", "crm_orders", "ignored"),
    ]
    messages = {p: m for p, _, _, m in log}
    assert "unknown extension (.txt)" in messages["crm/orders/README.txt"]
    assert "unknown extension (.xlsx)" in messages["crm/orders/orders.xlsx"]
    assert "unknown extension (none)" in messages["crm/orders/LICENSE"]
    assert ".csv, .parquet in crm/orders" in messages["crm/orders/orders.xlsx"]
    assert "hidden or temporary" in messages["crm/orders/.DS_Store"]
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
    assert (report.files_ignored, report.files_loaded, report.files_quarantined) == (4, 1, 0)


def test_semicolon_separated_file_says_what_it_looks_like_and_what_to_do(con, landing):
    rel = f"{ORDERS}/export.csv"
    header = ORDERS_HEADER.replace(",", ";")
    row = "o1;c1;2024-03-01T10:00:00Z;web;paid;EUR;12,50;2;"
    write(landing, rel, csv_text(header, row))
    report = load(con, landing)
    reason = assert_file_quarantined(con, report, rel, "missing_column")
    assert "semicolon separated with the contract's column names" in reason
    assert "decimal comma" in reason
    assert "source mapping" in reason


def test_windows_1252_semicolon_file_is_named_as_such(con, landing):
    rel = f"{ORDERS}/excel.csv"
    text = csv_text(ORDERS_HEADER.replace(",", ";"), "o1;c1;2024-03-01;web;paid;EUR;12;2;Forlì")
    write(landing, rel, text.encode("cp1252"))
    report = load(con, landing)
    reason = assert_file_quarantined(con, report, rel, "not_utf8")
    assert "Windows-1252" in reason and "semicolon separated" in reason
    assert "source mapping" in reason


def test_survey_tool_export_with_extra_header_rows_is_named(con, landing):
    rel = f"{SURVEYS}/qualtrics.csv"
    rows = [
        "ResponseId,StartDate,Q1,Q2",
        "Response ID,Start Date,How likely are you to recommend us?,Why?",
        '"{""ImportId"":""_recordId""}","{""ImportId"":""startDate""}",'
        '"{""ImportId"":""QID1""}","{""ImportId"":""QID2_TEXT""}"',
        "R_1,2024-03-01 10:00:00,9,great",
    ]
    write(landing, rel, "\n".join(rows) + "\n")
    report = load(con, landing)
    reason = assert_file_quarantined(con, report, rel, "missing_column")
    assert "Qualtrics" in reason and "source mapping" in reason


def test_second_header_row_is_named(con, landing):
    rel = f"{SURVEYS}/two_headers.csv"
    text = "Survey export,,,\n" + csv_text(SURVEYS_HEADER, "r1,s1,nps,2024-03-01,,,,,9,,en,")
    write(landing, rel, text)
    report = load(con, landing)
    reason = assert_file_quarantined(con, report, rel, "missing_column")
    assert "more than one header row" in reason


def test_a_missing_landing_folder_stops_with_the_path_and_the_variable(con, tmp_path: Path):
    missing = tmp_path / "no-such-landing"
    with pytest.raises(LandingFolderMissing) as error:
        load(con, missing)
    assert str(missing) in str(error.value) and "CXW_LANDING_DIR" in str(error.value)
