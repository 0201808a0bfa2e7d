import pytest
from loader_support import (
    GOOD_SURVEY,
    SURVEYS,
    SURVEYS_HEADER,
    assert_one_bad_row,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip


@pytest.mark.parametrize(("kind", "score"), [("nps", 11), ("csat", 0), ("csat", 6), ("ces", 8)])
def test_score_outside_scale_is_quarantined(con, landing, kind, score):
    bad = f"r9,s1,{kind},2024-03-01T10:00:00Z,c9,,support,email,{score},,en,"
    write(landing, f"{SURVEYS}/s.csv", csv_text(SURVEYS_HEADER, *goods(GOOD_SURVEY, 1), bad))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "survey_responses", f"{SURVEYS}/s.csv", 3, "score_out_of_range", good=1
    )
    assert kind in reason and str(score) in reason


def test_scale_edges_load(con, landing):
    rows = [
        "r1,s1,nps,2024-03-01,,,,,0,,,",
        "r2,s1,NPS,2024-03-01,,,,,10,,,",
        "r3,s1,ces,2024-03-01,,,,,7,,,",
        "r4,s1,csat,2024-03-01,,,,,,,,",  # skipped question
    ]
    write(landing, f"{SURVEYS}/s.csv", csv_text(SURVEYS_HEADER, *rows))
    report = load(con, landing)
    assert report.rows_loaded == 4 and report.rows_quarantined == 0
