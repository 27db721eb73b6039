"""Les crédits par ALI de la vue « Budget » (pages/budget.py) : totaux des ALI, années proposées, graphique des
crédits voté et exécuté et du coût par personne de chaque ALI, phrase des crédits non ventilés, sans Streamlit ni
SQL.

Le coût par personne d'une ALI dont la file active moyenne est inférieure au seuil du secret n'est pas diffusé
(insertion.figures.tableaux_budget.proteger_cout).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from insertion import formats
from insertion.figures import charts, resumes, tableaux_budget
from insertion.figures import tableau as tb
from insertion.figures.budget import FORMATS_COUT, m_euros
from insertion.figures.graphique import Graphique
from insertion.figures.tableau import Tableau


def totaux_ali(par_ali: pd.DataFrame, annee_d: int) -> pd.DataFrame:
    return par_ali[(par_ali["ligne"] == "total") & (par_ali["annee"] <= annee_d)]


def ventilees(totaux: pd.DataFrame) -> pd.DataFrame:
    """Les crédits attribués à une ALI (sans le groupe des crédits non ventilés)."""
    return totaux[totaux["groupe"] != tableaux_budget.NON_REPARTI]


def annees_ali(ventilees_ali: pd.DataFrame) -> tuple[list[int], int]:
    """Années proposées (la plus récente d'abord) et année par défaut : la dernière exécutée, sinon la plus récente."""
    options = sorted({int(a) for a in ventilees_ali["annee"]}, reverse=True)
    executees = sorted({int(a) for a in ventilees_ali.loc[ventilees_ali["montant_execute"].notna(), "annee"]})
    return options, (executees[-1] if executees else options[0])


def graphique_ali(ventilees_ali: pd.DataFrame, cout_ali: pd.DataFrame, annee: int, noms: dict[str, str]) -> Graphique:
    """Crédits voté / exécuté et coût par personne de chaque ALI pour `annee` ; le coût d'une ALI sous le seuil
    n'est pas diffusé (pas d'exemption : une ALI n'est jamais le département, pas de masquage secondaire)."""
    annee_ali = ventilees_ali[ventilees_ali["annee"] == annee].copy()
    cout_ali = cout_ali[cout_ali["annee"] == annee][
        ["groupe", "mois_observes", "file_active_moyenne", "cout_par_personne"]
    ]
    annee_ali = annee_ali.merge(cout_ali, on="groupe", how="left").sort_values("montant_vote").reset_index(drop=True)
    prot_ali = tableaux_budget.proteger_cout(annee_ali, departement=False, ventilation=[])
    affiche_ali = prot_ali.affichage(FORMATS_COUT)
    libelles_ali = [tableaux_budget.libelle_groupe_budget(g, noms) for g in annee_ali["groupe"]]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.62, 0.38],
        horizontal_spacing=0.04,
        subplot_titles=(f"Crédits {annee}", f"Coût par personne suivie {annee}"),
    )
    # En barres horizontales, plotly empile la première série en bas : l'exécuté d'abord, le voté au-dessus.
    for colonne, nom, couleur, rang in (
        ("montant_execute", "Exécuté", charts.PALETTE[1], 2),
        ("montant_vote", "Voté", charts.PALETTE[0], 1),
    ):
        textes = [m_euros(v, 2) for v in annee_ali[colonne]]
        fig.add_trace(
            go.Bar(
                y=libelles_ali,
                x=annee_ali[colonne] / 1e6,
                orientation="h",
                name=nom,
                legendrank=rang,
                marker_color=couleur,
                customdata=textes,
                hovertemplate="%{y}<br>" + nom + " : %{customdata}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            y=libelles_ali,
            x=prot_ali.donnees["cout_par_personne"],
            orientation="h",
            name="Coût par personne suivie",
            legendrank=3,
            marker_color=charts.PALETTE[5],
            text=affiche_ali["cout_par_personne"],
            textposition="outside",
            cliponaxis=False,
            customdata=affiche_ali["cout_par_personne"],
            hovertemplate="%{y}<br>Coût par personne : %{customdata}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_layout(barmode="group", height=max(360, 40 * len(annee_ali) + 140), margin={"l": 20, "r": 60})
    fig.update_xaxes(ticksuffix="\u202fM€", tickformat=",.1f", row=1, col=1)
    fig.update_xaxes(ticksuffix="\u202f€", tickformat=",.0f", row=1, col=2)
    fig.update_yaxes(automargin=True, tickfont={"size": 12})
    # Le tableau se lit de haut en bas comme le graphique : du plus gros crédit voté au plus petit.
    valeurs = pd.DataFrame(
        {
            "ALI": libelles_ali,
            "Voté": annee_ali["montant_vote"].to_list(),
            "Exécuté": annee_ali["montant_execute"].to_list(),
            "Taux d'exécution": annee_ali["taux_execution"].to_list(),
            "File active moyenne": tb.publie(prot_ali, "file_active_moyenne").to_list(),
            "Coût par personne suivie": tb.publie(prot_ali, "cout_par_personne").to_list(),
        },
        dtype=object,
    )
    table = Tableau(
        valeurs.iloc[::-1].reset_index(drop=True),
        {
            "Voté": tb.millions_euros(2),
            "Exécuté": tb.millions_euros(2),
            "Taux d'exécution": tb.pourcentage(),
            "File active moyenne": tb.entier(),
            "Coût par personne suivie": tb.euros(),
        },
    )
    resume = (
        resumes.extremes(
            resumes.points(libelles_ali, annee_ali["montant_vote"]),
            mesure=f"Crédits votés en {annee}",
            ecrire=lambda v: m_euros(v, 2),
            plus="le plus élevé",
            moins="le plus faible",
        )
        + " "
        + resumes.extremes(
            resumes.points(libelles_ali, prot_ali.donnees["cout_par_personne"], prot_ali.masque["cout_par_personne"]),
            mesure=f"Coût par personne suivie en {annee}",
            ecrire=formats.euros,
            plus="le plus élevé",
            moins="le plus faible",
        )
    )
    return Graphique(fig, table, resume, prot_ali.a_masque)


def texte_non_reparti(totaux: pd.DataFrame, annee: int) -> str | None:
    """Les crédits départementaux non ventilés de `annee`, hors du graphique par ALI : la page les mentionne."""
    non_reparti = totaux[(totaux["groupe"] == tableaux_budget.NON_REPARTI) & (totaux["annee"] == annee)]
    if non_reparti.empty:
        return None
    return (
        f"Hors graphique : {m_euros(non_reparti['montant_vote'].iloc[0])} de crédits départementaux votés en "
        f"{annee} ne sont pas ventilés par ALI."
    )
