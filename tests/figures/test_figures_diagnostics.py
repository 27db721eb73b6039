"""insertion.figures.diagnostics : la vue « Diagnostics » sans Streamlit, sur de petites tables faites à la main.

Les lectures sont remplacées par des fonctions qui rendent ces tables (celles de `ctx.requete` et `ctx.sql`) ;
secret au seuil 11 ; sans filtre, le département est exempté, les ALI ne le sont pas.

Diagnostic numérique à 90 jours (taux_diagnostic) :
  - département : 70 orientations, 40 diagnostiquées → 57,1 % (40 et 30 non diagnostiquées ≥ 11), 45 diagnostics
    datés, délai médian 30 jours ;
  - ALI14 : 50, 30 → 60,0 % (30 et 20 ≥ 11 : diffusé), 33 diagnostics, délai 25 jours ;
  - ALI04 : 20, 5 → 5 est de 1 à 10 : masqué, et le taux avec ; 12 diagnostics (≥ 11) : délai 20 jours diffusé.
  Vue d'ALI14 : écart de taux 60,0 − 57,1 = +2,9 points, de délai 25 − 30 = −5 jours.
Cohortes mensuelles : département 28 / 50 (mars 2023) et 18 / 30 (janvier 2024) ; ALI14 18 / 30 et 14 / 25 ;
  ALI04 5 / 20 en janvier 2024 (masqué). Chaque taux diffusé a au moins 11 diagnostiquées et 11 non diagnostiquées.
Niveaux constatés, département : débutant 10, intermédiaire 16, autonome 20, non évalué 3 (total 49) ;
  effectifs montrés (exemptés) mais parts de 10 / 49 et 3 / 49 masquées (numérateur de 1 à 10) ; 16 / 49 = 32,7 %,
  20 / 49 = 40,8 %.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from insertion import config
from insertion.figures import diagnostics
from insertion.indicators import DEPARTEMENT
from insertion.indicators.filters import Filtres
from insertion.store.requetes import Perimetre, Periode

D = date(2024, 6, 30)
PERIODE = Periode(as_of=D, debut=date(2023, 1, 1), fin=D)
NBSP = "\u202f"

pytestmark = pytest.mark.skipif(config.SEUIL_SECRET != 11, reason="valeurs calculées pour le seuil 11")

TAUX = pd.DataFrame(
    {
        "groupe": [DEPARTEMENT, "ALI14", "ALI04"],
        "denominateur": [70.0, 50, 20],
        "numerateur": [40.0, 30, 5],
        "diagnostics": [45.0, 33, 12],
        "delai_median_j": [30.0, 25, 20],
    }
).assign(taux_90j=lambda d: d["numerateur"] / d["denominateur"])
MARS, JANVIER = pd.Timestamp("2023-03-01"), pd.Timestamp("2024-01-01")
COHORTES = pd.DataFrame(
    {
        "groupe": [DEPARTEMENT, DEPARTEMENT, "ALI14", "ALI14", "ALI04"],
        "cohorte": [MARS, JANVIER, MARS, JANVIER, JANVIER],
        "recul_complet": [True] * 5,
        "denominateur": [50.0, 30, 30, 25, 20],
        "numerateur": [28.0, 18, 18, 14, 5],
        "diagnostics": [30.0, 15, 20, 13, 12],
        "delai_median_j": [30.0, 25, 30, 25, 20],
    }
).assign(taux_90j=lambda d: d["numerateur"] / d["denominateur"])
NIVEAUX = pd.DataFrame(
    {
        "groupe": [DEPARTEMENT] * 4 + ["ALI14"] * 4,
        "niveau": ["debutant", "intermediaire", "autonome", "non_evalue"] * 2,
        "episodes": [10.0, 16, 20, 3, 10, 12, 20, 3],
    }
)


def choisir(df: pd.DataFrame, perimetre: Perimetre, groupe: str) -> pd.DataFrame:
    """Les lignes « département » d'un périmètre filtré sur une ALI sont celles de cette ALI."""
    if groupe == "ali":
        lignes = df[(df["groupe"] != DEPARTEMENT) & (df["groupe"].isin(perimetre.alis) | (not perimetre.alis))]
    elif perimetre.alis:
        lignes = df[df["groupe"] == perimetre.alis[0]].assign(groupe=DEPARTEMENT)
    else:
        lignes = df[df["groupe"] == DEPARTEMENT]
    return lignes.reset_index(drop=True)


def requete(nom: str, *, perimetre: Perimetre, groupe: str = "departement", **_) -> pd.DataFrame:
    assert nom == "taux_diagnostic"
    return choisir(TAUX, perimetre, groupe)


def sql(nom: str, *, groupe: str, **params) -> pd.DataFrame:
    perimetre = Perimetre(alis=tuple(params["alis"] or ()))
    return choisir(COHORTES if nom == "taux_diagnostic_cohortes" else NIVEAUX, perimetre, groupe)


def vue(perimetre: Perimetre = Perimetre()) -> diagnostics.VueDiagnostics:
    filtres = Filtres(periode=PERIODE, perimetre=perimetre, derniere_extraction=D)
    return diagnostics.VueDiagnostics(filtres, requete, sql)


