"""Actions collectives (contrat §7.3) : séances, participants, remplissage, rendez-vous pris et personnes remobilisées,
par mois, type, commune et quartier ; et les débutants en numérique passés par un atelier numérique. Mise en forme :
insertion/figures/actions_collectives.py ; indicateurs : insertion/indicators/autres_systemes/actions_collectives.py."""

import streamlit as st

from insertion.figures import actions_collectives as vue
from insertion.present import app, ui

VUE = "Actions collectives"
CLE_TYPES = "types_action"
ctx = app.page(VUE)
f = ctx.filtres
state = st.session_state

# --- Filtre du type d'action, gardé dans l'URL par ses codes (« types_action=aller_vers ») ---------------------
if CLE_TYPES not in state:
    state[CLE_TYPES] = [t for t in st.query_params.get_all(CLE_TYPES) if t in vue.TYPES]
types = tuple(
    st.multiselect("Types d'action", list(vue.TYPES), format_func=vue.TYPES.get, key=CLE_TYPES, placeholder="Tous")
)
if not types and CLE_TYPES in st.query_params:
    del st.query_params[CLE_TYPES]
elif types and st.query_params.get_all(CLE_TYPES) != list(types):
    st.query_params[CLE_TYPES] = list(types)

st.caption(vue.note_filtres(f))


def seances(groupe: str, pas: str = "periode"):
    return ctx.requete(
        "actions_collectives.seances", periode=f.periode, perimetre=f.perimetre, groupe=groupe, pas=pas, types=types
    )


total = vue.proteger(seances("departement"))
if total.donnees.empty:
    ui.etat_vide(vue.message_vide(f, types))
    st.stop()
mensuel = vue.proteger(seances("departement", "mois"))

# --- Chiffres clés --------------------------------------------------------------------------------------------
cartes = st.columns(5)
for carte, (colonne, nom, aide) in zip(cartes, vue.CARTES, strict=True):
    with carte:
        ui.kpi(nom, total.texte(colonne), serie=vue.serie(mensuel, colonne), aide=aide)
ui.note_secret(total.a_masque)

# --- Par mois et par type -------------------------------------------------------------------------------------
st.subheader("Séances et participants par mois")
par_mois = vue.proteger(seances("type_action", "mois"), ventilation=["mois"])
ui.graphique(
    ctx,
    vue.par_mois(par_mois),
    vue=VUE,
    table=vue.table_mois(par_mois),
    definitions=["actions_collectives"],
    masque=par_mois.a_masque,
    cle="actions_mois",
    tableau="séances et participants par mois",
    resume=vue.resume_mois(mensuel),
)

st.subheader("Par type d'action")
par_type = vue.proteger(seances("type_action"), ventilation=[])
noms_types = vue.libelles_de(par_type.donnees, "type_action")
colonnes = ["seances", "participants", "taux_remplissage", "rendez_vous_par_seance"]
ui.graphique(
    ctx,
    vue.barres(noms_types, par_type, colonnes, [vue.COULEURS_TYPES[t] for t in par_type.donnees["groupe"]]),
    vue=VUE,
    table=vue.table(par_type, "Type d'action", noms_types, vue.TOUTES),
    definitions=["actions_collectives", "taux_remplissage", "rendez_vous_par_seance"],
    masque=par_type.a_masque,
    cle="actions_types",
    tableau="actions par type",
    resume=vue.resume_barres(noms_types, par_type, "participants", "type d'action"),
)

# --- Par commune et par quartier ------------------------------------------------------------------------------
st.subheader("Par commune")
par_commune = vue.proteger(seances("commune"), ventilation=[])
noms_communes = vue.libelles_de(par_commune.donnees, "commune")
ui.graphique(
    ctx,
    vue.barres(noms_communes, par_commune, ["seances", "participants", "rendez_vous_pris"]),
    vue=VUE,
    table=vue.table(par_commune, "Commune", noms_communes, vue.TOUTES),
    definitions=["actions_collectives"],
    masque=par_commune.a_masque,
    cle="actions_communes",
    tableau="actions par commune",
    resume=vue.resume_barres(noms_communes, par_commune, "participants", "commune"),
)

st.subheader("Par quartier")
st.caption(
    "Séances dont le quartier est renseigné, comme les journées d'aller-vers d'un réseau local (à Pantin, les "
    "« Jeudis de l'insertion » de juin 2023) : questions sur les dispositifs, rendez-vous pris, personnes qui "
    "avaient abandonné leurs droits ou leur recherche et reprennent contact."
)
quartiers = seances("quartier")
par_quartier = vue.proteger(quartiers[quartiers["groupe"].notna()], ventilation=[])
noms_quartiers = vue.libelles_de(par_quartier.donnees, "quartier")
ui.graphique(
    ctx,
    vue.barres(noms_quartiers, par_quartier, ["participants", "rendez_vous_pris", "personnes_remobilisees"]),
    vue=VUE,
    table=vue.table(par_quartier, "Quartier (commune)", noms_quartiers, vue.TOUTES),
    definitions=["actions_collectives"],
    masque=par_quartier.a_masque,
    cle="actions_quartiers",
    tableau="actions par quartier",
    vide=None if len(par_quartier.donnees) else vue.VIDE_QUARTIERS,
    resume=vue.resume_barres(noms_quartiers, par_quartier, "personnes_remobilisees", "quartier"),
)

# --- Débutants en numérique et ateliers -----------------------------------------------------------------------
st.subheader("Débutants en numérique passés par un atelier numérique dans les 60 jours")
st.caption(vue.NOTE_ATELIERS)
ateliers_dep, aff_dep = vue.proteger_ateliers(
    ctx.requete("actions_collectives.ateliers_apres_diagnostic", periode=f.periode, perimetre=f.perimetre)
)
ateliers, aff = vue.proteger_ateliers(
    ctx.requete("actions_collectives.ateliers_apres_diagnostic", periode=f.periode, perimetre=f.perimetre, groupe="ali")
)
col_kpi, _ = st.columns([1, 3])
with col_kpi:
    ui.kpi(
        "Débutants passés par un atelier",
        vue.texte_atelier(aff_dep, "taux_atelier_60j"),
        aide=f"Sur {vue.texte_atelier(aff_dep, 'debutants')} épisodes diagnostiqués débutants en numérique.",
    )
noms_ali = vue.libelles_de(ateliers.donnees.assign(code_commune=None), "ali")
ui.graphique(
    ctx,
    vue.taux_ateliers(noms_ali, ateliers, aff),
    vue=VUE,
    table=vue.table_ateliers(noms_ali, aff),
    definitions=["ateliers_apres_diagnostic"],
    masque=ateliers.a_masque,
    cle="actions_ateliers",
    tableau="débutants passés par un atelier numérique",
    vide=None if len(ateliers.donnees) else vue.VIDE_ATELIERS,
    resume=vue.resume_ateliers(noms_ali, ateliers),
)
