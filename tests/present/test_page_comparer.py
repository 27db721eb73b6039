"""Vue Comparer les territoires, par AppTest, sur une petite base dont les chiffres sont calculés à la main.

La page publie (issue 12, insertion/protect/publication.py) : chaque attendu est la valeur publiée de sa case,
`publiee(...)` sur la même base et les mêmes paramètres que la page, ou « secret » quand la règle l'impose
(effectif de 0 à 10 sous le département, taux dont le numérateur ou le complément est masqué, coût d'une ALI
dont la file active moyenne publiée est sous 11). Les chiffres bruts ci-dessous disent d'où viennent ces
valeurs ; une valeur publiée par clés de cellule est à ±3 de son chiffre brut. Le département est exact pour
un stock à D (file active, coût) sans filtre ; ses flux et ses taux de la période par défaut (qui commence
en janvier 2023, avant mars 2023) sont bruités comme ceux d'une ALI.

Extraction au 30 juin 2024 (D) ; période par défaut : orientations du 1er janvier 2023 à D.
- ALI14 (Clichy-sous-Bois) : 20 personnes orientées le 15 mars 2023 ; n° 1 à 15 diagnostic numérique le
  15 avril (31 jours) ; n° 1 à 10 diagnostic linguistique le 15 mai (61 jours) ; n° 1 à 5 sorties le
  15 septembre 2023 en emploi durable, n° 6 à 8 le 15 octobre en emploi de transition ; n° 16 à 20 en
  parcours professionnel (les autres : social).
  → file active 20 − 8 = 12 ; entrées 20 ; sorties 8 ; numérique 15/20 = 75 % ; linguistique 10/20 = 50 % ;
    sortie en emploi à 12 mois 8/20 = 40 % ; emploi durable 5/20 = 25 %.
- ALI04 (La Courneuve) : 4 personnes orientées le 15 mars 2023 → file active 4, entrées 4 (masquées).
- ALI01 (Saint-Denis) : 30 personnes orientées le 15 juin 2023, toutes diagnostiquées (numérique) le
  15 juillet, n° 1 à 15 aussi en linguistique ; n° 1 à 6 sorties le 15 janvier 2024 en formation → file
  active 24 ; numérique 100 % (complément 0, masqué) ; linguistique 15/30 = 50 % (15 et 15 : un taux d'ALI
  diffusé) ; emploi 0 %.
- ALI10 (Bobigny) : 6 personnes orientées le 15 juin 2023 → file active 6 (masquée).
Toutes orientées au plus tard le 1er juillet 2023 = D − 365 jours : toutes dans les cohortes à 90 jours et 12 mois.
Deux ALI sous 11 (4 et 6) : pas de masquage secondaire de la file active.

Budget 2024 (exécuté = voté) : ALI14 1,2 M€, ALI01 1,8 M€, ALI04 0,4 M€. Fins de mois de janvier à juin 2024 :
ALI14 12, ALI01 24 (sorties du 15 janvier), ALI04 4, ALI10 6 ; une file active moyenne se publie arrondie à 10 :
ALI14 10 (sous 11 : coût non diffusé), ALI01 20 → 90 000 €, ALI04 non diffusé ; département exact,
3 400 000 / 46 = 73 913 €.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest

from insertion.config import DATA_DIR
from insertion.figures import charts
from insertion.indicators.filters import cle_widget
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import ROOT, build_db, csv_bytes, ligne
from tests.publie import cellule, publie, texte_entier, texte_taux

PAGE = "pages/comparer.py"
NB = "\u202f"
# Codes INSEE : la carte est la choroplèthe des contours livrés (data/communes.geojson), jointe sur le code.
CLICHY = "93014"
SAINT_DENIS = "93066"
LA_COURNEUVE = "93027"

BUDGET = b"""annee;code_ali;ligne;montant_vote;montant_execute
2024;ALI14;accompagnement_ali;1200000;1200000
2024;ALI01;accompagnement_ali;1800000;1800000
2024;ALI04;accompagnement_ali;400000;400000
"""


def episodes() -> list[dict[str, str]]:
    commun = {"date_extraction": "2024-06-30"}
    rows = []
    for i in range(1, 21):
        r = ligne(id_beneficiaire=f"a14_{i:04d}", date_orientation="2023-03-15", **commun)
        if i <= 15:
            r["date_diag_numerique"] = "2023-04-15"
        if i <= 10:
            r["date_diag_linguistique"] = "2023-05-15"
        if i <= 5:
            r.update(date_sortie="2023-09-15", motif_sortie="emploi_durable")
        elif i <= 8:
            r.update(date_sortie="2023-10-15", motif_sortie="emploi_transition")
        if i >= 16:
            r["type_parcours"] = "professionnel"
        rows.append(r)
    rows += [
        ligne(id_beneficiaire=f"a04_{i:04d}", code_ali="ALI04", code_commune="93027", date_orientation="2023-03-15",
              **commun)
        for i in range(1, 5)
    ]  # fmt: skip
    for i in range(1, 31):
        r = ligne(id_beneficiaire=f"a01_{i:04d}", code_ali="ALI01", code_commune="93066",
                  date_orientation="2023-06-15", date_diag_numerique="2023-07-15", **commun)  # fmt: skip
        if i <= 15:
            r["date_diag_linguistique"] = "2023-07-15"
        if i <= 6:
            r.update(date_sortie="2024-01-15", motif_sortie="formation")
        rows.append(r)
    rows += [
        ligne(id_beneficiaire=f"a10_{i:04d}", code_ali="ALI10", code_commune="93008", date_orientation="2023-06-15",
              **commun)
        for i in range(1, 7)
    ]  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def comparer_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("comparer")
    return build_db(tmp / "comparer.duckdb", {"file.csv": csv_bytes(episodes()), "budget.csv": BUDGET})


def decode(v):
    """plotly 7 code les tableaux numériques en binaire (« bdata »)."""
    if isinstance(v, dict) and "bdata" in v:
        data = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        if "shape" in v:
            data = data.reshape([int(n) for n in str(v["shape"]).split(",")])
        return data.tolist()
    return v


def carte(at) -> dict:
    return json.loads(at.get("plotly_chart")[-1].proto.spec)


def case(fig: dict, nom: str, commune: str) -> float | None:
    """La valeur de la commune dans la couche `nom` de la choroplèthe ; None quand elle n'y est pas dessinée."""
    trace = next(t for t in fig["data"] if t["type"] == "choropleth" and t.get("name") == nom)
    return dict(zip(trace["locations"], decode(trace["z"]), strict=True)).get(commune)


