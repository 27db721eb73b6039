"""Actions collectives (contrat §7.3) : séances, participants, remplissage, rendez-vous pris et personnes remobilisées,
par mois, type, commune et quartier ; et les débutants en numérique passés par un atelier numérique. Secret, cartes,
figures, tableaux et résumés : insertion/figures/actions_collectives.py ; indicateurs :
insertion/indicators/autres_systemes/actions_collectives.py ; cette page ne fait que la mise en page."""

import streamlit as st

from insertion.figures import actions_collectives as vue
from insertion.present import app, choix_url, graphiques, ui

VUE = "Actions collectives"
ctx = app.cadre_de_page(VUE)
f = ctx.filtres

# --- Filtre du type d'action, gardé dans l'URL par ses codes (« types_action=aller_vers ») ---------------------
types = choix_url.multiselect_codes("Types d'action", vue.TYPES, "types_action")
st.caption(vue.note_filtres(f))


def seances(groupe: str, pas: str = "periode"):
    return ctx.requete(
        "actions_collectives.seances", periode=f.periode, perimetre=f.perimetre, groupe=groupe, pas=pas, types=types
    )


def ateliers(groupe: str = "departement"):
    return ctx.requete(
        "actions_collectives.ateliers_apres_diagnostic", periode=f.periode, perimetre=f.perimetre, groupe=groupe
    )


def montrer(g, cle: str, tableau: str, definitions: list[str], vide: str | None = None) -> None:
    graphiques.montrer(ctx, VUE, g, cle, tableau, definitions, vide=vide)


total = vue.proteger(seances("departement"))
if total.donnees.empty:
    ui.etat_vide(vue.message_vide(f, types))
    st.stop()
mensuel = vue.proteger(seances("departement", "mois"))

# --- Chiffres clés --------------------------------------------------------------------------------------------
ui.cartes(vue.chiffres_cles(total, mensuel))
ui.note_secret(total.a_masque)

# --- Par mois et par type -------------------------------------------------------------------------------------
st.subheader("Séances et participants par mois")
g = vue.graphique_mois(seances("type_action", "mois"), mensuel)
montrer(g, "actions_mois", "séances et participants par mois", ["actions_collectives"])

st.subheader("Par type d'action")
definitions = ["actions_collectives", "taux_remplissage", "rendez_vous_par_seance"]
montrer(vue.graphique_types(seances("type_action")), "actions_types", "actions par type", definitions)

# --- Par commune et par quartier ------------------------------------------------------------------------------
st.subheader("Par commune")
montrer(vue.graphique_communes(seances("commune")), "actions_communes", "actions par commune", ["actions_collectives"])

st.subheader("Par quartier")
st.caption(vue.NOTE_QUARTIERS)
g = vue.graphique_quartiers(seances("quartier"))
montrer(g, "actions_quartiers", "actions par quartier", ["actions_collectives"], vide=vue.VIDE_QUARTIERS)

# --- Débutants en numérique et ateliers -----------------------------------------------------------------------
st.subheader("Débutants en numérique passés par un atelier numérique dans les 60 jours")
st.caption(vue.NOTE_ATELIERS)
carte = vue.carte_ateliers(ateliers())
g = vue.graphique_ateliers(ateliers("ali"))
col_kpi, _ = st.columns([1, 3])
with col_kpi:
    ui.chiffre_cle(**carte)
tableau = "débutants passés par un atelier numérique"
montrer(g, "actions_ateliers", tableau, ["ateliers_apres_diagnostic"], vide=vue.VIDE_ATELIERS)
