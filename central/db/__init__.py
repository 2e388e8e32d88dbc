"""Database layer: declarative base, engine/session factory, tables (see :mod:`central.db.models`)."""

from central.db.base import Base, make_engine, make_sessionmaker, session_scope

__all__ = ["Base", "make_engine", "make_sessionmaker", "session_scope"]
