"""Vue Comparer les territoires, par AppTest, sur une petite base dont les chiffres sont calculés à la main.

Extraction au 30 juin 2024 (D) ; période par défaut : orientations du 1er janvier 2023 à D.
- ALI14 (Clichy-sous-Bois) : 20 personnes orientées le 15 mars 2023 ; n° 1 à 15 diagnostic numérique le
  15 avril (31 jours) ; n° 1 à 10 diagnostic linguistique le 15 mai (61 jours) ; n° 1 à 5 sorties le
  15 septembre 2023 en emploi durable, n° 6 à 8 le 15 octobre en emploi de transition ; n° 16 à 20 en
  parcours professionnel (les autres : social).
  → file active 20 − 8 = 12 ; entrées 20 ; sorties 8 ; numérique 15/20 = 75 % ; linguistique 10/20 = 50 % ;
    sortie en emploi à 12 mois 8/20 = 40 % ; emploi durable 5/20 = 25 %.
- ALI04 (La Courneuve) : 4 personnes orientées le 15 mars 2023 → file active 4, entrées 4 (masquées).
- ALI01 (Saint-Denis) : 30 personnes orientées le 15 juin 2023, toutes diagnostiquées (numérique) le
  15 juillet ; n° 1 à 6 sorties le 15 janvier 2024 en formation → file active 24 ; numérique 100 % ;
  linguistique 0 % ; emploi 0 %.
- ALI10 (Bobigny) : 6 personnes orientées le 15 juin 2023 → file active 6 (masquée).
Toutes orientées au plus tard le 1er juillet 2023 = D − 365 jours : toutes dans les cohortes à 90 jours et 12 mois.
Deux ALI sous 11 (4 et 6) : pas de masquage secondaire de la file active.

Budget 2024 (exécuté = voté) : ALI14 1,2 M€, ALI01 1,8 M€, ALI04 0,4 M€. Fins de mois de janvier à juin 2024 :
ALI14 12, ALI01 24 (sorties du 15 janvier), ALI04 4, ALI10 6 → coûts 100 000 €, 75 000 €, ALI04 non diffusé ;
département 3 400 000 / 46 = 73 913 €.
"""

from __future__ import annotations

import base64
import io
import json
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from insertion import charts
from insertion.config import DATA_DIR
from insertion.filters import widget_key
from tests.conftest import ROOT, build_db, csv_bytes, ligne

PAGE = "pages/comparer.py"
NB = "\u202f"
CLICHY = (8, 3)  # (colonne, ligne) dans data/tuiles_communes.csv
SAINT_DENIS = (2, 1)
LA_COURNEUVE = (3, 1)

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


def case(fig: dict, nom: str, position: tuple[int, int]) -> float:
    trace = next(t for t in fig["data"] if t["type"] == "heatmap" and t.get("name") == nom)
    x, y = position
    return decode(trace["z"])[y][x]


