"""insertion.figures.carte et la choroplèthe des communes (carte_territoires.carte_choroplethe).

Le fichier livré (data/communes.geojson, france-geojson, Licence Ouverte), la fusion de Pierrefitte-sur-Seine dans
Saint-Denis au 1er janvier 2025, le contour d'un groupe de communes (calculé à la main sur deux carrés voisins),
les couleurs (le gris du secret n'est aucune nuance de l'échelle) et la figure plotly d'une ALI choisie.
"""

from __future__ import annotations

import colorsys
import hashlib
import json
import math
from datetime import date

import pytest
from plotly.colors import hex_to_rgb, sample_colorscale, unlabel_rgb

from insertion.config import DATA_DIR
from insertion.figures import carte, carte_territoires
from insertion.figures import territoires as T
from insertion.store.referentiel import charger_referentiel

AVANT = date(2024, 12, 31)  # dernier jour de Pierrefitte-sur-Seine (date_fin de data/communes.csv)
APRES = date(2025, 1, 1)


@pytest.fixture(scope="module")
def geo() -> dict:
    return carte.lire(DATA_DIR / "communes.geojson")


@pytest.fixture(scope="module")
def ref():
    return charger_referentiel()


def ali_de(ref) -> dict[str, str]:
    return {c: a["code_ali"] for a in ref.ali for c in a["communes"]}


# --- Le fichier livré --------------------------------------------------------------------------------------------


def test_le_fichier_porte_les_40_communes_du_referentiel(geo, ref):
    codes = [f["properties"]["code"] for f in geo["features"]]
    assert len(geo["features"]) == 40 and len(set(codes)) == 40
    assert set(codes) == ref.codes_communes
    # Copie à l'octet près : 19 514 caractères, tous ASCII (les accents sont échappés, « Pr\u00e9-Saint-Gervais »).
    brut = (DATA_DIR / "communes.geojson").read_bytes()
    assert len(brut) == 19514 and brut.isascii()
    assert hashlib.sha256(brut).hexdigest() in (DATA_DIR / "README.md").read_text(encoding="utf-8")
    # Les noms du fichier n'ont pas d'article : la jointure se fait sur le code, jamais sur le nom.
    noms = {f["properties"]["code"]: f["properties"]["nom"] for f in geo["features"]}
    assert noms["93027"] == "Courneuve" and carte_territoires.propriete_insee(geo, ref.codes_communes) == "code"


def test_la_source_et_la_licence_sont_citees():
    texte = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    citations = ("france-geojson", "Grégoire David", "IGN/INSEE", "Licence Ouverte 2.0", "Etalab", "1er janvier 2025")
    for attendu in citations:
        assert attendu in texte


def test_les_voisines_partagent_exactement_leurs_sommets(geo):
    """Chaque arête est vue une fois (bord du département) ou deux (limite de deux communes), et le bord du
    département se referme en un seul anneau : aucune limite n'est dessinée en double décalé."""
    polys = [p for ps in carte.geometries(geo, "code").values() for p in ps]
    vues: dict[frozenset, int] = {}
    for poly in polys:
        for anneau in poly:
            for a, b in zip(anneau, anneau[1:], strict=False):
                vues[frozenset((a, b))] = vues.get(frozenset((a, b)), 0) + 1
    assert set(vues.values()) == {1, 2}
    assert len(carte.contour(polys)) == 1


# --- La fusion du 1er janvier 2025 -------------------------------------------------------------------------------


def test_avant_la_fusion_40_communes_apres_39(geo, ref):
    avant = carte.plan(geo, "code", ref.communes, ali_de(ref), AVANT)
    apres = carte.plan(geo, "code", ref.communes, ali_de(ref), APRES)
    assert len(avant.communes) == 40 and len(avant.geojson["features"]) == 40
    assert len(apres.communes) == 39 and len(apres.geojson["features"]) == 39
    assert "93059" in {c.code for c in avant.communes} and "93059" not in {c.code for c in apres.communes}
    # Sans date : la carte d'aujourd'hui, après la fusion.
    assert len(carte.plan(geo, "code", ref.communes, ali_de(ref)).communes) == 39

    geo_avant = {c.code: c for c in avant.communes}
    saint_denis = next(c for c in apres.communes if c.code == "93066")
    # Saint-Denis couvre les deux anciens polygones : son contour est celui de leur réunion, d'un seul tenant,
    # son aire (formule du lacet) la somme des deux ; leur limite commune a disparu.
    deux = geo_avant["93066"].polygones + geo_avant["93059"].polygones
    assert len(saint_denis.polygones) == 1 and len(saint_denis.polygones[0]) == 1
    assert set(saint_denis.polygones[0][0]) == {p for poly in carte.contour(deux) for p in poly}
    aire = sum(-carte._aire(p[0]) for p in deux)
    assert -carte._aire(saint_denis.polygones[0][0]) == pytest.approx(aire, rel=1e-12)

    def aretes(anneau):
        return {frozenset(e) for e in zip(anneau, anneau[1:], strict=False)}

    limite = aretes(geo_avant["93066"].polygones[0][0]) & aretes(geo_avant["93059"].polygones[0][0])
    assert limite and not limite & aretes(saint_denis.polygones[0][0])
    assert saint_denis.nom == "Saint-Denis" and saint_denis.code_ali == "ALI01"
    assert saint_denis.anciennes == (("93059", "Pierrefitte-sur-Seine", "ALI02"),)
    # Les ALI et les EPT se dessinent avec les communes de la date : ALI02 n'a plus que Villetaneuse.
    assert set(apres.contours_ali) == set(avant.contours_ali)
    villetaneuse = geo_avant["93079"].polygones
    assert set(apres.contours_ali["ALI02"][0]) == set(carte.contour(villetaneuse)[0])
    assert len(apres.contours_ept) == 4


