"""How well the identity graph finds people: the published identity map against the
generator's ground truth.

Pairwise precision and recall over identifier pairs, from contingency counts (never by
listing pairs): with n_pc the number of a true person p's identifiers that the map puts in
customer c,

    true positive pairs   = sum over (p, c) of n_pc * (n_pc - 1) / 2
    predicted pairs       = sum over c of m_c * (m_c - 1) / 2, m_c = truth identifiers in c
    true pairs            = sum over p of n_p * (n_p - 1) / 2, n_p = all identifiers of p

so an identifier missing from the map costs recall. Identifiers are compared as the map
publishes them: text identifiers (CRM ids, anonymous ids, emails) normalised as the
warehouse normalises them (`orchestration.identifiers.normalize_identifier`: NFKC, trimmed,
case-folded), emails and phones as keyed hashes (HMAC-SHA256 with the deployment's key,
orchestration.secrets) of the normalised value (the truth's phones are already E.164).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from .config import settings
from .identifiers import register_functions
from .secrets import hmac_key_hex, identifier_hash

# Targets of issue 4 ("done when").
PRECISION_TARGET = 0.995
RECALL_TARGET = 0.98
CUSTOMER_COUNT_TOLERANCE = 0.005

_MAP_TYPES = {
    "crm_customer_id": "crm_customer_id",
    "anonymous_id": "anonymous_id",
    "email": "email_hash",
    "phone": "phone_hash",
}


def _pairs(column: str) -> str:
    return f"coalesce(sum({column} * ({column} - 1) / 2), 0)::hugeint"


def evaluate_identity(database: Path, truth_dir: Path) -> dict[str, Any]:
    """Score marts.customer_identity_map / marts.dim_customers in `database` against
    `truth_dir`/identities.csv (and shared_identifiers.csv when present)."""
    database, truth_dir = Path(database), Path(truth_dir)
    identities = truth_dir / "identities.csv"
    if not identities.exists():
        raise FileNotFoundError(f"{identities}: ground truth not found (run the generator)")
    if not database.exists():
        raise FileNotFoundError(f"{database}: warehouse not found (run the pipeline first)")

    key_hex = hmac_key_hex(settings())
    con = duckdb.connect()
    try:
        register_functions(con)
        con.create_function(
            "identifier_hash", lambda value: identifier_hash(value, key_hex), [str], str
        )
        con.execute(f"attach '{database}' as wh (read_only)")
        type_case = " ".join(f"when '{k}' then '{v}'" for k, v in _MAP_TYPES.items())
        con.execute(
            f"""
            create temp table truth as
            select
                person_id,
                identifier_type,
                case identifier_type {type_case} end as map_type,
                case
                    when identifier_type = 'phone' then identifier_hash(identifier_value)
                    when identifier_type = 'email'
                        then identifier_hash(cxw_normalize_identifier(identifier_value))
                    else cxw_normalize_identifier(identifier_value)
                end as map_value,
            from read_csv(?, header = true, all_varchar = true)
            """,
            [str(identities)],
        )
        con.execute(
            """
            create temp table matched as
            select truth.*, map.customer_key
            from truth
            left join wh.marts.customer_identity_map as map
                on truth.map_type = map.identifier_type
                and truth.map_value = map.identifier_value
            """
        )
        true_positive, predicted, true_pairs = con.execute(
            f"""
            select
                (select {_pairs("n")} from (
                    select count(*) as n from matched where customer_key is not null
                    group by person_id, customer_key)),
                (select {_pairs("n")} from (
                    select count(*) as n from matched where customer_key is not null
                    group by customer_key)),
                (select {_pairs("n")} from (
                    select count(*) as n from truth group by person_id))
            """
        ).fetchone()
        truth_persons, truth_identifiers = con.execute(
            "select count(distinct person_id), count(*) from truth"
        ).fetchone()
        unified_customers = con.execute("select count(*) from wh.marts.dim_customers").fetchone()[0]
        missing_by_type = dict(
            con.execute(
                """
                select identifier_type, count(*) from matched
                where customer_key is null group by identifier_type order by 1
                """
            ).fetchall()
        )
        map_rows, map_not_in_truth = con.execute(
            """
            select count(*), count(*) filter (where truth.map_value is null)
            from wh.marts.customer_identity_map as map
            left join truth
                on truth.map_type = map.identifier_type
                and truth.map_value = map.identifier_value
            """
        ).fetchone()
        shared_in_map = None
        shared_file = truth_dir / "shared_identifiers.csv"
        if shared_file.exists():
            shared_in_map = con.execute(
                f"""
                select count(*)
                from read_csv(?, header = true, all_varchar = true) as shared
                inner join wh.marts.customer_identity_map as map
                    on map.identifier_type = case shared.identifier_type {type_case} end
                    and map.identifier_value = case
                        when shared.identifier_type = 'phone' then sha256(shared.identifier_value)
                        when shared.identifier_type = 'email'
                            then sha256(cxw_normalize_identifier(shared.identifier_value))
                        else cxw_normalize_identifier(shared.identifier_value)
                    end
                """,
                [str(shared_file)],
            ).fetchone()[0]
    finally:
        con.close()

    true_positive, predicted, true_pairs = int(true_positive), int(predicted), int(true_pairs)
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    count_difference = (unified_customers - truth_persons) / truth_persons if truth_persons else 0.0
    return {
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": f1,
        "true_positive_pairs": true_positive,
        "predicted_pairs": predicted,
        "true_pairs": true_pairs,
        "true_persons": truth_persons,
        "unified_customers": unified_customers,
        "customer_count_relative_difference": count_difference,
        "truth_identifiers": truth_identifiers,
        "identifiers_missing_from_map": sum(missing_by_type.values()),
        "identifiers_missing_by_type": missing_by_type,
        "map_identifiers": map_rows,
        "map_identifiers_not_in_truth": map_not_in_truth,
        "shared_identifiers_in_map": shared_in_map,
        "targets": {
            "pairwise_precision": PRECISION_TARGET,
            "pairwise_recall": RECALL_TARGET,
            "customer_count_relative_difference": CUSTOMER_COUNT_TOLERANCE,
        },
        "passed": (
            precision >= PRECISION_TARGET
            and recall >= RECALL_TARGET
            and abs(count_difference) <= CUSTOMER_COUNT_TOLERANCE
        ),
    }


def format_identity_evaluation(result: dict[str, Any]) -> str:
    """The evaluation as a short text report (what `cxw evaluate` prints)."""

    def mark(ok: bool) -> str:
        return "ok  " if ok else "MISS"

    precision, recall = result["pairwise_precision"], result["pairwise_recall"]
    difference = result["customer_count_relative_difference"]
    missing = ", ".join(f"{k} {v}" for k, v in result["identifiers_missing_by_type"].items())
    lines = [
        "Identity resolution vs ground truth",
        f"  {mark(precision >= PRECISION_TARGET)} pairwise precision  {precision:.4f}"
        f"  (target >= {PRECISION_TARGET})",
        f"  {mark(recall >= RECALL_TARGET)} pairwise recall     {recall:.4f}"
        f"  (target >= {RECALL_TARGET})",
        f"       pairwise F1         {result['pairwise_f1']:.4f}",
        f"  {mark(abs(difference) <= CUSTOMER_COUNT_TOLERANCE)} unified customers   "
        f"{result['unified_customers']} vs {result['true_persons']} true persons "
        f"({difference:+.2%}, tolerance {CUSTOMER_COUNT_TOLERANCE:.1%})",
        f"       pairs: {result['true_positive_pairs']} correct of "
        f"{result['predicted_pairs']} predicted, {result['true_pairs']} true",
        f"       truth identifiers missing from the map: "
        f"{result['identifiers_missing_from_map']} of {result['truth_identifiers']}"
        + (f" ({missing})" if missing else ""),
        f"       map identifiers not in the truth: {result['map_identifiers_not_in_truth']} "
        f"of {result['map_identifiers']}",
    ]
    if result["shared_identifiers_in_map"] is not None:
        lines.append(
            f"       shared identifiers (placeholders) in the map: "
            f"{result['shared_identifiers_in_map']}"
        )
    lines.append("  PASSED" if result["passed"] else "  FAILED")
    return "\n".join(lines)
