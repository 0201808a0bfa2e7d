"""The CX dashboard: `make dashboard` (streamlit run orchestration/dashboard/app.py).

Reads the published release (CXW_SERVING_PATH) read-only; see release.py. Pages are chosen
in the sidebar or with `?page=<name>` (overview, experience, commerce, web, service,
customers).
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from orchestration.dashboard.release import (
    MISSING_INPUT,
    SERVICE_TILES,
    TILES,
    Release,
    ReleaseNotFound,
    connect,
    release_key,
    serving_path,
)

PAGES = ("overview", "experience", "commerce", "web", "service", "customers")
ALL_TIME = "All time"


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(key: tuple[str, int, int]) -> Release:
    """One read-only connection per release (a new inode = a new release)."""
    return Release(connect(key[0]))


def current_release() -> Release:
    """The release the serving path points at now: a new one is opened on the next rerun."""
    return _open(release_key(serving_path()))


def no_data(what: str, area: str) -> None:
    st.info(f"No data for {what}: the release has no {MISSING_INPUT[area]}.")


def _fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None or pd.isna(value):
        return "no data"
    return f"{value:,.{digits}f}{unit}"


# --- sidebar ---------------------------------------------------------------------------


def sidebar(release: Release) -> tuple[str, date | None]:
    requested = st.query_params.get("page", PAGES[0])
    index = PAGES.index(requested) if requested in PAGES else 0
    page = st.sidebar.radio(
        "Page", PAGES, index=index, format_func=str.capitalize, key="page_choice"
    )
    if page != requested:
        st.query_params["page"] = page
    months = release.months()
    choice = st.sidebar.selectbox(
        "Period",
        [ALL_TIME, *[m.strftime("%Y-%m") for m in months]],
        help="KPI tiles show this period; monthly charts stop at it.",
        key="period",
    )
    period = (
        None if choice == ALL_TIME else months[[m.strftime("%Y-%m") for m in months].index(choice)]
    )
    return page, period


def breakdown(label: str, options: list[str], key: str) -> str | None:
    if not options:
        return None
    return st.sidebar.selectbox(label, options, key=key)


# --- pages -----------------------------------------------------------------------------


def overview(release: Release, period: date | None) -> None:
    info = release.info()
    st.header("Overview")
    st.caption(
        f"Release `{info.release_id}` · published "
        f"{info.published_at:%Y-%m-%d %H:%M} UTC · as_of "
        + (f"{info.as_of:%Y-%m-%d %H:%M}" if info.as_of else "not recorded in this release")
    )
    tiles = release.tiles(period)
    period_label = ALL_TIME.lower() if period is None else period.strftime("%Y-%m")
    columns = st.columns(4)
    for i, row in enumerate(tiles.itertuples(index=False)):
        label, unit, needs = TILES[row.kpi]
        digits = 2 if row.kpi in ("ces", "first_response_time_hours") else 1
        with columns[i % 4]:
            if row.value is None or pd.isna(row.value):
                st.metric(f"{label} ({period_label})", "no data", border=True)
                st.caption(f"needs {needs}")
                continue
            text = _fmt(row.value, unit, digits)
            if row.kpi == "nps" and not pd.isna(row.margin_of_error_95):
                text += f" ± {row.margin_of_error_95:.1f}"
            delta = None
            if row.change is not None and not pd.isna(row.change):
                delta = (
                    f"{row.change:+.{digits}f} ({row.month:%Y-%m} vs {row.previous_month:%Y-%m})"
                )
            st.metric(
                f"{label} ({period_label})",
                text,
                delta=delta,
                delta_color="inverse"
                if row.kpi in ("churn_rate", "first_response_time_hours")
                else "normal",
                help=f"kpi_scorecard `{row.kpi}`, n = {int(row.sample_size or 0):,}; the "
                f"change is {row.month:%Y-%m} against the month before.",
                border=True,
            )
    st.subheader("Quality warnings of the run that published this release")
    if info.warnings:
        st.dataframe(
            pd.DataFrame(info.warnings, columns=["asset", "check", "warning"]),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success("The run that published this release raised no quality warnings.")
    st.subheader("KPIs by breakdown (all time)")
    dimension = breakdown("Breakdown", release.dimensions(), "overview_breakdown")
    if dimension is None:
        st.info("The scorecard has no breakdowns in this release.")
        return
    frame = release.scorecard(list(_kpis_of(release, dimension)), dimension=dimension)
    if frame.empty:
        st.info(f"No KPI is broken down by {dimension} in this release.")
        return
    table = frame.pivot_table(
        index="dimension_value", columns="kpi", values="value", aggfunc="first", dropna=False
    )
    st.dataframe(table.round(2), width="stretch")


def _kpis_of(release: Release, dimension: str) -> list[str]:
    frame = release.sql(
        "select distinct kpi from marts.kpi_scorecard where dimension = ? order by 1",
        [dimension],
    )
    return list(frame["kpi"])


def experience(release: Release, period: date | None) -> None:
    st.header("Experience")
    st.subheader("NPS by month, with its 95 % band")
    months = release.nps_by_month()
    if period is not None:
        months = months[pd.to_datetime(months["period_start"]).dt.date <= period]
    if months.empty:
        no_data("NPS by month", "survey")
    else:
        base = alt.Chart(months).encode(x=alt.X("period_start:T", title="month"))
        band = base.mark_area(opacity=0.25).encode(
            y=alt.Y("lower_95:Q", title="NPS"), y2="upper_95:Q"
        )
        line = base.mark_line(point=True).encode(
            y="nps:Q",
            tooltip=["period_start:T", alt.Tooltip("nps:Q", format=".1f"), "sample_size:Q"],
        )
        st.altair_chart(band + line, width="stretch")

    dimension = breakdown(
        "Survey breakdown",
        [d for d in release.dimensions(["nps", "csat", "ces"])],
        "experience_breakdown",
    )
    st.subheader(f"NPS, CSAT and CES by {dimension or 'breakdown'} (all time)")
    frame = (
        release.scorecard(["nps", "csat", "ces"], dimension=dimension)
        if dimension
        else pd.DataFrame()
    )
    frame = frame[frame["value"].notna()] if not frame.empty else frame
    if frame.empty:
        no_data("survey KPIs by breakdown", "survey")
    else:
        frame = frame.assign(
            lower=frame["value"] - frame["margin_of_error_95"].fillna(0),
            upper=frame["value"] + frame["margin_of_error_95"].fillna(0),
        )
        cols = st.columns(3)
        for col, kpi in zip(cols, ["nps", "csat", "ces"], strict=True):
            part = frame[frame["kpi"] == kpi]
            with col:
                st.markdown(f"**{TILES[kpi][0]}**")
                if part.empty:
                    no_data(f"{TILES[kpi][0]} by {dimension}", "survey")
                    continue
                bars = (
                    alt.Chart(part)
                    .mark_bar()
                    .encode(
                        y=alt.Y("dimension_value:N", title=dimension, sort="-x"),
                        x=alt.X("value:Q", title=TILES[kpi][0]),
                        tooltip=[
                            "dimension_value",
                            alt.Tooltip("value:Q", format=".1f"),
                            "sample_size",
                        ],
                    )
                )
                errors = (
                    alt.Chart(part)
                    .mark_rule()
                    .encode(y="dimension_value:N", x="lower:Q", x2="upper:Q")
                )
                st.altair_chart(bars + errors, width="stretch")

    st.subheader("Promoters, passives and detractors")
    categories = release.survey_categories()
    if categories.empty:
        no_data("promoters, passives and detractors", "survey")
    else:
        total = categories[categories["grain"] == "all_time"]
        if not total.empty:
            t = total.iloc[0]
            a, b, c = st.columns(3)
            a.metric("Promoters", f"{int(t.promoters):,}", help=f"{t.promoter_share:.1f} %")
            b.metric("Passives", f"{int(t.passives):,}", help=f"{t.passive_share:.1f} %")
            c.metric("Detractors", f"{int(t.detractors):,}", help=f"{t.detractor_share:.1f} %")
        monthly = categories[categories["grain"] == "month"]
        if period is not None:
            monthly = monthly[pd.to_datetime(monthly["period_start"]).dt.date <= period]
        if not monthly.empty:
            long = monthly[["period_start", "promoters", "passives", "detractors"]].melt(
                id_vars=["period_start"],
                value_vars=["promoters", "passives", "detractors"],
                var_name="category",
                value_name="answers",
            )
            st.altair_chart(
                alt.Chart(long)
                .mark_bar()
                .encode(
                    x=alt.X("period_start:T", title="month"),
                    y=alt.Y("answers:Q", stack="normalize", title="share of answers"),
                    color=alt.Color(
                        "category:N",
                        sort=["promoters", "passives", "detractors"],
                        scale=alt.Scale(
                            domain=["promoters", "passives", "detractors"],
                            range=["#2e7d32", "#9e9e9e", "#c62828"],
                        ),
                    ),
                    tooltip=["period_start:T", "category", "answers"],
                ),
                width="stretch",
            )

    st.subheader("Comments (emails and phone numbers masked)")
    comments = release.comments()
    if comments.empty:
        no_data("comments", "survey")
    else:
        st.dataframe(comments, hide_index=True, width="stretch")


def commerce(release: Release, period: date | None) -> None:
    st.header("Commerce")
    st.subheader("Repeat customer rate")
    repeat = release.scorecard(["repeat_customer_rate", "purchase_frequency"])
    values = dict(zip(repeat["kpi"], repeat["value"], strict=True))
    if pd.isna(values.get("repeat_customer_rate")):
        no_data("the repeat customer rate", "orders")
    else:
        a, b = st.columns(2)
        a.metric("Repeat customer rate (all time)", _fmt(values["repeat_customer_rate"], " %"))
        b.metric("Purchase frequency (all time)", _fmt(values.get("purchase_frequency"), "", 2))

    st.subheader("Cohort retention")
    cohorts = release.cohorts()
    if period is not None and not cohorts.empty:
        cohorts = cohorts[pd.to_datetime(cohorts["cohort_month"]).dt.date <= period]
    if cohorts.empty:
        no_data("cohorts", "orders")
    else:
        cohorts = cohorts.assign(
            cohort=pd.to_datetime(cohorts["cohort_month"]).dt.strftime("%Y-%m")
        )
        st.altair_chart(
            alt.Chart(cohorts)
            .mark_rect()
            .encode(
                x=alt.X("months_since_first_order:O", title="months since first order"),
                y=alt.Y("cohort:O", title="cohort (first order month)"),
                color=alt.Color(
                    "retention_rate:Q", title="retention %", scale=alt.Scale(scheme="blues")
                ),
                tooltip=[
                    "cohort",
                    "months_since_first_order",
                    "cohort_customers",
                    "active_customers",
                    alt.Tooltip("retention_rate:Q", format=".1f"),
                ],
            ),
            width="stretch",
        )

    st.subheader("Predicted customer lifetime value")
    predictions = release.clv_predictions()
    if predictions.empty:
        no_data("predicted CLV", "orders")
    else:
        horizon = int(predictions["horizon_months"].iloc[0])
        st.caption(f"BG/NBD × Gamma-Gamma expected value over the next {horizon} months.")
        st.altair_chart(
            alt.Chart(predictions)
            .mark_bar()
            .encode(
                x=alt.X("expected_value:Q", bin=alt.Bin(maxbins=40), title="predicted CLV"),
                y=alt.Y("count():Q", title="customers"),
            ),
            width="stretch",
        )
        segments = release.clv_by_segment()
        st.altair_chart(
            alt.Chart(segments)
            .mark_bar()
            .encode(
                y=alt.Y("segment:N", sort="-x", title="RFM segment"),
                x=alt.X("mean_predicted_clv:Q", title="mean predicted CLV"),
                tooltip=[
                    "segment",
                    "customers",
                    alt.Tooltip("mean_predicted_clv:Q", format=".2f"),
                    alt.Tooltip("median_predicted_clv:Q", format=".2f"),
                ],
            ),
            width="stretch",
        )


def web(release: Release, period: date | None) -> None:
    st.header("Web")
    conversion = release.scorecard(["conversion_rate", "cart_abandonment_rate"])
    values = dict(zip(conversion["kpi"], conversion["value"], strict=True))
    if pd.isna(values.get("conversion_rate")):
        no_data("the web funnel", "web")
        return
    a, b = st.columns(2)
    a.metric("Conversion rate (all time)", _fmt(values["conversion_rate"], " %"))
    b.metric("Cart abandonment (all time)", _fmt(values.get("cart_abandonment_rate"), " %"))
    st.subheader("Funnel, with the drop-off at each step")
    overall = release.funnel()
    if overall.empty:
        no_data("the web funnel", "web")
        return
    _funnel_chart(overall)
    dimension = breakdown("Funnel breakdown", release.funnel_dimensions(), "web_breakdown")
    if dimension:
        st.subheader(f"Funnel by {dimension}")
        split = release.funnel(dimension)
        st.altair_chart(
            alt.Chart(split)
            .mark_line(point=True)
            .encode(
                x=alt.X("step:N", sort=list(overall["step"]), title="step"),
                y=alt.Y("share_of_sessions:Q", title="% of sessions reaching the step"),
                color=alt.Color("dimension_value:N", title=dimension),
                tooltip=[
                    "dimension_value",
                    "step",
                    "sessions",
                    alt.Tooltip("drop_off_rate:Q", format=".1f"),
                ],
            ),
            width="stretch",
        )
        st.dataframe(
            split.pivot_table(
                index="dimension_value", columns="step", values="drop_off_rate", aggfunc="first"
            )[list(overall["step"])].round(1),
            width="stretch",
        )


def _funnel_label(entries, drop_offs, drop_off_rate, step_number: int) -> str:
    """A bar's label; a step without input (no such event in the data) says so."""
    if pd.isna(entries):
        return "no such events in the data"
    label = f"{int(entries):,} sessions"
    if step_number > 1 and not pd.isna(drop_off_rate):
        label += f" · −{drop_off_rate:.1f} % ({int(drop_offs):,} dropped)"
    return label


