"""The listed values of the landing contract and the synonyms other tools write for them.

One home: `seeds/vocabulary.csv`, editable by the business, one row per word:

    vocabulary,word,value,tool,note
    order_status,cancelled,cancelled,landing contract,listed value
    order_status,canceled,cancelled,Magento,US spelling ...

- a row whose `tool` is `landing contract` lists a value of the contract (`word` = `value`);
- any other row is a synonym: `word`, as `tool` writes it, is read as the listed `value`;
- the row `word` = `*` (tool `landing contract`) marks an open list (the contract's "...",
  e.g. signup_channel): a word neither listed nor a synonym is kept as written (matched
  form); in a closed list it is unknown.

Words are matched case- and whitespace-insensitively (`key`, the contract's "Listed
values"): every whitespace and control character at either end removed, lower case, and
the separators between the parts of a word left out (whitespace, `_` and `-`), so that
`Add To Cart`, `add-to-cart`, `ADD_TO_CART` and `add_to_cart` are one word. A word of an
open list that is neither listed nor a synonym is kept in its `kept_form` (edges trimmed,
inner whitespace one space, lower case). This module holds the rule once for the loader
(Python and `key_sql`); the dbt macro vocabulary_key writes the same regular expressions
(tests/test_vocabulary.py compares them).
The loader (orchestration/loader/validation.py) quarantines a row whose required column
holds an unknown word; dbt staging reads the same seed (macros/vocabulary_value.sql) and
maps every word to its listed value (an unknown word in an optional column: NULL, shown
as unknown); the quality suites warn about unknown words kept in optional columns. Which
column takes which vocabulary is in orchestration/loader/contract.py (`Column.vocabulary`).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import REPO_ROOT

VOCABULARY_SEED = REPO_ROOT / "seeds" / "vocabulary.csv"
CONTRACT_TOOL = "landing contract"
ANY_OTHER = "*"
SEED_COLUMNS = ("vocabulary", "word", "value", "tool", "note")

# Characters removed at either end of a word (SQL: the same classes in RE2 syntax).
_EDGE_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")
EDGE_CHARS_RE = r"[\s\p{Z}\p{Cc}\p{Cf}]"
INNER_SPACE_RE = r"[\s\p{Z}]+"
# What separates the parts of a word (`Add To Cart`, `add_to_cart`, `add-to-cart`): left
# out of the matched form.
SEPARATOR_CHARS = "_-"
SEPARATORS_RE = r"[\s\p{Z}\p{Cc}\p{Cf}_\-]+"


class VocabularyError(ValueError):
    """seeds/vocabulary.csv breaks its own rules (message: the line and what to fix)."""


@dataclass(frozen=True)
class Vocabulary:
    """One listed vocabulary: its contract values and every word read as one of them."""

    name: str
    listed: tuple[str, ...]  # the contract's values, in seed order
    words: dict[str, str]  # matched form of a word -> listed value (listed values included)
    tools: dict[str, str]  # matched form of a synonym -> the tool that writes it
    open: bool  # the contract's list ends with "...": other words are kept

    def value_of(self, word: str | None) -> str | None:
        """The listed value a word is read as; None when empty or unknown (closed list),
        the kept form of the word when unknown in an open list."""
        if word is None or not key(word):
            return None
        k = key(word)
        if k in self.words:
            return self.words[k]
        return kept_form(word) if self.open else None

    @property
    def synonyms(self) -> dict[str, str]:
        listed = {key(value) for value in self.listed}
        return {w: v for w, v in self.words.items() if w not in listed}


def _is_edge(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in _EDGE_CATEGORIES


def _is_separator(ch: str) -> bool:
    return _is_edge(ch) or ch in SEPARATOR_CHARS


def key(word: str) -> str:
    """The matched form of a word: lower case, without whitespace, control characters,
    `_` or `-` anywhere (`Add To Cart` -> `addtocart`, as `add_to_cart`)."""
    return "".join(ch for ch in word if not _is_separator(ch)).lower()


def kept_form(word: str) -> str:
    """The form an open list keeps an unknown word in: edges trimmed, inner whitespace one
    space, lower case (` Social  Media ` -> `social media`)."""
    start, end = 0, len(word)
    while start < end and _is_edge(word[start]):
        start += 1
    while end > start and _is_edge(word[end - 1]):
        end -= 1
    return " ".join(word[start:end].split()).lower()


def key_sql(expr: str) -> str:
    """SQL (DuckDB) of `key` over a varchar expression; NULL stays NULL, blank gives ''."""
    return f"lower(regexp_replace({expr}, '{SEPARATORS_RE}', '', 'g'))"


def kept_form_sql(expr: str) -> str:
    """SQL (DuckDB) of `kept_form` over a varchar expression."""
    trimmed = f"regexp_replace({expr}, '^{EDGE_CHARS_RE}+|{EDGE_CHARS_RE}+$', '', 'g')"
    return f"lower(regexp_replace({trimmed}, '{INNER_SPACE_RE}', ' ', 'g'))"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def value_sql(vocabulary: Vocabulary, expr: str) -> str:
    """SQL of the listed value a varchar expression is read as (see Vocabulary.value_of)."""
    k = key_sql(expr)
    whens = " ".join(
        f"when {_sql_str(w)} then {_sql_str(v)}" for w, v in sorted(vocabulary.words.items())
    )
    other = f"nullif({kept_form_sql(expr)}, '')" if vocabulary.open else "null"
    return f"(case {k} {whens} else {other} end)"


def read_vocabularies(path: Path = VOCABULARY_SEED) -> dict[str, Vocabulary]:
    """Every vocabulary of the seed file, checked: each value is a listed value of its
    vocabulary, a word means one value, each row names its tool. Raises VocabularyError."""
    path = Path(path)
    listed: dict[str, list[str]] = {}
    words: dict[str, dict[str, str]] = {}
    tools: dict[str, dict[str, str]] = {}
    open_lists: set[str] = set()
    rows: list[tuple[int, dict[str, str]]] = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in SEED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise VocabularyError(f"{path}: column(s) {', '.join(missing)} missing")
        for line, row in enumerate(reader, start=2):
            rows.append((line, {c: (row[c] or "").strip() for c in SEED_COLUMNS}))

    def fail(line: int, what: str) -> VocabularyError:
        return VocabularyError(f"{path} line {line}: {what}; correct the row")

    for line, row in rows:
        if not row["vocabulary"] or not row["word"] or not row["value"]:
            raise fail(line, "vocabulary, word and value must not be empty")
        if row["tool"] == CONTRACT_TOOL:
            if row["word"] == ANY_OTHER:
                open_lists.add(row["vocabulary"])
                continue
            if kept_form(row["word"]) != row["value"]:
                raise fail(line, f"a listed value is its own word, not {row['word']!r}")
            listed.setdefault(row["vocabulary"], []).append(row["value"])
    for line, row in rows:
        name, word, value = row["vocabulary"], key(row["word"]), row["value"]
        if word == ANY_OTHER:
            if row["tool"] != CONTRACT_TOOL:
                raise fail(line, f"only the {CONTRACT_TOOL!r} may open a list with '*'")
            continue
        if not row["tool"]:
            raise fail(line, f"the synonym {row['word']!r} names no tool")
        if value not in listed.get(name, []):
            raise fail(
                line,
                f"{row['word']!r} is mapped to {value!r}, which is not a listed value of "
                f"{name} ({', '.join(listed.get(name, [])) or 'none listed'})",
            )
        known = words.setdefault(name, {})
        if known.get(word, value) != value:
            raise fail(line, f"{row['word']!r} already means {known[word]!r} in {name}")
        known[word] = value
        if row["tool"] != CONTRACT_TOOL:
            tools.setdefault(name, {})[word] = row["tool"]
    return {
        name: Vocabulary(
            name, tuple(values), words.get(name, {}), tools.get(name, {}), name in open_lists
        )
        for name, values in listed.items()
    }


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int, size: int) -> dict[str, Vocabulary]:
    return read_vocabularies(Path(path))


def vocabularies(path: Path = VOCABULARY_SEED) -> dict[str, Vocabulary]:
    """The seed's vocabularies, read again whenever the file changes (a long-running
    Dagster process sees the business's edits)."""
    stat = Path(path).stat()
    return _cached(str(path), stat.st_mtime_ns, stat.st_size)


def vocabulary(name: str) -> Vocabulary:
    """One vocabulary of the seed by name (KeyError names the seed file)."""
    found = vocabularies()
    if name not in found:
        raise KeyError(f"vocabulary {name!r} has no listed value in {VOCABULARY_SEED}")
    return found[name]
