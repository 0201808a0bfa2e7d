"""The benchmark's data: the scales, and each scale's landing files, generated once and
cached under <out>/cache/<scale>-<key>/ (the key hashes the parameters and the generator's
code, so a changed generator generates again)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestration.config import REPO_ROOT

from .process import clean_env, cxw, tail
from .sampler import measure


@dataclass(frozen=True)
class Scale:
    name: str
    customers: int
    days: int = 365
    seed: int = 42

    def generate_args(self) -> list[str]:
        return [
            *("--customers", str(self.customers)),
            *("--days", str(self.days)),
            *("--seed", str(self.seed)),
        ]


# The three scales, plus `tiny` for the smoke test. Event, answer and ticket
# volumes follow from the number of customers (the generator's per-customer rates).
SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", customers=300, days=60, seed=7),
    "default": Scale("default", customers=2_000),  # `cxw generate` defaults: the sample
    "100k": Scale("100k", customers=100_000),
    "1m": Scale("1m", customers=1_000_000),
    # three times 1m (57 M rows landed): how time and memory grow past the largest scale
    "3m": Scale("3m", customers=3_000_000),
}


def _generator_fingerprint() -> str:
    """A hash of the generator's code, so a changed generator regenerates the cache."""
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "orchestration" / "generator").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cache_key(scale: Scale) -> str:
    parameters = json.dumps(
        {"customers": scale.customers, "days": scale.days, "seed": scale.seed}, sort_keys=True
    )
    return hashlib.sha256((parameters + _generator_fingerprint()).encode()).hexdigest()[:12]


def ensure_landing(scale: Scale, cache_dir: Path) -> tuple[Path, dict]:
    """The cached landing folder of a scale, generated on first use; and how it was made."""
    folder = cache_dir / f"{scale.name}-{_cache_key(scale)}"
    done = folder / "complete.json"
    if done.exists():
        info = json.loads(done.read_text())
        info["cached"] = True
        return folder / "landing", info
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"[{scale.name}] generating {scale.customers} customers, {scale.days} days ...")
    m = measure(
        [
            cxw(),
            "generate",
            "--out",
            str(folder / "landing"),
            "--truth",
            str(folder / "ground_truth"),
            *scale.generate_args(),
        ],
        env=clean_env(),
        cwd=REPO_ROOT,
    )
    if m.returncode != 0:
        raise RuntimeError(f"cxw generate failed for scale {scale.name}:\n{tail(m.stderr)}")
    summary_path = folder / "ground_truth" / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    info = {
        "parameters": asdict(scale),
        "generate_seconds": round(m.seconds, 2),
        "rows": summary.get("rows", {}),
        "landing_bytes": sum(
            p.stat().st_size for p in (folder / "landing").rglob("*") if p.is_file()
        ),
    }
    done.write_text(json.dumps(info, indent=2))
    info["cached"] = False
    return folder / "landing", info


def link_tree(source: Path, target: Path) -> None:
    """A copy of `source` made of hard links (the pipeline only reads landing files)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


def warm_page_cache(folder: Path) -> None:
    """Read every file once, so neither contender pays for cold disk reads."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 24):
                    pass
