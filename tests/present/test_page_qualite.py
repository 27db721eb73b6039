"""Vue « Qualité des données » (AppTest) sur une petite base dont les chiffres sont comptés à la main.

Base de test (trois extractions, chargées dans cet ordre) :
- n° 1 « ali14_juin.csv », ALI14, extraction du 30 juin 2023 : 12 lignes valides (orientées le
  15 mars 2023) puis 4 lignes rejetées, lignes 14 à 17 du fichier (l'en-tête est la ligne 1) :
  14 et 15 « sexe manquant », 16 « type_parcours inconnu », 17 doublon de la ligne 2.
  Champs facultatifs des 12 lignes valides : b1..b3 diagnostic numérique (date et niveau) ;
  b1..b6 composition du foyer ; b1 sorti (motif emploi_durable), b2 sorti sans motif (→ non_renseigne).
- n° 2 « ali08_mars.csv », ALI08 (Montreuil), extraction du 14 mars 2023 : 3 lignes valides (orientées le
  1er février 2023) et 1 ligne rejetée (ligne 5, code_ali ALI99 hors référentiel → « ALI inconnue »).
- n° 3 « ali10_mars.csv », ALI10 (Bobigny), extraction du 15 mars 2023 : 2 lignes valides (orientées le
  1er février 2023), ancienneté au RSA renseignée sur les deux.

Plus récente extraction en place = 30 juin 2023 (ALI14) : toute ALI ouverte dont l'extraction est plus
ancienne est en retard. Date commune du département (D par défaut) = la plus ancienne des extractions en
place = 14 mars 2023 (ALI08).
ALI ouvertes au 30 juin 2023 (référentiel) : ALI01, 02, 03, 04, 06, 08, 10, 11, 14, 15, 19, 20 = 12.
En retard : ALI08 (14 mars ; 108 jours avant le 30 juin : 17 + 30 + 31 + 30), ALI10 (15 mars, 107 jours) et
les 9 ouvertes sans aucune extraction (01, 02, 03, 04, 06, 11, 15, 19, 20) = 11 sur 12. ALI14 est à jour.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import date

import numpy as np
import pytest

from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre
from tests.conftest import build_db, csv_bytes, ligne, lignes
from tests.publie import cellule, publie, texte_entier

PAGE = "pages/qualite.py"
SLUG = "qualite-des-donnees"


def _ali14() -> bytes:
    rows = lignes(12)
    for r in rows[:3]:
        r.update(date_diag_numerique="2023-04-01", niveau_numerique="debutant")
    for r in rows[:6]:
        r.update(composition_foyer="seul")
    rows[0].update(date_sortie="2023-05-01", motif_sortie="emploi_durable")
    rows[1].update(date_sortie="2023-05-01")
    rows += [
        ligne(id_beneficiaire="b0000101", sexe=""),  # ligne 14
        ligne(id_beneficiaire="b0000102", sexe=""),  # ligne 15
        ligne(id_beneficiaire="b0000103", type_parcours="inconnu"),  # ligne 16
        dict(rows[0]),  # ligne 17 : doublon de b0000001 (ligne 2)
    ]
    return csv_bytes(rows)


def _ali08() -> bytes:
    rows = lignes(
        3, code_ali="ALI08", code_commune="93048", date_orientation="2023-02-01", date_extraction="2023-03-14"
    )
    rows.append(
        ligne(
            id_beneficiaire="b0000201",
            code_ali="ALI99",
            code_commune="93048",
            date_orientation="2023-02-01",
            date_extraction="2023-03-14",
        )
    )
    return csv_bytes(rows)


def _ali10() -> bytes:
    return csv_bytes(
        lignes(
            2,
            code_ali="ALI10",
            code_commune="93008",
            date_orientation="2023-02-01",
            date_extraction="2023-03-15",
            anciennete_rsa="5_ans_plus",
        )
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    path = tmp_path_factory.mktemp("qualite") / "q.duckdb"
    return build_db(path, {"ali14_juin.csv": _ali14(), "ali08_mars.csv": _ali08(), "ali10_mars.csv": _ali10()})


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, colonne: str):
    """Le premier tableau affiché qui a cette colonne."""
    for df in at.dataframe:
        if colonne in df.value.columns:
            return df.value
    raise AssertionError(f"aucun tableau avec la colonne {colonne!r}")


def figure(at, titre: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        text = spec["layout"].get("title", {})
        if (text.get("text") if isinstance(text, dict) else text) == titre:
            return spec
    raise AssertionError(f"aucun graphique intitulé {titre!r}")


def valeurs(v) -> list:
    """Une série de la figure : plotly code les tableaux numpy en binaire (« bdata »)."""
    if isinstance(v, dict) and "bdata" in v:
        data = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        if "shape" in v:
            data = data.reshape([int(n) for n in str(v["shape"]).split(",")])
        return data.tolist()
    return list(v)


def serie(trace: dict) -> dict:
    return dict(zip(valeurs(trace["y"]), valeurs(trace["x"]), strict=True))


def test_chiffres_cles_et_retards(base, app_test):
    at = app_test(base, PAGE)
    m = metrics(at)
    assert m["Dernière extraction"] == "30/06/2023"
    assert m["Date commune des données"] == "14/03/2023"
    assert m["ALI en retard"] == "11 sur 12"
    assert m["Fichiers chargés"] == "3"
    assert m["Lignes rejetées"] == "5"  # 4 (ALI14) + 1 (ALI inconnue)
    alerte = at.error[0].value.split("\n")
    assert alerte[0].startswith(
        "**11 ALI ouvertes sur 12 sont en retard** : extraction antérieure à la plus récente en place (30 juin 2023)"
    )
    # Groupes par date, le plus ancien d'abord ; plus de 5 ALI dans un groupe : les codes seulement.
    assert alerte[1:] == [
        "- dernière extraction du 14 mars 2023 (108 jours avant la dernière en place) : ALI08 · Montreuil",
        "- dernière extraction du 15 mars 2023 (107 jours avant la dernière en place) : ALI10 · Bobigny",
        "- aucune extraction chargée : ALI01, ALI02, ALI03, ALI04, ALI06, ALI11, ALI15, ALI19, ALI20",
    ]
    # Sous le titre, comme sur chaque vue : D par défaut est la date commune, les ALI en avance sont nommées.
    assert any(c.value == "Données au 14 mars 2023 · Seine-Saint-Denis" for c in at.caption)
    assert any(
        c.value == "Date commune des données : 14 mars 2023. En avance : ALI10 Bobigny (15 mars 2023) ; "
        "ALI14 Clichy-sous-Bois – Montfermeil – Coubron (30 juin 2023)."
        for c in at.caption
    )


def test_fraicheur_par_ali(base, app_test):
    at = app_test(base, PAGE)
    t = table(at, "Dernière extraction").set_index("ALI")
    assert t.loc["ALI08 · Montreuil", "Statut"] == "En retard"
    assert t.loc["ALI08 · Montreuil", "Dernière extraction"] == "14 mars 2023"
    assert t.loc["ALI10 · Bobigny", "Statut"] == "En retard"  # derrière le 30 juin : en retard, même de peu
    assert t.loc["ALI10 · Bobigny", "Jours avant la dernière extraction en place"] == "107"
    assert t.loc["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", "Statut"] == "À jour"
    assert t.loc["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", "Lignes de l'instantané"] == "12"
    assert t.loc["ALI01 · Saint-Denis", "Statut"] == "En retard : aucune extraction"
    assert t.loc["ALI22 · Le Blanc-Mesnil", "Statut"] == "Pas encore ouverte"  # ouvre en octobre 2024
    assert len(t) == 22


def test_une_date_d_choisie_ne_change_pas_les_retards(base, app_test):
    # Les retards se jugent face à la plus récente extraction, pas à D : D = 31 mars 2023 (choisie après la date
    # commune) laisse 11 ALI en retard sur 12. Les vues disent alors quelles ALI n'ont pas de données à D.
    at = app_test(base, PAGE, query_params={"fin": "2023-03-31"})
    assert metrics(at)["ALI en retard"] == "11 sur 12"
    assert any(
        c.value == "Date commune des données : 14 mars 2023. En avance : ALI14 Clichy-sous-Bois – Montfermeil – "
        "Coubron (30 juin 2023). Pas encore de données au 31 mars 2023 (chiffres incomplets) : ALI08 Montreuil "
        "(14 mars 2023) ; ALI10 Bobigny (15 mars 2023)."
        for c in at.caption
    )


def test_filtre_ali_restreint_fraicheur_et_rejets_sans_masquer(base, app_test):
    at = app_test(base, PAGE, query_params={"ali": ["ALI14"]})
    m = metrics(at)
    assert m["ALI en retard"] == "0 sur 1"
    # 4 lignes rejetées en ALI14 : des lignes de fichier, pas des personnes → montrées telles quelles,
    # jamais « secret » (choix documenté dans insertion/present/qualite.py).
    assert m["Lignes rejetées"] == "4"
    par_ali = [df.value for df in at.dataframe if df.value.columns.tolist() == ["ALI", "Lignes rejetées"]][0]
    assert par_ali.to_numpy().tolist() == [["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron", "4"]]
    # La complétude (tableaux « Territoire ») compte des épisodes du périmètre : elle, est protégée.
    fichiers = [df.value for df in at.dataframe if "Territoire" not in df.value.columns]
    assert "secret" not in json.dumps([df.astype(str).to_numpy().tolist() for df in fichiers])
    assert at.success[0].value.startswith("La seule ALI ouverte au 30 juin 2023 est à jour")


def test_rejets_par_motif_par_ali_et_quarantaine_sans_valeur(base, app_test):
    at = app_test(base, PAGE)
    motifs = figure(at, "Lignes rejetées par motif")["data"][0]
    compte = serie(motifs)
    assert compte == {
        "sexe manquant": 2,
        "type_parcours inconnu": 1,
        "doublon": 1,
        "code_ali absent du référentiel des ALI": 1,
    }
    par_ali = figure(at, "Lignes rejetées par ALI")["data"][0]
    assert serie(par_ali) == {
        "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron": 4,
        "ALI inconnue ou illisible": 1,
    }
    q = table(at, "Précision")
    assert q.columns.tolist() == ["N° de chargement", "Fichier", "Ligne", "ALI", "Colonne", "Motif", "Précision"]
    juin = q[q["Fichier"] == "ali14_juin.csv"]
    assert juin["Ligne"].tolist() == [14, 15, 16, 17]
    assert juin["Colonne"].tolist() == ["sexe", "sexe", "type_parcours", "id_beneficiaire"]
    assert juin["Précision"].tolist()[-1] == "première occurrence ligne 2"
    mars = q[q["Fichier"] == "ali08_mars.csv"]
    assert mars["Ligne"].tolist() == [5] and mars["ALI"].tolist() == ["ALI inconnue ou illisible"]
    # Aucune valeur des fichiers : ni pseudonyme, ni code ALI hors référentiel.
    texte = q.astype(str).to_numpy().tolist().__repr__()
    assert "b0000" not in texte and "ALI99" not in texte


def test_choisir_un_chargement(base, app_test):
    at = app_test(base, PAGE)
    choix = at.selectbox(key="qualite_chargement")
    assert choix.options == [
        "Tous les chargements",
        "n° 2 · ali08_mars.csv (1 ligne rejetée)",
        "n° 1 · ali14_juin.csv (4 lignes rejetées)",
    ]
    choix.set_value(2).run()
    assert not at.exception
    q = table(at, "Précision")
    assert q["Fichier"].tolist() == ["ali08_mars.csv"]
    valeur = at.query_params["chargement"]
    assert ([valeur] if isinstance(valeur, str) else list(valeur)) == ["2"]  # le lien rouvre ce choix


def test_lien_vers_un_chargement(base, app_test):
    at = app_test(base, PAGE, query_params={"chargement": "1"})
    at.switch_page(PAGE).run()
    assert at.selectbox(key="qualite_chargement").value == 1
    assert table(at, "Précision")["Ligne"].tolist() == [14, 15, 16, 17]


def test_historique_plus_recent_d_abord(base, app_test):
    at = app_test(base, PAGE)
    h = table(at, "Message")
    assert h["Fichier"].tolist() == ["ali10_mars.csv", "ali08_mars.csv", "ali14_juin.csv"]
    juin = h.iloc[2]
    assert (juin["Lignes lues"], juin["Acceptées"], juin["Rejetées"]) == ("16", "12", "4")
    assert juin["Date d'extraction"] == "30 juin 2023"
    assert juin["ALI remplacées"] == "ALI14"
    assert juin["Statut"] == "Chargé"


def test_completude_departement_et_par_ali(base, app_test):
    # D choisie au 30 juin 2023 (la plus récente extraction ; par défaut D serait la date commune, le 14 mars,
    # avant les orientations d'ALI14 du 15 mars).
    at = app_test(base, PAGE, query_params={"fin": "2023-06-30"})
    ensemble = figure(at, "Ensemble du périmètre : Seine-Saint-Denis")["data"][0]
    taux = serie(ensemble)
    # 17 épisodes courants (12 + 3 + 2) ; 2 sorties, toutes en ALI14. Les parts renseignées sont des taux :
    # 3, 6 et 2 sur 17 ont un numérateur de 1 à 10, 1 sur 2 un dénominateur sous le seuil → non diffusées.
    # La période commence en janvier 2023, avant le premier mois où un flux du département peut être exact
    # (mars 2023) : le département est protégé comme une case, son 0 sur 17 masqué, ses 17 publiés bruités.
    assert math.isnan(taux["Date du diagnostic numérique"])
    assert math.isnan(taux["Composition du foyer"])
    assert math.isnan(taux["Ancienneté au RSA"])
    assert math.isnan(taux["Motif de sortie (parmi les sorties)"])
    assert math.isnan(taux["Niveau linguistique"])
    t = table(at, "Territoire").set_index("Territoire")
    assert t.loc["Seine-Saint-Denis", "Date du diagnostic numérique"] == "secret"
    params = {"debut": date(2023, 1, 1), "fin": date(2023, 6, 30), **Perimetre().parametres()}
    episodes = cellule(publie(base, "qualite_completude", **params, groupe="departement"), "episodes")
    assert abs(episodes - 17) <= 3
    assert t.loc["Seine-Saint-Denis", "Épisodes courants"] == texte_entier(episodes)
    carte = figure(at, "Par ALI")["data"][0]
    lignes_carte = dict(zip(valeurs(carte["y"]), valeurs(carte["z"]), strict=True))
    # ALI14 : 3 sur 12, 3 sur 12, 0, 0, 1 sur 2 → rien n'est diffusé (un zéro sous le département est masqué).
    ali14 = lignes_carte["ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"][:5]
    assert [math.isnan(v) for v in ali14] == [True] * 5
    assert math.isnan(lignes_carte["ALI10 · Bobigny"][4])  # aucune sortie : pas de taux de motif
    par_ali = [df.value for df in at.dataframe if "Territoire" in df.value.columns][1]
    ali10 = par_ali.set_index("Territoire").loc["ALI10 · Bobigny"]
    assert ali10["Épisodes courants"] == "secret"  # 2 épisodes d'une ALI


def test_completude_suit_la_periode(base, app_test):
    # Orientations depuis le 1er mars 2023 : seules les 12 d'ALI14 (les autres le 1er février).
    at = app_test(base, PAGE, query_params={"debut": "2023-03-01", "fin": "2023-06-30"})
    ensemble = figure(at, "Ensemble du périmètre : Seine-Saint-Denis")["data"][0]
    taux = serie(ensemble)
    # 3 sur 12 : non diffusé (numérateur de 1 à 10) ; 0 sur 12 l'est.
    assert math.isnan(taux["Date du diagnostic numérique"])
    assert taux["Ancienneté au RSA"] == 0


def test_filtre_de_la_barre_laterale(base, app_test):
    at = app_test(base, PAGE)
    at.multiselect(key=cle_widget("ali", SLUG)).select("ALI08").select("ALI10").run()
    assert metrics(at)["ALI en retard"] == "2 sur 2"  # ALI08 et ALI10 derrière ALI14 (30 juin), hors du territoire
    assert metrics(at)["Date commune des données"] == "14/03/2023"
    assert metrics(at)["Lignes rejetées"] == "0"  # la ligne ALI99 n'appartient à aucune ALI du territoire


def test_base_sans_extraction_en_place(tmp_path, app_test):
    """Toutes les lignes rejetées : aucune date D, mais la page montre l'historique et les rejets."""
    path = build_db(tmp_path / "vide.duckdb", {"rate.csv": csv_bytes(lignes(3, sexe=""))})
    at = app_test(path, PAGE)
    assert "aucune extraction de file active en place" in at.info[0].value
    assert metrics(at)["Lignes rejetées"] == "3"
    assert table(at, "Message")["Rejetées"].tolist() == ["3"]
    assert table(at, "Précision")["Ligne"].tolist() == [2, 3, 4]