def url(at, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def comparaison(at):
    return next(d.value for d in at.dataframe if "Médiane des ALI" in d.value.columns).set_index("Indicateur")


def test_one_ali_against_the_others(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"]})
    assert at.selectbox(key="comparer_ali").value == "ALI14"  # le filtre de la barre latérale choisit l'ALI
    m = metrics(at)
    # File active 12 ; valeurs diffusées 12 et 24 → médiane 18 ; (12 − 18) / 18 = −33,3 %.
    assert m["File active"] == ("12", f"-33,3{NB}% vs médiane")
    # Entrées 20 ; médiane de 20 et 30 = 25 → −20,0 %.
    assert m["Entrées"] == ("20", f"-20,0{NB}% vs médiane")
    # Sorties 8 : masquées, pas d'écart.
    assert m["Sorties"] == ("secret", None)
    # Taux d'ALI14 sur 20 personnes : numérique 15 (5 non diagnostiquées), linguistique 10, emploi 8, emploi
    # durable 5 : chacun a un numérateur ou un complément de 1 à 10 → non diffusé (règle des taux), sans écart.
    for cle in ("Diag. numérique 90 j", "Diag. linguistique 90 j", "Emploi à 12 mois", "Emploi durable 12 mois"):
        assert m[cle] == ("secret", None)
    # Coût 100 000 € ; médiane de 100 000 et 75 000 = 87 500 → +14,3 %.
    assert m["Coût par personne (2024)"] == (f"100{NB}000{NB}€", f"+14,3{NB}% vs médiane")

    t = comparaison(at)
    assert t.loc["File active à la date d'observation"].to_list() == [
        "12", "2 sur 2", "15", "18", "21", "2", "46",  # département : 12 + 4 + 24 + 6 = 46
    ]  # fmt: skip
    # Département : numérique 45/60 = 75,0 % (45 et 15 : diffusé) ; linguistique 10/60 et emploi 8/60 :
    # numérateurs de 1 à 10 → non diffusés, même au département.
    assert t.loc["Diagnostic numérique à 90 jours", "Seine-Saint-Denis"] == f"75,0{NB}%"
    assert t.loc["Diagnostic linguistique à 90 jours", "Seine-Saint-Denis"] == "secret"
    assert t.loc["Sortie en emploi à 12 mois", "Seine-Saint-Denis"] == "secret"
    assert t.loc["Coût par personne suivie (2024)", "Seine-Saint-Denis"] == f"73{NB}913{NB}€"

    par_ali = next(d.value for d in at.dataframe if "ALI" in d.value.columns and "Communes" not in d.value.columns)
    # ALI01, ALI04, ALI10, ALI14
    assert par_ali["File active à la date d'observation"].to_list() == ["24", "secret", "secret", "12"]
    assert any("Secret statistique" in c.value for c in at.caption)


def test_small_multiples_and_tile_map(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"]})
    multiples = json.loads(at.get("plotly_chart")[0].proto.spec)
    barres = [t for t in multiples["data"] if t["type"] == "bar"]
    assert len(barres) == 8
    # File active : 24 (ALI01), 12 (ALI14), puis les deux masquées sans barre ; ALI14 en orange. Chaque ALI est
    # nommée (numéro et première commune), pas seulement numérotée.
    assert barres[0]["x"] == ["01 Saint-Denis", "14 Clichy-sous-Bois", "04 La Courneuve", "10 Bobigny"]
    assert barres[0]["marker"]["color"][1] == charts.PALETTE[1]

    fig = carte(at)
    assert case(fig, "File active à la date d'observation", CLICHY) == 12
    assert case(fig, "File active à la date d'observation", SAINT_DENIS) == 24
    assert case(fig, "Valeur non diffusée", LA_COURNEUVE) == 1  # ALI04 : 4 personnes → case grise
    assert case(fig, "File active à la date d'observation", LA_COURNEUVE) is None  # NaN → null en JSON

    at.selectbox(key="comparer_indicateur").select("taux_diag_numerique").run()
    fig = carte(at)
    assert case(fig, "Diagnostic numérique à 90 jours", CLICHY) is None  # 15/20 : 5 non diagnostiquées
    assert case(fig, "Valeur non diffusée", CLICHY) == 1
    assert case(fig, "Diagnostic numérique à 90 jours", SAINT_DENIS) == 100.0
    table = at.dataframe[-1].value.set_index("ALI")
    assert table.at["ALI04 · La Courneuve", "Diagnostic numérique à 90 jours"] == "secret"
    assert table.at["ALI08 · Montreuil", "Diagnostic numérique à 90 jours"] == "pas de données"


def test_choosing_another_ali_and_a_small_one(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI04"]})
    m = metrics(at)
    # ALI04 : 4 personnes → « secret » ; taux sur 4 personnes et coût d'une file active moyenne de 4 : « secret ».
    assert m["File active"] == ("secret", None)
    assert m["Diag. numérique 90 j"] == ("secret", None)
    assert m["Coût par personne (2024)"] == ("secret", None)
    at.selectbox(key="comparer_ali").select("ALI01").run()
    m = metrics(at)
    # ALI01 : 24 ; (24 − 18) / 18 = +33,3 % ; coût 75 000 € ; (75 000 − 87 500) / 87 500 = −14,3 %.
    assert m["File active"] == ("24", f"+33,3{NB}% vs médiane")
    assert m["Coût par personne (2024)"] == (f"75{NB}000{NB}€", f"-14,3{NB}% vs médiane")
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
    at.query_params["comparer_indicateur"] = "taux_diag_numerique"
    at.run()
    assert not at.exception
    assert at.selectbox(key="comparer_ali").value == "ALI01"
    assert metrics(at)["File active"][0] == "24"
    assert case(carte(at), "Diagnostic numérique à 90 jours", SAINT_DENIS) == 100.0
    inconnu = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    inconnu.query_params["comparer_ali"] = "ALI99"
    inconnu.run()
    assert not inconnu.exception and inconnu.selectbox(key="comparer_ali").value == "ALI01"  # la première ALI


def test_sidebar_filters_change_the_comparison(comparer_db, app_test):
    at = app_test(comparer_db, PAGE, query_params={"ali": ["ALI14"], "parcours": ["professionnel"]})
    m = metrics(at)
    # Parcours professionnel : n° 16 à 20 d'ALI14 seulement (sans diagnostic ni sortie) → 5 → « secret ».
    assert m["File active"] == ("secret", None)
    assert m["Diag. numérique 90 j"] == ("secret", None)  # 0/5
    # Département pour ce public : 5 personnes ; sous un filtre de profil, le département n'est plus exempté.
    assert comparaison(at).at["File active à la date d'observation", "Seine-Saint-Denis"] == "secret"
    # Changer le filtre ALI de la barre latérale change l'ALI comparée.
    at.multiselect(key=widget_key("ali", "comparer-les-territoires")).unselect("ALI14").select("ALI01").run()
    assert at.selectbox(key="comparer_ali").value == "ALI01"


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
    assert {t["type"] for t in fig["data"]} == {"choropleth"}
    colorees = next(t for t in fig["data"] if t.get("name") == "File active à la date d'observation")
    assert colorees["featureidkey"] == "properties.code"
    z = dict(zip(colorees["locations"], decode(colorees["z"]), strict=True))
    assert z["93014"] == 12 and z["93066"] == 24
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
        for valeur in t[colonne]:
            nombre_ou_secret(valeur)  # lève ValueError sur un texte formaté
    fa = t.loc["File active à la date d'observation"]
    # Mêmes chiffres qu'à l'écran (test_one_ali_against_the_others), en nombres : 12, 2e sur 2, quartiles 15 et
    # 21, médiane 18, 2 ALI retenues, département 46.
    assert fa["Unité"] == "nombre"
    assert [nombre_ou_secret(fa[c]) for c in t.columns.drop("Unité")] == [12, 2, 2, 15, 18, 21, 2, 46]
    assert nombre_ou_secret(t.at["Diagnostic numérique à 90 jours", "Seine-Saint-Denis"]) == 75.0  # 45/60
    assert t.at["Diagnostic numérique à 90 jours", "Unité"] == "%"
    assert t.at["Diagnostic numérique à 90 jours", "ALI choisie"] == "secret"
    cout = t.loc["Coût par personne suivie (2024)"]
    assert cout["Unité"] == "€"
    assert [nombre_ou_secret(cout[c]) for c in ("ALI choisie", "Médiane des ALI", "Seine-Saint-Denis")] == [
        100_000,
        87_500,
        73_913,  # 3 400 000 / 46 = 73 913,04, affiché à l'euro
    ]

    classeur = openpyxl.load_workbook(io.BytesIO(fichiers[nom_csv.removesuffix(".csv") + ".xlsx"].octets()))
    feuille = classeur["Données"]
    entetes = [c.value for c in feuille[1]]
    lignes = {r[0].value: dict(zip(entetes, r, strict=True)) for r in feuille.iter_rows(min_row=2)}
    case_cout = lignes["Coût par personne suivie (2024)"]["ALI choisie"]
    assert case_cout.data_type == "n" and case_cout.value == 100_000
    case_secret = lignes["Sortie en emploi à 12 mois"]["Seine-Saint-Denis"]
    assert case_secret.data_type == "s" and case_secret.value == "secret"
