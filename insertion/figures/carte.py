"""La carte des communes : contours lus dans data/communes.geojson, fusions de communes à une date, contours
des groupes de communes (EPT, ALI) et couleurs de la choroplèthe. Calcul pur : ni Streamlit, ni SQL, ni plotly ;
insertion/figures/carte_territoires.py (carte_choroplethe) en fait la figure.

Contours : france-geojson (Grégoire David, d'après les données IGN/INSEE, Licence Ouverte 2.0 d'Etalab) ; voir
data/README.md. Les communes voisines y partagent exactement leurs sommets : le contour d'un groupe de communes se
calcule donc sans bibliothèque de géométrie. Une arête commune à deux polygones du groupe est intérieure (elle
apparaît deux fois et s'annule) ; les arêtes vues une seule fois, enchaînées, forment le contour.

Jointure toujours sur le code INSEE, jamais sur le nom : les noms du fichier n'ont pas d'article (« Courneuve »),
ceux de data/communes.csv en ont (« La Courneuve ») et sont ceux qu'on écrit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

Point = tuple[float, float]  # (longitude, latitude)
Anneau = tuple[Point, ...]  # fermé : le premier point est répété à la fin
Polygone = tuple[Anneau, ...]  # l'anneau extérieur, puis les trous
Segment = tuple[Point, Point]

# Commune absorbée → commune nouvelle (contrat §1). La fusion s'applique aux dates postérieures à la date_fin de
# la commune absorbée dans data/communes.csv : Pierrefitte-sur-Seine (93059) dans Saint-Denis (93066) au
# 1er janvier 2025. Le référentiel ne dit que la fin d'une commune, pas qui la reprend : c'est dit ici.
FUSIONS: dict[str, str] = {"93059": "93066"}

# --- Couleurs ---------------------------------------------------------------------------------------------------
# Une seule teinte, du bleu clair au bleu foncé (ColorBrewer « Blues », sans sa nuance presque blanche) : l'ordre
# des valeurs se lit à la clarté seule, sans confusion rouge-vert. Le gris moyen neutre du secret (R = G = B) n'est
# aucune nuance de l'échelle, toutes bleues ; une commune sans données est blanche.
ECHELLE = [
    [0.0, "#DEEBF7"],
    [1 / 7, "#C6DBEF"],
    [2 / 7, "#9ECAE1"],
    [3 / 7, "#6BAED6"],
    [4 / 7, "#4292C6"],
    [5 / 7, "#2171B5"],
    [6 / 7, "#08519C"],
    [1.0, "#08306B"],
]
COULEUR_SECRET = "#8C8C8C"
COULEUR_SANS_DONNEES = "#FFFFFF"
COULEUR_LIMITE_COMMUNE = "#FFFFFF"
COULEUR_LIMITE_ALI = "#3A3A3A"
COULEUR_LIMITE_EPT = "#FFFFFF"  # trait fin clair au milieu du trait sombre des ALI : la limite d'EPT se distingue


# --- Lecture ----------------------------------------------------------------------------------------------------


def lire(chemin: Path) -> dict:
    """Le fichier de contours : une FeatureCollection non vide (ValueError sinon)."""
    with Path(chemin).open(encoding="utf-8-sig") as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not data.get("features"):
        raise ValueError(f"{Path(chemin).name} : une FeatureCollection de communes est attendue.")
    return data


def _aire(anneau: Anneau) -> float:
    """Aire signée (formule du lacet, en degrés²) : négative quand l'anneau tourne dans le sens horaire."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(anneau, anneau[1:], strict=False)) / 2


def _orienter(anneau: Iterable[Iterable[float]], horaire: bool) -> Anneau:
    points = tuple((float(p[0]), float(p[1])) for p in anneau)
    if points and points[0] != points[-1]:
        points = (*points, points[0])
    return points if (_aire(points) < 0) == horaire else points[::-1]


def _polygones(geometrie: Mapping | None) -> list[Polygone]:
    """Les polygones d'une géométrie Polygon ou MultiPolygon, orientés comme les veut le tracé de plotly
    (d3-geo) : extérieur dans le sens horaire, trous dans l'autre sens. Une même orientation partout fait aussi
    qu'une arête commune à deux voisines est parcourue dans les deux sens : les contours enchaînés la gardent."""
    if not geometrie:
        return []
    coordonnees = geometrie.get("coordinates") or []
    brut = {"Polygon": [coordonnees], "MultiPolygon": coordonnees}.get(geometrie.get("type"), [])
    return [
        tuple(_orienter(anneau, horaire=(k == 0)) for k, anneau in enumerate(poly))
        for poly in brut
        if poly and len(poly[0]) >= 4
    ]