# --- Contour d'un groupe : deux carrés voisins -------------------------------------------------------------------


def carre(x: float, y: float) -> carte.Polygone:
    """Le carré unité de coin bas gauche (x, y), parcouru dans le sens horaire (extérieur, convention d3-geo)."""
    return (((x, y), (x, y + 1), (x + 1, y + 1), (x + 1, y), (x, y)),)


def test_le_contour_de_deux_carres_voisins_perd_leur_arete_commune():
    """Carrés A = [0,1]×[0,1] et B = [1,2]×[0,1] : 8 arêtes, dont (1,0)-(1,1) deux fois (une fois dans chaque
    sens). Restent 6 arêtes, qui forment le rectangle [0,2]×[0,1] avec ses 6 sommets."""
    a, b = carre(0, 0), carre(1, 0)
    bord = carte.aretes_de_bord([a, b])
    assert len(bord) == 6
    assert ((1.0, 0.0), (1.0, 1.0)) not in bord and ((1.0, 1.0), (1.0, 0.0)) not in bord
    (anneau,) = carte.contour([a, b])
    assert anneau[0] == anneau[-1] and len(anneau) == 7
    assert set(anneau) == {(0, 0), (0, 1), (1, 1), (2, 1), (2, 0), (1, 0)}
    assert carte._aire(anneau) == pytest.approx(-2.0)  # deux unités, toujours dans le sens horaire
    # Rassemblés en géométrie : un seul Polygon ; deux carrés éloignés donnent deux anneaux, un MultiPolygon.
    assert carte.en_geojson(carte.assembler([anneau]))["type"] == "Polygon"
    loin = carte.assembler(carte.contour([a, carre(5, 0)]))
    assert len(loin) == 2 and carte.en_geojson(loin)["type"] == "MultiPolygon"


def test_un_anneau_interieur_devient_un_trou():
    """Huit carrés autour d'un carré vide : contour extérieur 3×3 et un trou 1×1 (sens antihoraire)."""
    autour = [carre(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)]
    (poly,) = carte.assembler(carte.contour(autour))
    exterieur, trou = poly
    assert carte._aire(exterieur) == pytest.approx(-9.0) and carte._aire(trou) == pytest.approx(1.0)


