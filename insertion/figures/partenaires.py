"""La vue « Partenaires et emploi » (contrat §7.2) mise en forme : tableaux en français et figures plotly, faits
sur des valeurs déjà publiées par la couche de publication (une case masquée y est NaN et s'écrit « secret »).
Sans Streamlit : la page les pose, les tests les lisent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.contrat import DEPARTEMENT
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.tableau import Nature, Tableau
from insertion.protect import secret

# Colonne publiée → (titre, nature) : effectifs entiers, taux et parts en %, délais médians en jours (écrits
# « 33 » sous un titre qui dit « (jours) »).
COLONNES_VOLUMES = {
    "mises_en_relation": ("Mises en relation", tb.entier()),
    "personnes": ("Personnes mises en relation", tb.entier()),
    "embauches": ("Embauches", tb.entier()),
    "taux_embauche": ("Taux d'embauche", tb.pourcentage()),
    "contrats_longs": ("Contrats longs", tb.entier()),
    "part_contrats_longs": ("Part des contrats longs", tb.pourcentage()),
    "embauches_tpe_pme": ("Embauches en TPE/PME", tb.entier()),
    "part_tpe_pme": ("Part des embauches en TPE/PME", tb.pourcentage()),
}
COLONNES_DELAIS = {
    "personnes_mises_en_relation": ("Personnes mises en relation (avec orientation connue)", tb.entier()),
    "delai_median_mise_en_relation_j": ("Délai médian jusqu'à la mise en relation (jours)", tb.jours_entiers()),
    "personnes_embauchees": ("Personnes embauchées", tb.entier()),
    "delai_median_embauche_j": ("Délai médian jusqu'à l'embauche (jours)", tb.jours_entiers()),
    "personnes_sans_episode": ("Personnes absentes de la file active", tb.entier()),
}
COLONNES_ACCORD = {
    "embauches_observees": ("Embauches d'au moins 90 jours", tb.entier()),
    "embauches_sortie_emploi": ("Suivies d'une sortie en emploi dans les 90 jours", tb.entier()),
    "taux_concordance": ("Part suivie d'une sortie en emploi", tb.pourcentage()),
    "embauches_sans_episode": ("Personnes absentes de la file active", tb.entier()),
}


def nombre(valeur: object) -> float | None:
    """None pour une case masquée (NaN) ou absente."""
    return None if valeur is None or pd.isna(valeur) else float(valeur)


def ecrire(valeur: object, format_: Callable[[float], str] = formats.entier) -> str:
    v = nombre(valeur)
    return secret.LIBELLE_MASQUE if v is None else format_(v)


def ligne(df: pd.DataFrame, groupe: str = DEPARTEMENT) -> dict:
    lignes = df[df["groupe"] == groupe]
    return lignes.iloc[0].to_dict() if len(lignes) else {}


PAS = {"trimestre": "Trimestre", "annee": "Année", "mois": "Mois"}


def libelle_periode(debut: object, pas: str) -> str:
    """« T2 2023 », « 2023 » ou « juin 2023 », d'après le premier jour de la période."""
    jour = pd.Timestamp(debut).date()
    if pas == "trimestre":
        return f"T{(jour.month - 1) // 3 + 1} {jour.year}"
    if pas == "annee":
        return str(jour.year)
    return formats.mois(jour)


def valeur_periode(debut: object, pas: str) -> object:
    """La période dans un tableau : l'année (2023), le mois (sa date, écrite « juin 2023 ») ; un trimestre reste le
    texte « T2 2023 », que ni le CSV ni le classeur n'ont de format pour écrire."""
    jour = pd.Timestamp(debut).date()
    if pas == "annee":
        return jour.year
    if pas == "mois":
        return date(jour.year, jour.month, 1)
    return libelle_periode(debut, pas)


NATURES_PERIODE: dict[str, Nature] = {"annee": tb.annee(), "mois": tb.mois()}


def tableau(
    df: pd.DataFrame,
    colonnes: Mapping[str, tuple[str, Nature]],
    noms: Mapping[str, str],
    titre_groupe: str,
    pas: str | None = None,
) -> Tableau:
    """Le tableau affiché et exporté : une ligne par groupe (et par période au `pas` donné), les nombres publiés,
    « secret » pour une case masquée (NaN dans la publication : jamais la valeur)."""
    valeurs: dict[str, list[object]] = {titre_groupe: [noms.get(g, g) for g in df["groupe"]]}
    natures: dict[str, Nature] = {}
    if pas is not None:
        valeurs[PAS[pas]] = [valeur_periode(m, pas) for m in df["mois"]]
        if pas in NATURES_PERIODE:
            natures[PAS[pas]] = NATURES_PERIODE[pas]
    for colonne, (titre, nature) in colonnes.items():
        valeurs[titre] = [secret.LIBELLE_MASQUE if nombre(v) is None else nombre(v) for v in df[colonne]]
        natures[titre] = nature
    return Tableau(pd.DataFrame(valeurs, dtype=object), natures)


