"""Comparer les territoires (en construction)."""

from insertion import app

ctx = app.page("Comparer les territoires")