def geometries(geojson: Mapping, propriete: str) -> dict[str, list[Polygone]]:
    """Code INSEE (valeur de `propriete`) → polygones de la commune ; les entités sans code sont ignorées."""
    out: dict[str, list[Polygone]] = {}
    for feature in geojson.get("features", []):
        code = (feature.get("properties") or {}).get(propriete)
        if code is not None:
            out.setdefault(str(code), []).extend(_polygones(feature.get("geometry")))
    return out


# --- Contours ---------------------------------------------------------------------------------------------------


def aretes_de_bord(polygones: Iterable[Polygone]) -> list[Segment]:
    """Les arêtes qui n'apparaissent qu'une fois dans l'ensemble des polygones, dans leur sens de parcours.

    Deux communes voisines partagent les sommets de leur limite commune : chaque arête de cette limite apparaît
    deux fois (une fois dans chaque sens) et disparaît du contour."""
    vues: dict[frozenset[Point], list[Segment]] = {}
    for poly in polygones:
        for anneau in poly:
            for a, b in zip(anneau, anneau[1:], strict=False):
                if a != b:
                    vues.setdefault(frozenset((a, b)), []).append((a, b))
    return [segments[0] for segments in vues.values() if len(segments) == 1]


def enchainer(segments: Iterable[Segment]) -> list[Anneau]:
    """Les segments orientés mis bout à bout en anneaux fermés (chaque sommet d'un contour a autant d'arêtes
    entrantes que sortantes : on repart toujours d'une arête non encore parcourue)."""
    suivants: dict[Point, list[Point]] = {}
    for a, b in segments:
        suivants.setdefault(a, []).append(b)
    anneaux: list[Anneau] = []
    for depart in list(suivants):
        while suivants.get(depart):
            chemin = [depart]
            point = suivants[depart].pop()
            while point != depart and suivants.get(point):
                chemin.append(point)
                point = suivants[point].pop()
            chemin.append(point)
            if len(chemin) >= 4:
                anneaux.append(tuple(chemin))
    return anneaux


def contour(polygones: Iterable[Polygone]) -> list[Anneau]:
    """Le contour d'un groupe de polygones voisins : ses anneaux (extérieurs et trous)."""
    return enchainer(aretes_de_bord(polygones))


def _dedans(point: Point, anneau: Anneau) -> bool:
    """Point dans l'anneau (règle pair-impair d'un rayon horizontal)."""
    x, y = point
    dedans = False
    for (x0, y0), (x1, y1) in zip(anneau, anneau[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            dedans = not dedans
    return dedans


def assembler(anneaux: Iterable[Anneau]) -> list[Polygone]:
    """Des anneaux d'un contour aux polygones : chaque trou (sens antihoraire) va au plus petit extérieur
    (sens horaire) qui le contient."""
    anneaux = list(anneaux)
    exterieurs = sorted((a for a in anneaux if _aire(a) < 0), key=lambda a: -_aire(a))
    trous: dict[int, list[Anneau]] = {k: [] for k in range(len(exterieurs))}
    for trou in (a for a in anneaux if _aire(a) >= 0):
        hotes = [k for k, ext in enumerate(exterieurs) if _dedans(trou[0], ext)]
        if hotes:
            trous[hotes[0]].append(trou)
    return [(ext, *trous[k]) for k, ext in enumerate(exterieurs)]


def en_geojson(polygones: list[Polygone]) -> dict:
    """Une géométrie GeoJSON (Polygon s'il n'y a qu'un polygone, MultiPolygon sinon)."""
    coords = [[[list(p) for p in anneau] for anneau in poly] for poly in polygones]
    if len(coords) == 1:
        return {"type": "Polygon", "coordinates": coords[0]}
    return {"type": "MultiPolygon", "coordinates": coords}


# --- Les communes à une date ------------------------------------------------------------------------------------


def absorbees(communes: Iterable[Mapping], a_la_date: date | None) -> dict[str, str | None]:
    """Les communes disparues à la date : code → commune qui la reprend (None si le référentiel n'en dit rien).

    Disparue : sa date_fin est antérieure à la date (à toute date sans date : la carte d'aujourd'hui)."""
    out: dict[str, str | None] = {}
    for c in communes:
        fin = c.get("date_fin")
        if fin is not None and (a_la_date is None or fin < a_la_date):
            out[str(c["code_commune"])] = FUSIONS.get(str(c["code_commune"]))
    return out


@dataclass(frozen=True)
class CommuneCarte:
    """Une commune telle qu'elle se dessine à la date : son code, son nom (avec article), son EPT, son ALI, les
    communes qu'elle a absorbées (code, nom, ALI) et ses polygones (union des siens et des leurs)."""

    code: str
    nom: str
    ept: str
    code_ali: str | None
    polygones: list[Polygone]
    anciennes: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class Plan:
    """Tout ce que la carte dessine à une date : communes, entités GeoJSON (code INSEE dans `propriete`),
    contours."""

    communes: list[CommuneCarte]
    propriete: str = "code"  # celle du fichier lu : les entités rendues la gardent
    contours_ept: dict[str, list[Anneau]] = field(default_factory=dict)
    contours_ali: dict[str, list[Anneau]] = field(default_factory=dict)

    @property
    def geojson(self) -> dict:
        return {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {self.propriete: c.code}, "geometry": en_geojson(c.polygones)}
                for c in self.communes
            ],
        }