def test_ecart_de_delai_et_en_tetes():
    assert diagnostics.ecart_delai(30, 20) == "+10 jours"
    assert diagnostics.ecart_delai(25, 30) == "-5 jours"
    assert diagnostics.ecart_delai(30, 30) is None and diagnostics.ecart_delai(None, 30) is None
    assert diagnostics.colonnes_ali("linguistique")["diagnostics"] == "Diagnostics linguistiques datés"


def test_cartes_du_departement():
    cartes = vue().cartes()
    assert [c["label"] for c in cartes] == [
        "Diagnostic numérique à 90 jours",
        "Délai médian, diagnostic numérique",
        "Diagnostic linguistique à 90 jours",
        "Délai médian, diagnostic linguistique",
    ]
    assert (cartes[0]["valeur"], cartes[1]["valeur"]) == (f"57,1{NBSP}%", "30 jours")
    assert cartes[0]["evolution"] is None  # pas d'écart au département quand on le regarde lui-même
    assert cartes[0]["serie"] == pytest.approx([56.0, 60.0])  # 28 / 50 en mars 2023, 18 / 30 en janvier 2024
    assert cartes[1]["sens"] == "inverse" and cartes[1]["aide"].startswith("Parmi 45 diagnostics datés")


def test_cartes_d_une_ali_donnent_l_ecart_au_departement():
    cartes = vue(Perimetre(alis=("ALI14",))).cartes()
    assert (cartes[0]["valeur"], cartes[0]["evolution"]) == (f"60,0{NBSP}%", f"+2,9{NBSP}pts vs département")
    assert (cartes[1]["valeur"], cartes[1]["evolution"]) == ("25 jours", "-5 jours vs département")


def test_barres_par_ali():
    taux, delai = vue().par_ali("numerique")
    assert list(taux.figure.data[0].y) == ["ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    assert taux.figure.data[0].x[0] is None and taux.figure.data[0].x[1] == pytest.approx(0.6)
    assert list(delai.figure.data[0].x) == [20, 25]  # 12 diagnostics à ALI04 : le délai se diffuse
    assert taux.table is delai.table and list(taux.table.texte["Taux de diagnostic numérique à 90 jours"]) == [
        f"57,1{NBSP}%",
        "secret",
        f"60,0{NBSP}%",
    ]
    assert (taux.cle, delai.cle) == ("taux_ali_numerique", "delai_ali_numerique")
    assert taux.definitions == ["diag_numerique"] and taux.masque
    assert "60,0" in taux.resume and "25 jours" in delai.resume


def test_carte_par_mois_d_orientation():
    g = vue().carte("numerique", "taux_90j")
    assert list(g.figure.data[0].y) == ["Seine-Saint-Denis", "ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois"]
    # En % : 28 / 50 et 18 / 30 au département, ALI04 masquée (5 diagnostiquées), ALI14 18 / 30 puis 14 / 25
    # (11 non diagnostiquées : diffusé).
    z = pd.DataFrame(g.figure.data[0].z).round(1)
    assert z.iloc[0].tolist() == [56.0, 60.0] and z.iloc[2].tolist() == [60.0, 56.0] and z.iloc[1].isna().all()
    assert g.cle == "cohortes_numerique_taux_90j" and len(g.table) == 5
    assert "entre mars 2023 et janvier 2024" in g.resume


def test_niveaux_du_departement_et_par_ali():
    g = vue().niveaux("numerique")
    assert g.table.texte["Diagnostics numériques"].tolist() == ["10", "16", "20", "3"]
    assert g.table.texte["Part"].tolist() == ["secret", f"32,7{NBSP}%", f"40,8{NBSP}%", "secret"]
    assert g.figure.layout.title.text == "Seine-Saint-Denis : 49 diagnostics datés" and g.masque
    par_ali = vue().niveaux_ali("numerique")
    ali14 = par_ali.table.texte[par_ali.table.texte["Territoire"].str.startswith("ALI14")]
    assert ali14["Diagnostics numériques"].tolist() == ["secret", "12", "20", "secret"]  # 10 et 3 : de 1 à 10
    assert par_ali.cle == "niveaux_ali_numerique"


def test_vue_vide():
    vide = diagnostics.VueDiagnostics(
        Filtres(periode=PERIODE, perimetre=Perimetre(alis=("ALI99",)), derniere_extraction=D), requete, sql
    )
    assert vide.par_ali("numerique") is None
    assert vide.niveaux("numerique") is None and vide.niveaux_ali("numerique") is None


def test_cartes_des_deux_diagnostics():
    """La même lecture que les autres cartes, avec diagnostic « les_deux » (queries/taux_diagnostic_90j.sql) ; ici
    la table de test rend les chiffres du numérique : 40 / 70 = 57,1 %, délai 30 jours."""
    demandes = []

    def requete_notee(nom: str, **kwargs) -> pd.DataFrame:
        demandes.append(kwargs.get("diagnostic"))
        return requete(nom, **kwargs)

    filtres = Filtres(periode=PERIODE, perimetre=Perimetre(), derniere_extraction=D)
    cartes = diagnostics.VueDiagnostics(filtres, requete_notee, sql).cartes_les_deux()
    assert demandes == ["les_deux"]
    assert [c["label"] for c in cartes] == [
        "Les deux diagnostics à 90 jours",
        "Délai médian jusqu'au second diagnostic",
    ]
    assert (cartes[0]["valeur"], cartes[1]["valeur"]) == (f"57,1{NBSP}%", "30 jours")
    assert cartes[1]["aide"].startswith("Parmi 45 personnes aux deux diagnostics datés")
