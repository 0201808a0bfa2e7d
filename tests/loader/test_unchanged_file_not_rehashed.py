"""A file already handled is recognised by path, size and modification time without being
read again; any change to one of them makes the loader hash and judge it afresh."""

import os

from loader_support import GOOD_ORDER, ORDERS, ORDERS_HEADER, count, csv_text, goods, load, write

QUICK = "same path, size and modification time"


def test_unchanged_file_is_skipped_without_hashing(con, landing):
    path = write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2)))
    assert load(con, landing).files_loaded == 1
    again = load(con, landing).files[0]
    assert again.status == "duplicate" and QUICK in again.message
    # the quick check needs all three: a touched file with the same content is hashed,
    # found to be the same content, and still not loaded twice
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    touched = load(con, landing).files[0]
    assert touched.status == "duplicate" and QUICK not in touched.message
    # ... and its new modification time is remembered
    assert QUICK in load(con, landing).files[0].message
    assert count(con, "crm_orders") == 2


def test_file_rewritten_in_place_is_loaded(con, landing):
    path = write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2)))
    load(con, landing)
    mtime = path.stat().st_mtime_ns
    # same size, new content (o3/c3 for o1/c1), newer modification time
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 3, 2)))
    os.utime(path, ns=(mtime + 10**9, mtime + 10**9))
    rewritten = load(con, landing).files[0]
    assert rewritten.status == "loaded"
    assert count(con, "crm_orders") == 4
