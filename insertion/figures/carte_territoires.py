"""La carte des territoires de la vue « Comparer les territoires » : l'ALI choisie et les autres colorées par
l'indicateur choisi.

Carte : une vraie choroplèthe des communes, dont les contours sont livrés dans data/communes.geojson
(france-geojson, Licence Ouverte ; le calcul pur, fusions de communes à une date et contours des EPT et des
ALI, est dans insertion/figures/carte.py). La carte en tuiles (chaque commune est une case d'une grille,
data/tuiles_communes.csv, position approximative) reste le repli quand le fichier de contours manque ou ne
peut pas être lu : chaque case est colorée par la valeur de son ALI ; un trait épais sépare les ALI.
Une ALI dont la valeur n'est pas diffusée (secret statistique) est grise, hors de l'échelle de couleur.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from insertion.config import DATA_DIR, dossier_referentiels
from insertion.figures import carte, charts
from insertion.figures.territoires import COULEUR_CHOISIE, PAR_CLE, Indicateur
from insertion.protect import secret
from insertion.store.referentiel import charger_referentiel

FICHIER_TUILES = "tuiles_communes.csv"


FICHIER_GEOJSON = "communes.geojson"


COULEUR_MASQUE = "#D9D9D9"  # tuile d'une ALI dont la valeur n'est pas diffusée


COULEUR_FRONTIERE = "#3A3A3A"


def _chercher(nom: str) -> Path | None:
    for dossier in dict.fromkeys((dossier_referentiels(), DATA_DIR)):
        if (Path(dossier) / nom).is_file():
            return Path(dossier) / nom
    return None


def tuiles(chemin: Path | None = None) -> pd.DataFrame:
    """Les communes du référentiel placées sur la grille : code_commune, nom, nom_court, colonne, ligne,
    code_ali. Les communes sans position (référentiel remplacé) sont dans attrs['sans_position']."""
    chemin = chemin or _chercher(FICHIER_TUILES)
    ref = charger_referentiel()
    ali_de = {c: a["code_ali"] for a in ref.ali for c in a["communes"]}
    noms = {c["code_commune"]: c["nom"] for c in ref.communes}
    positions: dict[str, dict] = {}
    if chemin is not None:
        with Path(chemin).open(encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f, delimiter=";"):
                code = (r.get("code_commune") or "").strip()
                try:
                    positions[code] = {
                        "nom_court": (r.get("nom_court") or "").strip(),
                        "colonne": int(r["colonne"]),
                        "ligne": int(r["ligne"]),
                    }
                except (KeyError, TypeError, ValueError):
                    continue
    rows = [
        {
            "code_commune": code,
            "nom": noms[code],
            "nom_court": positions[code]["nom_court"] or noms[code],
            "colonne": positions[code]["colonne"],
            "ligne": positions[code]["ligne"],
            "code_ali": ali_de.get(code),
        }
        for code in noms
        if code in positions
    ]
    out = pd.DataFrame(rows, columns=["code_commune", "nom", "nom_court", "colonne", "ligne", "code_ali"])
    out.attrs["sans_position"] = [noms[c] for c in noms if c not in positions]
    return out


Segment = tuple[tuple[float, float], tuple[float, float]]


def frontieres(t: pd.DataFrame, alis: Iterable[str] | None = None) -> list[Segment]:
    """Les côtés de tuiles qui séparent deux ALI (ou bordent la grille) : le contour des ALI.

    alis : ne garder que le contour de ces ALI (pour souligner l'ALI choisie). Chaque côté n'apparaît
    qu'une fois ; coordonnées des coins de cases (centre ± 0,5)."""
    case = {(int(r.colonne), int(r.ligne)): r.code_ali for r in t.itertuples()}
    garder = None if alis is None else set(alis)
    segments: set[Segment] = set()
    cotes = (
        ((1, 0), ((0.5, -0.5), (0.5, 0.5))),
        ((-1, 0), ((-0.5, -0.5), (-0.5, 0.5))),
        ((0, 1), ((-0.5, 0.5), (0.5, 0.5))),
        ((0, -1), ((-0.5, -0.5), (0.5, -0.5))),
    )
    for (x, y), ali in case.items():
        if garder is not None and ali not in garder:
            continue
        for (dx, dy), ((ax, ay), (bx, by)) in cotes:
            voisin = case.get((x + dx, y + dy), "__aucun__")
            if voisin != ali:
                segments.add(((x + ax, y + ay), (x + bx, y + by)))
    return sorted(segments)


def _trace_segments(segments: list[Segment], couleur: str, largeur: float, nom: str) -> go.Scatter:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for (x0, y0), (x1, y1) in segments:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": couleur, "width": largeur},
        hoverinfo="skip",
        showlegend=False,
        name=nom,
    )


