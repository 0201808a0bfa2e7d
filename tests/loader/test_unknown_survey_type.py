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


def test_unknown_survey_type_is_quarantined(con, landing):
    bad = "r9,s1,stars,2024-03-01T10:00:00Z,c9,,support,email,4,,en,"
    write(landing, f"{SURVEYS}/s.csv", csv_text(SURVEYS_HEADER, bad, *goods(GOOD_SURVEY, 1, 2)))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "survey_responses", f"{SURVEYS}/s.csv", 2, "unknown_survey_type", good=2
    )
    assert '"stars"' in reason
