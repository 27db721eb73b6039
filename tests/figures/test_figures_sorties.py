"""insertion.figures.sorties : la vue « Sorties vers l'emploi » sans Streamlit, sur de petites tables faites à la main.

Les lectures sont remplacées par des fonctions qui rendent ces tables (celles de `ctx.requete` et `ctx.sql`) ;
le secret est celui de la configuration (seuil 11). Périmètre sans filtre : le département est exempté, les ALI
ne le sont pas.

Table par ALI (taux_sortie_emploi) :
  - département : 60 orientations d'un an, 30 en emploi (50,0 %), 18 en emploi durable (30,0 %) ;
  - ALI14 : 40 orientations, 20 en emploi → 50,0 % (20 et 40 − 20 = 20 ≥ 11 : diffusé), 12 durables → 30,0 % ;
  - ALI04 : 20 orientations, 10 en emploi (de 1 à 10 : masqué, donc son taux aussi), 6 durables (masqué).
Parcours d'une cohorte : 30 orientés, 18 en emploi → 18 / 30 = 60,0 % ; 10 en emploi durable : effectif
  montré au département (exempté), mais sa part non (règle des taux : numérateur de 1 à 10).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest

from insertion import config
from insertion.figures import sorties, sorties_figures
from insertion.figures.cohortes import PERIODE
from insertion.indicators import DEPARTEMENT
from insertion.indicators.filters import Filtres
from insertion.outputs import exports
from insertion.store.requetes import Perimetre, Periode

D = date(2024, 6, 30)
FILTRES = Filtres(periode=Periode(as_of=D, debut=date(2023, 1, 1), fin=D), perimetre=Perimetre(), derniere_extraction=D)
NBSP = "\u202f"

pytestmark = pytest.mark.skipif(config.SEUIL_SECRET != 11, reason="valeurs calculées pour le seuil 11")


def taux(departement: tuple, *alis: tuple) -> pd.DataFrame:
    """(groupe, dénominateur, en emploi, en emploi durable) → la table de taux_sortie_emploi."""
    lignes = [departement, *alis]
    df = pd.DataFrame(lignes, columns=["groupe", "denominateur", "n_sortie_emploi", "n_emploi_durable"])
    df["taux_sortie_emploi"] = df["n_sortie_emploi"] / df["denominateur"]
    df["taux_emploi_durable"] = df["n_emploi_durable"] / df["denominateur"]
    return df.astype({c: "float64" for c in ("denominateur", "n_sortie_emploi", "n_emploi_durable")})


TAUX = taux((DEPARTEMENT, 60, 30, 18), ("ALI14", 40, 20, 12), ("ALI04", 20, 10, 6))

PARCOURS = pd.DataFrame(
    {
        "cohorte": [pd.Timestamp("2023-01-01")],
        "recul_complet": [True],
        "orientes": [30.0],
        "diag_numerique_90j": [30.0],
        "diag_linguistique_90j": [22.0],
        "sortis_12m": [26.0],
        "sortis_emploi_12m": [18.0],
        "sortis_emploi_durable_12m": [10.0],
    }
)


def requete(nom: str, *, groupe: str = "departement", **_) -> pd.DataFrame:
    assert nom == "taux_sortie_emploi"
    choix = TAUX["groupe"] == DEPARTEMENT if groupe == "departement" else TAUX["groupe"] != DEPARTEMENT
    return TAUX[choix].reset_index(drop=True)


def sql(nom: str, **params) -> pd.DataFrame:
    assert nom == "parcours_cohorte" and params["groupe"] == "departement"
    return PARCOURS.copy()


VUE = sorties.VueSorties(FILTRES, requete, sql)


def test_texte_part_emploi():
    assert sorties_figures.texte_part_emploi(19 / 27, 19, False) == f"70,4{NBSP}%"
    # La part seule ne se diffuse pas (règle des taux) alors que l'effectif l'est : « secret ».
    assert sorties_figures.texte_part_emploi(None, 19, False) == "secret"
    assert sorties_figures.texte_part_emploi(None, None, True) == "secret"
    assert sorties_figures.texte_part_emploi(None, None, False) == "–"


def test_survols_et_textes_du_parcours():
    aff = pd.DataFrame(
        {
            "territoire": ["ALI14"],
            "taux_sortie_emploi": ["50 %"],
            "taux_emploi_durable": ["30 %"],
            "denominateur": ["40"],
        }
    )
    assert sorties_figures.survols_ali(aff) == [
        "<b>ALI14</b><br>Sortie en emploi : 50 %<br>dont emploi durable : 30 %<br>Orientations avec un an de recul : 40"
    ]
    etapes = pd.DataFrame({"libelle": ["Orientés", "Sortis en emploi"], "effectif": ["30", "18"], "part": ["", "60 %"]})
    textes, survols = sorties_figures.textes_parcours(etapes)
    assert textes == ["30", "18 (60 %)"]  # la première étape est la cohorte entière : pas de part
    assert survols[1] == "<b>Sortis en emploi</b><br>Personnes : 18<br>Part de la cohorte : 60 %"


def test_par_ali_masque_le_taux_d_un_petit_numerateur():
    g = VUE.par_ali()
    assert VUE.au_departement and VUE.reference_exempte  # aucun filtre
    emploi, durable = g.figure.data[:2]
    assert list(emploi.y) == ["ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]  # dans l'ordre des codes
    # ALI14 : 20 / 40 ; ALI04 : 10 en emploi, de 1 à 10 hors exemption → masqué, et son taux avec.
    assert emploi.x[0] is None and emploi.x[1] == pytest.approx(0.5)
    assert durable.x[0] is None and durable.x[1] == pytest.approx(0.3)
    assert g.masque and g.cle == "taux_ali" and g.definitions == ["sortie_emploi_12m"]
    colonne = sorties.COLONNES["taux_sortie_emploi"]
    assert list(g.table.texte[colonne]) == [f"50,0{NBSP}%", "secret", f"50,0{NBSP}%"]  # département, ALI04, ALI14
    assert "50,0" in g.resume
    # L'export : les taux en nombres sous un en-tête « (%) », le taux masqué d'ALI04 « secret », jamais 0,x.
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(g.table).decode("utf-8-sig")), delimiter=";"))
    i = lignes[0].index(f"{colonne} (%)")
    assert [ligne[i] for ligne in lignes[1:]] == ["50", "secret", "50"]
    assert set(g.options()) == {"table", "definitions", "masque", "cle", "tableau", "resume"}


def test_par_ali_vide_sans_ali():
    vide = sorties.VueSorties(FILTRES, lambda nom, groupe="departement", **_: TAUX.iloc[:0] if groupe == "ali"
                              else requete(nom, groupe=groupe), sql)  # fmt: skip
    assert vide.par_ali() is None


def test_parcours_d_une_cohorte():
    choix = VUE.choix_cohortes("trimestre")
    assert choix == {PERIODE: "Toutes les cohortes de la période ayant un an de recul", "2023-01-01": "T1 2023"}
    g = VUE.parcours("trimestre", "2023-01-01")
    assert list(g.table.columns) == ["Cohorte d'orientation", "Étape", "Personnes", "Part de la cohorte"]
    assert set(g.table.texte["Cohorte d'orientation"]) == {"T1 2023"}
    ligne = g.table.texte.set_index("Étape").loc["Sortis en emploi"]
    assert (ligne["Personnes"], ligne["Part de la cohorte"]) == ("18", f"60,0{NBSP}%")
    # 10 en emploi durable : la part d'un numérateur de 1 à 10 ne se diffuse pas, même au département.
    durable = g.table.texte.set_index("Étape").loc["Sortis en emploi durable"]
    assert (durable["Personnes"], durable["Part de la cohorte"]) == ("10", "secret")
    assert g.masque and g.cle == "parcours_trimestre_2023-01-01"
    assert g.tableau == "parcours de la cohorte T1 2023"
    classeur = openpyxl.load_workbook(
        io.BytesIO(
            exports.ecrire_classeur(g.table, titre="x", definitions=[], filtres=[], date_donnees=date(2024, 6, 30))
        )
    )
    feuille = classeur["Données"]
    assert [c.value for c in feuille[1]] == ["Cohorte d'orientation", "Étape", "Personnes", "Part de la cohorte (%)"]
    emploi = next(r for r in feuille.iter_rows(min_row=2, values_only=True) if r[1] == "Sortis en emploi")
    assert emploi[2:] == (18, 60.0)
    assert np.isclose(g.figure.data[0].x[-1], 10)  # emploi durable, en bas de l'entonnoir


def test_parcours_vide():
    vide = sorties.VueSorties(FILTRES, requete, lambda nom, **p: PARCOURS.assign(orientes=0.0))
    assert vide.parcours("trimestre", PERIODE) is None
