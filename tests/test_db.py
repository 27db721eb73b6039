"""Connexions de lecture : plafond de mémoire de DuckDB (issue 5 : l'application reste sous 600 Mo à 10 M)."""

from __future__ import annotations

from insertion import db


def _reglage(con, nom: str) -> str:
    return con.execute("SELECT current_setting($nom)", {"nom": nom}).fetchall()[0][0]


def test_lecture_plafonnee_par_defaut_et_reglable(tmp_path, monkeypatch):
    with db.open_for_writing(tmp_path / "base.duckdb"):
        pass
    monkeypatch.delenv("INSERTION_MEMOIRE_DUCKDB", raising=False)
    con = db.open_read_only(tmp_path / "base.duckdb")
    try:
        # DuckDB écrit le plafond en unités binaires : 256 Mo = 244,1 MiB.
        assert _reglage(con, "memory_limit") == "244.1 MiB"
        assert _reglage(con, "temp_directory").endswith("insertion-duckdb")
    finally:
        con.close()
    monkeypatch.setenv("INSERTION_MEMOIRE_DUCKDB", "1GB")
    con = db.open_read_only(tmp_path / "base.duckdb")
    try:
        assert _reglage(con, "memory_limit") == "953.6 MiB"
    finally:
        con.close()
