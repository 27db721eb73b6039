"""Connexions de lecture : plafond de mémoire de DuckDB (issue 5 : l'application reste sous 600 Mo à 10 M)."""

from __future__ import annotations

from insertion.store import db


def _reglage(con, nom: str) -> str:
    return con.execute("SELECT current_setting($nom)", {"nom": nom}).fetchall()[0][0]


def test_lecture_plafonnee_par_defaut_et_reglable(tmp_path, monkeypatch):
    with db.ouvrir_en_ecriture(tmp_path / "base.duckdb"):
        pass
    monkeypatch.delenv("INSERTION_MEMOIRE_DUCKDB", raising=False)
    con = db.ouvrir_en_lecture(tmp_path / "base.duckdb")
    try:
        # DuckDB écrit le plafond en unités binaires : 256 Mo = 244,1 MiB.
        assert _reglage(con, "memory_limit") == "244.1 MiB"
        assert _reglage(con, "temp_directory").endswith("insertion-duckdb")
    finally:
        con.close()
    monkeypatch.setenv("INSERTION_MEMOIRE_DUCKDB", "1GB")
    con = db.ouvrir_en_lecture(tmp_path / "base.duckdb")
    try:
        assert _reglage(con, "memory_limit") == "953.6 MiB"
    finally:
        con.close()


def test_version_6_database_gets_the_replacement_history_table_on_open(tmp_path):
    """Schéma 7 : une base écrite avant l'historique des remplacements est mise à niveau à son ouverture,
    sans rien perdre, et les chargements suivants y écrivent leur avant → après."""
    import duckdb

    from insertion.ingest.chargement import charger_fichiers
    from tests.conftest import csv_bytes, lignes, write

    path = tmp_path / "ancienne.duckdb"
    charger_fichiers(path, [write(tmp_path / "juin.csv", csv_bytes(lignes(4)))])
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE chargements_remplacements")
    con.execute("UPDATE meta SET valeur = '6' WHERE cle = 'version_schema'")
    con.close()

    reader = db.ouvrir_en_lecture(path)
    try:
        assert db.version(reader) == db.VERSION_SCHEMA == "11"
        assert reader.execute("SELECT count(*) FROM chargements_remplacements").fetchall() == [(0,)]
        assert reader.execute("SELECT count(*) FROM episodes").fetchall() == [(4,)]
    finally:
        reader.close()
    (result,) = charger_fichiers(
        path, [write(tmp_path / "juillet.csv", csv_bytes(lignes(5, date_extraction="2023-07-31")))]
    )
    assert result.status == "loaded"
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT code_ali, episodes_avant, episodes_apres, personnes_avant, personnes_apres, confirme "
            "FROM chargements_remplacements"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("ALI14", 4, 5, 4, 5, False)]
