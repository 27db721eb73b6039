"""insertion.figures.qualite : la mise en forme de la page Qualité des données, sans Streamlit.

Petits tableaux écrits à la main ; chaque valeur attendue se recompte dans le commentaire qui la précède.
"""

from __future__ import annotations

from datetime import date, datetime

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
    assert vue_rejets.table_rejets_motif(par_motif).texte.to_numpy().tolist() == [
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
    assert vue_completude.table_completude_ali(prot).texte["Territoire"].tolist() == list(heat.y)


# --- Exports : des nombres et des dates, le texte de l'écran inchangé ------------------------------------------


def _lire_csv(table) -> list[list[str]]:
    import csv
    import io

    from insertion.outputs import exports

    return list(csv.reader(io.StringIO(exports.ecrire_csv(table).decode("utf-8-sig")), delimiter=";"))


def _lire_classeur(table) -> list[list[object]]:
    import io

    from openpyxl import load_workbook

    from insertion.outputs import exports

    octets = exports.ecrire_classeur(table, titre="Qualité", definitions=[], filtres=[], date_donnees=JUIN)
    return [list(r) for r in load_workbook(io.BytesIO(octets))["Données"].iter_rows(values_only=True)]


def test_l_historique_exporte_ses_dates_et_ses_comptes_en_nombres():
    # N° 1234 : 1 500 lignes lues, 1 497 acceptées, 3 rejetées, chargé le 2 juillet 2023 à 09:05 ; le n° 7 n'a
    # remplacé aucune ALI (« – » à l'écran, case vide dans l'export).
    df = pd.DataFrame(
        {
            "id_chargement": [1234, 7],
            "fichier": ["a.csv", "=b.csv"],
            "nature": ["file_active", "budget"],
            "date_extraction": [pd.Timestamp(2023, 6, 30), pd.Timestamp(2023, 3, 1)],
            "lignes_lues": [1500, 4],
            "acceptees": [1497, 4],
            "rejetees": [3, 0],
            "ali_remplacees": ["ALI14", ""],
            "ali_historique": ["", ""],
            "annees_remplacees": ["", "2022, 2023"],
            "charge_le": [pd.Timestamp(2023, 7, 2, 9, 5), pd.NaT],
            "statut": ["loaded", "loaded"],
            "message": ["ok", "ok"],
        }
    )
    t = vue.historique(df)
    ecran = t.texte
    assert ecran["N°"].tolist() == ["1234", "7"]  # un numéro : sans séparateur de milliers
    assert ecran["Date d'extraction"].tolist() == ["30 juin 2023", "1er mars 2023"]
    assert ecran["Lignes lues"].tolist() == ["1\u202f500", "4"]
    assert ecran["ALI remplacées"].tolist() == ["ALI14", "–"]
    assert ecran["Chargé le"].tolist() == ["2 juillet 2023 à 09:05", "–"]
    lignes = _lire_csv(t)
    assert lignes[0] == [
        "N°", "Fichier", "Nature", "Date d'extraction", "Lignes lues", "Acceptées", "Rejetées", "ALI remplacées",
        "ALI en historique seulement", "Années de budget remplacées", "Chargé le", "Statut", "Message",
    ]  # fmt: skip
    assert lignes[1] == [
        "1234", "a.csv", "Extraction de file active", "2023-06-30", "1500", "1497", "3", "ALI14", "", "",
        "2023-07-02 09:05", "Chargé", "ok",
    ]  # fmt: skip
    # Un nom de fichier qui commence par « = » est neutralisé ; l'année de budget reste du texte.
    assert lignes[2][:4] == ["7", "'=b.csv", "Budget", "2023-03-01"]
    assert lignes[2][9:11] == ["2022, 2023", ""]
    classeur = _lire_classeur(t)
    assert classeur[1][0] == 1234 and classeur[1][4] == 1500
    assert classeur[1][10] == datetime(2023, 7, 2, 9, 5)


def test_la_fraicheur_exporte_mois_dates_et_nombres():
    t = vue.tableau_fraicheur(_fraicheur())
    # Même texte qu'à l'écran avant : mois d'ouverture, date longue, « – » sans extraction.
    assert t.texte.to_numpy().tolist()[1] == [
        "ALI08 · Montreuil", "janvier 2023", "14 mars 2023", "108", "10", "f.csv", "En retard",
    ]  # fmt: skip
    assert t.texte.to_numpy().tolist()[2][1:6] == ["janvier 2023", "–", "–", "–", "f.csv"]
    lignes = _lire_csv(t)
    assert lignes[0][3] == "Jours avant la dernière extraction en place"
    # ALI14 : à jour (0 jour), ALI08 : 108 jours, ALI22 : pas d'extraction (cases vides).
    assert [ligne[1:5] for ligne in lignes[1:]] == [
        ["2023-01", "2023-06-30", "0", "10"],
        ["2023-01", "2023-03-14", "108", "10"],
        ["2023-01", "", "", ""],
    ]
    classeur = _lire_classeur(t)
    assert classeur[2][1:5] == [datetime(2023, 1, 1), datetime(2023, 3, 14), 108, 10]


def test_les_rejets_et_la_quarantaine_exportent_leurs_comptes_en_nombres():
    par_motif = vue_rejets.rejets_par_motif(_rejets().assign(colonne=["sexe", None, "sexe", "sexe"]))
    t = vue_rejets.table_rejets_motif(par_motif)
    assert t.texte["Colonne"].tolist() == ["sexe", "–"]
    # sexe manquant : 2 + 3 + 1 = 6 ; code_ali absent : 1, sans colonne (case vide).
    assert _lire_csv(t)[1:] == [["sexe manquant", "sexe", "6"], ["code_ali absent (référentiel)", "", "1"]]
    par_ali = vue_rejets.table_rejets_ali(vue_rejets.rejets_par_ali(_rejets()))
    assert [ligne[1] for ligne in _lire_csv(par_ali)] == ["Lignes rejetées", "5", "1", "1"]

    detail = pd.DataFrame(
        {
            "id_chargement": [2, 1],
            "fichier": ["b.csv", "a.csv"],
            "ligne": [1017, 9],
            "code_ali": [None, "ALI14"],
            "colonne": [None, "sexe"],
            "motif": ["code_ali absent", "sexe manquant"],
            "detail": [None, "valeur vide"],
        }
    )
    q = vue_rejets.tableau_quarantaine(detail)
    # La ligne reste un nombre à l'écran (triée comme un nombre), le numéro de chargement un texte comme avant.
    assert q.texte["Ligne"].tolist() == [1017, 9]
    assert q.texte["N° de chargement"].tolist() == ["2", "1"]
    assert q.texte["Colonne"].tolist() == ["–", "sexe"]
    classeur = _lire_classeur(q)
    assert classeur[1] == [2, "b.csv", 1017, vue_rejets.ALI_INCONNUE, None, "code_ali absent", None]
    assert classeur[2][:3] == [1, "a.csv", 9]


def test_la_completude_exporte_ses_parts_en_pourcentage_et_jamais_une_case_masquee():
    # ALI14 : 100 épisodes, 40 renseignés (40 %), 40 sorties dont 20 motifs (50 %) ; ALI08 : 7 épisodes, 7
    # renseignés, masqués (effectif de 1 à 10 dans une ALI), leurs parts aussi.
    df = pd.DataFrame([_completude("ALI14", 100, 40), _completude("ALI08", 7, 7)])
    t = vue_completude.table_completude_ali(vue_completude.completude_par_ali(df))
    assert t.texte["Date du diagnostic numérique"].tolist() == ["secret", "40,0\u202f%"]
    assert t.texte["Épisodes courants"].tolist() == ["secret", "100"]
    assert t.valeurs["Épisodes courants"].tolist()[0] == "secret"
    lignes = _lire_csv(t)
    assert lignes[0][1] == "Date du diagnostic numérique (%)"
    assert lignes[0][-2:] == ["Épisodes courants", "Sorties"]
    assert lignes[1][0] == "ALI08 · Montreuil" and lignes[1][-2] == "secret"
    assert lignes[2] == ["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"] + ["40"] * 4 + ["50"] + ["40"] * 2 + [
        "100",
        "40",
    ]