def plan(
    geojson: Mapping,
    propriete: str,
    communes: Iterable[Mapping],
    ali_de: Mapping[str, str],
    a_la_date: date | None = None,
) -> Plan:
    """Les communes du référentiel (`communes` : code_commune, nom, ept, date_fin) dessinées à la date, jointes
    aux contours par code INSEE ; une commune absorbée rejoint la commune nouvelle (contour = union des deux).

    ALI d'une commune nouvelle : celle de la commune qui a absorbé l'autre (la couleur d'une commune est celle
    d'une seule ALI) ; l'ALI de l'ancienne commune reste dans `anciennes`, pour le survol. Les contours des ALI
    et des EPT sont ceux des communes à la date. Une commune sans contour dans le fichier n'est pas dessinée."""
    communes = list(communes)
    geo = geometries(geojson, propriete)
    parties = absorbees(communes, a_la_date)
    noms = {str(c["code_commune"]): str(c["nom"]) for c in communes}
    anciennes: dict[str, list[str]] = {}
    for ancienne, nouvelle in parties.items():
        if nouvelle is not None and nouvelle in noms and nouvelle not in parties:
            anciennes.setdefault(nouvelle, []).append(ancienne)
    dessinees: list[CommuneCarte] = []
    for c in communes:
        code = str(c["code_commune"])
        if code in parties:
            continue
        groupe = [code, *anciennes.get(code, [])]
        polygones = [p for g in groupe for p in geo.get(g, [])]
        if not polygones:
            continue
        if len(groupe) > 1:
            polygones = assembler(contour(polygones))
        dessinees.append(
            CommuneCarte(
                code=code,
                nom=noms[code],
                ept=str(c.get("ept") or ""),
                code_ali=ali_de.get(code),
                polygones=polygones,
                anciennes=tuple((a, noms[a], ali_de.get(a)) for a in groupe[1:]),
            )
        )
    return Plan(
        dessinees,
        propriete,
        contours_ept=contours_groupes(dessinees, lambda c: c.ept or None),
        contours_ali=contours_groupes(dessinees, lambda c: c.code_ali),
    )


def contours_groupes(communes: Iterable[CommuneCarte], groupe_de) -> dict[str, list[Anneau]]:
    """Groupe (EPT, ALI…) → anneaux de son contour ; `groupe_de(commune)` None : commune hors de tout groupe."""
    parts: dict[str, list[Polygone]] = {}
    for c in communes:
        g = groupe_de(c)
        if g:
            parts.setdefault(g, []).extend(c.polygones)
    return {g: contour(polys) for g, polys in sorted(parts.items())}


def lignes(anneaux: Iterable[Anneau]) -> tuple[list[float | None], list[float | None]]:
    """(longitudes, latitudes) d'anneaux à tracer d'un seul trait plotly, séparés par None."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    for anneau in anneaux:
        lon += [p[0] for p in anneau] + [None]
        lat += [p[1] for p in anneau] + [None]
    return lon, lat
