"""Errors the platform layer raises, the same on every OS."""

from __future__ import annotations


class NotPrivate(Exception):
    """A file or folder is not, and cannot be made, the current user's alone."""