def _funnel_chart(frame: pd.DataFrame) -> None:
    frame = frame.assign(
        label=[
            _funnel_label(e, d, r, n)
            for e, d, r, n in zip(
                frame["entries"],
                frame["drop_offs"],
                frame["drop_off_rate"],
                frame["step_number"],
                strict=True,
            )
        ]
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("step:N", sort=list(frame["step"]), title=None),
            x=alt.X("entries:Q", title="sessions entering the step"),
            tooltip=[
                "step",
                "entries",
                "drop_offs",
                alt.Tooltip("step_conversion_rate:Q", format=".1f"),
                alt.Tooltip("drop_off_rate:Q", format=".1f"),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=4).encode(text="label:N")
    st.altair_chart(bars + text, width="stretch")


def _month_end(month: date) -> date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


def _hours_chart(frame: pd.DataFrame, dimension: str, prefix: str) -> None:
    """p50 and p90 of first response and resolution, `prefix` '' or 'business_'."""
    columns = [
        f"{step}_{prefix}hours_{p}"
        for step in ("first_response", "resolution")
        for p in ("p50", "p90")
    ]
    long = frame.melt(
        id_vars=["dimension_value"], value_vars=columns, var_name="measure", value_name="hours"
    ).dropna()
    if long.empty:
        no_data(f"the {prefix.replace('_', ' ')}hours by {dimension}", "tickets")
        return
    long["measure"] = long["measure"].str.replace(f"_{prefix}hours_", " ")
    st.altair_chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("dimension_value:N", title=dimension),
            x=alt.X("hours:Q"),
            color="measure:N",
            yOffset="measure:N",
            tooltip=["dimension_value", "measure", alt.Tooltip("hours:Q", format=".2f")],
        ),
        width="stretch",
    )


