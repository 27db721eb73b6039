"""Moyens : référents et places des ALI, personnes suivies par référent, occupation des places, progression vers
les cibles 2026 du Département, coût par place (contrat §7.4). Notes, cartes, figures, tableaux et résumés :
insertion.figures.moyens ; cette page ne fait que la mise en page."""

import pandas as pd
import streamlit as st

from insertion.contrat import ANNEE_CIBLES
from insertion.figures import moyens as fm
from insertion.indicators import libelles
from insertion.present import app, etats_vides, graphiques, ui
from insertion.store.requetes import Perimetre

VUE = "Moyens"
ctx = app.cadre_de_page(VUE)
f = ctx.filtres
# Les moyens sont déclarés par ALI : seul le filtre ALI s'applique (insertion.indicators.autres_systemes.moyens).
perimetre = Perimetre(alis=f.perimetre.alis)
selection = bool(f.perimetre.alis)

st.caption(fm.notes(etats_vides.filtres_hors_ali(f.perimetre)))


def requete(fonction: str, groupe: str) -> pd.DataFrame:
    return ctx.requete(f"moyens.{fonction}", periode=f.periode, perimetre=perimetre, groupe=groupe)


mensuels = fm.par_mois(requete("moyens_mensuels", "departement"))
if mensuels.empty:
    ui.etat_vide(fm.VIDE)
    st.stop()

# --- Chiffres clés -----------------------------------------------------------------------------------------------
st.caption(fm.legende_dernier_mois(mensuels))
ui.cartes(fm.chiffres_cles(mensuels, selection))
ui.note_secret(fm.secret_dernier_mois(mensuels))

# --- Progression vers les cibles 2026 ----------------------------------------------------------------------------
st.subheader(f"Référents et places vers les cibles {ANNEE_CIBLES}")
if selection:
    st.caption(fm.NOTE_SELECTION_CIBLES)
tableau = f"référents et places vers les cibles {ANNEE_CIBLES}"
graphiques.montrer(
    ctx, VUE, fm.graphique_cibles(mensuels, selection), "moyens_cibles", tableau, ["moyens_referents_places"]
)

# --- Par ALI -----------------------------------------------------------------------------------------------------
st.subheader("Personnes suivies par référent et occupation des places, par ALI")
par_ali = requete("moyens_mensuels", "ali")
if par_ali.empty:
    ui.etat_vide(fm.VIDE_ALI)
else:
    st.caption(fm.LEGENDE_ALI)
    graphiques.montrer(
        ctx,
        VUE,
        fm.graphique_par_ali(par_ali, libelles.ali()),
        "moyens_ali",
        "personnes par référent et occupation par ALI",
        ["personnes_par_referent", "taux_occupation"],
    )

# --- Coût par place ----------------------------------------------------------------------------------------------
st.subheader("Coût par place")
cout = fm.cout_declare(requete("cout_par_place", "departement"))
if cout.empty:
    ui.etat_vide(fm.VIDE_COUT)
else:
    st.caption(fm.note_cout(selection))
    graphiques.montrer(ctx, VUE, fm.graphique_cout(cout), "moyens_cout", "coût par place", ["cout_par_place", "budget"])
