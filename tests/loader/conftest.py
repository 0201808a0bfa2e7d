"""Fixtures for the loader tests; the helpers they use live in loader_support.py."""

from loader_support import con, landing

__all__ = ["con", "landing"]