def _service_levels(release: Release, period: date | None) -> None:
    """The six service-level tiles of kpi_scorecard, for the period (all time or a month)."""
    period_label = ALL_TIME.lower() if period is None else period.strftime("%Y-%m")
    st.subheader(f"Service levels ({period_label})")
    levels = release.service_levels(period)
    columns = st.columns(3)
    for i, row in enumerate(levels.itertuples(index=False)):
        label, unit, needs = SERVICE_TILES[row.kpi]
        with columns[i % 3]:
            if row.value is None or pd.isna(row.value):
                st.metric(label, "no data", border=True)
                st.caption(f"needs {needs}")
                continue
            st.metric(
                label,
                _fmt(row.value, unit, 2 if unit == " h" else 1),
                help=f"kpi_scorecard `{row.kpi}`, n = {int(row.sample_size or 0):,}",
                border=True,
            )


def service(release: Release, period: date | None) -> None:
    st.header("Service")
    overall = release.service("overall")
    if overall.empty or not overall["tickets"].fillna(0).sum():
        no_data("response and resolution times", "tickets")
        return
    o = overall.iloc[0]
    a, b, c = st.columns(3)
    a.metric(
        "First response p50 / p90 (h)",
        f"{_fmt(o.first_response_hours_p50, '', 2)} / {_fmt(o.first_response_hours_p90, '', 2)}",
    )
    b.metric(
        "Resolution p50 / p90 (h)",
        f"{_fmt(o.resolution_hours_p50, '', 2)} / {_fmt(o.resolution_hours_p90, '', 2)}",
    )
    c.metric("First contact resolution", _fmt(o.first_contact_resolution_rate, " %"))
    _service_levels(release, period)
    st.subheader("Backlog: open tickets at the end of each day, by channel")
    backlog = release.backlog(None if period is None else _month_end(period))
    if backlog.empty:
        no_data("the backlog", "tickets")
    else:
        st.altair_chart(
            alt.Chart(backlog)
            .mark_area()
            .encode(
                x=alt.X("backlog_date:T", title="day"),
                y=alt.Y("open_tickets:Q", stack=True, title="open tickets"),
                color=alt.Color("channel:N"),
                tooltip=["backlog_date:T", "channel", "open_tickets", "tickets_opened"],
            ),
            width="stretch",
        )
    dimension = breakdown("Service breakdown", release.service_dimensions(), "service_breakdown")
    if dimension is None:
        return
    frame = release.service(dimension)
    st.subheader(f"Response and resolution time by {dimension} (hours, p50 and p90)")
    _hours_chart(frame, dimension, "")
    st.subheader(f"The same in business hours by {dimension} (p50 and p90)")
    _hours_chart(frame, dimension, "business_")
    st.subheader(f"First contact resolution by {dimension}")
    st.altair_chart(
        alt.Chart(frame.dropna(subset=["first_contact_resolution_rate"]))
        .mark_bar()
        .encode(
            y=alt.Y("dimension_value:N", sort="-x", title=dimension),
            x=alt.X("first_contact_resolution_rate:Q", title="FCR %"),
            tooltip=[
                "dimension_value",
                "resolved_tickets_with_replies",
                alt.Tooltip("first_contact_resolution_rate:Q", format=".1f"),
            ],
        ),
        width="stretch",
    )
    st.subheader(f"SLA breaches, reopening and two-touch resolution by {dimension} (%)")
    rates = frame.melt(
        id_vars=["dimension_value"],
        value_vars=[
            "sla_breach_rate",
            "resolution_sla_breach_rate",
            "reopen_rate",
            "two_touch_resolution_rate",
        ],
        var_name="rate",
        value_name="percent",
    ).dropna()
    if rates.empty:
        no_data(f"SLA, reopen and two-touch rates by {dimension}", "tickets")
    else:
        st.altair_chart(
            alt.Chart(rates)
            .mark_bar()
            .encode(
                y=alt.Y("dimension_value:N", title=dimension),
                x=alt.X("percent:Q", title="%"),
                color="rate:N",
                yOffset="rate:N",
                tooltip=["dimension_value", "rate", alt.Tooltip("percent:Q", format=".1f")],
            ),
            width="stretch",
        )
    monthly = release.service("overall", grain="month")
    if period is not None:
        monthly = monthly[pd.to_datetime(monthly["period_start"]).dt.date <= period]
    if not monthly.empty:
        st.subheader("Median first response time by month (hours)")
        st.altair_chart(
            alt.Chart(monthly)
            .mark_line(point=True)
            .encode(
                x=alt.X("period_start:T", title="month"),
                y=alt.Y("first_response_hours_p50:Q", title="p50 hours"),
            ),
            width="stretch",
        )


