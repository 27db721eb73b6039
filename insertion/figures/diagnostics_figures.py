"""Les figures plotly de la vue « Diagnostics » : barres par territoire avec le département en repère, et niveaux
constatés ; à partir de résultats déjà protégés (insertion.figures.diagnostics), sans Streamlit ni SQL."""

from __future__ import annotations

import pandas as pd
import plotly.colors as pcolors
import plotly.graph_objects as go

from insertion.figures import charts, cohortes
from insertion.indicators import libelles
from insertion.protect import secret

ORDRE_NIVEAUX = {
    "numerique": ["debutant", "intermediaire", "autonome", "non_evalue", "non_renseigne"],
    "linguistique": ["A1", "A2", "B1", "B2", "C1", "C2", "francophone", "non_renseigne"],
}
LIBELLES_NIVEAUX = {
    "numerique": libelles.NIVEAUX_NUMERIQUES | {"non_renseigne": libelles.NON_RENSEIGNE},
    "linguistique": libelles.NIVEAUX_LINGUISTIQUES | {"non_renseigne": libelles.NON_RENSEIGNE},
}


def couleurs_niveaux(diagnostic: str) -> dict[str, str]:
    """Une échelle ordonnée (Cividis) pour les niveaux, du plus faible au plus élevé ; gris pour le reste."""
    ordonnes = [n for n in ORDRE_NIVEAUX[diagnostic] if n not in cohortes.GRIS_NIVEAUX]
    teintes = pcolors.sample_colorscale(
        charts.ECHELLE_CONTINUE, [i / (len(ordonnes) - 1) for i in range(len(ordonnes))]
    )
    return dict(zip(ordonnes, teintes, strict=True)) | cohortes.GRIS_NIVEAUX


def barres_territoires(
    noms: list[str],
    valeurs: list[float | None],
    survols: list[str],
    *,
    titre_axe: str,
    pourcentage: bool,
    reference: float | None = None,
    libelle_reference: str | None = None,
    masques: list[str | None] | None = None,
) -> go.Figure:
    """Barres horizontales par territoire (dans l'ordre donné, le premier en haut) et une ligne verticale
    pointillée pour la valeur du département. Une valeur masquée n'a pas de barre : `masques` donne le
    texte écrit à sa place (« secret »), None pour une barre affichée."""
    x = [None if v is None or pd.isna(v) else v for v in valeurs]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=noms,
            orientation="h",
            marker_color=cohortes.COULEUR_BARRE,
            customdata=survols,
            hovertemplate="%{customdata}<extra></extra>",
            name=titre_axe,
            # La valeur dans la barre, à sa base : lue sans survol ni règle, et loin de la ligne du département qui
            # passe près du bout des barres (une barre trop courte la porte juste après elle ; une valeur masquée
            # n'a ni barre ni texte). Blanc sur le bleu de la palette : 5,2:1.
            text=[cohortes.texte_barre(v, pourcentage) for v in x],
            textposition="auto",
            insidetextanchor="start",
            insidetextfont={"color": "#FFFFFF"},
            cliponaxis=False,
        )
    )
    if reference is not None:
        fig.add_vline(
            x=reference,
            line_dash="dash",
            line_color=cohortes.COULEUR_REFERENCE,
            line_width=2,
            annotation_text=libelle_reference,
            annotation_position="top",
        )
    fig.update_layout(
        height=cohortes.hauteur(len(noms)),
        showlegend=False,
        xaxis_title=titre_axe,
        yaxis={"autorange": "reversed", "title": None},
        margin={"t": 60, "r": 70},
    )
    if pourcentage:
        fig.update_xaxes(tickformat=".0%", rangemode="tozero")
    else:
        fig.update_xaxes(rangemode="tozero")
    if masques:
        cohortes.annoter_masques(fig, noms, masques)
    return fig


def figure_niveaux(
    ici: pd.DataFrame, prot: secret.Protege, aff: pd.DataFrame, diagnostic: str, territoire: str
) -> go.Figure:
    """Les niveaux constatés d'un territoire en barres verticales (échelle Cividis, hors échelle hachurés) ;
    la part en texte, « secret » au pied d'une barre masquée."""
    couleurs = couleurs_niveaux(diagnostic)
    fig = go.Figure(
        go.Bar(
            x=list(ici["libelle"]),
            y=list(prot.donnees["episodes"]),
            marker_color=[couleurs.get(n, cohortes.COULEUR_BARRE) for n in ici["niveau"]],
            marker_pattern_shape=[cohortes.hachure_niveau(n) for n in ici["niveau"]],
            text=list(aff["part"]),
            textposition="outside",
            customdata=list(zip(aff["episodes"], aff["part"], strict=True)),
            hovertemplate="<b>%{x}</b><br>Diagnostics : %{customdata[0]}<br>Part : %{customdata[1]}<extra></extra>",
        )
    )
    masques = [t if m else None for t, m in zip(aff["episodes"], prot.masque["episodes"], strict=True)]
    cohortes.annoter_masques(fig, list(ici["libelle"]), masques, vertical=True)
    fig.update_layout(
        title=f"{territoire} : {cohortes.texte(aff, 'total')} diagnostics datés",
        yaxis_title="Diagnostics",
        xaxis_title=None,
        showlegend=False,
        height=420,
    )
    fig.update_yaxes(tickformat=",.0f")
    return fig
