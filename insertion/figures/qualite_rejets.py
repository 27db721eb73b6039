"""Les lignes rejetées de la vue « Qualité des données » : comptes par motif et par ALI, choix du chargement,
graphiques, tableaux et phrases, et la quarantaine (numéro de ligne, colonne, motif), sans Streamlit ni SQL.

La quarantaine ne contient aucune donnée personnelle (jamais de valeur) ; les comptes de lignes rejetées décrivent
des fichiers, pas des personnes : ils ne sont pas masqués (justification dans insertion/figures/qualite.py).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.qualite import libelle_chargement
from insertion.figures.tableau import Tableau
from insertion.indicators import libelles

ALI_INCONNUE = "ALI inconnue ou illisible"


def motif_court(motif: str) -> str:
    """« type_parcours inconnu (attendu social, …) » → « type_parcours inconnu », pour l'axe d'un graphique."""
    return motif.split(" (")[0] if isinstance(motif, str) else formats.SANS_OBJET


def rejets_par_motif(df: pd.DataFrame) -> pd.DataFrame:
    """Lignes rejetées par motif (et colonne), le plus fréquent d'abord. df : qualite_rejets."""
    if df.empty:
        return pd.DataFrame({"motif": [], "colonne": [], "lignes": []})
    out = df.groupby(["motif", "colonne"], dropna=False, as_index=False)["lignes"].sum()
    return out.sort_values(["lignes", "motif"], ascending=[False, True], ignore_index=True)


def rejets_par_ali(df: pd.DataFrame) -> pd.DataFrame:
    """Lignes rejetées par ALI (code ALI absent ou hors référentiel : « ALI inconnue »)."""
    if df.empty:
        return pd.DataFrame({"code_ali": [], "ali": [], "lignes": []})
    noms = libelles.ali()
    data = df.assign(code_ali=df["code_ali"].where(df["code_ali"].notna(), None))
    out = data.groupby("code_ali", dropna=False, as_index=False)["lignes"].sum()
    out["ali"] = [noms.get(c, c) if isinstance(c, str) else ALI_INCONNUE for c in out["code_ali"]]
    return out.sort_values(["lignes", "ali"], ascending=[False, True], ignore_index=True)


def tableau_quarantaine(df: pd.DataFrame) -> Tableau:
    """La quarantaine en français : fichier, ligne, ALI, colonne, motif, précision. Aucune valeur brute.

    Le numéro de chargement et celui de ligne sont des nombres (la ligne reste un nombre à l'écran, triée 9 avant
    10) ; une ligne rejetée sans colonne désignée est sans objet (« – »)."""
    noms = libelles.ali()
    valeurs = pd.DataFrame(
        {
            "N° de chargement": df["id_chargement"].astype(int).to_list(),
            "Fichier": df["fichier"].to_list(),
            "Ligne": df["ligne"].astype(int).to_list(),
            "ALI": [noms.get(c, c) if isinstance(c, str) else ALI_INCONNUE for c in df["code_ali"]],
            "Colonne": [c if isinstance(c, str) else None for c in df["colonne"]],
            "Motif": df["motif"].to_list(),
            "Précision": [d if isinstance(d, str) else "" for d in df["detail"]],
        },
        dtype=object,
    )
    return Tableau(valeurs, {"N° de chargement": tb.numero(), "Ligne": tb.numero_triable()})


def chargements_avec_rejets(chargements: pd.DataFrame | None, rejets: pd.DataFrame) -> pd.DataFrame:
    """Les chargements qui ont des lignes rejetées, le plus récent d'abord (id_chargement, fichier, rejetees).

    Sans l'historique (chargements None : rôle qui ne le voit pas), ceux dont ce rôle voit des lignes rejetées,
    comptées sur ce qu'il voit (rejets : qualite_rejets de tous les chargements du territoire).
    """
    if chargements is not None:
        return chargements[chargements["rejetees"] > 0] if not chargements.empty else chargements
    return (
        rejets.groupby(["id_chargement", "fichier"], as_index=False)["lignes"]
        .sum()
        .rename(columns={"lignes": "rejetees"})
        .sort_values("id_chargement", ascending=False)
    )


