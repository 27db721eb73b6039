"""Les phrases des vues vides (insertion.present.etats_vides) :
ce qui manque, où, et quoi changer, selon les filtres posés."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from insertion.indicators.filters import Filtres
from insertion.present import etats_vides
from insertion.store.requetes import Perimetre, Periode

D = date(2024, 12, 31)


def filtres(**perimetre) -> Filtres:
    return Filtres(Periode(as_of=D, debut=date(2023, 1, 1), fin=D), Perimetre(**perimetre), D)


def test_la_phrase_de_l_exemple():
    assert etats_vides.message("orientees", filtres(communes=("93001",))) == (
        "Aucune personne orientée sur cette période dans ce territoire : élargissez la période ou le territoire."
    )


@pytest.mark.parametrize(
    ("perimetre", "attendu"),
    [
        (
            {},
            "Aucune personne suivie à cette date : choisissez une autre date d'observation ou vérifiez les "
            "extractions chargées (page Qualité des données).",
        ),
        (
            {"alis": ("ALI04",)},
            "Aucune personne suivie à cette date dans ce territoire : choisissez une autre date d'observation ou "
            "élargissez le territoire.",
        ),
        (
            {"sexes": ("M",)},
            "Aucune personne suivie à cette date pour ce profil : choisissez une autre date d'observation ou "
            "retirez le filtre de sexe.",
        ),
        (
            {"epts": ("Est Ensemble",), "ages": ("moins_25",), "parcours": ("social",)},
            "Aucune personne suivie à cette date dans ce territoire pour ce profil : choisissez une autre date "
            "d'observation, élargissez le territoire, ou retirez un des filtres de parcours ou d'âge.",
        ),
    ],
)
def test_le_conseil_suit_les_filtres_poses(perimetre, attendu):
    assert etats_vides.message("suivies", filtres(**perimetre)) == attendu


def test_periode_territoire_et_profil_ensemble():
    texte = etats_vides.message("sorties", filtres(communes=("93001",), sexes=("F",)))
    assert texte == (
        "Aucune sortie sur cette période dans ce territoire pour ce profil : élargissez la période ou le territoire, "
        "ou retirez le filtre de sexe."
    )


def test_un_taux_sans_recul_demande_une_periode_plus_ancienne():
    texte = etats_vides.message("cohortes_12m", filtres())
    assert texte.startswith("Aucune orientation de la période n'a encore un an de recul")
    assert "commencez la période plus tôt (au moins un an avant la date d'observation)" in texte
    # Sans filtre, le conseil de vérifier les extractions ne vaut pas : elles existent, elles sont trop récentes.
    assert "Qualité" not in texte
    assert "90 jours avant" in etats_vides.message("cohortes_90j", filtres())


def test_chaque_phrase_est_une_phrase_francaise_complete():
    for quoi in etats_vides.MANQUES:
        for perimetre in ({}, {"communes": ("93001",)}, {"sexes": ("F",), "alis": ("ALI14",)}):
            texte = etats_vides.message(quoi, filtres(**perimetre))
            assert texte[0].isupper() and texte.endswith(".") and texte.count(" : ") == 1, texte
            assert "  " not in texte and " ," not in texte, texte


def test_budget_absent_ou_plus_tardif():
    assert etats_vides.message_budget(filtres(), 2023) == (
        "Aucun crédit jusqu'en 2024, année de la date d'observation : le budget chargé commence en 2023. Choisissez "
        "une date d'observation en 2023 ou après."
    )
    assert "élargissez le territoire" in etats_vides.message_budget(filtres(alis=("ALI04",)), None)
    assert etats_vides.message_budget(filtres(), None).startswith("Aucun budget chargé : chargez un fichier budget")


def test_extractions_absentes():
    assert "élargissez le territoire" in etats_vides.message_extractions(filtres(communes=("93001",)))
    assert "élargissez" not in etats_vides.message_extractions(filtres())


def test_est_vide():
    assert etats_vides.est_vide(pd.DataFrame({"mois": [], "file_active": []}), ["file_active"])
    series = pd.DataFrame({"mois": ["2024-01-01", "2024-02-01"], "entrees": [0, 0], "sorties": [0, 0]})
    assert etats_vides.est_vide(series, ["entrees", "sorties"])
    # Une case masquée par la couche de publication (NaN) n'est pas un vide : elle peut valoir de 0 à 13.
    series.loc[1, "sorties"] = None
    assert not etats_vides.est_vide(series, ["entrees", "sorties"])
    series.loc[1, "sorties"] = 3
    assert not etats_vides.est_vide(series, ["entrees", "sorties"])
    # Des lignes sans colonne d'effectif nommée : pas vide (une répartition, un libellé).
    assert not etats_vides.est_vide(pd.DataFrame({"libelle": ["a"]}))