def url(at, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def comparaison(at):
    return next(d.value for d in at.dataframe if "Médiane des ALI" in d.value.columns).set_index("Indicateur")


D = date(2024, 6, 30)
PERIODE = Periode(as_of=D, debut=date(2023, 1, 1), fin=D)  # la période par défaut de la page
ALIS = ("ALI01", "ALI04", "ALI10", "ALI14")
NOMS_REQUETES = {
    "file_active": ("file_active", {}),
    "entrees": ("entrees_sorties", {}),
    "sorties": ("entrees_sorties", {}),
    "taux_diag_numerique": ("taux_diagnostic_90j", {"diagnostic": "numerique"}),
    "taux_diag_linguistique": ("taux_diagnostic_90j", {"diagnostic": "linguistique"}),
    "taux_sortie_emploi": ("taux_sortie_emploi_12m", {}),
    "taux_emploi_durable": ("taux_sortie_emploi_12m", {}),
}
COLONNES = {"taux_diag_numerique": "taux_90j", "taux_diag_linguistique": "taux_90j"}


def publiee(db, nom: str, groupe: str, perimetre: Perimetre = Perimetre(), periode: Periode = PERIODE, **extra):
    """La requête publiée avec les paramètres de la page."""
    return publie(db, nom, **periode.parametres(), **perimetre.parametres(), groupe=groupe, **extra)


def valeur(db, cle: str, groupe: str = "ALI14", perimetre: Perimetre = Perimetre()) -> float:
    """La valeur publiée d'un indicateur de la comparaison pour une ALI (ou le département), NaN : masquée."""
    nom, extra = NOMS_REQUETES[cle]
    niveau = "departement" if groupe == "Seine-Saint-Denis" else "ali"
    df = publiee(db, nom, niveau, perimetre, **extra)
    return cellule(df, COLONNES.get(cle, cle), groupe=groupe)


def couts(db, groupe: str = "ali") -> pd.DataFrame:
    """Coût par personne 2024 publié (file active moyenne arrondie à 10), sans filtre, à D."""
    df = publiee(db, "cout_par_personne", groupe, periode=Periode(as_of=D))
    return df[df["annee"] == 2024]


def dans_le_bruit(publie_: float, brut: int) -> bool:
    return abs(publie_ - brut) <= 3


def ecart(x: float, mediane: float) -> str:
    """L'écart à la médiane des ALI tel que la carte l'écrit : « +14,3 % » (pourcentage à une décimale)."""
    return f"{100 * (x - mediane) / mediane:+.1f}".replace(".", ",") + f"{NB}% vs médiane"


def reperes_deux(a: float, b: float) -> tuple[float, float, float]:
    """1er quartile, médiane et 3e quartile (interpolation linéaire) de deux valeurs diffusées."""
    bas, haut = min(a, b), max(a, b)
    return bas + (haut - bas) / 4, (bas + haut) / 2, haut - (haut - bas) / 4


def test_one_ali_against_the_others(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"]})
    assert at.selectbox(key="comparer_ali").value == "ALI14"  # le filtre de la barre latérale choisit l'ALI
    m = metrics(at)
    fa = {g: valeur(comparer_db, "file_active", g) for g in ALIS}
    # File active : ALI14 12, ALI01 24 bruts, diffusées ; ALI04 4 et ALI10 6 masquées (de 1 à 10).
    assert dans_le_bruit(fa["ALI14"], 12) and dans_le_bruit(fa["ALI01"], 24)
    assert np.isnan(fa["ALI04"]) and np.isnan(fa["ALI10"])
    # Médiane des deux valeurs diffusées ; écart en % de la médiane.
    q1, med, q3 = reperes_deux(fa["ALI14"], fa["ALI01"])
    assert m["File active"] == (texte_entier(fa["ALI14"]), ecart(fa["ALI14"], med))
    # Entrées : ALI14 20, ALI01 30 bruts ; médiane des deux.
    e14, e01 = valeur(comparer_db, "entrees", "ALI14"), valeur(comparer_db, "entrees", "ALI01")
    assert dans_le_bruit(e14, 20) and dans_le_bruit(e01, 30)
    assert m["Entrées"] == (texte_entier(e14), ecart(e14, (e14 + e01) / 2))
    # Sorties 8 : masquées, pas d'écart.
    assert np.isnan(valeur(comparer_db, "sorties"))
    assert m["Sorties"] == ("secret", None)
    # Taux d'ALI14 sur 20 personnes : numérique 15 (5 non diagnostiquées), linguistique 10, emploi 8, emploi
    # durable 5 : chacun a un numérateur ou un complément de 1 à 10 → non diffusé (règle des taux), sans écart.
    for cle, court in (
        ("taux_diag_numerique", "Diag. numérique 90 j"),
        ("taux_diag_linguistique", "Diag. linguistique 90 j"),
        ("taux_sortie_emploi", "Emploi à 12 mois"),
        ("taux_emploi_durable", "Emploi durable 12 mois"),
    ):
        assert np.isnan(valeur(comparer_db, cle))
        assert m[court] == ("secret", None)
    # Coût : la file active moyenne 12 d'ALI14 s'arrondirait à 10, sous le seuil → masquée, coût « secret ».
    cout = couts(comparer_db)
    assert np.isnan(cellule(cout, "file_active_moyenne", groupe="ALI14"))
    assert m["Coût par personne (2024)"] == ("secret", None)

    t = comparaison(at)
    dep = publiee(comparer_db, "file_active", "departement")
    # Département : 12 + 4 + 24 + 6 = 46, exact (un stock à D, sans filtre).
    assert cellule(dep, "file_active") == 46
    assert t.loc["File active à la date d'observation"].to_list() == [
        texte_entier(fa["ALI14"]), "2 sur 2", texte_entier(q1), texte_entier(med), texte_entier(q3), "2", "46",
    ]  # fmt: skip
    # Département : numérique 45/60 (45 et 15 : diffusé, bruité) ; emploi 8/60 : numérateur de 1 à 10 → non
    # diffusé, même au département ; linguistique 25/60 (10 + 15) : diffusé, bruité.
    dep_num = publiee(comparer_db, "taux_diagnostic_90j", "departement", diagnostic="numerique")
    assert dans_le_bruit(cellule(dep_num, "numerateur"), 45) and dans_le_bruit(cellule(dep_num, "denominateur"), 60)
    assert t.loc["Diagnostic numérique à 90 jours", "Seine-Saint-Denis"] == texte_taux(cellule(dep_num, "taux_90j"))
    dep_ling = valeur(comparer_db, "taux_diag_linguistique", "Seine-Saint-Denis")
    assert t.loc["Diagnostic linguistique à 90 jours", "Seine-Saint-Denis"] == texte_taux(dep_ling)
    assert np.isnan(valeur(comparer_db, "taux_sortie_emploi", "Seine-Saint-Denis"))
    assert t.loc["Sortie en emploi à 12 mois", "Seine-Saint-Denis"] == "secret"
    # Coût du département exact (stock à D, sans filtre) : 3 400 000 / 46.
    assert cellule(couts(comparer_db, "departement"), "cout_par_personne") == pytest.approx(3_400_000 / 46)
    assert t.loc["Coût par personne suivie (2024)", "Seine-Saint-Denis"] == f"73{NB}913{NB}€"

    par_ali = next(d.value for d in at.dataframe if "ALI" in d.value.columns and "Communes" not in d.value.columns)
    # ALI01, ALI04, ALI10, ALI14 : les masquées se lisent « secret », jamais 0.
    assert par_ali["File active à la date d'observation"].to_list() == [texte_entier(fa[g]) for g in ALIS]
    assert par_ali["File active à la date d'observation"].to_list()[1:3] == ["secret", "secret"]
    assert any("Secret statistique" in c.value for c in at.caption)


def test_small_multiples_and_tile_map(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"]})
    multiples = json.loads(at.get("plotly_chart")[0].proto.spec)
    barres = [t for t in multiples["data"] if t["type"] == "bar"]
    assert len(barres) == 8
    # File active : ALI01 (24 brut), ALI14 (12), puis les deux masquées sans barre ; ALI14 en orange. Chaque
    # ALI est nommée (numéro et première commune), pas seulement numérotée.
    fa = {g: valeur(comparer_db, "file_active", g) for g in ALIS}
    assert fa["ALI01"] > fa["ALI14"] and np.isnan(fa["ALI04"]) and np.isnan(fa["ALI10"])
    assert barres[0]["x"] == ["01 Saint-Denis", "14 Clichy-sous-Bois", "04 La Courneuve", "10 Bobigny"]
    assert decode(barres[0]["y"])[:2] == [fa["ALI01"], fa["ALI14"]]
    assert barres[0]["marker"]["color"][1] == charts.PALETTE[1]

    fig = carte(at)
    assert case(fig, "File active à la date d'observation", CLICHY) == fa["ALI14"]
    assert case(fig, "File active à la date d'observation", SAINT_DENIS) == fa["ALI01"]
    assert case(fig, "Valeur non diffusée", LA_COURNEUVE) == 1  # ALI04 : 4 personnes → case grise
    assert case(fig, "File active à la date d'observation", LA_COURNEUVE) is None  # masquée : pas dans l'échelle
    # Les contours sont livrés : plus de conseil de développeur (« Déposez data/communes.geojson ») à l'écran.
    assert not any("Déposez" in c.value for c in [*at.caption, *at.warning])
    assert any("france-geojson" in c.value and "Licence Ouverte" in c.value for c in at.caption)
    # Au 30 juin 2024 (la date d'observation), Pierrefitte-sur-Seine n'a pas encore fusionné dans Saint-Denis :
    # la carte de cette date la dessine à part (celle d'après le 1er janvier 2025 ne la dessinerait plus).
    dessinees = {c for t in fig["data"] if t["type"] == "choropleth" for c in t["locations"]}
    assert "93059" in dessinees and SAINT_DENIS in dessinees

    at.selectbox(key="comparer_indicateur").select("taux_diag_numerique").run()
    fig = carte(at)
    # ALI14 15/20 : 5 non diagnostiquées ; ALI01 30/30 : complément 0, masqué sous le département zéro compris.
    for commune, ali in ((CLICHY, "ALI14"), (SAINT_DENIS, "ALI01")):
        assert np.isnan(valeur(comparer_db, "taux_diag_numerique", ali))
        assert case(fig, "Diagnostic numérique à 90 jours", commune) is None
        assert case(fig, "Valeur non diffusée", commune) == 1
    table = at.dataframe[-1].value.set_index("ALI")
    assert table.at["ALI04 · La Courneuve", "Diagnostic numérique à 90 jours"] == "secret"
    assert table.at["ALI01 · Saint-Denis", "Diagnostic numérique à 90 jours"] == "secret"

    # Un taux diffusé se dessine en pourcentage : ALI01, linguistique 15/30 brut.
    at.selectbox(key="comparer_indicateur").select("taux_diag_linguistique").run()
    fig = carte(at)
    ling01 = valeur(comparer_db, "taux_diag_linguistique", "ALI01")
    assert not np.isnan(ling01)
    assert case(fig, "Diagnostic linguistique à 90 jours", SAINT_DENIS) == pytest.approx(100 * ling01)
    table = at.dataframe[-1].value.set_index("ALI")
    assert table.at["ALI01 · Saint-Denis", "Diagnostic linguistique à 90 jours"] == texte_taux(ling01)
    assert table.at["ALI08 · Montreuil", "Diagnostic linguistique à 90 jours"] == "pas de données"


def test_choosing_another_ali_and_a_small_one(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI04"]})
    # ALI04, masquée partout, reste comparée (choisie par le filtre) : elle n'est pas retirée de la vue.
    assert at.selectbox(key="comparer_ali").value == "ALI04"
    m = metrics(at)
    # ALI04 : 4 personnes → « secret » ; taux sur 4 personnes et coût d'une file active moyenne de 4 : « secret ».
    assert np.isnan(valeur(comparer_db, "file_active", "ALI04"))
    assert np.isnan(cellule(couts(comparer_db), "file_active_moyenne", groupe="ALI04"))
    assert m["File active"] == ("secret", None)
    assert m["Diag. numérique 90 j"] == ("secret", None)
    assert m["Coût par personne (2024)"] == ("secret", None)
    at.selectbox(key="comparer_ali").select("ALI01").run()
    m = metrics(at)
    # ALI01 face à la médiane de ALI01 et ALI14 ; coût 1 800 000 € / 20 (file active moyenne 24 publiée
    # arrondie à 10) = 90 000 €, seul coût d'ALI diffusé (ALI14 : moyenne publiée 10, sous le seuil) : il
    # est sa propre médiane, écart nul.
    fa01, fa14 = valeur(comparer_db, "file_active", "ALI01"), valeur(comparer_db, "file_active", "ALI14")
    assert m["File active"] == (texte_entier(fa01), ecart(fa01, (fa01 + fa14) / 2))
    cout = couts(comparer_db)
    assert cellule(cout, "file_active_moyenne", groupe="ALI01") == 20
    assert cellule(cout, "cout_par_personne", groupe="ALI01") == 90_000
    assert m["Coût par personne (2024)"] == (f"90{NB}000{NB}€", ecart(90_000, 90_000))
    assert comparaison(at).at["File active à la date d'observation", "Rang (1 = valeur la plus haute)"] == "1 sur 2"
    # Le choix va dans le lien, par son code.
    assert url(at, "comparer_ali") == ["ALI01"] and url(at, "ali") == ["ALI04"]


def test_a_link_reopens_the_same_comparison(comparer_db, monkeypatch):
    """Lien profond, directement sur la page (sans passer par dashboard.py) : l'ALI et l'indicateur de la
    carte sont relus dans l'URL ; une valeur inconnue est ignorée."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INSERTION_DB", str(comparer_db))
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.query_params["ali"] = ["ALI14"]
    at.query_params["comparer_ali"] = "ALI01"
    at.query_params["comparer_indicateur"] = "taux_diag_linguistique"
    at.run()
    assert not at.exception
    assert at.selectbox(key="comparer_ali").value == "ALI01"
    assert metrics(at)["File active"][0] == texte_entier(valeur(comparer_db, "file_active", "ALI01"))
    ling01 = valeur(comparer_db, "taux_diag_linguistique", "ALI01")  # 15/30 brut, diffusé
    assert case(carte(at), "Diagnostic linguistique à 90 jours", SAINT_DENIS) == pytest.approx(100 * ling01)
    inconnu = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    inconnu.query_params["comparer_ali"] = "ALI99"
    inconnu.run()
    assert not inconnu.exception and inconnu.selectbox(key="comparer_ali").value == "ALI01"  # la première ALI


def test_sidebar_filters_change_the_comparison(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"], "parcours": ["social"]})
    m = metrics(at)
    social = Perimetre(parcours=("social",))
    # Parcours social : n° 1 à 15 d'ALI14 (n° 1 à 8 sortis) → file active 7 → « secret » ; numérique 15/15,
    # complément 0 → « secret ».
    assert np.isnan(valeur(comparer_db, "file_active", "ALI14", social))
    assert np.isnan(valeur(comparer_db, "taux_diag_numerique", "ALI14", social))
    assert m["File active"] == ("secret", None)
    assert m["Diag. numérique 90 j"] == ("secret", None)
    # Département pour ce public : 7 + 4 + 24 + 6 = 41 ; sous un filtre de profil, le département n'est plus
    # exempté : sa valeur publiée pour ce public, et non le 46 exact de tous les publics.
    dep_social = valeur(comparer_db, "file_active", "Seine-Saint-Denis", social)
    assert dans_le_bruit(dep_social, 41)
    assert comparaison(at).at["File active à la date d'observation", "Seine-Saint-Denis"] == texte_entier(dep_social)
    # Changer le filtre ALI de la barre latérale change l'ALI comparée.
    at.multiselect(key=cle_widget("ali", "comparer-les-territoires")).unselect("ALI14").select("ALI01").run()
    assert at.selectbox(key="comparer_ali").value == "ALI01"


def test_a_public_under_the_threshold_reads_secret_not_empty(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"], "parcours": ["professionnel"]})
    # Parcours professionnel : n° 16 à 20 d'ALI14 seulement → 5 personnes, masquées partout, département compris
    # (un filtre de profil lève son exemption) ; masqué n'est pas vide.
    professionnel = Perimetre(parcours=("professionnel",))
    assert np.isnan(valeur(comparer_db, "file_active", "Seine-Saint-Denis", professionnel))
    assert not any(i.value.startswith("Aucune personne") for i in at.info)
    assert metrics(at)["File active"] == ("secret", None)
    assert comparaison(at).at["File active à la date d'observation", "Seine-Saint-Denis"] == "secret"


def test_dropped_boundary_file_gives_a_choropleth(comparer_db, app_test, tmp_path, monkeypatch):
    referentiel = tmp_path / "referentiel"
    referentiel.mkdir()
    for nom in ("communes.csv", "ali.csv", "motifs_sortie.csv", "tuiles_communes.csv"):
        shutil.copy(DATA_DIR / nom, referentiel / nom)

    def carre(code: str, x: float, y: float) -> dict:
        anneau = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
        geometrie = {"type": "Polygon", "coordinates": [anneau]}
        return {"type": "Feature", "properties": {"code": code}, "geometry": geometrie}

    geo = {"type": "FeatureCollection", "features": [carre("93014", 2.55, 48.90), carre("93066", 2.36, 48.93)]}
    (referentiel / "communes.geojson").write_text(json.dumps(geo), encoding="utf-8")
    monkeypatch.setenv("INSERTION_REFERENTIEL", str(referentiel))
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"]})
    fig = carte(at)
    assert {t["type"] for t in fig["data"]} == {"choropleth", "scattergeo"}  # aplats, puis contours EPT et ALI
    colorees = next(t for t in fig["data"] if t.get("name") == "File active à la date d'observation")
    assert colorees["featureidkey"] == "properties.code"
    z = dict(zip(colorees["locations"], decode(colorees["z"]), strict=True))
    assert z["93014"] == valeur(comparer_db, "file_active", "ALI14")
    assert z["93066"] == valeur(comparer_db, "file_active", "ALI01")
    assert any("communes.geojson" in c.value for c in at.caption)


def lire_csv(octets: bytes) -> pd.DataFrame:
    """Le CSV exporté tel qu'Excel français ou pandas le relit : « ; », virgule décimale, UTF-8 avec BOM."""
    assert octets.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(octets), sep=";", decimal=",", encoding="utf-8-sig")


def nombre_ou_secret(valeur) -> float | str:
    """Une case d'un export : un nombre, « secret », ou vide (nan) ; jamais un texte formaté (« 2 210 », « 67,9 % »)."""
    if isinstance(valeur, str):
        return valeur if valeur == "secret" else float(valeur.replace(",", "."))
    return float(valeur)


def test_the_comparison_csv_and_xlsx_hold_numbers(comparer_db, app_test, telechargements):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"]})
    assert not at.exception
    fichiers = {t.nom: t for t in telechargements if t.nom}
    (nom_csv,) = [n for n in fichiers if "face-aux-ali" in n and n.endswith(".csv")]
    # Le nom dit la vue, le tableau, le territoire et la date des données.
    assert nom_csv.startswith("comparer-les-territoires-ali14") and nom_csv.endswith("-2024-06-30.csv")
    t = lire_csv(fichiers[nom_csv].octets()).set_index("Indicateur")
    for colonne in t.columns.drop("Unité"):
        for texte in t[colonne]:
            nombre_ou_secret(texte)  # lève ValueError sur un texte formaté
    fa = t.loc["File active à la date d'observation"]
    # Mêmes chiffres qu'à l'écran (test_one_ali_against_the_others), en nombres : ALI14, 2e sur 2, quartiles et
    # médiane des deux valeurs diffusées (à l'unité, comme affichés), 2 ALI retenues, département 46.
    fa14, fa01 = valeur(comparer_db, "file_active", "ALI14"), valeur(comparer_db, "file_active", "ALI01")
    q1, med, q3 = reperes_deux(fa14, fa01)
    assert fa["Unité"] == "nombre"
    assert [nombre_ou_secret(fa[c]) for c in t.columns.drop("Unité")] == [
        fa14,
        2,
        2,
        round(q1),
        round(med),
        round(q3),
        2,
        46,
    ]
    # Département numérique 45/60 brut, publié ; le CSV porte le pourcentage affiché, à une décimale.
    dep_num = valeur(comparer_db, "taux_diag_numerique", "Seine-Saint-Denis")
    assert nombre_ou_secret(t.at["Diagnostic numérique à 90 jours", "Seine-Saint-Denis"]) == round(100 * dep_num, 1)
    assert t.at["Diagnostic numérique à 90 jours", "Unité"] == "%"
    assert t.at["Diagnostic numérique à 90 jours", "ALI choisie"] == "secret"
    cout = t.loc["Coût par personne suivie (2024)"]
    assert cout["Unité"] == "€"
    # ALI14 : coût non diffusé (file active moyenne publiée 10) ; médiane : le seul coût d'ALI diffusé,
    # ALI01 1 800 000 / 20 ; département exact.
    assert [nombre_ou_secret(cout[c]) for c in ("ALI choisie", "Médiane des ALI", "Seine-Saint-Denis")] == [
        "secret",
        90_000,
        73_913,  # 3 400 000 / 46 = 73 913,04, affiché à l'euro
    ]

    classeur = openpyxl.load_workbook(io.BytesIO(fichiers[nom_csv.removesuffix(".csv") + ".xlsx"].octets()))
    feuille = classeur["Données"]
    entetes = [c.value for c in feuille[1]]
    lignes = {r[0].value: dict(zip(entetes, r, strict=True)) for r in feuille.iter_rows(min_row=2)}
    case_fa = lignes["File active à la date d'observation"]["ALI choisie"]
    assert case_fa.data_type == "n" and case_fa.value == fa14
    case_cout = lignes["Coût par personne suivie (2024)"]["Seine-Saint-Denis"]
    assert case_cout.data_type == "n" and case_cout.value == 73_913
    assert lignes["Coût par personne suivie (2024)"]["ALI choisie"].value == "secret"
    case_secret = lignes["Sortie en emploi à 12 mois"]["Seine-Saint-Denis"]
    assert case_secret.data_type == "s" and case_secret.value == "secret"
