"""Fabrique de petites extractions pour les tests : chaque test décrit ses lignes à la main."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from insertion.loader import COLONNES_FILE_ACTIVE

# Une ligne valide ; chaque test ne change que ce qu'il éprouve.
LIGNE_VALIDE = {
    "id_beneficiaire": "b0000001",
    "code_ali": "ALI14",
    "code_commune": "93014",
    "date_orientation": "2023-03-15",
    "type_parcours": "social",
    "date_diag_numerique": "",
    "niveau_numerique": "",
    "date_diag_linguistique": "",
    "niveau_linguistique": "",
    "date_sortie": "",
    "motif_sortie": "",
    "tranche_age": "25_34",
    "sexe": "F",
    "composition_foyer": "",
    "anciennete_rsa": "",
    "date_extraction": "2023-06-30",
}


def ligne(**changes: str) -> dict[str, str]:
    row = dict(LIGNE_VALIDE)
    row.update(changes)
    return row


def lignes(n: int, **changes: str) -> list[dict[str, str]]:
    """n lignes valides de bénéficiaires distincts."""
    return [ligne(id_beneficiaire=f"b{i:07d}", **changes) for i in range(1, n + 1)]


def csv_bytes(
    rows: list[dict[str, str]],
    columns: list[str] | None = None,
    sep: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    if columns is None:
        columns = list(rows[0]) if rows else COLONNES_FILE_ACTIVE
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


_DUMPS = {
    "chargements": "SELECT * FROM chargements",
    "episodes": "SELECT * FROM episodes",
    "episodes_historique": "SELECT * FROM episodes_historique",
    "instantanes": "SELECT * FROM instantanes",
    "quarantaine": "SELECT * FROM quarantaine",
    "budget": "SELECT * FROM budget",
}


def query_rows(db_path: Path, sql: str) -> list[tuple]:
    """Les lignes d'une requête sur la base, ouverte en lecture le temps de la lire."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dump(db_path: Path) -> dict[str, list[tuple]]:
    """Tout le contenu des tables de données, trié : pour vérifier qu'une base n'a pas bougé."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in _DUMPS.items()}
    finally:
        con.close()


ROOT = Path(__file__).resolve().parent.parent


def build_db(db_path: Path, files: dict[str, bytes]) -> Path:
    """Une vraie base DuckDB sur disque, chargée par le vrai chargeur ; chaque fichier doit se charger."""
    from insertion.loader import load_files

    folder = db_path.parent / "extraits"
    folder.mkdir(exist_ok=True)
    paths = [write(folder / name, data) for name, data in files.items()]
    results = load_files(db_path, paths)
    assert [r.status for r in results] == ["loaded"] * len(paths), [r.message for r in results]
    return db_path


@pytest.fixture
def app_test(monkeypatch):
    """Fabrique d'AppTest sur dashboard.py pour une base donnée, ouverte sur une page.

    usage : at = app_test(db_path, "pages/budget.py", query_params={"ali": ["ALI14"]})
    """
    from streamlit.testing.v1 import AppTest

    def make(db_path: Path, page: str | None = None, query_params: dict | None = None) -> AppTest:
        monkeypatch.setenv("INSERTION_DB", str(db_path))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in (query_params or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        if page:
            at.switch_page(page).run()
            assert not at.exception, [e.message for e in at.exception]
        return at

    return make


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """La démonstration complète construite une fois par session (≈ 25 s) : base, résultats, progression."""
    from insertion.demo import build_demo

    db_path = tmp_path_factory.mktemp("demo") / "base" / "demo.duckdb"
    seen: list[tuple[int, int, str]] = []
    results = build_demo(db_path, progress=lambda i, n, name: seen.append((i, n, name)))
    return db_path, results, seen
