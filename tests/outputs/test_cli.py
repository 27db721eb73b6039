"""La CLI de bout en bout, par un vrai sous-processus, comme les scripts du Département l'appellent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import csv_bytes, ligne, write

ROOT = Path(__file__).resolve().parents[2]
D = "2024-12-31"
# Les calculs à la main portent sur 5 épisodes : avec un seuil de 1, le secret ne masque rien (seul l'arrondi
# des médianes à 5 jours reste) ; tests/protect/test_secret_regles.py vérifie la CLI au seuil par défaut.
SANS_SECRET = {"INSERTION_SEUIL_SECRET": "1"}


def cli(*args: str, db: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "insertion", *args]
    if db is not None:
        command += ["--db", str(db)]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def extracts(tmp_path: Path) -> list[Path]:
    """Cinq épisodes, deux ALI, extraits au 31/12/2024 ; les résultats attendus sont calculés dans chaque test."""
    common = {"date_extraction": D}
    ali14 = [
        # b1 : orienté le 10/01, diagnostic numérique au 90e jour, sorti en emploi durable le 01/06.
        ligne(
            id_beneficiaire="b0000001",
            date_orientation="2024-01-10",
            date_diag_numerique="2024-04-09",
            date_sortie="2024-06-01",
            motif_sortie="emploi_durable",
            **common,
        ),
        # b2 : orienté le 01/02, diagnostic au 91e jour, toujours suivi.
        ligne(id_beneficiaire="b0000002", date_orientation="2024-02-01", date_diag_numerique="2024-05-02", **common),
        # b3 : orienté le 15/11, trop récent pour la cohorte à 90 jours.
        ligne(id_beneficiaire="b0000003", date_orientation="2024-11-15", **common),
    ]
    ali04 = [
        # b4 : orienté en 2023, sorti en formation le jour D : plus dans la file active à D.
        ligne(
            id_beneficiaire="b0000004",
            code_ali="ALI04",
            code_commune="93027",
            date_orientation="2023-06-15",
            date_sortie=D,
            motif_sortie="formation",
            **common,
        ),
        # b1 encore : suivi par ALI04 après sa sortie d'ALI14 ; compté une fois au département.
        ligne(
            id_beneficiaire="b0000001", code_ali="ALI04", code_commune="93027", date_orientation="2024-07-01", **common
        ),
    ]
    return [
        write(tmp_path / "ALI14.csv", csv_bytes(ali14, sep=";")),
        write(tmp_path / "ALI04.csv", csv_bytes(ali04, sep=",")),
    ]


def test_load_json_reports_each_file_and_exit_code(tmp_path, extracts):
    db = tmp_path / "cli.duckdb"
    refused = write(tmp_path / "noms.csv", b"nom;code_ali\nDupont;ALI14\n")
    run = cli("load", *map(str, extracts), str(refused), "--json", db=db)
    assert run.returncode == 1, run.stderr  # un fichier refusé
    report = json.loads(run.stdout)
    assert [r["status"] for r in report] == ["loaded", "loaded", "refused"]
    keys = {"file", "status", "rows_read", "accepted", "rejected", "rejections", "message", "apercu", "dry_run"}
    assert all(set(r) == keys for r in report)
    assert (report[0]["file"], report[0]["rows_read"], report[0]["accepted"], report[0]["rejected"]) == (
        "ALI14.csv",
        3,
        3,
        0,
    )
    assert "Dupont" not in run.stdout
    again = cli("load", str(extracts[0]), "--json", db=db)
    assert again.returncode == 0
    assert json.loads(again.stdout)[0]["status"] == "already_loaded"


def test_load_uses_insertion_db_environment_variable(tmp_path, extracts):
    db = tmp_path / "env.duckdb"
    run = cli("load", str(extracts[0]), env={"INSERTION_DB": str(db)})
    assert run.returncode == 0, run.stderr
    assert db.exists()
    assert "[chargé]" in run.stdout and "3 lignes lues" in run.stdout


def test_indicators_json_match_hand_computed_values(tmp_path, extracts):
    db = tmp_path / "cli.duckdb"
    assert cli("load", *map(str, extracts), db=db).returncode == 0
    run = cli("indicators", "--from", "2024-01-01", "--to", "2024-12-31", "--json", db=db, env=SANS_SECRET)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["as_of"] == D  # la dernière date_extraction en place
    # Actifs à D : b2, b3 (ALI14) et b1 (ALI04) ; b4 est sorti le jour D.
    assert out["file_active"] == 3
    # Orientations en 2024 : b1 (ALI14), b2, b3, b1 (ALI04) ; sorties en 2024 : b1 le 01/06, b4 le 31/12.
    assert (out["entrees"], out["sorties"]) == (4, 2)
    assert out["sorties_par_motif"] == {"emploi_durable": 1, "formation": 1}
    # Cohorte 90 jours : orientés en 2024 et au plus tard le 02/10 (D − 90) : b1, b2, b1 (ALI04).
    # Diagnostiqués sous 90 jours : b1 seulement (jour 90 ; b2 l'est au jour 91). Délais : 90 et 91, médiane
    # 90,5 publiée arrondie à 5 jours : 90.
    assert out["diag_numerique"] == {"taux_90j": pytest.approx(1 / 3), "delai_median_j": 90.0, "denominateur": 3}
    assert out["diag_linguistique"] == {"taux_90j": 0.0, "delai_median_j": None, "denominateur": 3}
    # Cohorte 12 mois : orientés au plus tard le 01/01/2024 (D − 365) et en 2024 : personne.
    assert out["sortie_emploi_12m"] == {"taux": None, "denominateur": 0}
    assert out["emploi_durable_12m"] == {"taux": None, "denominateur": 0}


def test_indicators_without_period_and_for_one_ali(tmp_path, extracts):
    db = tmp_path / "cli.duckdb"
    cli("load", *map(str, extracts), db=db)
    # Sans période, la cohorte 12 mois est b4 (orienté le 15/06/2023), sorti en formation : 0 sur 1.
    out = json.loads(cli("indicators", "--json", db=db, env=SANS_SECRET).stdout)
    assert out["sortie_emploi_12m"] == {"taux": 0.0, "denominateur": 1}
    one = json.loads(cli("indicators", "--ali", "ALI14", "--json", db=db, env=SANS_SECRET).stdout)
    assert one["file_active"] == 2  # b2 et b3
    earlier = json.loads(cli("indicators", "--as-of", "2024-03-01", "--json", db=db, env=SANS_SECRET).stdout)
    assert (earlier["as_of"], earlier["file_active"]) == ("2024-03-01", 3)  # b1, b2 (ALI14) et b4 (ALI04)


def test_indicators_text_is_french(tmp_path, extracts):
    db = tmp_path / "cli.duckdb"
    cli("load", *map(str, extracts), db=db)
    run = cli("indicators", "--from", "2024-01-01", db=db, env=SANS_SECRET)
    assert run.returncode == 0, run.stderr
    assert "31 décembre 2024" in run.stdout
    assert "33,3\u202f%" in run.stdout


def test_indicators_errors_are_clear(tmp_path, extracts):
    missing = cli("indicators", db=tmp_path / "absente.duckdb")
    assert missing.returncode == 2 and "Base introuvable" in missing.stderr and "Traceback" not in missing.stderr
    db = tmp_path / "cli.duckdb"
    cli("load", *map(str, extracts), db=db)
    unknown = cli("indicators", "--ali", "ALI99", db=db)
    assert unknown.returncode == 2 and "ALI99" in unknown.stderr
    bad_date = cli("indicators", "--as-of", "31/12/2024", db=db)
    assert bad_date.returncode == 2 and "AAAA-MM-JJ" in bad_date.stderr
