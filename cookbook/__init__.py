"""Runnable recipes: ``python -m cookbook.<recipe>`` (see cookbook/README.md)."""
