"""Comparer les territoires : une ALI face à chacune des autres et au département, sur chaque indicateur.

Mise en page seule : l'assemblage, le secret, les repères et les figures sont dans insertion/figures/comparer.py
(et ses briques, insertion/figures/territoires.py) ; les choix gardés dans le lien dans insertion/present/comparer.py.
"""

import dataclasses

import streamlit as st

from insertion.figures import comparer as fc
from insertion.figures import territoires
from insertion.indicators import libelles
from insertion.present import app, etats_vides, ui
from insertion.present import comparer as choix
from insertion.store.requetes import Perimetre, Periode

VUE = "Comparer les territoires"
CLE_ALI = "comparer_ali"
CLE_INDICATEUR = "comparer_indicateur"
ctx = app.cadre_de_page(VUE)
f = ctx.filtres
noms = libelles.ali()

# Les ALI se comparent entre elles : les filtres de territoire ne restreignent pas la comparaison (le premier
# ALI du filtre sert de choix par défaut) ; la période et les filtres de population s'appliquent à toutes.
population = fc.population(f.perimetre)
avec_population = fc.avec_population(population)
presentes = territoires.ali_presentes(
    ctx.requete("entrees_sorties", periode=Periode(as_of=f.as_of), perimetre=Perimetre(), groupe="ali")
)
if not presentes:
    # Les ALI présentes se lisent sans aucun filtre : seule la date d'observation peut les vider.
    ui.etat_vide(etats_vides.message("ali_comparables", dataclasses.replace(f, perimetre=Perimetre())))
    st.stop()
if avec_population and etats_vides.est_vide(
    ctx.requete("file_active_mensuelle", periode=f.periode, perimetre=population), ["file_active"]
):
    # Le public retenu (parcours, âge, sexe) n'a personne dans aucune ALI : des barres toutes à zéro ne
    # compareraient rien.
    ui.etat_vide(etats_vides.message("suivies_periode", dataclasses.replace(f, perimetre=population)))
    st.stop()

# --- Choix de l'ALI ----------------------------------------------------------------------------------------
defaut = choix.ali_par_defaut(f, presentes, CLE_ALI)
choix.depuis_le_lien(CLE_ALI, presentes, defaut)
col_choix, col_note = st.columns([2, 3], vertical_alignment="bottom")
with col_choix:
    code = st.selectbox(
        "Votre ALI",
        presentes,
        format_func=lambda c: noms.get(c, c),
        key=CLE_ALI,
        help="Le premier ALI du filtre de la barre latérale est choisi par défaut. Le choix reste dans le lien.",
    )
choix.vers_le_lien(CLE_ALI, code, defaut)
with col_note:
    if f.perimetre.alis and not set(f.perimetre.alis) & set(presentes):
        st.caption(f"{f.territoire} n'a aucune orientation à la date d'observation : une autre ALI est choisie.")
    st.caption(fc.legende_choix(len(presentes), avec_population))

# --- Chiffres de l'ALI face à la médiane ---------------------------------------------------------------------
comp = fc.comparer(ctx.requete, f.periode, population, presentes, code)
st.subheader(noms.get(code, code))
ui.cartes([
    {"label": c.label, "valeur": c.valeur, "evolution": c.evolution, "sens": c.sens, "aide": c.aide}
    for c in fc.cartes(comp)
])  # fmt: skip
st.caption(fc.legende_ecarts(avec_population))
st.dataframe(comp.table(), hide_index=True, width="stretch", key="comparer_tableau")
ui.telechargements(
    ctx,
    comp.en_nombres(),
    vue=VUE,
    tableau=f"{noms.get(code, code)} face aux ALI",
    definitions=fc.DEFINITIONS_TABLEAU,
    cle="comparer_tableau",
)
ui.note_secret(comp.masque)

# --- Petits multiples ----------------------------------------------------------------------------------------
st.subheader("Toutes les ALI, indicateur par indicateur")
st.caption(
    "Une barre par ALI (numéro et première commune sous la barre), de la plus haute à la plus basse ; "
    "votre ALI en orange ; tirets : médiane des ALI ; bande grisée : du 1er au 3e quartile."
)
ui.graphique(
    ctx,
    territoires.petits_multiples(comp.prot_ali, code, noms),
    vue=VUE,
    table=territoires.tableau_ali(comp.prot_ali, noms),
    definitions=list(dict.fromkeys(i.definition for i in territoires.INDICATEURS)),
    masque=comp.prot_ali.a_masque,
    cle="comparer_multiples",
    tableau="toutes les ALI par indicateur",
    resume=fc.resume_positions(comp, noms.get(code, code)),
)

# --- Carte ---------------------------------------------------------------------------------------------------
st.subheader("Carte des territoires")
cles = [i.cle for i in territoires.INDICATEURS]
choix.depuis_le_lien(CLE_INDICATEUR, cles, cles[0])
cle = st.selectbox(
    "Indicateur de la carte",
    cles,
    format_func=lambda c: comp.libelle(territoires.PAR_CLE[c]),
    key=CLE_INDICATEUR,
)
choix.vers_le_lien(CLE_INDICATEUR, cle, cles[0])
vue_carte = fc.carte(comp, cle, presentes, noms, date=f.as_of)
for genre, texte in vue_carte.messages:
    (st.warning if genre == "warning" else st.caption)(texte)
ui.graphique(
    ctx,
    vue_carte.figure,
    vue=VUE,
    table=vue_carte.table,
    definitions=[territoires.PAR_CLE[cle].definition],
    masque=vue_carte.masque,
    cle="comparer_carte",
    tableau=f"carte {vue_carte.titre}",
    resume=vue_carte.resume,
)
