"""The deployment's secret key for keyed hashes of emails and phones (HMAC-SHA256).

The published marts carry emails and phones only as HMAC-SHA256 of the normalised value
(serving contract, Personal data): without the key, a hash cannot be reversed by trying
every phone number. The key is, in this order:

1. the environment variable CXW_HMAC_KEY: 16 to 64 bytes as hex (e.g. from a secret
   manager; `python -c "import secrets; print(secrets.token_hex(32))"` makes one);
2. the key file CXW_HMAC_KEY_FILE (default `$CXW_DATA_DIR/secrets/hmac.key`), created on
   first use with 32 random bytes, readable by its owner only (0600, folder 0700).

The key is never written into a published file or into compiled SQL: the dbt-duckdb plugin
puts it into a DuckDB session variable (`cxw_hmac_key`, `set_key_variable`) on every
connection dbt opens, from the environment (cxw exports it there), and the models read it
with getvariable() when the query runs (macro hmac_pad). Rotating it (a new key) gives
every email, phone and customer key a new hash: run `cxw run --full-refresh`.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from hashlib import sha256
from pathlib import Path

from .config import Settings

_HEX_KEY = re.compile(r"(?:[0-9a-fA-F]{2}){16,64}")


class SecretKeyError(ValueError):
    pass


def key_file(s: Settings) -> Path:
    value = os.environ.get("CXW_HMAC_KEY_FILE", "").strip()
    return Path(value).expanduser() if value else s.data_dir / "secrets" / "hmac.key"


def hmac_key_hex(s: Settings) -> str:
    """The key as hex (see the module docstring); creates the key file on first use.

    Raises SecretKeyError when CXW_HMAC_KEY or the key file holds no valid key."""
    value = os.environ.get("CXW_HMAC_KEY", "").strip()
    if value:
        if not _HEX_KEY.fullmatch(value):
            raise SecretKeyError(
                "CXW_HMAC_KEY must be 16 to 64 bytes written as hex (32 to 128 hex digits); "
                'make one with: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        return value.lower()
    path = key_file(s)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    value = path.read_text().strip()
    if not _HEX_KEY.fullmatch(value):
        raise SecretKeyError(
            f"{path}: not a key (16 to 64 bytes as hex); restore it from your backup, or "
            "delete it to make a new one and run `cxw run --full-refresh` (every hash changes)"
        )
    return value.lower()


def identifier_hash(value: str, key_hex: str) -> str:
    """HMAC-SHA256 hex of `value` (UTF-8) with the key: what the marts publish."""
    return hmac.new(bytes.fromhex(key_hex), value.encode(), sha256).hexdigest()


KEY_VARIABLE = "cxw_hmac_key"


def set_key_variable(con) -> None:
    """Put the key from the environment (CXW_HMAC_KEY) into the DuckDB session variable the
    models read (macro hmac_pad); without it the variable stays unset and a model that
    hashes stops with an error naming CXW_HMAC_KEY."""
    value = os.environ.get("CXW_HMAC_KEY", "").strip()
    if value:
        con.execute(f"set variable {KEY_VARIABLE} = ?", [value])
