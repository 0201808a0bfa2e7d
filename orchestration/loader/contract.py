"""The landing contract (../shared/landing-contract.md) as data.

This module is the single source of truth for what the loader accepts and what the raw
tables look like: the generator writes files that follow it, the loader validates against
it, and the dbt sources describe the tables it defines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column types of the raw tables. Every raw table stores parsed, typed values; the original
# text of a row that could not be parsed lives in raw.quarantine.
TEXT = "varchar"
TIMESTAMP = "timestamp"  # naive, always UTC
BOOLEAN = "boolean"
INTEGER = "integer"
# Amounts: exact decimal arithmetic, so a sum is the same whatever order a parallel
# aggregation adds the rows in (DOUBLE sums can differ in the last digits between runs,
# which would break bit-identical rebuilds). 18 decimals hold every digit a spreadsheet or
# dataframe writes for an amount (a float's 17 significant digits: 29.849999999999998);
# 20 integer digits hold any amount. The landing contract sets no precision limit: more
# decimals are rounded half away from zero at the 18th (below a double's resolution).
DECIMAL = "decimal(38,18)"
JSON = "json"

# Columns every raw entity table has in addition to the contract's columns.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file", TEXT),  # path of the landing file, relative to the landing folder
    ("_line", "bigint"),  # 1-based physical line where the record starts (header = line 1)
    ("_batch_id", TEXT),  # id of the load batch (one per landing file), see raw.load_log
    ("_loaded_at", TIMESTAMP),  # when the row was loaded, UTC
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    # Inclusive lower bound for numbers (amount >= 0, counts >= 0).
    minimum: float | None = None
    # Listed values: the name of its vocabulary in seeds/vocabulary.csv (see
    # orchestration/vocabulary.py). Required: an unknown word quarantines the row;
    # optional: the row is kept, the word read as unknown, with a warning.
    vocabulary: str | None = None


@dataclass(frozen=True)
class Entity:
    """One landing folder and the raw table it loads into."""

    name: str  # e.g. "crm_customers": the raw table name
    folder: str  # e.g. "crm/customers": relative to the landing directory
    source: str  # "crm", "web" or "survey": whose time zone naive timestamps are in
    columns: tuple[Column, ...]
    key: str  # the business key of the entity
    formats: tuple[str, ...] = field(default=(".csv", ".parquet"))

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


CUSTOMERS = Entity(
    name="crm_customers",
    folder="crm/customers",
    source="crm",
    key="customer_id",
    columns=(
        Column("customer_id", TEXT, required=True),
        Column("email", TEXT),
        Column("phone", TEXT),
        Column("first_name", TEXT),
        Column("last_name", TEXT),
        Column("country", TEXT),
        Column("city", TEXT),
        Column("signup_channel", TEXT, vocabulary="signup_channel"),
        Column("created_at", TIMESTAMP, required=True),
        Column("updated_at", TIMESTAMP, required=True),
        Column("marketing_opt_in", BOOLEAN),
    ),
)

ORDERS = Entity(
    name="crm_orders",
    folder="crm/orders",
    source="crm",
    key="order_id",
    columns=(
        Column("order_id", TEXT, required=True),
        Column("customer_id", TEXT, required=True),
        Column("ordered_at", TIMESTAMP, required=True),
        Column("channel", TEXT, vocabulary="order_channel"),
        Column("status", TEXT, required=True, vocabulary="order_status"),
        Column("currency", TEXT),
        Column("amount", DECIMAL, required=True, minimum=0),
        Column("items_count", INTEGER, minimum=0),
        Column("updated_at", TIMESTAMP),
    ),
)

TICKETS = Entity(
    name="crm_tickets",
    folder="crm/tickets",
    source="crm",
    key="ticket_id",
    columns=(
        Column("ticket_id", TEXT, required=True),
        Column("customer_id", TEXT),
        Column("contact_email", TEXT),
        Column("channel", TEXT, vocabulary="ticket_channel"),
        Column("category", TEXT),
        Column("priority", TEXT, vocabulary="ticket_priority"),
        Column("opened_at", TIMESTAMP, required=True),
        Column("first_response_at", TIMESTAMP),
        Column("resolved_at", TIMESTAMP),
        Column("status", TEXT, required=True, vocabulary="ticket_status"),
        Column("agent_replies", INTEGER, minimum=0),
        Column("reopened_count", INTEGER, minimum=0),
        Column("updated_at", TIMESTAMP),
    ),
)

WEB_EVENTS = Entity(
    name="web_events",
    folder="web/events",
    source="web",
    key="event_id",
    formats=(".jsonl", ".jsonl.gz", ".parquet"),
    columns=(
        Column("event_id", TEXT, required=True),
        Column("event_at", TIMESTAMP, required=True),
        Column("anonymous_id", TEXT, required=True),
        Column("user_id", TEXT),
        Column("email", TEXT),
        Column("event_type", TEXT, required=True, vocabulary="event_type"),
        Column("page_url", TEXT),
        Column("referrer", TEXT),
        Column("utm_source", TEXT),
        Column("utm_medium", TEXT),
        Column("utm_campaign", TEXT),
        Column("device_type", TEXT, vocabulary="device_type"),
        Column("order_id", TEXT),
        Column("properties", JSON),
    ),
)

SURVEY_RESPONSES = Entity(
    name="survey_responses",
    folder="survey/responses",
    source="survey",
    key="response_id",
    columns=(
        Column("response_id", TEXT, required=True),
        Column("survey_id", TEXT),
        Column("survey_type", TEXT, required=True, vocabulary="survey_type"),
        Column("submitted_at", TIMESTAMP, required=True),
        Column("customer_id", TEXT),
        Column("respondent_email", TEXT),
        Column("touchpoint", TEXT),
        Column("channel", TEXT, vocabulary="survey_channel"),
        Column("score", INTEGER),
        Column("comment", TEXT),
        Column("language", TEXT),
        Column("related_id", TEXT),
    ),
)

ENTITIES: tuple[Entity, ...] = (CUSTOMERS, ORDERS, TICKETS, WEB_EVENTS, SURVEY_RESPONSES)
ENTITIES_BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}

# Survey scales: survey_type -> (lowest, highest) score.
SURVEY_SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

# Accepted boolean spellings (compared lower-cased and trimmed); empty means unknown.
TRUE_VALUES = ("true", "1", "yes")
FALSE_VALUES = ("false", "0", "no")

# Reason codes of raw.quarantine. Row-level codes first, then whole-file codes.
# The generator's ground truth uses the same codes, so tests compare sets exactly.
ROW_REASONS = {
    "missing_required": "a required value is empty",
    "bad_timestamp": "a timestamp is not ISO-8601",
    "bad_number": "a number (decimal or integer) cannot be parsed, or is out of range",
    "bad_boolean": "a boolean is not true/false/1/0/yes/no",
    "score_out_of_range": "a survey score is outside the scale of its survey_type",
    "unknown_survey_type": "survey_type is not nps, csat or ces (nor a known synonym)",
    "unknown_value": "a required listed value (status, event_type) is neither a listed value "
    "nor a synonym in seeds/vocabulary.csv",
    "negative_value": "an amount or count is below zero",
    "response_before_open": "first_response_at or resolved_at precedes opened_at",
    "malformed_record": "the record cannot be parsed (wrong field count, invalid JSON)",
}
FILE_REASONS = {
    "not_utf8": "the file is not valid UTF-8",
    "unreadable": "the file is not valid CSV / JSON lines / Parquet, or is empty",
    "missing_column": "a required column is missing from the header",
}
