"""Bénéficiaires suivis : file active mensuelle par territoire, entrées et sorties, classement des ALI, profil.
Mise en page seule : le secret, les figures et les résumés viennent d'insertion.figures.beneficiaires."""

import streamlit as st

from insertion import formats
from insertion.figures import beneficiaires as fb
from insertion.indicators import tableaux_beneficiaires
from insertion.present import app, etats_vides, ui

TITRE = "Bénéficiaires suivis"
ctx = app.cadre_de_page(TITRE)
f = ctx.filtres
au_d = formats.date_longue(f.as_of)
periode = f"du {formats.date_longue(f.periode.parametres()['debut'])} au {au_d}"

# --- File active mensuelle par ALI ou par EPT ---------------------------------------------------------
st.subheader("File active mensuelle par territoire")
choix1, choix2 = st.columns(2)
groupe = choix1.segmented_control(
    "Regrouper par",
    ["ali", "ept"],
    format_func={"ali": "ALI", "ept": "EPT"}.get,
    default="ali",
    required=True,
    key="regroupement",
    bind="query-params",
)
representation = choix2.segmented_control(
    "Représentation",
    ["courbes", "aires"],
    format_func={"courbes": "Courbes", "aires": "Aires empilées"}.get,
    default="courbes",
    required=True,
    key="representation",
    bind="query-params",
)
serie = ctx.requete("file_active_mensuelle", periode=f.periode, perimetre=f.perimetre, groupe=groupe)
if etats_vides.est_vide(serie, ["file_active"]):
    ui.etat_vide(etats_vides.message("suivies_periode", f))
else:
    vue = fb.file_active_territoires(serie, groupe, representation, au_d)
    ui.graphique(
        ctx,
        vue.figure,
        vue=TITRE,
        table=vue.table,
        definitions=["file_active_mensuelle"],
        masque=vue.masque,
        cle="benef_file_active_territoires",
        tableau="file active mensuelle par territoire",
        resume=vue.resume,
    )

# --- Entrées et sorties par mois -------------------------------------------------------------------------
st.subheader("Entrées et sorties par mois")
es = ctx.requete("entrees_sorties_mensuelles", periode=f.periode, perimetre=f.perimetre)
vue = fb.entrees_sorties(es, f.perimetre, periode)
st.caption(vue.legende)
ui.graphique(
    ctx,
    vue.figure,
    vue=TITRE,
    table=vue.table,
    definitions=["entrees_sorties"],
    masque=vue.masque,
    cle="benef_entrees_sorties",
    tableau="entrées et sorties par mois",
    vide=etats_vides.message("entrees_sorties", f) if etats_vides.est_vide(es, ["entrees", "sorties"]) else None,
    resume=vue.resume,
)

# --- Classement des ALI à D ------------------------------------------------------------------------------
st.subheader(f"Classement des ALI au {au_d}")
classement = tableaux_beneficiaires.classement_ali(
    ctx.requete("file_active", periode=f.periode, perimetre=f.perimetre, groupe="ali"),
    ctx.requete("entrees_sorties", periode=f.periode, perimetre=f.perimetre, groupe="ali"),
)
if etats_vides.est_vide(classement, ["file_active", "entrees", "sorties"]):
    ui.etat_vide(etats_vides.message("suivies", f))
else:
    vue = fb.classement(classement, au_d)
    onglet_graphique, onglet_tableau = st.tabs(["Graphique", "Tableau"], key="classement", bind="query-params")
    with onglet_graphique:
        ui.graphique(
            ctx,
            vue.figure,
            vue=TITRE,
            table=vue.table,
            definitions=["file_active", "entrees_sorties"],
            masque=vue.masque,
            cle="benef_classement",
            tableau="classement des ALI",
            resume=vue.resume,
        )
    with onglet_tableau:
        st.dataframe(vue.table.texte, hide_index=True, width="stretch", height=fb.hauteur_tableau(vue.table))
        ui.note_secret(vue.masque)

# --- Profil des personnes suivies à D --------------------------------------------------------------------
st.subheader(f"Profil des personnes suivies au {au_d}")
dimension = st.segmented_control(
    "Caractéristique",
    list(tableaux_beneficiaires.DIMENSIONS),
    format_func=lambda d: tableaux_beneficiaires.DIMENSIONS[d][0],
    default="tranche_age",
    required=True,
    key="profil",
    bind="query-params",
)
brute = ctx.sql(
    "repartition_profil", as_of=f.as_of, dimension=dimension, groupe="departement", **f.perimetre.parametres()
)
vue = fb.profil(brute, dimension, f.perimetre, au_d)
if vue is None:
    ui.etat_vide(etats_vides.message("suivies", f))
else:
    st.caption(vue.legende)
    ui.graphique(
        ctx,
        vue.figure,
        vue=TITRE,
        table=vue.table,
        definitions=[tableaux_beneficiaires.DEFINITION_PROFIL],
        masque=vue.masque,
        cle="benef_profil",
        tableau="profil des personnes suivies",
        resume=vue.resume,
    )