def customers(release: Release, period: date | None) -> None:
    st.header("Customers")
    st.subheader("Personas and their sizes")
    personas = release.personas()
    if personas.empty:
        no_data("personas", "customers")
    else:
        st.altair_chart(
            alt.Chart(personas)
            .mark_bar()
            .encode(
                y=alt.Y("persona:N", sort="-x"),
                x=alt.X("customers:Q"),
                tooltip=["persona", "customers"],
            ),
            width="stretch",
        )
    st.subheader("Journey stages and where customers stop")
    stages = release.journey_stages()
    if stages.empty:
        no_data("journey stages", "customers")
    else:
        long = stages.melt(
            id_vars=["stage_number", "journey_stage"],
            value_vars=["customers_continued", "customers_stopped"],
            var_name="outcome",
            value_name="customers",
        )
        st.altair_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("journey_stage:N", sort=list(stages["journey_stage"]), title="stage"),
                y=alt.Y("customers:Q", title="customers reaching the stage"),
                color=alt.Color(
                    "outcome:N",
                    scale=alt.Scale(
                        domain=["customers_continued", "customers_stopped"],
                        range=["#1565c0", "#ef6c00"],
                    ),
                ),
                tooltip=["journey_stage", "outcome", "customers"],
            ),
            width="stretch",
        )
        st.dataframe(stages, hide_index=True, width="stretch")
    st.subheader("Advocates (pseudonymous customer keys)")
    advocates = release.advocates()
    if advocates.empty:
        st.info(
            "No advocates in this release: advocates are customers with a recent NPS "
            f"answer of 9-10 and orders; it needs {MISSING_INPUT['survey']} and "
            f"{MISSING_INPUT['orders']}."
        )
    else:
        st.dataframe(advocates, hide_index=True, width="stretch")


RENDER = {
    "overview": overview,
    "experience": experience,
    "commerce": commerce,
    "web": web,
    "service": service,
    "customers": customers,
}


@st.fragment(run_every=30)
def _watch(release_id: str) -> None:
    """Every 30 s: if a new release was published, rerun the app on it."""
    try:
        now = current_release().info().release_id
    except ReleaseNotFound:
        return
    if now != release_id:
        st.rerun(scope="app")


def main() -> None:
    st.set_page_config(page_title="CX dashboard", layout="wide")
    try:
        release = current_release()
        info = release.info()
    except ReleaseNotFound as error:
        st.title("CX dashboard")
        st.warning(str(error))
        return
    page, period = sidebar(release)
    st.sidebar.caption(f"release {info.release_id}")
    with st.sidebar:
        _watch(info.release_id)
    RENDER[page](release, period)
    # an invisible marker: the page's script run is complete (the browser test waits for it)
    st.html(f'<div id="cxw-rendered" data-page="{page}"></div>')


main()