def libelles_chargements(avec_rejets: pd.DataFrame) -> dict[int, str]:
    """{numéro de chargement: « n° 284 · extraction_ALI07.csv (3 lignes rejetées) »} pour le sélecteur."""
    return {int(r["id_chargement"]): libelle_chargement(r) for _, r in avec_rejets.iterrows()}


def aucun_rejet(sous_departement: bool) -> str:
    return "Aucune ligne rejetée" + (" pour ce territoire." if sous_departement else ".")


def _barres_rejets(x: pd.Series, y: list, couleur: str, titre: str, **trace) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=x,
            y=y,
            orientation="h",
            marker_color=couleur,
            text=[formats.entier(v) for v in x],
            textposition="outside",
            **trace,
        )
    )
    fig.update_layout(
        title=titre,
        height=max(280, 36 * len(x) + 130),
        xaxis={"title": "Lignes rejetées", "tickformat": ",d", "rangemode": "tozero"},
        yaxis={"title": None, "autorange": "reversed", "automargin": True},
    )
    return fig


def figure_rejets_motif(par_motif: pd.DataFrame) -> go.Figure:
    """Barres horizontales des lignes rejetées par motif (par_motif : `rejets_par_motif`)."""
    return _barres_rejets(
        par_motif["lignes"],
        [motif_court(m) for m in par_motif["motif"]],
        charts.PALETTE[0],
        "Lignes rejetées par motif",
        customdata=par_motif[["motif", "colonne"]].fillna("–").to_numpy(),
        hovertemplate="%{customdata[0]}<br>Colonne : %{customdata[1]}<br>%{x:,.0f} lignes rejetées<extra></extra>",
    )


def table_rejets_motif(par_motif: pd.DataFrame) -> Tableau:
    """Motif, colonne (« – » sans colonne désignée) et lignes rejetées, un nombre dans les exports."""
    valeurs = pd.DataFrame(
        {
            "Motif": par_motif["motif"].to_list(),
            "Colonne": [c if isinstance(c, str) else None for c in par_motif["colonne"]],
            "Lignes rejetées": par_motif["lignes"].to_list(),
        },
        dtype=object,
    )
    return Tableau(valeurs, {"Lignes rejetées": tb.entier()})


def resume_rejets_motif(par_motif: pd.DataFrame) -> str:
    return resumes.extremes(
        resumes.points([motif_court(m) for m in par_motif["motif"]], par_motif["lignes"]),
        mesure=f"{formats.entier(int(par_motif['lignes'].sum()))} lignes rejetées, par motif",
        categorie="motif",
        plus="le plus fréquent",
        moins="le moins fréquent",
    )


def figure_rejets_ali(par_ali: pd.DataFrame) -> go.Figure:
    """Barres horizontales des lignes rejetées par ALI (par_ali : `rejets_par_ali`)."""
    return _barres_rejets(
        par_ali["lignes"],
        par_ali["ali"],
        charts.PALETTE[1],
        "Lignes rejetées par ALI",
        hovertemplate="%{y}<br>%{x:,.0f} lignes rejetées<extra></extra>",
    )


def table_rejets_ali(par_ali: pd.DataFrame) -> Tableau:
    valeurs = pd.DataFrame(
        {"ALI": par_ali["ali"].to_list(), "Lignes rejetées": par_ali["lignes"].to_list()}, dtype=object
    )
    return Tableau(valeurs, {"Lignes rejetées": tb.entier()})


def resume_rejets_ali(par_ali: pd.DataFrame) -> str:
    return resumes.extremes(
        resumes.points(par_ali["ali"], par_ali["lignes"]),
        mesure="Lignes rejetées par ALI",
        plus="le plus de lignes",
        moins="le moins",
    )


def note_quarantaine_partielle(total: int, affichees: int) -> str | None:
    """Le détail est limité aux LIMITE_QUARANTAINE lignes les plus récentes : le dire quand il en manque."""
    if total <= affichees:
        return None
    return (
        f"Seules les {formats.entier(affichees)} lignes les plus récentes sont affichées : choisissez un "
        "chargement pour voir toutes les siennes."
    )
