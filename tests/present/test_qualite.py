"""insertion.present.qualite : l'aide à l'import (vrais octets CSV, XLSX, Parquet) et la logique de la page qualité."""

from __future__ import annotations

import io
import tempfile
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from insertion.ingest.compte_rendu import ResultatChargement
from insertion.present import qualite
from tests.conftest import csv_bytes, ligne, lignes


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for r in rows:
        ws.append(list(r.values()))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parquet_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out.getvalue()


@pytest.fixture
def dossier_temp(tmp_path, monkeypatch):
    """Les dossiers temporaires de l'import vont ici, pour vérifier qu'ils sont effacés."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def lire(db_path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- Import ----------------------------------------------------------------------------------------------


def test_nom_sur_garde_le_nom_sans_chemin():
    assert qualite.nom_sur("extraction ALI14 juin.csv") == "extraction ALI14 juin.csv"
    assert qualite.nom_sur("../../etc/passwd") == "passwd"
    assert qualite.nom_sur("C:\\Users\\moi\\ali14.xlsx") == "ali14.xlsx"
    assert qualite.nom_sur("..") == "fichier"
    assert qualite.nom_sur("") == "fichier"


def test_importer_csv_xlsx_parquet_en_vrais_octets(tmp_path, dossier_temp):
    db = tmp_path / "base.duckdb"
    appels = []
    fichiers = [
        ("ali14.csv", csv_bytes(lignes(3) + [ligne(id_beneficiaire="b0000099", sexe="")])),
        ("ali04.xlsx", xlsx_bytes(lignes(2, code_ali="ALI04", code_commune="93027"))),
        ("ali08.parquet", parquet_bytes(lignes(4, code_ali="ALI08", code_commune="93048"))),
    ]
    resultats = qualite.importer(fichiers, db, progress=lambda i, n, nom: appels.append((i, n, nom)))
    assert [(r.file, r.status, r.rows_read, r.accepted, r.rejected) for r in resultats] == [
        ("ali14.csv", "loaded", 4, 3, 1),
        ("ali04.xlsx", "loaded", 2, 2, 0),
        ("ali08.parquet", "loaded", 4, 4, 0),
    ]
    assert resultats[0].rejections == {"sexe manquant": 1}
    assert appels == [(0, 3, "ali14.csv"), (1, 3, "ali04.xlsx"), (2, 3, "ali08.parquet")]
    assert lire(db, "SELECT code_ali, count(*) FROM episodes GROUP BY 1 ORDER BY 1") == [
        ("ALI04", 2),
        ("ALI08", 4),
        ("ALI14", 3),
    ]
    assert list(dossier_temp.iterdir()) == []  # le dossier temporaire est effacé


def test_importer_deux_fichiers_du_meme_nom_et_un_rechargement(tmp_path, dossier_temp):
    db = tmp_path / "base.duckdb"
    juin = csv_bytes(lignes(2))
    septembre = csv_bytes(lignes(5, date_extraction="2023-09-30"))
    resultats = qualite.importer([("ali14.csv", juin), ("ali14.csv", septembre), ("copie.csv", juin)], db)
    assert [r.status for r in resultats] == ["loaded", "loaded", "already_loaded"]
    # Le nom enregistré est celui de l'utilisateur, même quand deux envois portent le même.
    assert lire(db, "SELECT fichier, date_extraction FROM chargements ORDER BY id_chargement") == [
        ("ali14.csv", date(2023, 6, 30)),
        ("ali14.csv", date(2023, 9, 30)),
    ]
    assert lire(db, "SELECT count(*) FROM episodes") == [(5,)]
    assert list(dossier_temp.iterdir()) == []


def test_importer_refuse_sans_rien_toucher(tmp_path, dossier_temp):
    db = tmp_path / "base.duckdb"
    qualite.importer([("ali14.csv", csv_bytes(lignes(2)))], db)
    avant = db.stat().st_mtime_ns
    resultats = qualite.importer([("noms.csv", csv_bytes([dict(r, nom="Durand") for r in lignes(2)]))], db)
    assert resultats[0].status == "refused"
    assert "Durand" not in resultats[0].message
    assert db.stat().st_mtime_ns == avant  # la base n'a pas été remplacée


# --- Comptes rendus d'import ------------------------------------------------------------------------------


def _r(status: str, **kw) -> ResultatChargement:
    return ResultatChargement(file=kw.pop("file", "f.csv"), status=status, **kw)


def test_bilan_et_niveaux():
    resultats = [_r("loaded"), _r("loaded"), _r("refused"), _r("already_loaded"), _r("older_snapshot")]
    assert qualite.bilan(resultats) == (
        "5 fichiers : 2 chargés, 1 déjà chargé, 1 plus ancien gardé en historique, 1 refusé."
    )
    assert qualite.bilan([_r("refused")]) == "1 fichier : 1 refusé."
    assert [qualite.niveau(r) for r in resultats] == ["success", "success", "error", "info", "warning"]
    # Chargé mais aucune ligne valide : un avertissement, pas un succès.
    assert qualite.niveau(_r("loaded", rows_read=3, accepted=0, rejected=3)) == "warning"


def test_tableau_resultats_et_motifs():
    r = _r(
        "loaded",
        file="a.csv",
        rows_read=1200,
        accepted=1190,
        rejected=10,
        rejections={"sexe manquant": 3, "doublon": 7},
        nature="file_active",
        date_extraction=date(2026, 10, 31),
    )
    t = qualite.tableau_resultats([r, _r("refused", file="b.csv")])
    assert t.iloc[0].tolist() == [
        "a.csv",
        "Chargé",
        "Extraction de file active",
        "31 octobre 2026",
        "1\u202f200",
        "1\u202f190",
        "10",
    ]
    assert t.iloc[1][["Résultat", "Lignes lues", "Date d'extraction"]].tolist() == ["Refusé", "–", "–"]
    assert qualite.tableau_motifs(r).to_numpy().tolist() == [["doublon", "7"], ["sexe manquant", "3"]]


# --- Logique de la page Qualité --------------------------------------------------------------------------


def _fraicheur(rows: list[dict]) -> pd.DataFrame:
    base = {"nom": "x", "ouverture": date(2023, 1, 1), "lignes": 10, "fichier": "f.csv", "seuil": date(2023, 6, 30)}
    return qualite.fraicheur(pd.DataFrame([{**base, **r} for r in rows]))


def test_phrase_retards():
    # Plus récente extraction en place : 30 juin 2023 (ALI14). Toute extraction plus ancienne est en retard,
    # même d'un jour : c'est elle qui retient la date commune du département.
    df = _fraicheur(
        [
            {"code_ali": "ALI08", "ouverte": True, "date_extraction": date(2023, 3, 14), "anciennete_j": 108,
             "en_retard": True, "statut": "en_retard"},
            {"code_ali": "ALI01", "ouverte": True, "date_extraction": None, "anciennete_j": None, "lignes": None,
             "en_retard": True, "statut": "aucune"},
            {"code_ali": "ALI10", "ouverte": True, "date_extraction": date(2023, 6, 29), "anciennete_j": 1,
             "en_retard": True, "statut": "en_retard"},
            {"code_ali": "ALI14", "ouverte": True, "date_extraction": date(2023, 6, 30), "anciennete_j": 0,
             "en_retard": False, "statut": "a_jour"},
            {"code_ali": "ALI22", "ouverte": False, "date_extraction": None, "anciennete_j": None, "lignes": None,
             "en_retard": False, "statut": "non_ouverte"},
        ]
    )  # fmt: skip
    juin = date(2023, 6, 30)
    retard, phrase = qualite.phrase_retards(df, juin)
    assert retard
    assert phrase.split("\n") == [
        "**3 ALI ouvertes sur 4 sont en retard** : extraction antérieure à la plus récente en place (30 juin 2023), "
        "ou aucune extraction. Les chiffres d'un territoire s'arrêtent à la plus ancienne extraction de ses ALI "
        "(date commune).",
        "- dernière extraction du 14 mars 2023 (108 jours avant la dernière en place) : ALI08 · Montreuil",
        "- dernière extraction du 29 juin 2023 (1 jour avant la dernière en place) : ALI10 · Bobigny",
        "- aucune extraction chargée : ALI01 · Saint-Denis",
    ]
    retard, phrase = qualite.phrase_retards(df[df["code_ali"] == "ALI14"], juin)
    assert not retard and phrase == (
        "La seule ALI ouverte au 30 juin 2023 est à jour : extraction du 30 juin 2023, la plus récente en place."
    )
    retard, phrase = qualite.phrase_retards(df[df["code_ali"] == "ALI22"], juin)
    assert not retard and phrase == (
        "Aucune ALI du territoire n'est ouverte au 30 juin 2023, date de la plus récente extraction."
    )


def test_rejets_par_motif_et_par_ali():
    df = pd.DataFrame(
        {
            "id_chargement": [2, 2, 1, 1],
            "fichier": ["b.csv", "b.csv", "a.csv", "a.csv"],
            "code_ali": ["ALI14", None, "ALI14", "ALI04"],
            "colonne": ["sexe", "code_ali", "sexe", "sexe"],
            "motif": ["sexe manquant", "code_ali absent du référentiel des ALI", "sexe manquant", "sexe manquant"],
            "lignes": [2, 1, 3, 1],
        }
    )
    assert qualite.rejets_par_motif(df)[["motif", "lignes"]].to_numpy().tolist() == [
        ["sexe manquant", 6],
        ["code_ali absent du référentiel des ALI", 1],
    ]
    assert qualite.rejets_par_ali(df)[["ali", "lignes"]].to_numpy().tolist() == [
        ["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", 5],
        ["ALI inconnue ou illisible", 1],
        ["ALI04 · La Courneuve", 1],
    ]
    assert qualite.motif_court("type_parcours inconnu (attendu social, …)") == "type_parcours inconnu"


def test_completude_format_long():
    df = pd.DataFrame(
        [
            {"groupe": "ALI14", "episodes": 4, "date_diag_numerique": 1, "niveau_numerique": 1,
             "date_diag_linguistique": 0, "niveau_linguistique": 0, "composition_foyer": 4, "anciennete_rsa": 2,
             "sorties": 0, "motif_sortie": 0},
        ]
    )  # fmt: skip
    longue = qualite.completude(df).set_index("champ")
    assert longue.loc["date_diag_numerique", "taux"] == 0.25
    assert longue.loc["composition_foyer", "taux"] == 1.0
    assert longue.loc["anciennete_rsa", ["renseignes", "denominateur"]].tolist() == [2, 4]
    assert pd.isna(longue.loc["motif_sortie", "taux"])  # aucune sortie : pas de taux
    # Le tableau montré est protégé : au département sans filtre, 4 épisodes se montrent, mais une part
    # sur 4 épisodes n'est pas diffusée ; dans une ALI, les 4 épisodes sont masqués aussi.
    t = qualite.tableau_completude(qualite.proteger_completude(qualite.completude(df), departement=True), str).texte
    assert t.iloc[0]["Date du diagnostic numérique"] == "secret"
    assert t.iloc[0]["Motif de sortie (parmi les sorties)"] == "–"
    assert t.iloc[0][["Épisodes courants", "Sorties"]].tolist() == ["4", "0"]
    t = qualite.tableau_completude(qualite.proteger_completude(qualite.completude(df), departement=False), str).texte
    assert t.iloc[0][["Épisodes courants", "Sorties"]].tolist() == ["secret", "0"]
    # 11 sur 44 : numérateur et complément (33) d'au moins 11 → 25,0 % diffusé.
    grand = df.assign(episodes=44, date_diag_numerique=11, composition_foyer=44, anciennete_rsa=22)
    t = qualite.tableau_completude(qualite.proteger_completude(qualite.completude(grand), departement=False), str).texte
    assert t.iloc[0]["Date du diagnostic numérique"] == "25,0\u202f%"
    assert t.iloc[0]["Épisodes courants"] == "44"


def test_an_oversized_upload_is_refused_before_being_written(tmp_path, monkeypatch):
    from insertion.present import qualite
    from tests.conftest import csv_bytes, lignes

    monkeypatch.setenv("INSERTION_TAILLE_MAX_MO", "1")
    gros = b"x" * (1024 * 1024 + 1)
    petit = csv_bytes(lignes(3))
    db_path = tmp_path / "envoi.duckdb"
    resultats = qualite.importer([("gros.csv", gros), ("petit.csv", petit)], chemin_base=db_path)
    assert [r.status for r in resultats] == ["refused", "loaded"]
    assert "gros.csv" in resultats[0].message and "Mo" in resultats[0].message
    assert resultats[1].accepted == 3
