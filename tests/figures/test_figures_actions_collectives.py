"""insertion.figures.actions_collectives, ce que la page Actions collectives pose, sans Streamlit ni base, sur de
petits résultats publiés écrits à la main (NaN : masqué par la couche de publication) :

Par type (période) : aller-vers 3 séances, 93 participants, 28 rendez-vous, 15 personnes remobilisées ; ateliers
numériques 4 séances, 32 places, 27 participants ; information collective 2 séances, 40 places, participants masqués.
La règle du total masque aussi la plus petite case suivante (les 27 participants des ateliers) : « secret ».
Quartiers : une séance sans quartier est écartée ; Pantin « Quatre-Chemins » 40 participants, 12 rendez-vous,
15 personnes remobilisées. Ateliers : 40 débutants au département dont 24 venus (60,0 % ; 24 venus et 16 non venus,
chacun d'au moins 11 : publiable) ; par ALI, ALI14 40 dont 24, une ALI sans code (réseau local) 3 dont 1, masquée.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pandas as pd

from insertion.figures import actions_collectives as vue
from insertion.outputs import exports

NAN = math.nan
NB = "\u202f"


def seances(groupes, **colonnes) -> pd.DataFrame:
    n = len(groupes)
    base = {
        "groupe": groupes,
        "code_commune": [None] * n,
        "mois": [None] * n,
        "seances": [1] * n,
        "places": [NAN] * n,
        "participants": [20.0] * n,
        "participants_places": [NAN] * n,
        "rendez_vous_pris": [0.0] * n,
        "personnes_remobilisees": [0.0] * n,
        "seances_rendez_vous": [0] * n,
        "seances_remobilisees": [0] * n,
        "taux_remplissage": [NAN] * n,
        "rendez_vous_par_seance": [NAN] * n,
    }
    return pd.DataFrame({**base, **colonnes})


def par_type() -> pd.DataFrame:
    return seances(
        ["aller_vers", "atelier_numerique", "information_collective"],
        seances=[3, 4, 2],
        places=[NAN, 32, 40],
        participants=[93.0, 27.0, NAN],
        participants_places=[NAN, 27.0, NAN],
        rendez_vous_pris=[28.0, NAN, 12.0],
        personnes_remobilisees=[15.0, NAN, NAN],
        seances_rendez_vous=[3, 0, 2],
        seances_remobilisees=[3, 0, 0],
        taux_remplissage=[NAN, 27 / 32, NAN],
        rendez_vous_par_seance=[28 / 3, NAN, 6.0],
    )


def test_par_type_une_barre_par_type_et_la_regle_du_total():
    g = vue.graphique_types(par_type())
    assert list(g.table.texte["Type d'action"]) == [vue.TYPES[t] for t in ("aller_vers", "atelier_numerique",
                                                                      "information_collective")]  # fmt: skip
    assert list(g.table.texte["Participants"]) == ["93", "secret", "secret"]
    assert g.masque and not g.vide
    assert vue.TYPES["aller_vers"] in g.resume  # le plus de participants diffusés
    # Une barre par colonne montrée, chacune de la couleur des types.
    couleurs = [vue.COULEURS_TYPES[t] for t in ("aller_vers", "atelier_numerique", "information_collective")]
    assert all(list(trace.marker.color) == couleurs for trace in g.figure.data)


def test_les_cartes_lisent_la_periode_et_la_courbe_les_mois_diffuses():
    total = vue.proteger(seances(["departement"], seances=[9], participants=[120.0]))
    mensuel = vue.proteger(seances(["departement"] * 3, seances=[2, 3, 4], participants=[30.0, 40.0, 50.0]))
    cartes = vue.chiffres_cles(total, mensuel)
    assert [c["label"] for c in cartes] == [nom for _, nom, _ in vue.CARTES]
    assert cartes[0]["valeur"] == "9" and cartes[0]["serie"] == [2.0, 3.0, 4.0]
    assert cartes[1]["valeur"] == "120" and cartes[1]["serie"] == [30.0, 40.0, 50.0]


def test_les_quartiers_ecartent_les_seances_sans_quartier_et_disent_quand_il_n_y_en_a_pas():
    df = seances(
        ["Quatre-Chemins", None],
        code_commune=["93055", "93055"],
        participants=[40.0, 25.0],
        rendez_vous_pris=[12.0, 0.0],
        personnes_remobilisees=[15.0, 0.0],
        seances_rendez_vous=[1, 0],
        seances_remobilisees=[1, 0],
    )
    g = vue.graphique_quartiers(df)
    assert g.table.texte.to_dict("list")["Quartier (commune)"] == ["Quatre-Chemins (Pantin)"]
    assert list(g.table.texte["Personnes remobilisées"]) == ["15"]
    assert not g.vide
    assert vue.graphique_quartiers(df.iloc[1:]).vide


def lire_csv(table) -> list[list[str]]:
    return list(csv.reader(io.StringIO(exports.ecrire_csv(table).decode("utf-8-sig")), delimiter=";"))


def test_l_export_par_type_ecrit_les_nombres_et_garde_secret_en_texte():
    t = vue.graphique_types(par_type()).table
    # Les valeurs que lisent les exports ne gardent pas les cases masquées : « secret », jamais 27.
    assert t.valeurs["Participants"].tolist() == [93.0, "secret", "secret"]
    lignes = lire_csv(t)
    assert lignes[0] == [
        "Type d'action",
        "Séances",
        "Places (séances où elles sont connues)",
        "Participants",
        "Taux de remplissage (%)",
        "Rendez-vous pris",
        "Rendez-vous par séance",
        "Personnes remobilisées",
    ]
    # Aller-vers : 28 rendez-vous en 3 séances = 9,33… écrit 9,3 comme à l'écran ; sans places, le remplissage est
    # sans objet (case vide). Information collective : 12 rendez-vous en 2 séances = 6.
    assert lignes[1][1:] == ["3", "", "93", "", "28", "9,3", "15"]
    assert lignes[2][1:] == ["4", "32", "secret", "secret", "", "", ""]
    assert lignes[3][1:] == ["2", "40", "secret", "secret", "12", "6", ""]


def test_par_mois_la_phrase_lit_les_participants_tous_types_confondus():
    mois = pd.to_datetime(["2023-05-01", "2023-05-01", "2023-06-01", "2023-06-01"])
    df = seances(["aller_vers", "atelier_numerique"] * 2, mois=mois, participants=[30.0, 20.0, 40.0, 25.0])
    mensuel = vue.proteger(seances(["departement"] * 2, mois=mois[::2], participants=[50.0, 65.0]))
    g = vue.graphique_mois(df, mensuel)
    assert list(g.table.texte["Mois"]) == ["mai 2023", "mai 2023", "juin 2023", "juin 2023"]
    assert "juin 2023" in g.resume and "65" in g.resume and not g.masque
    # Le classeur écrit le mois en date (1er du mois), au format « mois année » en français.
    from openpyxl import load_workbook

    classeur = exports.ecrire_classeur(
        g.table, titre="Actions", definitions=[], filtres=[], date_donnees=date(2023, 6, 30)
    )
    feuille = load_workbook(io.BytesIO(classeur))["Données"]
    assert [c.value.date() for c in feuille["A"][1:]] == [date(2023, 5, 1)] * 2 + [date(2023, 6, 1)] * 2
    assert feuille["A2"].number_format == "[$-40C]mmmm yyyy"
    assert [c.value for c in feuille["D"]] == ["Participants", 30, 20, 40, 25]


def ateliers(groupes, debutants, venus) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "groupe": groupes,
            "debutants": debutants,
            "debutants_atelier": venus,
            "taux_atelier_60j": [v / d for v, d in zip(venus, debutants, strict=True)],
        }
    )


def test_la_carte_et_les_barres_des_ateliers_apres_diagnostic():
    carte = vue.carte_ateliers(ateliers(["departement"], [40.0], [24.0]))
    assert carte == {
        "label": "Débutants en atelier",
        "valeur": f"60,0{NB}%",
        "aide": "Débutants passés par un atelier numérique dans les 60 jours suivant leur diagnostic, sur 40 "
        "épisodes diagnostiqués débutants en numérique.",
    }
    g = vue.graphique_ateliers(ateliers(["ALI14", None], [40.0, 3.0], [24.0, 1.0]))
    assert g.table.texte["ALI"].iloc[1] == vue.SANS_ALI
    assert list(g.table.texte["Part"]) == [f"60,0{NB}%", "secret"]
    # 24 / 40 = 60 % ; l'ALI sans code (1 sur 3) reste « secret » dans l'export.
    assert lire_csv(g.table)[1:] == [
        [g.table.texte["ALI"].iloc[0], "40", "24", "60"],
        [vue.SANS_ALI, "secret", "secret", "secret"],
    ]
    assert lire_csv(g.table)[0][-1] == "Part (%)"
    assert g.masque and not g.vide
    assert vue.graphique_ateliers(ateliers([], [], [])).vide
    assert vue.carte_ateliers(ateliers([], [], []))["valeur"] == "–"
