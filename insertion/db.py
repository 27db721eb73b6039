"""Connexions à la base DuckDB et installation du schéma."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from insertion import referential
from insertion.config import QUERIES_DIR, SCHEMA_FILE


def ensure_schema(con: duckdb.DuckDBPyConnection, ref: referential.Referentiel | None = None) -> None:
    """Crée ce qui manque, recharge les référentiels et la macro de périmètre."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    referential.install(con, ref or referential.load_referentiel())
    con.execute((QUERIES_DIR / "perimetre.sql").read_text(encoding="utf-8"))


@contextmanager
def open_for_writing(db_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Connexion en écriture, schéma à jour ; fermée à la sortie."""
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.begin()
        ensure_schema(con)
        con.commit()
        yield con
    finally:
        con.close()


def open_read_only(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(
            f"Base introuvable : {path}. Chargez des extractions (python -m insertion load …) "
            "ou les données de démonstration (python -m insertion demo)."
        )
    return duckdb.connect(str(path), read_only=True)
