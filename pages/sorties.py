"""Sorties vers l'emploi (en construction)."""

from insertion import app

ctx = app.page("Sorties vers l'emploi")
