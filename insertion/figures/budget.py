"""Mise en forme de la vue « Budget » (pages/budget.py) : secret du coût par personne, chiffres clés, figures
plotly, tableaux au format français et phrases de résumé, sans Streamlit ni SQL. Les crédits par ALI sont dans
insertion/figures/budget_ali.py.

Les montants ne sont pas des effectifs : ils ne sont pas masqués. Le coût par personne d'une ALI dont la file
active moyenne est inférieure au seuil du secret n'est pas diffusé (insertion.figures.tableaux_budget.proteger_cout).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from insertion import formats
from insertion.figures import charts, resumes, tableaux_budget, territoires
from insertion.figures import tableau as tb
from insertion.figures.graphique import Graphique
from insertion.figures.tableau import Tableau
from insertion.protect import secret

# Le tableau de l'indice reprend ces colonnes du tableau par année.
COLONNES_INDICE = ["Année", "Indice voté (2021 = 100)", "Indice exécuté (2021 = 100)"]
LEGENDE_ALI = (
    "Crédits attribués à chaque ALI ; le coût par personne rapporte l'exécuté de l'ALI à sa file active "
    "moyenne de l'année. Non diffusé pour une ALI qui a suivi en moyenne moins de "
    f"{secret.SEUIL_SECRET} personnes."
)


def nombre(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def m_euros(v, chiffres: int = 1) -> str:
    return formats.millions_euros(nombre(v), chiffres)


def pct(v) -> str:
    return formats.pourcentage(nombre(v))


def indice(v) -> str:
    return formats.decimal(nombre(v), 1)


def _evolution_signee(v) -> str:
    return ("+" if v >= 0 else "") + pct(v) if pd.notna(v) else formats.SANS_OBJET


# Formats du tableau protégé du coût : la file active moyenne et le coût s'écrivent « secret » quand masqués.
FORMATS_COUT = {"file_active_moyenne": formats.entier, "cout_par_personne": lambda v: formats.euros(nombre(v))}


@dataclass
class Budget:
    """Les totaux départementaux jusqu'à l'année de D et le coût par personne publié."""

    budget: pd.DataFrame  # toutes les lignes, années au plus tard D
    totaux: pd.DataFrame  # ligne « total », triée par année
    annee_courante: int
    annee_executee: int | None
    cout: pd.DataFrame  # coût départemental, années au plus tard D, trié
    prot_cout: secret.Protege
    cout_affiche: pd.DataFrame
    annee_cout: int | None

    @property
    def annees(self) -> list[str]:
        return [str(a) for a in self.totaux["annee"]]


# --- Préparation ---------------------------------------------------------------------------------------------


def notes(annee_d: int, selection: bool, autres_filtres: list[str]) -> str:
    """La légende en tête de page : années retenues et filtres sans effet (le budget n'est ventilé que par ALI)."""
    lignes = [f"Années budgétaires jusqu'à {annee_d}, année de la date d'observation."]
    if selection:
        lignes.append(
            "Crédits ventilés aux ALI retenues : les crédits départementaux non ventilés par ALI "
            "(diagnostics, formation, IAE…) n'y figurent pas."
        )
    if autres_filtres:
        lignes.append(
            "Le budget n'est ventilé que par ALI : les filtres " + ", ".join(autres_filtres) + " ne s'y appliquent pas."
        )
    return " ".join(lignes)


def jusqua(table: pd.DataFrame, annee_d: int) -> pd.DataFrame:
    return table[table["annee"] <= annee_d]


def premiere_annee(budget_charge: pd.DataFrame) -> int | None:
    """Première année chargée, pour dire à l'utilisateur à partir de quand D a un budget."""
    return None if budget_charge.empty else int(budget_charge["annee"].min())


def preparer(budget: pd.DataFrame, cout: pd.DataFrame, annee_d: int, perimetre: object) -> Budget:
    """`budget` : lignes déjà limitées à l'année de D (non vide) ; `cout` : coût départemental tel que publié.
    Le coût ne lit que le filtre ALI (`perimetre`) : c'est lui qui décide de l'exemption du département."""
    annee_courante, annee_executee = tableaux_budget.annees_budget(budget, annee_d)
    totaux = budget[budget["ligne"] == "total"].sort_values("annee").reset_index(drop=True)
    cout = jusqua(cout, annee_d).sort_values("annee").reset_index(drop=True)
    prot_cout = tableaux_budget.proteger_cout(cout, departement=secret.departement_exempte(perimetre))
    return Budget(
        budget=budget,
        totaux=totaux,
        annee_courante=annee_courante,
        annee_executee=annee_executee,
        cout=cout,
        prot_cout=prot_cout,
        cout_affiche=prot_cout.affichage(FORMATS_COUT),
        annee_cout=territoires.annee_cout(cout, annee_d),
    )


# --- Chiffres clés -------------------------------------------------------------------------------------------


def chiffres_cles(b: Budget) -> list[dict]:
    """Les cinq cartes (arguments de ui.chiffre_cle) : voté, exécuté, taux d'exécution, indice 2021, coût par
    personne."""
    par_annee = b.totaux.set_index("annee")
    totaux = b.totaux

    def valeur(annee: int | None, colonne: str) -> float | None:
        return nombre(par_annee.at[annee, colonne]) if annee is not None and annee in par_annee.index else None

    vote = valeur(b.annee_courante, "montant_vote")
    cartes = [
        {
            "label": f"Voté {b.annee_courante}",
            "valeur": m_euros(vote),
            "evolution": formats.evolution_pourcentage(vote, valeur(b.annee_courante - 1, "montant_vote")),
            "serie": [float(x) for x in totaux["montant_vote"].fillna(0)],
            "aide": (
                "Budget voté : crédits d'insertion votés pour l'année (toutes lignes), évolution par rapport à "
                "l'année précédente."
            ),
        }
    ]
    if b.annee_executee is None:
        cartes.append(
            {"label": "Exécuté", "valeur": formats.SANS_OBJET, "aide": "Aucun exercice clos pour cette sélection."}
        )
    else:
        execute = valeur(b.annee_executee, "montant_execute")
        cartes.append(
            {
                "label": f"Exécuté {b.annee_executee}",
                "valeur": m_euros(execute),
                "evolution": formats.evolution_pourcentage(execute, valeur(b.annee_executee - 1, "montant_execute")),
                "serie": [float(x) for x in totaux["montant_execute"].dropna()],
                "aide": "Budget exécuté du dernier exercice dont toutes les lignes sont exécutées.",
            }
        )
    taux = valeur(b.annee_executee, "taux_execution")
    cartes.append(
        {
            "label": f"Exécution {b.annee_executee or ''}".strip(),
            "valeur": pct(taux),
            "evolution": formats.evolution_points(taux, valeur((b.annee_executee or 0) - 1, "taux_execution")),
            "serie": [float(x) for x in totaux["taux_execution"].dropna()],
            "aide": (
                "Taux d'exécution : montant exécuté / montant voté du dernier exercice clos ; écart en points avec "
                "l'année précédente."
            ),
        }
    )
    cartes.append(
        {
            "label": f"Indice {b.annee_courante}",
            "valeur": indice(valeur(b.annee_courante, "indice_vote_2021")),
            "sens": "off",
            "serie": [float(x) for x in totaux["indice_vote_2021"].dropna()],
            "aide": (
                "Indice 2021 = 100 : budget voté de l'année rapporté à celui de 2021, base 100 (non calculable sans "
                "crédit en 2021)."
            ),
        }
    )
    cartes.append(carte_cout(b))
    return cartes


def carte_cout(b: Budget) -> dict:
    """Coût par personne de la dernière année calculable, « secret » si sa file active moyenne est sous le seuil."""
    if b.annee_cout is None:
        return {
            "label": "Coût / personne",
            "valeur": formats.SANS_OBJET,
            "aide": territoires.PAR_CLE["cout_par_personne"].libelle,
        }
    cout, donnees = b.cout, b.prot_cout.donnees
    i = int(cout.index[cout["annee"] == b.annee_cout][0])
    precedent = cout.index[cout["annee"] == b.annee_cout - 1]
    return {
        "label": f"Coût / personne {b.annee_cout}",
        "valeur": b.cout_affiche.at[i, "cout_par_personne"],
        "evolution": formats.evolution_pourcentage(
            nombre(donnees.at[i, "cout_par_personne"]),
            nombre(donnees.at[int(precedent[0]), "cout_par_personne"]) if len(precedent) else None,
        ),
        "sens": "inverse",
        "serie": [float(x) for x in donnees["cout_par_personne"].dropna()],
        "aide": (
            "Coût par personne suivie : montant exécuté de l'année / file active moyenne de fin de mois de l'année."
        ),
    }


# --- Voté et exécuté par année -------------------------------------------------------------------------------


EN_COURS = "exercice en cours"


# Les colonnes des tableaux par année et par ligne budgétaire : montants en M€, taux en %, indices à une décimale.
NATURES_ANNEES = {
    "Année": tb.annee(),
    "Voté": tb.millions_euros(),
    "Exécuté": tb.millions_euros(),
    "Taux d'exécution": tb.pourcentage(),
    "Indice voté (2021 = 100)": tb.decimal(1),
    "Indice exécuté (2021 = 100)": tb.decimal(1),
}


def _en_cours(executes: pd.Series) -> list[object]:
    """Un exercice sans montant exécuté est en cours : la case le dit, à l'écran comme dans les exports."""
    return [v if pd.notna(v) else EN_COURS for v in executes]


def table_annees(totaux: pd.DataFrame) -> Tableau:
    return Tableau(
        pd.DataFrame(
            {
                "Année": totaux["annee"].to_list(),
                "Voté": totaux["montant_vote"].to_list(),
                "Exécuté": _en_cours(totaux["montant_execute"]),
                "Taux d'exécution": totaux["taux_execution"].to_list(),
                "Indice voté (2021 = 100)": totaux["indice_vote_2021"].to_list(),
                "Indice exécuté (2021 = 100)": totaux["indice_execute_2021"].to_list(),
            },
            dtype=object,
        ),
        NATURES_ANNEES,
    )


def graphique_annees(b: Budget) -> Graphique:
    """Barres groupées voté / exécuté en millions d'euros ; rien n'y est masqué (des montants, pas des effectifs)."""
    totaux, annees = b.totaux, b.annees
    fig = go.Figure()
    for colonne, nom, couleur in (
        ("montant_vote", "Voté", charts.PALETTE[0]),
        ("montant_execute", "Exécuté", charts.PALETTE[1]),
    ):
        textes = [m_euros(v) if pd.notna(v) else "" for v in totaux[colonne]]
        fig.add_trace(
            go.Bar(
                x=annees,
                y=totaux[colonne] / 1e6,
                name=nom,
                marker_color=couleur,
                text=textes,
                textposition="outside",
                customdata=textes,
                hovertemplate="%{x} · " + nom.lower() + " : %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", xaxis_title="Année", yaxis_title="Millions d'euros", height=440)
    fig.update_yaxes(ticksuffix="\u202fM€", tickformat=",.0f", rangemode="tozero")
    fig.update_xaxes(type="category")
    resume = resumes.evolution(
        resumes.points(annees, totaux["montant_vote"]), sujet="Le budget voté", ecrire=formats.millions_euros
    )
    return Graphique(fig, table_annees(totaux), resume)


def indice_calculable(b: Budget) -> bool:
    return bool(b.totaux["indice_vote_2021"].notna().any())


def graphique_indice(b: Budget) -> Graphique:
    """Indices voté (trait plein) et exécuté (tirets), base 100 en 2021, avec la ligne des 100."""
    totaux, annees = b.totaux, b.annees
    fig = go.Figure()
    for colonne, nom, couleur, tirets in (
        ("indice_vote_2021", "Voté", charts.PALETTE[0], "solid"),
        ("indice_execute_2021", "Exécuté", charts.PALETTE[1], "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=annees,
                y=totaux[colonne],
                name=nom,
                mode="lines+markers",
                line={"color": couleur, "dash": tirets, "width": 3},
                hovertemplate="%{x} · " + nom.lower() + " : %{y:,.1f}<extra></extra>",
            )
        )
    fig.add_hline(y=100, line_color="#777777", line_width=1)
    fig.update_layout(xaxis_title="Année", yaxis_title="Indice (2021 = 100)", height=380)
    fig.update_xaxes(type="category")
    resume = resumes.evolution(
        resumes.points(annees, totaux["indice_vote_2021"]),
        sujet="L'indice du budget voté (2021 = 100)",
        ecrire=lambda v: formats.decimal(v, 1),
        variation=None,
    )
    return Graphique(fig, table_annees(totaux).colonnes(COLONNES_INDICE), resume)


# --- Coût par personne suivie --------------------------------------------------------------------------------


def table_cout(b: Budget) -> Tableau:
    """Évolutions d'une année sur l'autre calculées sur les valeurs publiées : une année masquée n'en a pas."""
    cout, donnees = b.cout, b.prot_cout.donnees
    croissance = donnees["file_active_moyenne"].pct_change(fill_method=None).replace([float("inf")], float("nan"))
    evolution_cout = donnees["cout_par_personne"].pct_change(fill_method=None)
    return Tableau(
        pd.DataFrame(
            {
                "Année": cout["annee"].to_list(),
                "Mois observés": cout["mois_observes"].to_list(),
                "Montant exécuté": _en_cours(cout["montant_execute"]),
                "File active moyenne": tb.publie(b.prot_cout, "file_active_moyenne").to_list(),
                "Évolution de la file active": croissance.to_list(),
                "Coût par personne suivie": tb.publie(b.prot_cout, "cout_par_personne").to_list(),
                "Évolution du coût": evolution_cout.to_list(),
            },
            dtype=object,
        ),
        {
            "Année": tb.annee(),
            "Mois observés": tb.entier(),
            "Montant exécuté": tb.millions_euros(),
            "File active moyenne": tb.entier(),
            "Évolution de la file active": tb.evolution(),
            "Coût par personne suivie": tb.euros(),
            "Évolution du coût": tb.evolution(),
        },
    )


def graphique_cout(b: Budget) -> Graphique:
    """Deux panneaux côte à côte : file active moyenne et coût par personne, valeurs publiées (NaN si masquées)."""
    donnees, affiche = b.prot_cout.donnees, b.cout_affiche
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("File active moyenne", "Coût par personne suivie"), horizontal_spacing=0.12
    )
    x = [str(a) for a in b.cout["annee"]]
    fig.add_trace(
        go.Bar(
            x=x,
            y=donnees["file_active_moyenne"],
            marker_color=charts.PALETTE[2],
            name="File active moyenne",
            customdata=affiche["file_active_moyenne"],
            hovertemplate="%{x} : %{customdata} personnes en moyenne<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=x,
            y=donnees["cout_par_personne"],
            marker_color=charts.PALETTE[5],
            name="Coût par personne",
            customdata=affiche["cout_par_personne"],
            hovertemplate="%{x} : %{customdata} par personne suivie<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(type="category", title_text="Année")
    fig.update_yaxes(tickformat=",.0f", row=1, col=1, title_text="Personnes")
    fig.update_yaxes(tickformat=",.0f", ticksuffix="\u202f€", row=1, col=2, title_text="Euros")
    fig.update_layout(showlegend=False, height=400)
    resume = resumes.evolution(
        resumes.points(x, donnees["cout_par_personne"], b.prot_cout.masque["cout_par_personne"]),
        sujet="Le coût par personne suivie",
        ecrire=formats.euros,
    )
    return Graphique(fig, table_cout(b), resume, b.prot_cout.a_masque)


# --- Par ligne budgétaire ------------------------------------------------------------------------------------


def colonne_montants(montants: str) -> str:
    return "montant_vote" if montants == "Votés" else "montant_execute"


def lignes(budget: pd.DataFrame) -> pd.DataFrame:
    return budget[budget["ligne"] != "total"].sort_values(["annee", "ligne"])


def execution_incomplete(budget: pd.DataFrame, montants: str) -> bool:
    """En montants exécutés, un exercice en cours n'a pas de barre : la page le dit."""
    return colonne_montants(montants) == "montant_execute" and bool(lignes(budget)["montant_execute"].isna().any())


def graphique_lignes(budget: pd.DataFrame, montants: str) -> Graphique:
    """Barres empilées par ligne budgétaire, en montants « Votés » ou « Exécutés » ; le résumé nomme la ligne la
    plus et la moins dotée de la dernière année renseignée."""
    colonne = colonne_montants(montants)
    lignes_budget = lignes(budget)
    fig = go.Figure()
    for ligne, part in lignes_budget.groupby("ligne", sort=False):
        libelle = tableaux_budget.libelle_ligne(ligne)
        textes = [m_euros(v) for v in part[colonne]]
        fig.add_trace(
            go.Bar(
                x=[str(a) for a in part["annee"]],
                y=part[colonne] / 1e6,
                name=libelle,
                customdata=textes,
                hovertemplate="%{x} · " + libelle + " : %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", xaxis_title="Année", yaxis_title=f"Montants {montants.lower()}", height=460)
    fig.update_yaxes(ticksuffix="\u202fM€", tickformat=",.0f")
    fig.update_xaxes(type="category")
    table = Tableau(
        pd.DataFrame(
            {
                "Année": lignes_budget["annee"].to_list(),
                "Ligne budgétaire": [tableaux_budget.libelle_ligne(x) for x in lignes_budget["ligne"]],
                "Voté": lignes_budget["montant_vote"].to_list(),
                "Exécuté": lignes_budget["montant_execute"].to_list(),
                "Taux d'exécution": lignes_budget["taux_execution"].to_list(),
                "Indice voté (2021 = 100)": lignes_budget["indice_vote_2021"].to_list(),
            },
            dtype=object,
        ),
        NATURES_ANNEES,
    )
    derniere_annee = lignes_budget[lignes_budget[colonne].notna()]["annee"].max()
    de_l_annee = lignes_budget[lignes_budget["annee"] == derniere_annee]
    resume = (
        None
        if de_l_annee.empty
        else resumes.extremes(
            resumes.points([tableaux_budget.libelle_ligne(x) for x in de_l_annee["ligne"]], de_l_annee[colonne]),
            mesure=f"Montants {montants.lower()} en {int(derniere_annee)} par ligne budgétaire",
            ecrire=formats.millions_euros,
            categorie="ligne",
            plus="le plus élevé",
            moins="le plus faible",
        )
    )
    return Graphique(fig, table, resume)
