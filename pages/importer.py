"""Importer (en construction)."""

from insertion import app

ctx = app.page("Importer")