def figure_par_groupe(df: pd.DataFrame, noms: Mapping[str, str], titre: str) -> go.Figure:
    """Barres groupées : mises en relation, embauches, contrats longs par structure (ou par ALI)."""
    fig = go.Figure()
    libelles = [noms.get(g, g) for g in df["groupe"]]
    for i, colonne in enumerate(("mises_en_relation", "embauches", "contrats_longs")):
        fig.add_bar(
            name=COLONNES_VOLUMES[colonne][0],
            x=libelles,
            y=[nombre(v) for v in df[colonne]],
            marker_color=charts.PALETTE[i],
            hovertemplate="%{x} : %{y:,d}<extra>" + COLONNES_VOLUMES[colonne][0] + "</extra>",
        )
    fig.update_layout(title=titre, barmode="group", yaxis_title="Nombre", legend_title_text="")
    return fig


def figure_par_periode(df: pd.DataFrame, pas: str) -> go.Figure:
    """Mises en relation et embauches par trimestre, année ou mois (le département) ; une période masquée reste un
    trou dans la barre, jamais un zéro."""
    fig = go.Figure()
    x = [libelle_periode(m, pas) for m in df["mois"]]
    for i, colonne in enumerate(("mises_en_relation", "embauches")):
        fig.add_bar(
            name=COLONNES_VOLUMES[colonne][0], x=x, y=[nombre(v) for v in df[colonne]], marker_color=charts.PALETTE[i]
        )
    titre = {"trimestre": "trimestre", "annee": "année", "mois": "mois"}[pas]
    fig.update_layout(title=f"Mises en relation et embauches par {titre}", barmode="group", yaxis_title="Nombre")
    fig.update_xaxes(type="category")
    return fig


def figure_accord(df: pd.DataFrame, noms: Mapping[str, str]) -> go.Figure:
    """Part des embauches suivies d'une sortie en emploi de l'épisode dans les 90 jours, par structure."""
    fig = go.Figure(
        go.Bar(
            x=[noms.get(g, g) for g in df["groupe"]],
            y=[nombre(v) for v in df["taux_concordance"]],
            marker_color=charts.PALETTE[2],
            hovertemplate="%{x} : %{y:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Embauches suivies d'une sortie en emploi (90 jours)",
        yaxis_title="Part des embauches",
        yaxis_tickformat=".0%",
        yaxis_range=[0, 1],
    )
    return fig


def resume_par_groupe(df: pd.DataFrame, noms: Mapping[str, str], categorie: str) -> str:
    valeurs = [nombre(v) for v in df["mises_en_relation"]]
    pts = resumes.points([noms.get(g, g) for g in df["groupe"]], valeurs, [v is None for v in valeurs])
    return resumes.extremes(pts, mesure="Mises en relation de la période", categorie=categorie)


def resume_par_periode(df: pd.DataFrame, pas: str) -> str:
    libelles = [libelle_periode(m, pas) for m in df["mois"]]
    series = {
        nom: resumes.points(libelles, [nombre(v) for v in df[col]], [nombre(v) is None for v in df[col]])
        for col, nom in (("mises_en_relation", "mises en relation"), ("embauches", "embauches"))
    }
    periode = f"De {libelles[0]} à {libelles[-1]}" if libelles else "Sur la période"
    couverts = {"trimestre": "trimestres", "annee": "années"}.get(pas, "mois")
    return resumes.totaux(series, periode=periode, couverts=couverts)


def resume_accord(dept: Mapping[str, object]) -> str:
    taux = nombre(dept.get("taux_concordance"))
    if taux is None:
        return (
            "Part des embauches suivies d'une sortie en emploi : non diffusée (secret statistique ou aucune "
            "embauche de plus de 90 jours)."
        )
    return (
        f"{formats.pourcentage(taux)} des embauches par les partenaires sont suivies, dans les 90 jours, d'une sortie "
        "en emploi de l'épisode dans la file active."
    )
