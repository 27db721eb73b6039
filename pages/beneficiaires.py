"""Bénéficiaires suivis (en construction)."""

from insertion import app

ctx = app.page("Bénéficiaires suivis")
