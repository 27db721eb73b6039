"""Emplacements et réglages partagés par le chargeur, la CLI et l'application."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"

# Secret statistique (contrat §6) : effectifs de 1 à SEUIL_SECRET - 1 masqués sous le département.
SEUIL_SECRET = int(os.environ.get("INSERTION_SEUIL_SECRET", "11"))


def default_db_path() -> Path:
    """--db l'emporte, puis $INSERTION_DB, puis data/insertion.duckdb."""
    env = os.environ.get("INSERTION_DB")
    return Path(env) if env else DATA_DIR / "insertion.duckdb"


def referential_dir() -> Path:
    """Le Département peut pointer vers son propre référentiel (mêmes colonnes)."""
    env = os.environ.get("INSERTION_REFERENTIEL")
    return Path(env) if env else DATA_DIR
