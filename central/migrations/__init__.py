"""Alembic migrations of the central service (a package so non-editable installs ship it)."""