@dataclass(frozen=True)
class ValeursCarte:
    """Les valeurs par ALI d'un indicateur pour la carte : NaN quand masquée ou non calculable."""

    indicateur: Indicateur
    valeurs: dict[str, float]
    textes: dict[str, str]  # au format français, « secret » compris
    masquees: frozenset[str]

    @classmethod
    def depuis(cls, prot_ali: secret.Protege, cle: str) -> ValeursCarte:
        ind = PAR_CLE[cle]
        groupes = prot_ali.donnees["groupe"].astype(str).to_list()
        textes = prot_ali.affichage({cle: ind.format})[cle].to_list()
        masque = prot_ali.masque[cle].to_list() if cle in prot_ali.masque else [False] * len(groupes)
        return cls(
            ind,
            {g: float(v) for g, v in zip(groupes, prot_ali.donnees[cle], strict=True)},
            dict(zip(groupes, textes, strict=True)),
            frozenset(g for g, m in zip(groupes, masque, strict=True) if m),
        )

    def valeur(self, code_ali: str | None) -> float:
        return self.valeurs.get(code_ali, math.nan) if code_ali else math.nan

    def texte(self, code_ali: str | None) -> str:
        return self.textes.get(code_ali, "pas de données") if code_ali else "hors ALI"

    def publiee(self, code_ali: str) -> object:
        """La case d'un tableau : la valeur (None si non calculable), « secret » si masquée (jamais la valeur),
        « pas de données » pour une ALI absente du tableau."""
        if code_ali not in self.textes:
            return "pas de données"
        if code_ali in self.masquees or self.textes[code_ali] == secret.LIBELLE_MASQUE:  # secret secondaire compris
            return secret.LIBELLE_MASQUE
        v = self.valeurs[code_ali]
        return None if math.isnan(v) else v


def _barre_couleur(ind: Indicateur) -> dict:
    """Barre de couleur horizontale sous la carte : toute la largeur reste aux tuiles."""
    return {
        "title": {"text": ind.libelle, "side": "top"},
        "orientation": "h",
        "x": 0.5,
        "xanchor": "center",
        "y": -0.02,
        "yanchor": "top",
        "len": 0.7,
        "thickness": 14,
        **ind.axe,
    }


def carte_tuiles(t: pd.DataFrame, v: ValeursCarte, code: str | None, noms: dict[str, str]) -> go.Figure:
    """La carte en tuiles : une case par commune, colorée par la valeur de son ALI (Cividis), nom court
    écrit dans la case ; trait épais entre ALI, contour orange épais autour de l'ALI choisie ; cases grises
    pour les ALI dont la valeur n'est pas diffusée ou inconnue."""
    ind = v.indicateur
    fig = go.Figure()
    if t.empty:
        return fig
    largeur, hauteur = int(t["colonne"].max()) + 1, int(t["ligne"].max()) + 1
    xs, ys = list(range(largeur)), list(range(hauteur))

    def grille(remplir: Callable[[pd.Series], object]) -> list[list[object]]:
        g: list[list[object]] = [[None] * largeur for _ in ys]
        for _, r in t.iterrows():
            g[int(r["ligne"])][int(r["colonne"])] = remplir(r)
        return g

    # La valeur de l'ALI est écrite une fois, dans sa première case (la plus au nord, puis à l'ouest).
    premieres = set(t.sort_values(["ligne", "colonne"]).drop_duplicates("code_ali")["code_commune"])

    def etiquette(r: pd.Series) -> str:
        if r["code_commune"] in premieres and r["code_ali"]:
            return f"{r['nom_court']}<br><b>{v.texte(r['code_ali'])}</b>"
        return r["nom_court"]

    def est_grise(r: pd.Series) -> bool:
        return bool(pd.isna(v.valeur(r["code_ali"])))

    couleur = grille(lambda r: v.valeur(r["code_ali"]) * ind.echelle)
    gris = grille(lambda r: 1.0 if est_grise(r) else None)
    texte_couleur = grille(lambda r: "" if est_grise(r) else etiquette(r))
    texte_gris = grille(lambda r: etiquette(r) if est_grise(r) else "")
    survol = grille(
        lambda r: (
            f"{r['nom']}<br>{noms.get(r['code_ali'], r['code_ali'] or 'hors ALI')}<br>"
            f"{ind.libelle} : {v.texte(r['code_ali'])}"
        )
    )

    def numerique(g: list[list[object]]) -> list[list[float]]:
        return [[math.nan if c is None else float(c) for c in ligne] for ligne in g]

    def textes(g: list[list[object]]) -> list[list[str]]:
        return [["" if c is None else str(c) for c in ligne] for ligne in g]

    commun = {
        "x": xs,
        "y": ys,
        "customdata": textes(survol),
        "texttemplate": "%{text}",
        "hovertemplate": "%{customdata}<extra></extra>",
        "xgap": 3,
        "ygap": 3,
        "hoverongaps": False,
    }
    fig.add_trace(
        go.Heatmap(
            z=numerique(gris),
            text=textes(texte_gris),
            colorscale=[[0, COULEUR_MASQUE], [1, COULEUR_MASQUE]],
            showscale=False,
            textfont={"size": 11, "color": "#222222"},
            name="Valeur non diffusée",
            **commun,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=numerique(couleur),
            text=textes(texte_couleur),
            colorscale=charts.ECHELLE_CONTINUE,
            colorbar=_barre_couleur(ind),
            textfont={"size": 11},
            name=ind.libelle,
            **commun,
        )
    )
    fig.add_trace(_trace_segments(frontieres(t), COULEUR_FRONTIERE, 3, "Limites des ALI"))
    if code:
        fig.add_trace(_trace_segments(frontieres(t, [code]), COULEUR_CHOISIE, 6, "ALI choisie"))
    fig.update_xaxes(visible=False, range=[-0.6, largeur - 0.4], constrain="domain")
    fig.update_yaxes(visible=False, range=[hauteur - 0.4, -0.6], scaleanchor="x", scaleratio=1, constrain="domain")
    # Environ 80 px par case dans les 820 px de la zone principale à 1280 px, plus la barre de couleur.
    fig.update_layout(height=80 * hauteur + 140, margin={"t": 10, "b": 90, "l": 10, "r": 10}, showlegend=False)
    return fig


