"""Diagnostics : les diagnostics numérique et linguistique sont-ils faits dans les 90 jours, et où ?

Mise en page seule : chiffres, figures, tableaux protégés et résumés viennent de insertion.figures.diagnostics."""

import streamlit as st

from insertion.figures import diagnostics
from insertion.figures.cohortes import DIAGNOSTICS
from insertion.present import app, etats_vides, ui

TITRE = "Diagnostics"
ctx = app.cadre_de_page(TITRE)
f = ctx.filtres
vue = diagnostics.VueDiagnostics(f, ctx.requete, ctx.sql)


def montrer(graphique) -> None:
    ui.graphique(ctx, graphique.figure, vue=TITRE, **graphique.options())


# --- Chiffres clés -------------------------------------------------------------------------------------
st.caption(vue.precision())
ui.cartes(vue.cartes() + vue.cartes_les_deux(), par_ligne=2)
ui.methode(["diag_numerique", "diag_linguistique", "diag_les_deux", "delai_median"])

diag = st.segmented_control(
    "Diagnostic",
    list(DIAGNOSTICS),
    format_func=DIAGNOSTICS.get,
    default="numerique",
    required=True,
    key="diagnostic",
    bind="query-params",
)
nom = DIAGNOSTICS[diag].lower()

# --- Par ALI -------------------------------------------------------------------------------------------
st.subheader(f"Diagnostic {nom} par agence locale d'insertion")
par_ali = vue.par_ali(diag)
if par_ali is None:
    ui.etat_vide(etats_vides.message("orientees", f))
else:
    for colonne, graphique in zip(st.columns(2), par_ali, strict=True):
        with colonne:
            montrer(graphique)

# --- Par cohorte mensuelle d'orientation ---------------------------------------------------------------
st.subheader(f"Diagnostic {nom} par mois d'orientation")
mesure = st.segmented_control(
    "Mesure",
    list(diagnostics.MESURES),
    format_func=diagnostics.MESURES.get,
    default="taux_90j",
    required=True,
    key="mesure_diag",
    bind="query-params",
)
carte = vue.carte(diag, mesure)
if carte is None:
    ui.etat_vide(etats_vides.message("cohortes_90j", f))
else:
    montrer(carte)
    st.caption(diagnostics.LEGENDE_CARTE)

# --- Niveaux constatés ---------------------------------------------------------------------------------
st.subheader(f"Niveaux constatés au diagnostic {nom}")
for colonne, graphique in zip(st.columns(2), (vue.niveaux(diag), vue.niveaux_ali(diag)), strict=True):
    with colonne:
        if graphique is None:
            ui.etat_vide(etats_vides.message("diagnostics", f))
        else:
            montrer(graphique)
