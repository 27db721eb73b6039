"""insertion.figures.qualite : la mise en forme de la page Qualité des données, sans Streamlit.

Petits tableaux écrits à la main ; chaque valeur attendue se recompte dans le commentaire qui la précède.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from insertion import formats
from insertion.figures import qualite as vue
from insertion.figures import qualite_completude as vue_completude
from insertion.figures import qualite_rejets as vue_rejets
from insertion.indicators.filters import Filtres
from insertion.store.requetes import Perimetre, Periode

JUIN = date(2023, 6, 30)


def _fraicheur() -> pd.DataFrame:
    """Trois ALI : ALI14 à jour (30 juin), ALI08 en retard (14 mars, 108 jours), ALI22 pas encore ouverte."""
    base = {"nom": "x", "ouverture": date(2023, 1, 1), "lignes": 10, "fichier": "f.csv", "seuil": JUIN}
    rows = [
        {"code_ali": "ALI14", "ouverte": True, "date_extraction": JUIN, "anciennete_j": 0, "en_retard": False,
         "statut": "a_jour"},
        {"code_ali": "ALI08", "ouverte": True, "date_extraction": date(2023, 3, 14), "anciennete_j": 108,
         "en_retard": True, "statut": "en_retard"},
        {"code_ali": "ALI22", "ouverte": False, "date_extraction": None, "anciennete_j": None, "lignes": None,
         "en_retard": False, "statut": "non_ouverte"},
    ]  # fmt: skip
    return vue.fraicheur(pd.DataFrame([{**base, **r} for r in rows]))


def _rejets() -> pd.DataFrame:
    # Chargement 2 : 2 + 1 lignes ; chargement 1 : 3 + 1 lignes.
    return pd.DataFrame(
        {
            "id_chargement": [2, 2, 1, 1],
            "fichier": ["b.csv", "b.csv", "a.csv", "a.csv"],
            "code_ali": ["ALI14", None, "ALI14", "ALI04"],
            "colonne": ["sexe", "code_ali", "sexe", "sexe"],
            "motif": ["sexe manquant", "code_ali absent (référentiel)", "sexe manquant", "sexe manquant"],
            "lignes": [2, 1, 3, 1],
        }
    )


def _filtres(perimetre: Perimetre | None = None) -> Filtres:
    return Filtres(Periode(as_of=JUIN, debut=date(2023, 1, 1), fin=JUIN), perimetre or Perimetre(), JUIN)


# --- Chiffres clés ----------------------------------------------------------------------------------------


def test_chiffres_cles_compte_les_retards_parmi_les_ali_ouvertes():
    chargements = pd.DataFrame({"id_chargement": [1, 2, 3]})
    cartes = vue.chiffres_cles(JUIN, date(2023, 3, 14), _fraicheur(), chargements, _rejets())
    valeurs = {libelle: valeur for libelle, valeur, _ in cartes}
    # 2 ALI ouvertes (ALI14, ALI08), dont ALI08 en retard ; ALI22 n'est pas ouverte : « 1 sur 2 ».
    # 2 + 1 + 3 + 1 = 7 lignes rejetées ; 3 chargements.
    assert valeurs == {
        "Dernière extraction": "30/06/2023",
        "Date commune des données": "14/03/2023",
        "ALI en retard": "1 sur 2",
        "Fichiers chargés": "3",
        "Lignes rejetées": "7",
    }
    assert all(aide for _, _, aide in cartes)


def test_chiffres_cles_sans_extraction_ni_historique():
    vide = pd.DataFrame({"lignes": []})
    cartes = vue.chiffres_cles(None, None, None, None, vide)
    assert [v for _, v, _ in cartes] == [formats.SANS_OBJET] * 4 + ["0"]
    # Sans fraîcheur, la carte des retards n'a pas d'aide (rien à expliquer).
    assert cartes[2] == ("ALI en retard", formats.SANS_OBJET, None)


# --- Fraîcheur ----------------------------------------------------------------------------------------------


def test_figure_fraicheur_un_groupe_de_points_par_statut_et_le_trait_de_reference():
    fig = vue.figure_fraicheur(_fraicheur())
    # ALI22 n'a pas d'extraction : hors du graphique. Restent un point « À jour » et un point « En retard ».
    assert [t.name for t in fig.data] == ["À jour", "En retard"]
    assert list(fig.data[1].y) == ["ALI08 · Montreuil"]
    assert fig.data[1].marker.symbol == "x"
    assert fig.layout.shapes[0].x0 == pd.Timestamp(JUIN)
    assert fig.layout.annotations[0].text == "Plus récente extraction : 30 juin 2023"
    assert fig.layout.height == 320  # max(320, 28 × 3 + 120 = 204)
    assert not vue.sans_date(_fraicheur())


def test_note_sans_extraction_nomme_les_ali_absentes_du_graphique():
    df = _fraicheur()
    assert vue.note_sans_extraction(df) == (
        "Sans aucune extraction (absentes du graphique) : ALI22 · Le Blanc-Mesnil (pas encore ouverte)."
    )
    assert vue.note_sans_extraction(df[df["code_ali"] != "ALI22"]) is None
    assert vue.sans_date(df[df["code_ali"] == "ALI22"])


# --- Lignes rejetées ----------------------------------------------------------------------------------------


def test_chargements_avec_rejets_depuis_l_historique_ou_les_rejets_vus():
    historique = pd.DataFrame({"id_chargement": [3, 2, 1], "fichier": ["c", "b", "a"], "rejetees": [0, 3, 4]})
    assert vue_rejets.chargements_avec_rejets(historique, _rejets())["id_chargement"].tolist() == [2, 1]
    # Sans l'historique : regroupés depuis les rejets vus, 2 + 1 = 3 pour le n° 2, 3 + 1 = 4 pour le n° 1.
    vus = vue_rejets.chargements_avec_rejets(None, _rejets())
    assert vus[["id_chargement", "fichier", "rejetees"]].to_numpy().tolist() == [[2, "b.csv", 3], [1, "a.csv", 4]]
    assert vue_rejets.libelles_chargements(vus) == {
        2: "n° 2 · b.csv (3 lignes rejetées)",
        1: "n° 1 · a.csv (4 lignes rejetées)",
    }


def test_figures_tables_et_resumes_des_rejets():
    par_motif = vue_rejets.rejets_par_motif(_rejets())  # sexe manquant : 2 + 3 + 1 = 6 ; code_ali : 1
    fig = vue_rejets.figure_rejets_motif(par_motif)
    assert list(fig.data[0].y) == ["sexe manquant", "code_ali absent"]  # motif court : avant « ( »
    assert list(fig.data[0].x) == [6, 1]
    assert list(fig.data[0].text) == ["6", "1"]
    assert fig.layout.title.text == "Lignes rejetées par motif"
    assert fig.layout.height == 280  # max(280, 36 × 2 + 130 = 202)
    assert vue_rejets.table_rejets_motif(par_motif).to_numpy().tolist() == [
        ["sexe manquant", "sexe", "6"],
        ["code_ali absent (référentiel)", "code_ali", "1"],
    ]
    assert vue_rejets.resume_rejets_motif(par_motif).startswith("7 lignes rejetées, par motif")

    par_ali = vue_rejets.rejets_par_ali(_rejets())  # ALI14 : 2 + 3 = 5 ; inconnue : 1 ; ALI04 : 1
    fig = vue_rejets.figure_rejets_ali(par_ali)
    assert list(fig.data[0].x) == [5, 1, 1]
    assert fig.layout.title.text == "Lignes rejetées par ALI"
    assert vue_rejets.table_rejets_ali(par_ali).columns.tolist() == ["ALI", "Lignes rejetées"]
    assert "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron (5)" in vue_rejets.resume_rejets_ali(par_ali)


def test_notes_des_rejets():
    assert vue_rejets.aucun_rejet(True) == "Aucune ligne rejetée pour ce territoire."
    assert vue_rejets.aucun_rejet(False) == "Aucune ligne rejetée."
    assert vue_rejets.note_quarantaine_partielle(5000, 5000) is None
    assert vue_rejets.note_quarantaine_partielle(6200, 5000) == (
        "Seules les 5\u202f000 lignes les plus récentes sont affichées : choisissez un chargement pour voir toutes "
        "les siennes."
    )


# --- Complétude ----------------------------------------------------------------------------------------------


def _completude(groupe: str, episodes: int, renseignes: int) -> dict:
    champs = {c: renseignes for c, _, d in vue_completude.CHAMPS_FACULTATIFS if d == "episodes"}
    return {"groupe": groupe, "episodes": episodes, "sorties": 40, "motif_sortie": 20, **champs}


def test_parametres_completude_garde_le_perimetre_et_la_periode():
    params = vue_completude.parametres_completude(_filtres(Perimetre(alis=("ALI14",))))
    assert params["alis"] == ["ALI14"]
    assert (params["debut"], params["fin"]) == (date(2023, 1, 1), JUIN)
    assert "as_of" not in params


def test_completude_ensemble_exemptee_seulement_sans_filtre():
    # 4 épisodes dont 1 renseigné : sans filtre, les effectifs du département se montrent ;
    # avec un filtre d'ALI, 4 et 1 tombent sous le seuil et sont masqués.
    df = pd.DataFrame([_completude("departement", 4, 1)])
    sans_filtre = vue_completude.completude_ensemble(df, _filtres())
    assert not sans_filtre.masque["denominateur"].any()
    filtre = vue_completude.completude_ensemble(df, _filtres(Perimetre(alis=("ALI14",))))
    assert filtre.masque["denominateur"].iloc[0]


def test_figure_completude_ensemble_et_resume():
    # 100 épisodes, 40 renseignés par champ ; 40 sorties, 20 motifs : 40 % et 50 % (tous au-dessus du seuil).
    prot = vue_completude.completude_ensemble(pd.DataFrame([_completude("departement", 100, 40)]), _filtres())
    fig = vue_completude.figure_completude_ensemble(prot, "Seine-Saint-Denis")
    assert fig.layout.title.text == "Ensemble du périmètre : Seine-Saint-Denis"
    assert list(fig.data[0].x) == [0.4] * 4 + [0.5] + [0.4] * 2
    assert list(fig.data[0].text)[4] == "50,0\u202f%"
    assert "Motif de sortie (parmi les sorties) (50,0\u202f%)" in vue_completude.resume_completude(prot)


def test_figure_completude_par_ali_une_ligne_par_ali():
    df = pd.DataFrame([_completude("ALI14", 100, 40), _completude("ALI08", 50, 50)])
    prot = vue_completude.completude_par_ali(df)
    fig = vue_completude.figure_completude_ali(prot)
    heat = fig.data[0]
    # Groupes triés par code : ALI08 puis ALI14 ; 50/50 = 100 %, 40/100 = 40 %.
    assert list(heat.y) == ["ALI08 · Montreuil", "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"]
    assert heat.z[0][0] == 1.0 and heat.z[1][0] == 0.4
    assert heat.text[1][0] == "40,0\u202f%"
    assert len(heat.x) == len(vue_completude.CHAMPS_COURTS) == 7
    assert fig.layout.height == 360  # max(360, 30 × 2 + 260 = 320)
    assert vue_completude.table_completude_ali(prot)["Territoire"].tolist() == list(heat.y)
