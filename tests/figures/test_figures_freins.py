"""insertion.figures.freins, ce que la page Freins et réseau pose, sans Streamlit ni base, sur de petits tableaux
publiés dont les chiffres se lisent à la main :

Prévalence (100 personnes dont la réponse est connue) : logement 40 (40 %), mobilité 5 (5 %), langue 25 (25 %).
Une part n'est montrée que si ses deux côtés valent 0 ou au moins 11 : mobilité (5 et 95) est « secret », même au
département ; sous le département (un filtre d'ALI), l'effectif de 5 l'est aussi. Le frein le plus fréquent parmi
les parts diffusées est le logement (40,0 %).
Freins par personne (100 personnes) : aucun 30, un 40, deux 30 → au moins un : 1 − 30 % = 70,0 %. Avec 5 personnes
sans frein sous un filtre, la classe « aucun » est masquée : la part avec au moins un frein ne se déduit pas.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from insertion.figures import freins as vue
from insertion.figures import reseau as vue_reseau
from insertion.outputs import exports
from insertion.store.requetes import Perimetre

NB = "\u202f"
DEPARTEMENT = Perimetre()
ALI04 = Perimetre(alis=("ALI04",))


def prevalence(groupe: str = "Seine-Saint-Denis") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "groupe": [groupe] * 3,
            "frein": ["logement", "mobilite", "langue"],
            "connus": [100.0, 100.0, 100.0],
            "avec_frein": [40.0, 5.0, 25.0],
            "part": [0.40, 0.05, 0.25],
        }
    )


def par_personne(sans_frein: float = 30.0) -> pd.DataFrame:
    personnes = [sans_frein, 100.0 - sans_frein - 30.0, 30.0]  # aucun, un, deux freins ; 100 personnes
    return pd.DataFrame(
        {"nb_freins": [0, 1, 2], "personnes": personnes, "total": [100.0] * 3, "part": [p / 100 for p in personnes]}
    )


def test_sans_filtre_le_departement_est_exact_sauf_les_parts_non_publiables():
    table = vue.graphique_prevalence([("Seine-Saint-Denis", vue.prevalence(prevalence(), DEPARTEMENT))]).table
    assert table.texte["Personnes avec le frein"].tolist() == ["40", "5", "25"]
    assert table.texte["Part avec le frein"].tolist() == [f"40,0{NB}%", "secret", f"25,0{NB}%"]


def test_sous_un_filtre_le_petit_effectif_est_secret_aussi():
    g = vue.graphique_prevalence([("ALI04", vue.prevalence(prevalence(), ALI04))])
    assert g.table.texte["Personnes avec le frein"].tolist() == ["40", "secret", "25"]
    assert g.masque
    assert set(g.table.texte["Territoire"]) == {"ALI04"}
    # Les valeurs que lisent les exports ne gardent pas la case masquée : « secret », jamais 5.
    assert g.table.valeurs["Personnes avec le frein"].tolist() == [40.0, "secret", 25.0]


def test_l_export_de_la_prevalence_ecrit_les_nombres_et_garde_secret_en_texte():
    g = vue.graphique_prevalence([("ALI04", vue.prevalence(prevalence(), ALI04))])
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(g.table).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == [
        "Territoire",
        "Frein",
        "Personnes suivies (réponse connue)",
        "Personnes avec le frein",
        "Part avec le frein (%)",
    ]
    # 40 sur 100 → 40,0 % écrit 40 ; mobilité (5 sur 100) reste « secret » ; 25 sur 100 → 25.
    assert lignes[1:] == [
        ["ALI04", "Logement", "100", "40", "40"],
        ["ALI04", "Mobilité", "100", "secret", "secret"],
        ["ALI04", "Langue", "100", "25", "25"],
    ]


def test_l_export_des_freins_par_personne_ecrit_des_parts_arrondies_comme_a_l_ecran():
    from openpyxl import load_workbook

    # 90 personnes : 30 sans frein (33,3 %), 40 avec un (44,4 %), 20 avec deux (22,2 %). Le classeur écrit la part
    # arrondie comme à l'écran (33,3), pas 33,333…
    df = pd.DataFrame(
        {
            "nb_freins": [0, 1, 2],
            "personnes": [30.0, 40.0, 20.0],
            "total": [90.0] * 3,
            "part": [30 / 90, 40 / 90, 20 / 90],
        }
    )
    t = vue.table_par_personne(vue.par_personne(df, DEPARTEMENT))
    assert t.texte["Part"].tolist() == [f"33,3{NB}%", f"44,4{NB}%", f"22,2{NB}%"]
    classeur = exports.ecrire_classeur(t, titre="Freins", definitions=[], filtres=[], date_donnees=date(2024, 6, 30))
    feuille = load_workbook(io.BytesIO(classeur))["Données"]
    lignes = [list(r) for r in feuille.iter_rows(values_only=True)]
    assert lignes[0] == [
        "Nombre de freins",
        "Personnes suivies",
        "Part (%)",
        "Personnes avec au moins une réponse connue",
    ]
    assert lignes[1:] == [["Aucun frein", 30, 33.3, 90], ["1 frein", 40, 44.4, 90], ["2 freins", 20, 22.2, 90]]


def test_les_cartes_donnent_le_frein_le_plus_frequent_et_la_part_avec_au_moins_un_frein():
    cartes = vue.chiffres_cles(vue.prevalence(prevalence(), DEPARTEMENT), vue.par_personne(par_personne(), DEPARTEMENT))
    assert [c["label"] for c in cartes] == ["Frein le plus fréquent", "Personnes avec au moins un frein"]
    assert [c["valeur"] for c in cartes] == [f"Logement (40,0{NB}%)", f"70,0{NB}%"]


def test_une_classe_aucun_frein_masquee_ne_laisse_pas_deduire_la_part_avec_un_frein():
    cartes = vue.chiffres_cles(vue.prevalence(prevalence(), ALI04), vue.par_personne(par_personne(5.0), ALI04))
    assert cartes[1]["valeur"] == "secret"


def test_sans_part_diffusee_le_frein_le_plus_frequent_est_secret_et_la_carte_lit_le_premier_frein():
    tout_petit = prevalence().assign(avec_frein=[5.0, 5.0, 5.0], part=[0.05, 0.05, 0.05])
    prev = vue.prevalence(tout_petit, ALI04)
    assert vue.chiffres_cles(prev, vue.par_personne(par_personne(), ALI04))[0]["valeur"] == "secret"
    # La carte par ALI lit la colonne du frein le plus fréquent du territoire ; faute de part diffusée, le premier
    # des freins (logement), où ALI04 a 40 % et ALI14 est « secret » (5 sur 100).
    par_ali = pd.concat([prevalence("ALI04"), tout_petit.assign(groupe="ALI14")], ignore_index=True)
    g = vue.graphique_carte(par_ali, "ali", prev)
    assert "« Logement »" in g.resume
    assert g.masque
    assert len(g.table) == 6 and set(g.table.texte["Part avec le frein"]) >= {"secret", f"40,0{NB}%"}


def test_un_graphique_sans_ligne_le_dit_a_la_page():
    vide = vue.par_personne(par_personne().iloc[0:0], ALI04)
    assert vue.graphique_par_personne(vide).vide
    assert not vue.graphique_par_personne(vue.par_personne(par_personne(), DEPARTEMENT)).vide


def test_la_commune_proposee_est_la_mieux_couverte_par_le_reseau():
    lignes = pd.DataFrame(
        {
            "groupe": ["93055", "93055", "93014", "93014"],
            "commune": ["Pantin", "Pantin", "Clichy-sous-Bois", "Clichy-sous-Bois"],
            "structures": [1, 1, 0, 3],  # Pantin 2, Clichy-sous-Bois 3
        }
    )
    communes, defaut = vue_reseau.communes_reseau(lignes)
    assert communes == {"93055": "Pantin", "93014": "Clichy-sous-Bois"}
    assert defaut == "93014"
    assert vue_reseau.communes_reseau(lignes.iloc[0:0]) == ({}, None)


def test_la_commune_choisie_face_a_son_reseau_et_le_tableau_de_toutes_les_communes():
    prot = vue_reseau.prevalence_communes(pd.concat([prevalence("93055"), prevalence("93014")], ignore_index=True))
    assert vue_reseau.codes_communes(prot) == ("93014", "93055")
    couverture = pd.DataFrame(
        {"code_commune": ["93055"], "commune": ["Pantin"], "frein": ["logement"], "domaine": ["logement"],
         "structures": [2]}
    )  # fmt: skip
    lignes = vue_reseau.vis_a_vis(prot, couverture)
    g = vue_reseau.graphique_vis_a_vis(lignes, "93055", "Pantin")
    assert len(g.table) == 6  # toutes les communes
    assert g.masque  # mobilité : 5 sur 100
    assert g.resume.startswith(
        f"Pantin : le frein le plus fréquent parmi les personnes suivies est « Logement » (40,0{NB}%)"
    )


def test_les_communes_de_l_annuaire_sont_triees_par_nom_et_la_phrase_compte_les_structures():
    annuaire = pd.DataFrame(
        {"code_commune": ["93055", "93014", "93999"], "commune": ["Pantin", "Clichy-sous-Bois", None]}
    )
    assert list(vue_reseau.communes_annuaire(annuaire).items()) == [
        ("93999", "93999"), ("93014", "Clichy-sous-Bois"), ("93055", "Pantin")
    ]  # fmt: skip
    assert vue_reseau.phrase_annuaire(1, 5) == "1 structure sur 5."
    assert vue_reseau.phrase_annuaire(0, 5) == "0 structure sur 5."
    assert vue_reseau.phrase_annuaire(2, 1200) == f"2 structures sur 1{NB}200."


def test_les_notes_disent_les_dates():
    assert "au 30 juin 2024 (file active)" in vue.note_file_active(date(2024, 6, 30))
    assert vue.note_sortie(date(2023, 1, 1), date(2024, 6, 30)).startswith(
        "Épisodes orientés du 1er janvier 2023 au 30 juin 2024 ayant au moins un an de recul"
    )
