"""insertion.figures.importer : textes et compte rendu de la page Importer, sans Streamlit."""

from __future__ import annotations

from datetime import datetime

from insertion.figures import importer as vue
from insertion.ingest.compte_rendu import ResultatChargement


def _r(status: str, **kw) -> ResultatChargement:
    return ResultatChargement(file=kw.pop("file", "f.csv"), status=status, **kw)


def test_consignes_citent_le_seuil_et_la_taille_reels():
    # 30 % sans décimale (seuil entier), 12,5 % avec une ; 1 500 Mo écrit à la française.
    assert "plus de 30\u202f% de ses épisodes" in vue.consigne(30)
    assert "plus de 12,5\u202f% de ses épisodes" in vue.consigne(12.5)
    assert vue.consigne(30).startswith("Déposez une ou plusieurs **extractions de file active**")
    assert "**1\u202f500 Mo au plus par fichier**" in vue.consigne_depot(1500)


def test_en_cours_accorde_le_nombre():
    assert vue.en_cours(1) == "Chargement de 1 fichier…"
    assert vue.en_cours(3) == "Chargement de 3 fichiers…"


def test_journal_nomme_chaque_fichier_et_son_statut_technique():
    # Le journal d'audit garde le statut du chargeur (stable), pas son libellé français.
    assert vue.journal([_r("loaded", file="a.csv"), _r("refused", file="b.csv")]) == "a.csv (loaded), b.csv (refused)"
    assert vue.journal([]) == ""


def test_message_et_titre_d_apercu():
    r = _r("to_confirm", file="juin.csv", message="Remplacerait 40 % des épisodes d'ALI08.")
    assert vue.message(r) == (
        "**juin.csv** — À confirmer : rien n'a été chargé.\n\nRemplacerait 40 % des épisodes d'ALI08."
    )
    assert vue.titre_apercu(r) == "**Ce que ce fichier remplacerait** — « juin.csv »"
    assert vue.titre_apercu(_r("loaded", file="juin.csv")) == "**Ce que ce fichier a remplacé** — « juin.csv »"
    # Un statut inconnu du tableau des libellés reste lisible tel quel.
    assert vue.message(_r("autre", file="x.csv")).startswith("**x.csv** — autre.")


def test_horodatage_import():
    assert vue.horodatage_import(datetime(2026, 10, 31, 9, 5)) == "31 octobre 2026 à 09:05"
