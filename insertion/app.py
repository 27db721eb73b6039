"""Ce que toutes les pages partagent : configuration, connexion en lecture, base de démonstration.

Chaque page appelle `setup()` en premier : sur un lien profond vers une page, le tout premier
rendu peut ne pas passer par dashboard.py (stack-notes), la page doit donc se suffire.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from insertion import db, queries
from insertion.config import default_db_path

TITRE = "ALI 93 — tableau de bord de l'insertion"


def setup(page_title: str | None = None) -> duckdb.DuckDBPyConnection:
    st.set_page_config(page_title=f"{page_title} · ALI 93" if page_title else TITRE, page_icon="📊", layout="wide")
    path = default_db_path()
    if not path.exists():
        build_demo_once(str(path))
    con = connection(str(path), path.stat().st_mtime_ns)
    if queries.is_demo(con):
        st.sidebar.warning("Données de démonstration : fictives, pour découvrir l'outil.", icon="🧪")
    return con


@st.cache_resource(show_spinner=False)
def build_demo_once(path_text: str) -> None:
    """Une seule construction par processus, même si plusieurs sessions arrivent ensemble."""
    from insertion.demo import build_demo

    path = Path(path_text)
    if path.exists():
        return

    st.info("Première ouverture : construction de la base de démonstration à partir des extractions générées…")
    bar = st.progress(0.0, text="Génération des extractions de démonstration…")

    def progress(index: int, total: int, name: str) -> None:
        bar.progress(index / max(total, 1), text=f"Chargement {index + 1}/{total} : {name}")

    build_demo(path, progress=progress)
    bar.progress(1.0, text="Base de démonstration prête.")
    bar.empty()


@st.cache_resource(max_entries=2)
def connection(path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    """Une connexion en lecture seule par version du fichier : un nouveau chargement est vu aussitôt."""
    return db.open_read_only(path)


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Un curseur par requête : une connexion DuckDB n'est pas partageable entre sessions (threads)."""
    return con.cursor()
