"""Limites de taille d'un fichier reçu : octets (avant lecture) et lignes (sans tout lire).

La CLI et la page Importer passent toutes deux par insertion.ingest.chargement.charger_fichiers ; la page peut
aussi refuser un envoi trop gros avant de l'enregistrer (controles.verifier_taille / refus_taille).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from insertion import config
from insertion.ingest import controles
from insertion.ingest.chargement import charger_fichiers, charger_octets
from insertion.ingest.lecture import FichierRefuse
from insertion.store.db import ouvrir_en_ecriture
from tests.conftest import csv_bytes, dump, lignes, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def base(tmp_path, db_path):
    """Une base qui contient déjà une extraction : un refus ne doit pas la toucher."""
    (result,) = charger_fichiers(db_path, [write(tmp_path / "avant.csv", csv_bytes(lignes(3)))])
    assert result.status == "loaded"
    return db_path


def assert_refused_untouched(result, db_path, before, *fragments):
    assert result.status == "refused", result.message
    assert (result.rows_read, result.accepted, result.rejected) == (0, 0, 0)
    assert result.message.startswith("Fichier refusé : ")
    for fragment in fragments:
        assert fragment in normalise_spaces(result.message), result.message
    assert dump(db_path) == before
    assert not list(db_path.parent.glob("*.chargement*"))


def normalise_spaces(text: str) -> str:
    """Les milliers s'écrivent avec une espace fine insécable : comparés ici à une espace simple."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


# ---------------------------------------------------------------- réglages


def test_defaults_and_environment(monkeypatch):
    monkeypatch.delenv("INSERTION_TAILLE_MAX_MO", raising=False)
    monkeypatch.delenv("INSERTION_LIGNES_MAX", raising=False)
    assert (config.taille_max_mo(), config.lignes_max()) == (200, 5_000_000)
    monkeypatch.setenv("INSERTION_TAILLE_MAX_MO", "50")
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "1000")
    assert (config.taille_max_mo(), config.lignes_max()) == (50, 1000)
    # Une valeur illisible ou nulle ne désactive pas la limite : on garde la valeur par défaut.
    monkeypatch.setenv("INSERTION_TAILLE_MAX_MO", "beaucoup")
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "0")
    assert (config.taille_max_mo(), config.lignes_max()) == (200, 5_000_000)


# ---------------------------------------------------------------- taille en octets


def test_verifier_taille_for_the_upload_page(monkeypatch):
    monkeypatch.delenv("INSERTION_TAILLE_MAX_MO", raising=False)
    controles.verifier_taille(200 * 10**6, "juste.csv")  # à la limite : accepté
    assert controles.refus_taille(200 * 10**6, "juste.csv") is None
    with pytest.raises(FichierRefuse) as refused:
        controles.verifier_taille(200 * 10**6 + 1, "gros.csv")
    message = normalise_spaces(str(refused.value))
    assert "« gros.csv » pèse 200,0 Mo, au-delà de la limite de 200 Mo" in message
    assert "Découpez" in message and "par ALI" in message
    result = controles.refus_taille(250 * 10**6, "gros.csv")
    assert result.status == "refused" and "250,0 Mo" in normalise_spaces(result.message)


def test_oversized_file_is_refused_before_being_read(tmp_path, base, monkeypatch):
    monkeypatch.setenv("INSERTION_TAILLE_MAX_MO", "1")
    big = write(tmp_path / "gros.csv", csv_bytes(lignes(16_000)))  # ≈ 1,1 Mo, des lignes valides
    assert big.stat().st_size > 10**6
    read = []
    real_read_bytes = Path.read_bytes

    def spy(self):
        read.append(self.name)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    # Une correction complète de l'instantané en place (3 → 4 épisodes) : elle se charge sans confirmation.
    small = write(tmp_path / "petit.csv", csv_bytes(lignes(4)))
    results = charger_fichiers(base, [big, small])
    assert read == ["petit.csv"]  # le gros fichier n'a jamais été lu en mémoire
    assert results[0].status == "refused"
    assert "limite de 1 Mo" in results[0].message and "INSERTION_TAILLE_MAX_MO" in results[0].message
    assert results[1].status == "loaded"
    monkeypatch.undo()
    after = dump(base)
    assert [r[1] for r in after["chargements"]] == ["avant.csv", "petit.csv"]


def test_load_bytes_applies_the_size_limit_too(tmp_path, base, monkeypatch):
    monkeypatch.setenv("INSERTION_TAILLE_MAX_MO", "1")
    before = dump(base)
    with ouvrir_en_ecriture(base) as con:
        result = charger_octets(con, b"x" * (10**6 + 1), "gros.csv")
    assert_refused_untouched(result, base, before, "au-delà de la limite de 1 Mo")


