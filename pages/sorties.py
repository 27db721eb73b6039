"""Sorties vers l'emploi : combien de personnes accompagnées sortent en emploi dans l'année, et comment.

Mise en page seule : chiffres, figures, tableaux protégés et résumés viennent de insertion.figures.sorties."""

import streamlit as st

from insertion.figures import sorties
from insertion.figures.cohortes import PAS
from insertion.present import app, etats_vides, ui

TITRE = "Sorties vers l'emploi"
ctx = app.cadre_de_page(TITRE)
f = ctx.filtres
vue = sorties.VueSorties(f, ctx.requete, ctx.sql)


def montrer(graphique) -> None:
    ui.graphique(ctx, graphique.figure, vue=TITRE, **graphique.options())


# --- Chiffres clés -------------------------------------------------------------------------------------
st.caption(vue.precision())
ui.cartes(vue.cartes(), par_ligne=2)

# --- Par ALI -------------------------------------------------------------------------------------------
st.subheader("Taux de sortie à 12 mois par agence locale d'insertion")
par_ali = vue.par_ali()
if par_ali is None:
    ui.etat_vide(etats_vides.message("orientees", f))
else:
    montrer(par_ali)

# --- Par cohorte ---------------------------------------------------------------------------------------
st.subheader("Taux de sortie à 12 mois par cohorte d'orientation")
pas = st.segmented_control(
    "Cohortes par", list(PAS), format_func=PAS.get, default="trimestre", required=True, key="pas", bind="query-params"
)
courbes = vue.courbes(pas)
if courbes is None:
    ui.etat_vide(etats_vides.message("cohortes_12m", f))
else:
    montrer(courbes)
    indicateur = st.segmented_control(
        "Carte par ALI", list(sorties.INDICATEURS), format_func=sorties.INDICATEURS.get,
        default="taux_sortie_emploi", required=True, key="indicateur_sortie", bind="query-params",
    )  # fmt: skip
    montrer(vue.carte(pas, indicateur))
    st.caption(sorties.LEGENDE_CARTE)

# --- Sorties par motif et par groupe -------------------------------------------------------------------
st.subheader("Sorties de la période par motif et par groupe")
gauche, droite = st.columns(2)
for colonne, graphique in ((gauche, vue.par_motif()), (droite, vue.groupes_ali())):
    with colonne:
        if graphique is None:
            ui.etat_vide(etats_vides.message("sorties", f))
        else:
            montrer(graphique)

# --- Parcours d'une cohorte ----------------------------------------------------------------------------
st.subheader("Parcours d'une cohorte : de l'orientation à l'emploi")
choix = vue.choix_cohortes(pas)
cle_cohorte = st.selectbox(
    "Cohorte", list(choix), format_func=choix.get, index=1 if len(choix) > 1 else 0, key="cohorte", bind="query-params"
)
parcours = vue.parcours(pas, cle_cohorte)
if parcours is None:
    ui.etat_vide(etats_vides.message("cohortes_12m", f))
else:
    montrer(parcours)
    st.caption(sorties.LEGENDE_PARCOURS)