PROPRIETES_INSEE = ("code", "code_insee", "insee", "INSEE_COM", "insee_com", "codgeo", "CODGEO", "com", "COM")


def fichier_geojson() -> Path | None:
    """Le fichier des contours des communes : celui du dossier $INSERTION_REFERENTIEL s'il y en a un, sinon
    data/communes.geojson, livré avec le projet (france-geojson, Licence Ouverte : voir data/README.md)."""
    return _chercher(FICHIER_GEOJSON)


def lire_geojson(chemin: Path) -> dict:
    return carte.lire(chemin)


def propriete_insee(geojson: dict, codes: Iterable[str]) -> str | None:
    """La propriété des entités qui porte le code INSEE : celle dont le plus de valeurs sont des codes du
    référentiel (une des PROPRIETES_INSEE, sinon n'importe laquelle) ; None si aucune ne convient."""
    codes = set(codes)
    scores: dict[str, int] = {}
    for feature in geojson.get("features", []):
        for cle, valeur in (feature.get("properties") or {}).items():
            if str(valeur) in codes:
                scores[cle] = scores.get(cle, 0) + 1
    if not scores:
        return None
    meilleur = max(scores.values())
    connus = [p for p in PROPRIETES_INSEE if scores.get(p) == meilleur]
    return connus[0] if connus else max(scores, key=scores.get)


def _survol_carte(c: carte.CommuneCarte, v: ValeursCarte, noms: dict[str, str]) -> str:
    """Le survol d'une commune, en français : nom avec article (data/communes.csv), ALI, valeur de l'ALI ; pour
    une commune nouvelle, les communes absorbées et leur ALI quand elle diffère."""
    ind = v.indicateur

    def ali(code_ali: str | None) -> str:
        return noms.get(code_ali, code_ali) if code_ali else "hors ALI"

    lignes = [f"<b>{c.nom}</b>", f"{ali(c.code_ali)}", f"{ind.libelle} : {v.texte(c.code_ali)}"]
    for _code, nom, code_ali in c.anciennes:
        lignes.append(f"Comprend l'ancienne commune de {nom}")
        if code_ali != c.code_ali:
            lignes.append(f"suivie par {ali(code_ali)} : {v.texte(code_ali)}")
    return "<br>".join(lignes)


