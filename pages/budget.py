"""Budget : crédits de l'insertion votés et exécutés par année, par ligne et par ALI ; coût par personne suivie.

Les montants ne sont pas des effectifs : ils ne sont pas masqués. Le coût par personne d'une ALI dont la file
active moyenne est inférieure au seuil du secret n'est pas diffusé. Secret, figures, tableaux et résumés :
insertion.figures.budget ; cette page ne fait que la mise en page.
"""

import streamlit as st

from insertion.figures import budget as fb
from insertion.figures import budget_ali
from insertion.indicators import libelles
from insertion.present import app, etats_vides, ui
from insertion.store.requetes import Perimetre, Periode

VUE = "Budget"
ctx = app.cadre_de_page(VUE)
f = ctx.filtres
noms = libelles.ali()
annee_d = f.as_of.year
# Le budget n'est ventilé que par ALI : seul le filtre ALI s'y applique (insertion.indicators.budget_annuel).
perimetre_budget = Perimetre(alis=f.perimetre.alis)
periode_cout = Periode(as_of=f.as_of)  # le coût ne dépend que de D


def montrer(g: fb.Graphique, cle: str, tableau: str, definitions: list[str]) -> None:
    ui.graphique(
        ctx,
        g.figure,
        vue=VUE,
        table=g.table,
        definitions=definitions,
        masque=g.masque,
        cle=cle,
        tableau=tableau,
        resume=g.resume,
    )


st.caption(fb.notes(annee_d, bool(f.perimetre.alis), etats_vides.filtres_hors_ali(f.perimetre)))

budget_charge = ctx.requete("budget_annuel", perimetre=perimetre_budget, groupe="departement")
budget = fb.jusqua(budget_charge, annee_d)
if budget.empty:
    ui.etat_vide(etats_vides.message_budget(f, fb.premiere_annee(budget_charge)))
    st.stop()

cout = ctx.requete("cout_par_personne", periode=periode_cout, perimetre=perimetre_budget, groupe="departement")
b = fb.preparer(budget, cout, annee_d, perimetre_budget)

# --- Chiffres clés -----------------------------------------------------------------------------------------
for colonne, carte in zip(st.columns([1, 1, 1, 0.85, 1.25]), fb.chiffres_cles(b), strict=True):
    with colonne:
        ui.chiffre_cle(**carte)
ui.note_secret(b.prot_cout.a_masque)

# --- Voté et exécuté par année -----------------------------------------------------------------------------
st.subheader("Crédits votés et exécutés par année")
# Les montants ne sont pas des effectifs : rien n'y est masqué.
montrer(fb.graphique_annees(b), "budget_annees", "crédits par année", ["budget"])

st.subheader("Évolution, base 100 en 2021")
if fb.indice_calculable(b):
    montrer(fb.graphique_indice(b), "budget_indice", "évolution base 100 en 2021", ["budget"])
else:
    st.info("Indice non calculable : cette sélection n'a aucun crédit en 2021.")

st.subheader("Coût par personne suivie et file active")
if b.cout.empty:
    st.info("Pas de coût par personne : aucun montant exécuté pour cette sélection.")
else:
    st.caption(
        "Coût non calculable pour une année sans personne suivie (avant l'ouverture des ALI) ou dont "
        "l'exécution n'est pas connue (exercice en cours)."
    )
    definitions = ["cout_par_personne", "file_active_mensuelle"]
    montrer(fb.graphique_cout(b), "budget_cout", "coût par personne suivie", definitions)

# --- Par ligne budgétaire ----------------------------------------------------------------------------------
st.subheader("Par ligne budgétaire")
montants = (
    st.segmented_control("Montants", ["Votés", "Exécutés"], default="Votés", key="budget_montants", bind="query-params")
    or "Votés"
)
if fb.execution_incomplete(b.budget, montants):
    st.caption("Les années dont l'exécution n'est pas connue (exercice en cours) n'ont pas de barre.")
montrer(fb.graphique_lignes(b.budget, montants), "budget_lignes", "crédits par ligne", ["budget"])

# --- Par ALI -----------------------------------------------------------------------------------------------
st.subheader("Par ALI")
par_ali = budget_ali.totaux_ali(ctx.requete("budget_annuel", perimetre=perimetre_budget, groupe="ali"), annee_d)
ventilees = budget_ali.ventilees(par_ali)
if ventilees.empty:
    st.info("Aucun crédit ventilé par ALI pour ces années.")
else:
    options, defaut = budget_ali.annees_ali(ventilees)
    annee = st.selectbox("Année", options, index=options.index(defaut), key="budget_annee_ali", bind="query-params")
    st.caption(fb.LEGENDE_ALI)
    cout_ali = ctx.requete("cout_par_personne", periode=periode_cout, perimetre=perimetre_budget, groupe="ali")
    montrer(
        budget_ali.graphique_ali(ventilees, cout_ali, annee, noms),
        "budget_ali",
        "budget par ALI",
        ["budget", "cout_par_personne"],
    )
    texte = budget_ali.texte_non_reparti(par_ali, annee)
    if texte:
        st.caption(texte)
