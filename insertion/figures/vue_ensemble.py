"""La « Vue d'ensemble » mise en forme : écart des cartes de chiffres clés, légendes, et courbe de la file active
mensuelle protégée par le secret statistique. Sans Streamlit ni SQL : la page pose, les tests lisent."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.figures import resumes
from insertion.figures import tableau as tb
from insertion.figures.graphique import Graphique
from insertion.indicators import resultats_synthese, synthese
from insertion.protect import secret

DEFINITIONS = [
    "file_active",
    "entrees_sorties",
    "diag_numerique",
    "diag_linguistique",
    "sortie_emploi_12m",
    synthese.DEFINITION_TAUX_MENSUELS,
    "budget",
    synthese.DEFINITION_ALI_OUVERTES,
]


def evolution(c: resultats_synthese.ChiffreCle) -> tuple[str | None, str]:
    """(évolution, aide) d'une carte : l'écart au point de comparaison, en points pour un taux, en % sinon ;
    un écart arrondi nul se dit « stable » dans l'aide plutôt que par une flèche."""
    variation = c.variation()
    sortie, aide = None, c.aide
    if c.stable():
        aide += f" Stable {c.comparaison} (écart arrondi nul)."
    elif variation:
        ecrire = formats.evolution_points if c.nature == resultats_synthese.TAUX else formats.evolution_pourcentage
        texte = ecrire(*variation)
        sortie = f"{texte} {c.comparaison}" if texte else None
    return sortie, aide


def entete(date_texte: str, territoire: str, ali_ouvertes: int, ali_total: int, sous_departement: bool) -> str:
    ouvertes = "ALI ouverte" if ali_ouvertes <= 1 else "ALI ouvertes"
    return f"**Situation au {date_texte}** · {territoire} · **{ali_ouvertes} {ouvertes}** sur {ali_total}" + (
        " dans le territoire retenu" if sous_departement else ""
    )


def legende_budget(filtre_ali: bool, filtres_ignores: bool) -> str:
    return (
        "Budget : crédits ventilés aux ALI retenues."
        if filtre_ali
        else "Budget : tous les crédits d'insertion du Département."
    ) + (
        " Le budget n'est ventilé que par ALI : les filtres d'EPT, de commune, de parcours, d'âge et de sexe "
        "ne s'y appliquent pas."
        if filtres_ignores
        else ""
    )


def a_masque(cartes: Iterable[resultats_synthese.ChiffreCle], autres: Iterable) -> bool:
    """Une carte (valeur ou point de comparaison) ou une ligne des autres systèmes est-elle masquée ?"""
    return any(c.actuel.masque or (c.precedent is not None and c.precedent.masque) for c in cartes) or any(
        ligne.valeur == secret.LIBELLE_MASQUE for ligne in autres
    )


def file_active(serie: pd.DataFrame, perimetre: object) -> Graphique:
    """La file active de fin de mois du périmètre, avec l'objectif 2026 du Département quand rien n'est filtré."""
    sans_filtre = secret.departement_exempte(perimetre)
    prot = secret.proteger(serie, effectifs=["file_active"], departement=sans_filtre)
    affiche = prot.affichage({"file_active": formats.entier})
    fig = go.Figure(
        go.Scatter(
            x=prot.donnees["mois"],
            y=prot.donnees["file_active"],
            mode="lines+markers",
            name="File active",
            customdata=affiche[["file_active"]],
            hovertemplate="%{x|%B %Y} : %{customdata[0]} personnes suivies<extra></extra>",
        )
    )
    # L'objectif du Département (12 600 places d'accompagnement en 2026) n'a de sens que pour tout le département.
    if sans_filtre:
        fig.add_hline(
            y=synthese.OBJECTIF_PLACES_2026,
            line_dash="dash",
            annotation_text=f"Objectif 2026 : {formats.entier(synthese.OBJECTIF_PLACES_2026)} places",
            annotation_position="top left",
        )
    fig.update_layout(
        xaxis_title="Mois (fin de mois ; le dernier point est pris à la date d'observation)",
        yaxis_title="Personnes suivies",
        yaxis_tickformat=",.0f",
        yaxis_rangemode="tozero",
        showlegend=False,
        height=420,
    )
    table = tb.depuis_protege(
        prot,
        {"file_active": ("File active (fin de mois)", tb.entier())},
        avant={"Mois": prot.donnees["mois"]},
        natures_avant={"Mois": tb.mois()},
    )
    resume = resumes.evolution(
        resumes.points(
            [formats.mois(m) for m in prot.donnees["mois"]], prot.donnees["file_active"], prot.masque["file_active"]
        ),
        sujet="La file active",
        unite="personnes",
    )
    return Graphique(fig, table, resume, prot.a_masque)
