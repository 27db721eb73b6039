"""Qualité des données (en construction)."""

from insertion import app

ctx = app.page("Qualité des données")
