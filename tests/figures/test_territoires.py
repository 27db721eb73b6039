"""insertion.figures.territoires : comparaison d'une ALI, secret, repères, tuiles et cartes.

Tous les attendus sont calculés à la main dans les commentaires.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from insertion.figures import carte_territoires
from insertion.figures import territoires as T
from insertion.indicators import DEPARTEMENT
from insertion.store.referentiel import charger_referentiel

NAN = math.nan


def table_ali() -> pd.DataFrame:
    """Quatre ALI, à la main. Effectifs : ALI04 (4) et ALI10 (6) sont sous 11 → masqués ; deux cases masquées
    dans la ventilation, donc pas de masquage secondaire. Taux : dénominateurs 44 (60 pour l'emploi), 4, 30, 6
    → ALI04 et ALI10 « secret » ; ceux d'ALI14 et ALI01 ont numérateur et complément nuls ou d'au moins 11
    (ALI14 : 33 et 11 diagnostics numériques, 22 et 22 linguistiques, 24 et 15 sorties sur 60), donc publiés.
    Coût : file active moyenne 12, 4, 24, 0 → ALI04 « secret », ALI10 sans coût."""
    return pd.DataFrame(
        {
            "groupe": ["ALI14", "ALI04", "ALI01", "ALI10"],
            "file_active": [12.0, 4, 24, 6],
            "entrees": [20.0, 4, 30, 6],
            "sorties": [8.0, 0, 6, 0],
            "taux_diag_numerique": [0.75, 0.0, 1.0, 0.0],
            "den_diag_numerique": [44.0, 4, 30, 6],
            "taux_diag_linguistique": [0.5, 0.0, 0.0, 0.0],
            "den_diag_linguistique": [44.0, 4, 30, 6],
            "taux_sortie_emploi": [0.4, 0.0, 0.0, 0.0],
            "taux_emploi_durable": [0.25, 0.0, 0.0, 0.0],
            "den_sortie_emploi": [60.0, 4, 30, 6],
            "cout_par_personne": [100_000.0, 100_000, 75_000, NAN],
            "file_active_moyenne": [12.0, 4, 24, 0],
        }
    )


def table_departement() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "groupe": [DEPARTEMENT],
            "file_active": [46.0],
            "entrees": [60.0],
            "sorties": [14.0],
            "taux_diag_numerique": [0.75],
            "den_diag_numerique": [60.0],
            "taux_diag_linguistique": [12 / 60],
            "den_diag_linguistique": [60.0],
            "taux_sortie_emploi": [18 / 60],
            "taux_emploi_durable": [12 / 60],
            "den_sortie_emploi": [60.0],
            "cout_par_personne": [3_400_000 / 46],
            "file_active_moyenne": [46.0],
        }
    )


# --- Secret et repères ---------------------------------------------------------------------------------


def test_per_ali_values_are_masked_below_the_departement():
    prot = T.proteger(table_ali(), departement=False)
    d = prot.donnees.set_index("groupe")
    # 4 et 6 sont entre 1 et 10 : masqués ; 12 et 24 montrés ; 0 sortie n'est pas masqué.
    assert d["file_active"].isna().to_dict() == {"ALI14": False, "ALI04": True, "ALI01": False, "ALI10": True}
    assert d.at["ALI04", "sorties"] == 0 and d.at["ALI10", "sorties"] == 0
    # Sorties : 8 (ALI14) et 6 (ALI01) masquées.
    assert d["sorties"].isna().sum() == 2
    # Taux sur 4 et 6 personnes : non diffusés ; coût d'ALI04 (file active moyenne 4) non diffusé.
    assert d["taux_diag_numerique"].isna().to_dict() == {"ALI14": False, "ALI04": True, "ALI01": False, "ALI10": True}
    assert math.isnan(d.at["ALI04", "cout_par_personne"]) and d.at["ALI14", "cout_par_personne"] == 100_000
    texte = prot.affichage({"file_active": T.FORMATS["effectif"], "taux_diag_numerique": T.FORMATS["taux"]})
    assert texte["file_active"].to_list() == ["12", "secret", "24", "secret"]
    assert texte["taux_diag_numerique"].to_list() == ["75,0\u202f%", "secret", "100,0\u202f%", "secret"]


def test_one_masked_ali_masks_the_next_smallest_too():
    """Une seule case masquée dans la ventilation des ALI : la plus petite suivante l'est aussi, sinon le
    total départemental la redonnerait (46 − 12 − 24 − 10 = …)."""
    t = table_ali()
    t.loc[t["groupe"] == "ALI10", "file_active"] = 30.0  # il ne reste que 4 (ALI04) sous le seuil
    d = T.proteger(t, departement=False).donnees.set_index("groupe")["file_active"]
    # 4 masqué, puis la plus petite case non nulle suivante : 12 (ALI14).
    assert d.isna().to_dict() == {"ALI14": True, "ALI04": True, "ALI01": False, "ALI10": False}


def test_departement_counts_are_shown_but_small_rates_are_not():
    t = table_departement()
    t["file_active"] = 4.0
    t["den_diag_numerique"] = 4.0
    prot = T.proteger(t, departement=True)
    assert prot.donnees.at[0, "file_active"] == 4  # le département est montré même sous 11
    assert math.isnan(prot.donnees.at[0, "taux_diag_numerique"])  # un taux sur 4 personnes ne l'est jamais


def test_reperes_use_only_published_values():
    rep = T.reperes(T.proteger(table_ali(), departement=False).donnees)
    # File active : valeurs diffusées 12 et 24 → Q1 = 12 + 0,25 × 12 = 15, médiane 18, Q3 21.
    assert rep.loc["file_active"].to_dict() == {"n": 2, "q1": 15.0, "mediane": 18.0, "q3": 21.0}
    # Sorties : 8 et 6 masquées, restent 0 et 0 → médiane 0.
    assert rep.at["sorties", "mediane"] == 0 and rep.at["sorties", "n"] == 2
    # Diagnostic numérique : 0,75 et 1,0 → médiane 0,875.
    assert rep.at["taux_diag_numerique", "mediane"] == pytest.approx(0.875)
    # Coût : 100 000 (ALI14) et 75 000 (ALI01) ; ALI04 masqué, ALI10 sans valeur → médiane 87 500.
    assert rep.at["cout_par_personne", "mediane"] == pytest.approx(87_500)


def test_comparaison_of_one_ali():
    prot_ali = T.proteger(table_ali(), departement=False)
    prot_dep = T.proteger(table_departement(), departement=True)
    valeurs, textes = T.comparaison(prot_ali, prot_dep, "ALI14")
    v = valeurs.set_index("cle")
    t = textes.set_index("Indicateur")
    fa = T.PAR_CLE["file_active"].libelle
    assert t.loc[fa].to_dict() == {
        "ALI choisie": "12",
        "Rang (1 = valeur la plus haute)": "2 sur 2",  # 24 > 12
        "1er quartile des ALI": "15",
        "Médiane des ALI": "18",
        "3e quartile des ALI": "21",
        "ALI retenues": "2",
        "Seine-Saint-Denis": "46",
    }
    assert t.at[T.PAR_CLE["sorties"].libelle, "ALI choisie"] == "secret"
    assert t.at[T.PAR_CLE["sorties"].libelle, "Rang (1 = valeur la plus haute)"] == "–"
    assert bool(v.at["sorties", "masque"]) and not bool(v.at["file_active", "masque"])
    # Diagnostic linguistique : 0,5 contre 0,0 (ALI01) → 1er sur 2 ; département 12/60 = 20 %.
    assert t.at[T.PAR_CLE["taux_diag_linguistique"].libelle, "Rang (1 = valeur la plus haute)"] == "1 sur 2"
    assert t.at[T.PAR_CLE["taux_diag_linguistique"].libelle, "Seine-Saint-Denis"] == "20,0\u202f%"
    # Coût du département : 3 400 000 / 46 = 73 913,04 €.
    assert t.at[T.PAR_CLE["cout_par_personne"].libelle, "Seine-Saint-Denis"] == "73\u202f913\u202f€"
    assert v.at["taux_diag_numerique", "mediane"] == pytest.approx(0.875)


def test_comparaison_of_a_masked_ali():
    prot_ali = T.proteger(table_ali(), departement=False)
    _, textes = T.comparaison(prot_ali, T.proteger(table_departement(), departement=True), "ALI04")
    t = textes.set_index("Indicateur")["ALI choisie"]
    assert t[T.PAR_CLE["file_active"].libelle] == "secret"
    assert t[T.PAR_CLE["taux_diag_numerique"].libelle] == "secret"
    assert t[T.PAR_CLE["cout_par_personne"].libelle] == "secret"


def test_assembler_fills_missing_groups():
    fa = pd.DataFrame({"groupe": ["ALI14"], "file_active": [12]})
    es = pd.DataFrame({"groupe": ["ALI14"], "entrees": [20], "sorties": [8]})
    diag = pd.DataFrame({"groupe": ["ALI14"], "denominateur": [20], "numerateur": [15], "taux_90j": [0.75]})
    emploi = pd.DataFrame(
        {"groupe": ["ALI14"], "denominateur": [20], "taux_sortie_emploi": [0.4], "taux_emploi_durable": [0.25]}
    )
    cout = pd.DataFrame(columns=["groupe", "annee", "cout_par_personne", "file_active_moyenne"])
    t = T.assembler(
        ["ALI14", "ALI04"],
        file_active=fa,
        entrees_sorties=es,
        diag_numerique=diag,
        diag_linguistique=diag.iloc[0:0],
        sortie_emploi=emploi,
        cout=cout,
    ).set_index("groupe")
    # ALI04 absente des requêtes (aucun épisode retenu) : effectifs 0, taux non calculables.
    assert t.loc["ALI04", ["file_active", "entrees", "sorties", "den_diag_numerique"]].to_list() == [0, 0, 0, 0]
    assert math.isnan(t.at["ALI04", "taux_diag_numerique"])
    assert t.at["ALI14", "taux_diag_numerique"] == 0.75 and math.isnan(t.at["ALI14", "taux_diag_linguistique"])


def test_default_ali_and_cost_year():
    assert T.ali_par_defaut(["ALI01", "ALI14"], ("ALI99", "ALI14")) == "ALI14"
    assert T.ali_par_defaut(["ALI01", "ALI14"], ()) == "ALI01"
    assert T.ali_presentes(pd.DataFrame({"groupe": ["ALI14", "ALI04", "ALI01"], "entrees": [3, 0, 1]})) == [
        "ALI01",
        "ALI14",
    ]
    cout = pd.DataFrame({"annee": [2024, 2025, 2026], "cout_par_personne": [4_000.0, 3_700.0, NAN]})
    assert T.annee_cout(cout, 2026) == 2025  # 2026 n'est pas exécuté
    assert T.annee_cout(cout, 2024) == 2024


# --- Tuiles ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tuiles() -> pd.DataFrame:
    return carte_territoires.tuiles()


def test_every_commune_has_its_own_tile(tuiles):
    ref = charger_referentiel()
    assert len(tuiles) == 40 and set(tuiles["code_commune"]) == ref.codes_communes
    assert not tuiles.duplicated(["colonne", "ligne"]).any()
    assert tuiles.attrs["sans_position"] == []
    assert tuiles["code_ali"].notna().all()


def test_each_ali_is_one_block_of_neighbouring_tiles(tuiles):
    for ali, part in tuiles.groupby("code_ali"):
        cases = set(zip(part["colonne"], part["ligne"], strict=True))
        vues, pile = set(), [next(iter(cases))]
        while pile:
            x, y = pile.pop()
            if (x, y) in vues:
                continue
            vues.add((x, y))
            pile += [(x + dx, y + dy) for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)) if (x + dx, y + dy) in cases]
        assert vues == cases, f"{ali} n'est pas d'un seul tenant"


def test_tiles_keep_the_geography(tuiles):
    pos = {r.nom: (r.colonne, r.ligne) for r in tuiles.itertuples()}
    milieu_x = (tuiles["colonne"].min() + tuiles["colonne"].max()) / 2
    milieu_y = (tuiles["ligne"].min() + tuiles["ligne"].max()) / 2
    nord_ouest = ["Saint-Ouen-sur-Seine", "Saint-Denis", "Épinay-sur-Seine", "L'Île-Saint-Denis", "Villetaneuse",
                  "Pierrefitte-sur-Seine", "Stains"]  # fmt: skip
    for nom in nord_ouest:
        assert pos[nom][0] < milieu_x and pos[nom][1] < milieu_y, nom
    for nom in ["Tremblay-en-France", "Villepinte", "Sevran", "Vaujours", "Coubron"]:
        assert pos[nom][0] > milieu_x and pos[nom][1] < milieu_y, nom
    for nom in ["Noisy-le-Grand", "Gournay-sur-Marne"]:
        assert pos[nom][0] > milieu_x and pos[nom][1] > milieu_y, nom
    # Le long de Paris, au sud-ouest : d'Aubervilliers à Montreuil, vers le sud, à l'ouest du milieu.
    ouest = ["Aubervilliers", "Pantin", "Le Pré-Saint-Gervais", "Les Lilas", "Bagnolet", "Montreuil"]
    assert all(pos[n][0] < milieu_x for n in ouest)
    assert pos["Aubervilliers"][1] < pos["Pantin"][1] < pos["Bagnolet"][1]
    # Quelques voisinages réels : cases qui se touchent par un côté.
    voisines = [
        ("Saint-Denis", "Aubervilliers"),
        ("Clichy-sous-Bois", "Montfermeil"),
        ("Drancy", "Le Bourget"),
        ("Bagnolet", "Montreuil"),
        ("Noisy-le-Grand", "Gournay-sur-Marne"),
        ("Sevran", "Villepinte"),
    ]
    for a, b in voisines:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        assert abs(xa - xb) + abs(ya - yb) == 1, (a, b)


def test_frontieres_on_a_small_grid():
    """A en (0,0) et (1,0), B en (0,1). Contour de A : 3 côtés par case (le côté commun A|A n'en est pas un)
    = 6 ; B : 4 côtés, dont le haut partagé avec A (0,0), compté une fois → 6 + 4 − 1 = 9 segments."""
    t = pd.DataFrame({"colonne": [0, 1, 0], "ligne": [0, 0, 1], "code_ali": ["A", "A", "B"]})
    tous = carte_territoires.frontieres(t)
    assert len(tous) == 9
    assert ((0.5, -0.5), (0.5, 0.5)) not in tous  # entre les deux cases de A
    contour_b = carte_territoires.frontieres(t, ["B"])
    assert len(contour_b) == 4 and ((-0.5, 0.5), (0.5, 0.5)) in contour_b


def test_tile_map_colours_each_commune_with_its_ali(tuiles):
    prot = T.proteger(table_ali(), departement=False)
    v = carte_territoires.ValeursCarte.depuis(prot, "file_active")
    fig = carte_territoires.carte_tuiles(tuiles, v, "ALI14", {})
    gris, couleur = fig.data[0], fig.data[1]
    pos = {r.nom: (r.colonne, r.ligne) for r in tuiles.itertuples()}
    x, y = pos["Clichy-sous-Bois"]
    assert couleur.z[y][x] == 12  # file active d'ALI14
    x, y = pos["Saint-Denis"]
    assert couleur.z[y][x] == 24  # ALI01
    x, y = pos["La Courneuve"]  # ALI04 : masquée → case grise, pas de couleur
    assert math.isnan(couleur.z[y][x]) and gris.z[y][x] == 1
    assert "secret" in gris.text[y][x]
    x, y = pos["Montreuil"]  # ALI08 : pas de données
    assert math.isnan(couleur.z[y][x]) and gris.z[y][x] == 1
    assert couleur.colorscale == T.go.Heatmap(colorscale="Cividis").colorscale
    # Contour orange de l'ALI choisie : Clichy-sous-Bois, Montfermeil, Coubron (en L) → 8 côtés.
    orange = fig.data[3]
    assert orange.line.color == T.COULEUR_CHOISIE and len(orange.x) == 8 * 3


def test_tile_map_plots_rates_as_percentages(tuiles):
    v = carte_territoires.ValeursCarte.depuis(T.proteger(table_ali(), departement=False), "taux_diag_numerique")
    fig = carte_territoires.carte_tuiles(tuiles, v, None, {})
    x, y = next((r.colonne, r.ligne) for r in tuiles.itertuples() if r.nom == "Clichy-sous-Bois")
    assert fig.data[1].z[y][x] == 75.0
    assert fig.data[1].colorbar.ticksuffix == "\u202f%"
    assert len(fig.data) == 3  # sans ALI choisie, pas de contour orange


def test_small_multiples_highlight_the_chosen_ali():
    prot = T.proteger(table_ali(), departement=False)
    fig = T.petits_multiples(prot, "ALI14", {})
    barres = [t for t in fig.data if t.type == "bar"]
    assert len(barres) == len(T.INDICATEURS) == 8
    file_active = barres[0]
    # Triées de la plus haute à la plus basse, masquées à la fin : 24 (01), 12 (14), puis 04 et 10.
    assert list(file_active.x) == ["01", "14", "04", "10"]
    assert list(file_active.marker.color) == [T.COULEUR_AUTRES, T.COULEUR_CHOISIE, T.COULEUR_AUTRES, T.COULEUR_AUTRES]
    textes = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    assert list(textes[0].text) == ["secret", "secret"]
    # Avec les libellés du référentiel, chaque barre nomme son ALI par sa première commune.
    noms = {"ALI01": "ALI01 · Saint-Denis", "ALI14": "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"}
    nommees = T.petits_multiples(prot, "ALI14", noms).data[0]
    assert list(nommees.x) == ["01 Saint-Denis", "14 Clichy-sous-Bois", "04", "10"]
    # Médiane de la file active (18) en tirets.
    assert any(s.type == "line" and s.y0 == 18 and s.line.dash == "dash" for s in fig.layout.shapes)


# --- Contours déposés --------------------------------------------------------------------------------------


def carre(code: str, x: float, y: float, cle: str = "INSEE_COM") -> dict:
    return {
        "type": "Feature",
        "properties": {cle: code, "nom": code},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]],
        },
    }


def test_geojson_property_and_choropleth(tmp_path, tuiles):
    geo = {"type": "FeatureCollection", "features": [carre("93014", 2.55, 48.9), carre("93066", 2.36, 48.93)]}
    chemin = tmp_path / "communes.geojson"
    chemin.write_text(json.dumps(geo), encoding="utf-8")
    lu = carte_territoires.lire_geojson(chemin)
    assert carte_territoires.propriete_insee(lu, tuiles["code_commune"]) == "INSEE_COM"
    assert carte_territoires.propriete_insee({"features": [carre("X", 0, 0)]}, tuiles["code_commune"]) is None
    v = carte_territoires.ValeursCarte.depuis(T.proteger(table_ali(), departement=False), "file_active")
    fig = carte_territoires.carte_choroplethe(lu, "INSEE_COM", tuiles, v, "ALI14", {})
    colorees = next(t for t in fig.data if t.name == v.indicateur.libelle)
    z = dict(zip(colorees.locations, colorees.z, strict=True))
    assert z["93014"] == 12 and z["93066"] == 24 and "93027" not in z  # ALI04 masquée : en gris
    assert colorees.featureidkey == "properties.INSEE_COM"
    # L'ALI choisie est entourée d'orange (tests/figures/test_carte.py) : ici, seule Clichy-sous-Bois (93014) de
    # l'ALI14 a un contour dans le fichier, son carré.
    choisie = next(t for t in fig.data if t.name == "ALI choisie")
    assert choisie.line.color == T.COULEUR_CHOISIE
    coins = {tuple(p) for p in carre("93014", 2.55, 48.9)["geometry"]["coordinates"][0]}
    assert {(x, y) for x, y in zip(choisie.lon, choisie.lat, strict=True) if x is not None} == coins
    with pytest.raises(ValueError):
        bad = tmp_path / "vide.geojson"
        bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
        carte_territoires.lire_geojson(bad)


def test_the_per_ali_table_exports_numbers_and_never_a_masked_value():
    import csv
    import io

    from insertion.outputs import exports

    prot = T.proteger(table_ali(), departement=False)
    t = T.tableau_ali(prot, {"ALI14": "ALI14 · Clichy-sous-Bois"})
    # L'écran garde ses textes : 12 personnes, 75,0 %, 100 000 € ; ALI04 (4 personnes) « secret » ; ALI10 sans coût.
    assert t.texte.iloc[0].tolist() == [
        "ALI14 · Clichy-sous-Bois", "12", "20", "secret", "75,0\u202f%", "50,0\u202f%", "40,0\u202f%", "25,0\u202f%",
        "100\u202f000\u202f€",
    ]  # fmt: skip
    assert t.valeurs["File active à la date d'observation"].tolist()[1] == "secret"
    lignes = list(csv.reader(io.StringIO(exports.ecrire_csv(t).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][4] == "Diagnostic numérique à 90 jours (%)"
    assert lignes[0][8] == "Coût par personne suivie (€)"
    # Sorties d'ALI14 (8) et d'ALI01 (6) : de 1 à 10, masquées ; 0,75 → 75 ; 1,0 → 100.
    assert lignes[1] == ["ALI14 · Clichy-sous-Bois", "12", "20", "secret", "75", "50", "40", "25", "100000"]
    assert lignes[2] == ["ALI04", "secret", "secret", "0", *["secret"] * 5]
    assert lignes[3] == ["ALI01", "24", "30", "secret", "100", "0", "0", "0", "75000"]
    assert lignes[4] == ["ALI10", "secret", "secret", "0", *["secret"] * 4, ""]


def test_a_map_cell_holds_the_value_secret_or_no_data():
    v = carte_territoires.ValeursCarte.depuis(T.proteger(table_ali(), departement=False), "cout_par_personne")
    # ALI14 100 000 € ; ALI04 masquée (file active moyenne 4) ; ALI10 sans coût ; ALI08 absente du tableau.
    assert [v.publiee(c) for c in ("ALI14", "ALI04", "ALI10", "ALI08")] == [100_000.0, "secret", None, "pas de données"]
    assert [v.texte(c) for c in ("ALI14", "ALI04", "ALI10", "ALI08")] == [
        "100\u202f000\u202f€", "secret", "–", "pas de données",
    ]  # fmt: skip