def carte_choroplethe(
    geojson: dict,
    propriete: str,
    t: pd.DataFrame,
    v: ValeursCarte,
    code: str | None,
    noms: dict[str, str],
    *,
    date: dt.date | None = None,
) -> go.Figure:
    """Choroplèthe des communes : couleur = valeur de l'ALI de la commune (un bleu, du clair au foncé), gris
    moyen neutre pour une valeur non diffusée (« secret » : aucune nuance de l'échelle), blanc sans données ;
    limites des ALI en trait sombre, des EPT en trait fin clair, contour orange de l'ALI choisie.

    Les communes sont celles du référentiel à la date d'observation `date` (None : la carte d'aujourd'hui,
    après toutes les fusions connues) : après le 1er janvier 2025, Saint-Denis comprend Pierrefitte-sur-Seine
    (insertion/figures/carte.py). `t` (les tuiles) n'est plus lu : les communes, même sans position sur la
    grille, viennent du référentiel ; il reste dans la signature des appels existants."""
    ind = v.indicateur
    ref = charger_referentiel()
    ali_de = {c: a["code_ali"] for a in ref.ali for c in a["communes"]}
    p = carte.plan(geojson, propriete, ref.communes, ali_de, date)
    commun = {
        "geojson": p.geojson,
        "featureidkey": f"properties.{p.propriete}",
        "hovertemplate": "%{customdata}<extra></extra>",
        "marker_line_color": carte.COULEUR_LIMITE_COMMUNE,
        "marker_line_width": 0.8,
        "showscale": False,
    }
    fig = go.Figure()
    # Légende des aplats : un carré par couleur hors échelle (une choroplèthe n'a pas d'entrée de légende).
    # Ces traces viennent en premier : plotly.js (4.1) ne regarde que la première trace d'une carte pour décider
    # de télécharger le fond de carte mondial (cdn.plot.ly/…/world_110m.json) ; une trace en lon/lat ne le
    # demande pas, une choroplèthe si. Hors ligne, ce téléchargement échouerait et la carte resterait blanche ;
    # tests/figures/test_carte.py vérifie cet ordre et tests/e2e qu'aucune requête ne sort du serveur.
    for couleur, nom in (
        (carte.COULEUR_SECRET, "secret : valeur non diffusée (gris neutre, hors de l'échelle)"),
        (carte.COULEUR_SANS_DONNEES, "pas de données"),
    ):
        fig.add_trace(
            go.Scattergeo(
                lon=[None], lat=[None], mode="markers", name=nom, hoverinfo="skip",
                marker={"symbol": "square", "size": 14, "color": couleur, "line": {"color": "#555555", "width": 1}},
            )
        )  # fmt: skip

    def aplat(communes: list[carte.CommuneCarte], couleur: str, nom: str) -> None:
        # Une couleur unie : z vaut 1 partout (lu par les tests), l'échelle n'a qu'une couleur.
        if communes:
            fig.add_trace(
                go.Choropleth(
                    locations=[c.code for c in communes],
                    z=[1] * len(communes),
                    customdata=[_survol_carte(c, v, noms) for c in communes],
                    colorscale=[[0, couleur], [1, couleur]],
                    name=nom,
                    **commun,
                )
            )

    masquees = [c for c in p.communes if c.code_ali in v.masquees]
    sans_donnees = [c for c in p.communes if c.code_ali not in v.masquees and pd.isna(v.valeur(c.code_ali))]
    colorees = [c for c in p.communes if not pd.isna(v.valeur(c.code_ali))]
    aplat(sans_donnees, carte.COULEUR_SANS_DONNEES, "Pas de données")
    aplat(masquees, carte.COULEUR_SECRET, "Valeur non diffusée")
    fig.add_trace(
        go.Choropleth(
            locations=[c.code for c in colorees],
            z=[v.valeur(c.code_ali) * ind.echelle for c in colorees],
            customdata=[_survol_carte(c, v, noms) for c in colorees],
            colorscale=carte.ECHELLE,
            colorbar=_barre_couleur(ind),
            name=ind.libelle,
            **{**commun, "showscale": True},
        )
    )

    def trait(anneaux: list[carte.Anneau], couleur: str, largeur: float, nom: str) -> None:
        lon, lat = carte.lignes(anneaux)
        fig.add_trace(
            go.Scattergeo(
                lon=lon, lat=lat, mode="lines", line={"color": couleur, "width": largeur}, name=nom,
                hoverinfo="skip", showlegend=True,
            )
        )  # fmt: skip

    # Les limites d'EPT suivent des limites d'ALI : un trait fin clair au milieu du trait sombre les distingue.
    trait([a for anneaux in p.contours_ali.values() for a in anneaux], carte.COULEUR_LIMITE_ALI, 3.5, "Limite d'ALI")
    trait([a for anneaux in p.contours_ept.values() for a in anneaux], carte.COULEUR_LIMITE_EPT, 1.5, "Limite d'EPT")
    if code and code in p.contours_ali:
        trait(p.contours_ali[code], COULEUR_CHOISIE, 4.5, "ALI choisie")
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    fig.update_layout(
        height=640,
        margin={"t": 40, "b": 90, "l": 10, "r": 10},
        showlegend=True,
        # Fond gris clair : le trait blanc des EPT et le carré blanc « pas de données » s'y voient.
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "bgcolor": "#E8E8E8", "font": {"size": 12}},
    )
    return fig