def test_cli_refuses_an_oversized_file_in_french(tmp_path, base):
    before = dump(base)
    big = write(tmp_path / "gros.csv", csv_bytes(lignes(16_000)))
    run = subprocess.run(
        [sys.executable, "-m", "insertion", "load", str(big), "--db", str(base), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "INSERTION_TAILLE_MAX_MO": "1"},
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    (report,) = json.loads(run.stdout)
    assert report["status"] == "refused"
    assert "au-delà de la limite de 1 Mo" in report["message"]
    assert dump(base) == before


# ---------------------------------------------------------------- nombre de lignes


def assert_row_limit_message(message: str, limit: int) -> None:
    message = normalise_spaces(message)
    assert f"au-delà de la limite de {limit:,} lignes".replace(",", " ") in message, message
    assert "INSERTION_LIGNES_MAX" in message
    assert "Découpez l'extraction en plusieurs fichiers par ALI" in message
    assert "toutes les lignes d'une même ALI dans le même fichier" in message


def test_csv_over_the_row_limit_is_refused(tmp_path, base, monkeypatch):
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "10")
    before = dump(base)
    (result,) = charger_fichiers(base, [write(tmp_path / "long.csv", csv_bytes(lignes(11)))])
    assert_refused_untouched(result, base, before)
    assert_row_limit_message(result.message, 10)
    # À la limite exactement : chargé.
    (result,) = charger_fichiers(base, [write(tmp_path / "juste.csv", csv_bytes(lignes(10)))])
    assert (result.status, result.rows_read) == ("loaded", 10)


def test_csv_parse_stops_as_soon_as_the_limit_is_passed(tmp_path, base, monkeypatch):
    """Après la 11e ligne vient un champ entre guillemets jamais fermé : le lire ferait refuser le
    fichier comme CSV illisible. Le refus pour excès de lignes prouve qu'on s'est arrêté avant."""
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "10")
    before = dump(base)
    data = csv_bytes(lignes(11)) + b'"' + b"x" * 300_000 + b"\n" * 10
    (result,) = charger_fichiers(base, [write(tmp_path / "long.csv", data)])
    assert_refused_untouched(result, base, before)
    assert_row_limit_message(result.message, 10)
    # Sans limite atteinte, le même défaut fait bien refuser le fichier comme illisible.
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "1000")
    (result,) = charger_fichiers(base, [write(tmp_path / "long2.csv", data)])
    assert result.status == "refused" and "CSV lisible" in result.message


def test_malformed_rows_count_towards_the_limit(tmp_path, base, monkeypatch):
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "10")
    before = dump(base)
    data = csv_bytes(lignes(5)) + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\n" * 6
    (result,) = charger_fichiers(base, [write(tmp_path / "long.csv", data)])
    assert_refused_untouched(result, base, before)
    assert_row_limit_message(result.message, 10)


def xlsx_bytes(rows: list[dict[str, str]], dimension: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([v or None for v in row.values()])
    out = io.BytesIO()
    workbook.save(out)
    if dimension is None:
        return out.getvalue()
    return rewrite_dimension(out.getvalue(), dimension)


def rewrite_dimension(data: bytes, dimension: str) -> bytes:
    """La même feuille avec une autre dimension déclarée (<dimension ref="…"/>)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), content)
                assert count == 1
            target.writestr(info, content)
    return out.getvalue()


def test_xlsx_declared_size_is_checked_before_iterating(tmp_path, base, monkeypatch):
    """La feuille déclare 1 000 000 de lignes (max_row) : refusée sans en lire une seule."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    monkeypatch.setenv("INSERTION_LIGNES_MAX", "10")
    before = dump(base)

    def never(*args, **kwargs):
        raise AssertionError("les lignes ont été parcourues")

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", never)
    data = xlsx_bytes(lignes(3), dimension="A1:P1000001")
    (result,) = charger_fichiers(base, [write(tmp_path / "annonce.xlsx", data)])
    assert_refused_untouched(result, base, before, "compte 1 000 000 lignes de données")
    assert_row_limit_message(result.message, 10)


def test_xlsx_with_an_understated_dimension_is_still_counted(tmp_path, base, monkeypatch):
    """Une dimension fausse (« A1:P2 ») ne fait ni perdre de lignes, ni passer au-delà de la limite."""
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "10")
    before = dump(base)
    (result,) = charger_fichiers(base, [write(tmp_path / "menteur.xlsx", xlsx_bytes(lignes(11), dimension="A1:P2"))])
    assert_refused_untouched(result, base, before)
    assert_row_limit_message(result.message, 10)
    (result,) = charger_fichiers(base, [write(tmp_path / "juste.xlsx", xlsx_bytes(lignes(10), dimension="A1"))])
    assert (result.status, result.rows_read, result.accepted) == ("loaded", 10, 10)


def test_parquet_row_count_comes_from_the_metadata(tmp_path, base, monkeypatch):
    monkeypatch.setenv("INSERTION_LIGNES_MAX", "10")
    before = dump(base)
    rows = lignes(11)
    table = pa.table({c: pa.array([r[c] or None for r in rows], type=pa.string()) for c in rows[0]})
    out = io.BytesIO()
    pq.write_table(table, out)

    def never(*args, **kwargs):
        raise AssertionError("les données ont été lues")

    monkeypatch.setattr(pq.ParquetFile, "read", never)
    (result,) = charger_fichiers(base, [write(tmp_path / "long.parquet", out.getvalue())])
    assert_refused_untouched(result, base, before, "11 lignes de données")
    assert_row_limit_message(result.message, 10)
