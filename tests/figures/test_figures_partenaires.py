"""insertion.figures.partenaires, les tableaux de la vue Partenaires et emploi, sans Streamlit ni base, sur un petit
résultat publié écrit à la main (NaN : masqué par la couche de publication, « secret ») :

Deux structures : S1 40 mises en relation, 14 embauches (35,0 %), délai médian 33,6 jours jusqu'à l'embauche (écrit
« 34 », arrondi au jour) ; S2 12 mises en relation, embauches masquées, donc son taux aussi.
Par période : 2023 puis 2024, ou juin 2023 au pas du mois, ou « T2 2023 » au pas du trimestre.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pandas as pd

from insertion.figures import partenaires as fp
from insertion.outputs import exports

NAN = math.nan
NB = "\u202f"
NOMS = {"S1": "Structure un", "S2": "Structure deux"}


def volumes(groupes=("S1", "S2"), mois=(None, None)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "groupe": list(groupes),
            "mois": list(mois),
            "mises_en_relation": [40.0, 12.0],
            "personnes": [38.0, 12.0],
            "embauches": [14.0, NAN],
            "taux_embauche": [14 / 40, NAN],
            "contrats_longs": [11.0, NAN],
            "part_contrats_longs": [11 / 14, NAN],
            "embauches_tpe_pme": [12.0, NAN],
            "part_tpe_pme": [12 / 14, NAN],
        }
    )


def lire_csv(table) -> list[list[str]]:
    return list(csv.reader(io.StringIO(exports.ecrire_csv(table).decode("utf-8-sig")), delimiter=";"))


def test_le_tableau_par_structure_garde_le_texte_de_l_ecran_et_exporte_les_nombres():
    t = fp.tableau(volumes(), fp.COLONNES_VOLUMES, NOMS, "Structure")
    assert t.texte["Structure"].tolist() == ["Structure un", "Structure deux"]
    assert t.texte["Taux d'embauche"].tolist() == [f"35,0{NB}%", "secret"]
    assert t.texte["Part des contrats longs"].tolist() == [f"78,6{NB}%", "secret"]
    # Les valeurs que lisent les exports ne gardent pas la case masquée.
    assert t.valeurs["Embauches"].tolist() == [14.0, "secret"]
    lignes = lire_csv(t)
    assert lignes[0] == [
        "Structure",
        "Mises en relation",
        "Personnes mises en relation",
        "Embauches",
        "Taux d'embauche (%)",
        "Contrats longs",
        "Part des contrats longs (%)",
        "Embauches en TPE/PME",
        "Part des embauches en TPE/PME (%)",
    ]
    # 14 / 40 = 35 % ; 11 / 14 = 78,57… % écrit 78,6 comme à l'écran ; 12 / 14 = 85,71… % → 85,7.
    assert lignes[1] == ["Structure un", "40", "38", "14", "35", "11", "78,6", "12", "85,7"]
    assert lignes[2] == ["Structure deux", "12", "12", "secret", "secret", "secret", "secret", "secret", "secret"]


def test_les_periodes_s_exportent_en_annees_et_en_mois_le_trimestre_reste_du_texte():
    debuts = (pd.Timestamp(2023, 4, 1), pd.Timestamp(2024, 6, 1))
    par_annee = fp.tableau(volumes(("Seine-Saint-Denis",) * 2, debuts), fp.COLONNES_VOLUMES, {}, "Territoire", "annee")
    assert par_annee.texte["Année"].tolist() == ["2023", "2024"]
    assert [ligne[1] for ligne in lire_csv(par_annee)] == ["Année", "2023", "2024"]
    par_mois = fp.tableau(volumes(("Seine-Saint-Denis",) * 2, debuts), fp.COLONNES_VOLUMES, {}, "Territoire", "mois")
    assert par_mois.texte["Mois"].tolist() == ["avril 2023", "juin 2024"]
    assert [ligne[1] for ligne in lire_csv(par_mois)] == ["Mois", "2023-04", "2024-06"]
    par_trimestre = fp.tableau(
        volumes(("Seine-Saint-Denis",) * 2, debuts), fp.COLONNES_VOLUMES, {}, "Territoire", "trimestre"
    )
    assert [ligne[1] for ligne in lire_csv(par_trimestre)] == ["Trimestre", "T2 2023", "T2 2024"]


def test_les_delais_medians_s_ecrivent_en_jours_entiers_et_s_exportent_arrondis_comme_a_l_ecran():
    from openpyxl import load_workbook

    delais = pd.DataFrame(
        {
            "groupe": ["S1", "S2"],
            "personnes_mises_en_relation": [40.0, 12.0],
            "delai_median_mise_en_relation_j": [12.0, 20.0],
            "personnes_embauchees": [14.0, NAN],
            "delai_median_embauche_j": [33.6, NAN],
            "personnes_sans_episode": [NAN, NAN],
        }
    )
    t = fp.tableau(delais, fp.COLONNES_DELAIS, NOMS, "Structure")
    assert t.texte["Délai médian jusqu'à l'embauche (jours)"].tolist() == ["34", "secret"]
    classeur = exports.ecrire_classeur(t, titre="Délais", definitions=[], filtres=[], date_donnees=date(2024, 6, 30))
    feuille = load_workbook(io.BytesIO(classeur))["Données"]
    lignes = [list(r) for r in feuille.iter_rows(values_only=True)]
    # L'en-tête nomme déjà l'unité : pas de « (jours) (jours) ».
    assert lignes[0][2] == "Délai médian jusqu'à la mise en relation (jours)"
    assert lignes[0][4] == "Délai médian jusqu'à l'embauche (jours)"
    assert lignes[1] == ["Structure un", 40, 12, 14, 34, "secret"]
    assert lignes[2] == ["Structure deux", 12, 20, "secret", "secret", "secret"]