def test_une_geometrie_antihoraire_est_remise_dans_le_sens_de_d3():
    geo = {
        "features": [
            {
                "properties": {"code": "X"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
            }
        ]
    }
    (poly,) = carte.geometries(geo, "code")["X"]
    assert carte._aire(poly[0]) < 0


# --- Couleurs ----------------------------------------------------------------------------------------------------


def rgb(couleur: str) -> tuple[float, float, float]:
    r, g, b = hex_to_rgb(couleur) if couleur.startswith("#") else unlabel_rgb(couleur)
    return r / 255, g / 255, b / 255


def test_le_gris_du_secret_n_est_aucune_nuance_de_l_echelle():
    """L'échelle est une seule teinte bleue, de plus en plus foncée ; le gris du secret est neutre (saturation
    nulle) et loin de toute nuance de l'échelle (échantillonnée finement) : aucune valeur ne peut le prendre."""
    nuances = [rgb(c) for c in sample_colorscale(carte.ECHELLE, [k / 200 for k in range(201)])]
    teintes = [colorsys.rgb_to_hls(*c) for c in nuances]
    assert all(0.55 < h < 0.65 and s > 0.3 for h, _, s in teintes)  # bleu (≈ 210°), saturé
    clartes = [c[1] for c in teintes]
    assert clartes == sorted(clartes, reverse=True)  # séquentielle : du clair au foncé
    gris = rgb(carte.COULEUR_SECRET)
    assert gris[0] == gris[1] == gris[2]
    assert min(math.dist(gris, c) for c in nuances) > 0.15
    assert carte.COULEUR_SECRET != carte.COULEUR_SANS_DONNEES
    assert min(math.dist(rgb(carte.COULEUR_SANS_DONNEES), c) for c in nuances) > 0.05


# --- La figure ---------------------------------------------------------------------------------------------------


def valeurs_carte() -> carte_territoires.ValeursCarte:
    """File active : ALI14 120, ALI01 240, ALI02 35, ALI04 masquée (« secret »), les autres sans données."""
    ind = T.PAR_CLE["file_active"]
    valeurs = {"ALI14": 120.0, "ALI01": 240.0, "ALI02": 35.0, "ALI04": math.nan}
    textes = {"ALI14": "120", "ALI01": "240", "ALI02": "35", "ALI04": "secret"}
    return carte_territoires.ValeursCarte(ind, valeurs, textes, frozenset({"ALI04"}))


def trace(fig, nom: str):
    return next(t for t in fig.data if t.name == nom)


@pytest.mark.parametrize(("jour", "communes"), [(AVANT, 40), (APRES, 39)])
def test_la_choroplethe_d_une_ali_choisie_avec_une_valeur_masquee(geo, jour, communes):
    v = valeurs_carte()
    noms = {"ALI14": "ALI14 · Clichy-sous-Bois", "ALI01": "ALI01 · Saint-Denis", "ALI02": "ALI02 · Pierrefitte"}
    fig = carte_territoires.carte_choroplethe(geo, "code", carte_territoires.tuiles(), v, "ALI14", noms, date=jour)
    choros = [t for t in fig.data if t.type == "choropleth"]
    dessinees = [loc for t in choros for loc in t.locations]
    assert len(dessinees) == len(set(dessinees)) == communes
    assert all(len(t.geojson["features"]) == communes for t in choros)

    colorees = trace(fig, "File active à la date d'observation")
    z = dict(zip(colorees.locations, colorees.z, strict=True))
    assert z["93014"] == z["93015"] == z["93047"] == 120 and z["93066"] == 240 and z["93079"] == 35
    assert colorees.colorscale == tuple(tuple(s) for s in carte.ECHELLE)
    assert colorees.featureidkey == "properties.code"
    secret = trace(fig, "Valeur non diffusée")
    assert list(secret.locations) == ["93027"] and list(secret.z) == [1]  # ALI04 masquée : en gris
    assert {c for _, c in secret.colorscale} == {carte.COULEUR_SECRET}
    assert "93027" not in z and "93048" in trace(fig, "Pas de données").locations

    # Survol en français : nom avec article (data/communes.csv), ALI, valeur ; « secret » pour la masquée.
    survol = dict(zip(secret.locations, secret.customdata, strict=True))
    assert (
        survol["93027"].startswith("<b>La Courneuve</b>")
        and "File active à la date d'observation : secret" in (survol["93027"])
    )
    survol = dict(zip(colorees.locations, colorees.customdata, strict=True))
    assert "ALI14 · Clichy-sous-Bois" in survol["93014"] and ": 120" in survol["93014"]
    if jour >= APRES:
        assert "Pierrefitte-sur-Seine" in survol["93066"] and "suivie par ALI02 · Pierrefitte : 35" in survol["93066"]
        assert "93059" not in z
    else:
        assert z["93059"] == 35 and "Pierrefitte" not in survol["93066"]

    # Contours : EPT fin, ALI plus épais, ALI choisie en orange, par-dessus la choroplèthe.
    ept, ali, choisie = trace(fig, "Limite d'EPT"), trace(fig, "Limite d'ALI"), trace(fig, "ALI choisie")
    assert ept.line.width < ali.line.width < choisie.line.width and choisie.line.color == T.COULEUR_CHOISIE
    noms_traces = [t.name for t in fig.data]
    assert noms_traces.index("ALI choisie") > noms_traces.index("File active à la date d'observation")
    # Le contour de l'ALI14 (Clichy-sous-Bois, Montfermeil, Coubron) est un seul anneau : leurs limites communes
    # ont disparu, le dernier point rejoint le premier.
    lon = list(choisie.lon)
    assert lon.count(None) == 1 and lon[0] == lon[-2]
    plan = carte.plan(geo, "code", charger_referentiel().communes, ali_de(charger_referentiel()), jour)
    assert len(ept.lon) - list(ept.lon).count(None) == sum(len(a) for ps in plan.contours_ept.values() for a in ps)
    # La légende dit le gris du secret.
    assert any("secret" in (t.name or "") and "gris" in t.name for t in fig.data if t.showlegend is not False)
    json.dumps(fig.to_plotly_json(), default=str)  # la figure se sérialise (envoi au navigateur)

    # Rien n'est téléchargé hors du serveur : plotly.js ne demande le fond de carte mondial que si une couche de
    # fond est montrée ou si la PREMIÈRE trace a un locationmode (une choroplèthe en a un, « geojson-id »).
    premiere = fig.data[0]
    assert premiere.type == "scattergeo" and premiere.locations is None and premiere.locationmode is None
    assert fig.layout.geo.visible is False
    assert not any(fig.layout.geo[f"show{couche}"] for couche in ("land", "ocean", "lakes", "rivers", "countries"))
