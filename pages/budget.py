"""Budget : crédits de l'insertion votés et exécutés par année, par ligne et par ALI ; coût par personne suivie.

Les montants ne sont pas des effectifs : ils ne sont pas masqués. Le coût par personne d'une ALI dont la file
active moyenne est inférieure au seuil du secret n'est pas diffusé (insertion.figures.territoires.proteger_cout).
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from insertion import formats
from insertion.figures import charts, resumes, territoires
from insertion.indicators import libelles
from insertion.present import app, etats_vides, ui
from insertion.protect import secret
from insertion.store.requetes import Perimetre, Periode

VUE = "Budget"
ctx = app.page(VUE)
f = ctx.filtres
noms = libelles.ali()
annee_d = f.as_of.year
# Le budget n'est ventilé que par ALI : seul le filtre ALI s'y applique (insertion.indicators.budget_annuel).
perimetre_budget = Perimetre(alis=f.perimetre.alis)
selection = bool(f.perimetre.alis)
periode_cout = Periode(as_of=f.as_of)  # le coût ne dépend que de D


def m_euros(v, chiffres: int = 1) -> str:
    return formats.millions_euros(None if v is None or pd.isna(v) else float(v), chiffres)


def pct(v) -> str:
    return formats.pourcentage(None if v is None or pd.isna(v) else float(v))


def indice(v) -> str:
    return formats.decimal(None if v is None or pd.isna(v) else float(v), 1)


def nombre(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


autres_filtres = etats_vides.filtres_hors_ali(f.perimetre)
notes = [f"Années budgétaires jusqu'à {annee_d}, année de la date d'observation."]
if selection:
    notes.append(
        "Crédits ventilés aux ALI retenues : les crédits départementaux non ventilés par ALI "
        "(diagnostics, formation, IAE…) n'y figurent pas."
    )
if autres_filtres:
    notes.append(
        "Le budget n'est ventilé que par ALI : les filtres " + ", ".join(autres_filtres) + " ne s'y appliquent pas."
    )
st.caption(" ".join(notes))

budget_charge = ctx.requete("budget_annuel", perimetre=perimetre_budget, groupe="departement")
budget = budget_charge[budget_charge["annee"] <= annee_d]
if budget.empty:
    premiere = None if budget_charge.empty else int(budget_charge["annee"].min())
    ui.etat_vide(etats_vides.message_budget(f, premiere))
    st.stop()

annee_courante, annee_executee = territoires.annees_budget(budget, annee_d)
totaux = budget[budget["ligne"] == "total"].sort_values("annee").reset_index(drop=True)
par_annee = totaux.set_index("annee")

cout = ctx.requete("cout_par_personne", periode=periode_cout, perimetre=perimetre_budget, groupe="departement")
cout = cout[cout["annee"] <= annee_d].sort_values("annee").reset_index(drop=True)
# Le coût ne lit que le filtre ALI (perimetre_budget) : c'est lui qui décide de l'exemption.
prot_cout = territoires.proteger_cout(cout, departement=secret.departement_exempte(perimetre_budget))
cout_affiche = prot_cout.affichage(
    {"file_active_moyenne": formats.entier, "cout_par_personne": lambda v: formats.euros(nombre(v))}
)
annee_cout = territoires.annee_cout(cout, annee_d)

# --- Chiffres clés -----------------------------------------------------------------------------------------


def valeur(annee: int | None, colonne: str, table: pd.DataFrame = par_annee) -> float | None:
    return nombre(table.at[annee, colonne]) if annee is not None and annee in table.index else None


cols = st.columns([1, 1, 1, 0.85, 1.25])
with cols[0]:
    vote = valeur(annee_courante, "montant_vote")
    ui.kpi(
        f"Voté {annee_courante}",
        m_euros(vote),
        evolution=ui.evolution_pourcentage(vote, valeur(annee_courante - 1, "montant_vote")),
        serie=[float(x) for x in totaux["montant_vote"].fillna(0)],
        aide=(
            "Budget voté : crédits d'insertion votés pour l'année (toutes lignes), évolution par rapport à "
            "l'année précédente."
        ),
    )
with cols[1]:
    if annee_executee is None:
        ui.kpi("Exécuté", formats.SANS_OBJET, aide="Aucun exercice clos pour cette sélection.")
    else:
        execute = valeur(annee_executee, "montant_execute")
        ui.kpi(
            f"Exécuté {annee_executee}",
            m_euros(execute),
            evolution=ui.evolution_pourcentage(execute, valeur(annee_executee - 1, "montant_execute")),
            serie=[float(x) for x in totaux["montant_execute"].dropna()],
            aide="Budget exécuté du dernier exercice dont toutes les lignes sont exécutées.",
        )
with cols[2]:
    taux = valeur(annee_executee, "taux_execution")
    ui.kpi(
        f"Exécution {annee_executee or ''}".strip(),
        pct(taux),
        evolution=ui.evolution_points(taux, valeur((annee_executee or 0) - 1, "taux_execution")),
        serie=[float(x) for x in totaux["taux_execution"].dropna()],
        aide=(
            "Taux d'exécution : montant exécuté / montant voté du dernier exercice clos ; écart en points avec "
            "l'année précédente."
        ),
    )
with cols[3]:
    ui.kpi(
        f"Indice {annee_courante}",
        indice(valeur(annee_courante, "indice_vote_2021")),
        sens="off",
        serie=[float(x) for x in totaux["indice_vote_2021"].dropna()],
        aide=(
            "Indice 2021 = 100 : budget voté de l'année rapporté à celui de 2021, base 100 (non calculable sans "
            "crédit en 2021)."
        ),
    )
with cols[4]:
    if annee_cout is None:
        ui.kpi("Coût / personne", formats.SANS_OBJET, aide=territoires.PAR_CLE["cout_par_personne"].libelle)
    else:
        i = int(cout.index[cout["annee"] == annee_cout][0])
        precedent = cout.index[cout["annee"] == annee_cout - 1]
        ui.kpi(
            f"Coût / personne {annee_cout}",
            cout_affiche.at[i, "cout_par_personne"],
            evolution=ui.evolution_pourcentage(
                nombre(prot_cout.donnees.at[i, "cout_par_personne"]),
                nombre(prot_cout.donnees.at[int(precedent[0]), "cout_par_personne"]) if len(precedent) else None,
            ),
            sens="inverse",
            serie=[float(x) for x in prot_cout.donnees["cout_par_personne"].dropna()],
            aide=(
                "Coût par personne suivie : montant exécuté de l'année / file active moyenne de fin de mois de l'année."
            ),
        )
ui.note_secret(prot_cout.a_masque)

# --- Voté et exécuté par année -----------------------------------------------------------------------------
st.subheader("Crédits votés et exécutés par année")
annees = [str(a) for a in totaux["annee"]]
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
table_annees = pd.DataFrame(
    {
        "Année": annees,
        "Voté": [m_euros(v) for v in totaux["montant_vote"]],
        "Exécuté": [m_euros(v) if pd.notna(v) else "exercice en cours" for v in totaux["montant_execute"]],
        "Taux d'exécution": [pct(v) for v in totaux["taux_execution"]],
        "Indice voté (2021 = 100)": [indice(v) for v in totaux["indice_vote_2021"]],
        "Indice exécuté (2021 = 100)": [indice(v) for v in totaux["indice_execute_2021"]],
    }
)
ui.graphique(
    ctx,
    fig,
    vue=VUE,
    table=table_annees,
    definitions=["budget"],
    cle="budget_annees",
    tableau="crédits par année",
    # Les montants ne sont pas des effectifs : rien n'y est masqué.
    resume=resumes.evolution(
        resumes.points(annees, totaux["montant_vote"]), sujet="Le budget voté", ecrire=formats.millions_euros
    ),
)

st.subheader("Évolution, base 100 en 2021")
if totaux["indice_vote_2021"].notna().any():
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
    ui.graphique(
        ctx,
        fig,
        vue=VUE,
        table=table_annees[["Année", "Indice voté (2021 = 100)", "Indice exécuté (2021 = 100)"]],
        definitions=["budget"],
        cle="budget_indice",
        tableau="évolution base 100 en 2021",
        resume=resumes.evolution(
            resumes.points(annees, totaux["indice_vote_2021"]),
            sujet="L'indice du budget voté (2021 = 100)",
            ecrire=lambda v: formats.decimal(v, 1),
            variation=None,
        ),
    )
else:
    st.info("Indice non calculable : cette sélection n'a aucun crédit en 2021.")

st.subheader("Coût par personne suivie et file active")
if cout.empty:
    st.info("Pas de coût par personne : aucun montant exécuté pour cette sélection.")
else:
    st.caption(
        "Coût non calculable pour une année sans personne suivie (avant l'ouverture des ALI) ou dont "
        "l'exécution n'est pas connue (exercice en cours)."
    )
    donnees = prot_cout.donnees
    croissance = donnees["file_active_moyenne"].pct_change(fill_method=None).replace([float("inf")], float("nan"))
    evolution_cout = donnees["cout_par_personne"].pct_change(fill_method=None)
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("File active moyenne", "Coût par personne suivie"), horizontal_spacing=0.12
    )
    x = [str(a) for a in cout["annee"]]
    fig.add_trace(
        go.Bar(
            x=x,
            y=donnees["file_active_moyenne"],
            marker_color=charts.PALETTE[2],
            name="File active moyenne",
            customdata=cout_affiche["file_active_moyenne"],
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
            customdata=cout_affiche["cout_par_personne"],
            hovertemplate="%{x} : %{customdata} par personne suivie<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(type="category", title_text="Année")
    fig.update_yaxes(tickformat=",.0f", row=1, col=1, title_text="Personnes")
    fig.update_yaxes(tickformat=",.0f", ticksuffix="\u202f€", row=1, col=2, title_text="Euros")
    fig.update_layout(showlegend=False, height=400)
    table_cout = pd.DataFrame(
        {
            "Année": x,
            "Mois observés": [formats.entier(m) for m in cout["mois_observes"]],
            "Montant exécuté": [m_euros(v) if pd.notna(v) else "exercice en cours" for v in cout["montant_execute"]],
            "File active moyenne": cout_affiche["file_active_moyenne"],
            "Évolution de la file active": [
                ("+" if v >= 0 else "") + pct(v) if pd.notna(v) else formats.SANS_OBJET for v in croissance
            ],
            "Coût par personne suivie": cout_affiche["cout_par_personne"],
            "Évolution du coût": [
                ("+" if v >= 0 else "") + pct(v) if pd.notna(v) else formats.SANS_OBJET for v in evolution_cout
            ],
        }
    )
    ui.graphique(
        ctx,
        fig,
        vue=VUE,
        table=table_cout,
        definitions=["cout_par_personne", "file_active_mensuelle"],
        masque=prot_cout.a_masque,
        cle="budget_cout",
        tableau="coût par personne suivie",
        resume=resumes.evolution(
            resumes.points(x, donnees["cout_par_personne"], prot_cout.masque["cout_par_personne"]),
            sujet="Le coût par personne suivie",
            ecrire=formats.euros,
        ),
    )

# --- Par ligne budgétaire ----------------------------------------------------------------------------------
st.subheader("Par ligne budgétaire")
montants = (
    st.segmented_control("Montants", ["Votés", "Exécutés"], default="Votés", key="budget_montants", bind="query-params")
    or "Votés"
)
colonne = "montant_vote" if montants == "Votés" else "montant_execute"
lignes_budget = budget[budget["ligne"] != "total"].sort_values(["annee", "ligne"])
fig = go.Figure()
for ligne, part in lignes_budget.groupby("ligne", sort=False):
    libelle = territoires.libelle_ligne(ligne)
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
if colonne == "montant_execute" and lignes_budget["montant_execute"].isna().any():
    st.caption("Les années dont l'exécution n'est pas connue (exercice en cours) n'ont pas de barre.")
table_lignes = pd.DataFrame(
    {
        "Année": [str(a) for a in lignes_budget["annee"]],
        "Ligne budgétaire": [territoires.libelle_ligne(x) for x in lignes_budget["ligne"]],
        "Voté": [m_euros(v) for v in lignes_budget["montant_vote"]],
        "Exécuté": [m_euros(v) for v in lignes_budget["montant_execute"]],
        "Taux d'exécution": [pct(v) for v in lignes_budget["taux_execution"]],
        "Indice voté (2021 = 100)": [indice(v) for v in lignes_budget["indice_vote_2021"]],
    }
)
derniere_annee = lignes_budget[lignes_budget[colonne].notna()]["annee"].max()
de_l_annee = lignes_budget[lignes_budget["annee"] == derniere_annee]
ui.graphique(
    ctx,
    fig,
    vue=VUE,
    table=table_lignes,
    definitions=["budget"],
    cle="budget_lignes",
    tableau="crédits par ligne",
    resume=None
    if de_l_annee.empty
    else resumes.extremes(
        resumes.points([territoires.libelle_ligne(x) for x in de_l_annee["ligne"]], de_l_annee[colonne]),
        mesure=f"Montants {montants.lower()} en {int(derniere_annee)} par ligne budgétaire",
        ecrire=formats.millions_euros,
        categorie="ligne",
        plus="le plus élevé",
        moins="le plus faible",
    ),
)

# --- Par ALI -----------------------------------------------------------------------------------------------
st.subheader("Par ALI")
par_ali = ctx.requete("budget_annuel", perimetre=perimetre_budget, groupe="ali")
par_ali = par_ali[(par_ali["ligne"] == "total") & (par_ali["annee"] <= annee_d)]
ventilees = par_ali[par_ali["groupe"] != territoires.NON_REPARTI]
if ventilees.empty:
    st.info("Aucun crédit ventilé par ALI pour ces années.")
else:
    options = sorted({int(a) for a in ventilees["annee"]}, reverse=True)
    executees = sorted({int(a) for a in ventilees.loc[ventilees["montant_execute"].notna(), "annee"]})
    defaut = executees[-1] if executees else options[0]
    annee = st.selectbox("Année", options, index=options.index(defaut), key="budget_annee_ali", bind="query-params")
    st.caption(
        "Crédits attribués à chaque ALI ; le coût par personne rapporte l'exécuté de l'ALI à sa file active "
        "moyenne de l'année. Non diffusé pour une ALI qui a suivi en moyenne moins de "
        f"{secret.SEUIL_SECRET} personnes."
    )
    annee_ali = ventilees[ventilees["annee"] == annee].copy()
    cout_ali = ctx.requete("cout_par_personne", periode=periode_cout, perimetre=perimetre_budget, groupe="ali")
    cout_ali = cout_ali[cout_ali["annee"] == annee][
        ["groupe", "mois_observes", "file_active_moyenne", "cout_par_personne"]
    ]
    annee_ali = annee_ali.merge(cout_ali, on="groupe", how="left").sort_values("montant_vote").reset_index(drop=True)
    prot_ali = territoires.proteger_cout(annee_ali, departement=False, ventilation=[])
    affiche_ali = prot_ali.affichage(
        {"file_active_moyenne": formats.entier, "cout_par_personne": lambda v: formats.euros(nombre(v))}
    )
    libelles_ali = [territoires.libelle_groupe_budget(g, noms) for g in annee_ali["groupe"]]
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
    table_ali = pd.DataFrame(
        {
            "ALI": libelles_ali,
            "Voté": [m_euros(v, 2) for v in annee_ali["montant_vote"]],
            "Exécuté": [m_euros(v, 2) for v in annee_ali["montant_execute"]],
            "Taux d'exécution": [pct(v) for v in annee_ali["taux_execution"]],
            "File active moyenne": affiche_ali["file_active_moyenne"],
            "Coût par personne suivie": affiche_ali["cout_par_personne"],
        }
    ).iloc[::-1]
    ui.graphique(
        ctx,
        fig,
        vue=VUE,
        table=table_ali,
        definitions=["budget", "cout_par_personne"],
        masque=prot_ali.a_masque,
        cle="budget_ali",
        tableau="budget par ALI",
        resume=resumes.extremes(
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
        ),
    )
    non_reparti = par_ali[(par_ali["groupe"] == territoires.NON_REPARTI) & (par_ali["annee"] == annee)]
    if not non_reparti.empty:
        st.caption(
            f"Hors graphique : {m_euros(non_reparti['montant_vote'].iloc[0])} de crédits départementaux votés en "
            f"{annee} ne sont pas ventilés par ALI."
        )
