"""Qualité des données : historique des chargements, fraîcheur par ALI, lignes rejetées, complétude.

Page de l'équipe données ; le secret statistique n'y masque que la complétude, qui compte des épisodes du
périmètre filtré (justification dans insertion/figures/qualite.py). Mise en forme : insertion.figures.qualite ;
ouverture sans extraction et choix du chargement : insertion.present.qualite.
"""

import streamlit as st

from insertion.figures import qualite as vue
from insertion.figures import qualite_completude as vue_completude
from insertion.figures import qualite_rejets as vue_rejets
from insertion.present import app, connexion, etats_vides, qualite, ui
from insertion.protect import acces

TITRE = "Qualité des données"
# app.cadre_de_page() s'arrête quand la base n'a aucune extraction : c'est justement là qu'il faut voir les rejets.
ctx = qualite.ouvrir(TITRE)
f = ctx.filtres
donnees = qualite.avec_extraction(ctx)  # faux si aucune extraction en place : pas de date D, pas de filtres
territoire = vue.parametres_territoire(f)

st.caption(vue.INTRO)

# L'historique (tous les fichiers, toutes les ALI) n'est servi qu'aux administrateur·rice·s (acces.restreindre).
chargements = ctx.sql("qualite_chargements") if connexion.peut(acces.HISTORIQUE) else None
qualite.signaler_detail_limite()
rejets_tous = ctx.sql("qualite_rejets", chargement=None, **territoire)
# La référence des retards : la plus récente extraction en place, toutes ALI confondues (même filtrée).
plus_recente = app.date_derniere_extraction(ctx.con) if donnees else None
fraicheur = vue.fraicheur(ctx.sql("qualite_fraicheur", derniere=plus_recente, **territoire)) if donnees else None

# --- Chiffres clés ---------------------------------------------------------------------------------------
# Deux rangées : les dates et les retards, puis les fichiers (cinq cartes d'un rang se coupent à 1 280 px).
cartes = vue.chiffres_cles(plus_recente, f.derniere_extraction, fraicheur, chargements, rejets_tous)
for colonne, (libelle, valeur, aide) in zip([*st.columns(3), *st.columns(3)[:2]], cartes, strict=True):
    with colonne:
        ui.chiffre_cle(libelle, valeur, aide=aide)

if fraicheur is not None:
    en_retard, phrase = vue.phrase_retards(fraicheur, plus_recente)
    (st.error if en_retard else st.success)(phrase, icon="⏰" if en_retard else "✅")

# --- Historique des chargements ---------------------------------------------------------------------------
st.subheader("Historique des chargements")
st.caption(vue.NOTE_HISTORIQUE)
if not connexion.peut(acces.HISTORIQUE):
    st.info(vue.HISTORIQUE_RESERVE)
elif chargements is None or chargements.empty:
    st.info(vue.AUCUN_CHARGEMENT)
else:
    historique = vue.historique(chargements)
    st.dataframe(historique.texte, hide_index=True, width="stretch", height=380, key="historique")
    ui.telechargements(ctx, historique, vue="Historique des chargements", cle="historique")

# --- Fraîcheur par ALI --------------------------------------------------------------------------------------
st.subheader("Date de la dernière extraction par ALI")
st.caption(vue.NOTE_FRAICHEUR)
if fraicheur is None:
    st.info(vue.AUCUNE_EXTRACTION)
elif fraicheur.empty:
    st.info(vue.AUCUNE_ALI)
else:
    ui.graphique(
        ctx,
        vue.figure_fraicheur(fraicheur),
        vue=TITRE,
        table=vue.tableau_fraicheur(fraicheur),
        definitions=[vue.DEF_FRAICHEUR],
        cle="fraicheur",
        tableau="dernière extraction par ALI",
        vide=etats_vides.message_extractions(f) if vue.sans_date(fraicheur) else None,
    )
    if note := vue.note_sans_extraction(fraicheur):
        st.caption(note)

# --- Lignes rejetées ---------------------------------------------------------------------------------------
st.subheader("Lignes rejetées")
chargement = qualite.choisir_chargement(
    vue_rejets.libelles_chargements(vue_rejets.chargements_avec_rejets(chargements, rejets_tous))
)
rejets = rejets_tous if chargement == qualite.TOUS else ctx.sql("qualite_rejets", chargement=chargement, **territoire)
if rejets.empty:
    st.success(vue_rejets.aucun_rejet(f.sous_departement), icon="✅")
else:
    for par, figure, table, resume, cle, tableau in (
        (vue_rejets.rejets_par_motif(rejets), vue_rejets.figure_rejets_motif, vue_rejets.table_rejets_motif,
         vue_rejets.resume_rejets_motif, "rejets_motif", "lignes rejetées par motif"),
        (vue_rejets.rejets_par_ali(rejets), vue_rejets.figure_rejets_ali, vue_rejets.table_rejets_ali,
         vue_rejets.resume_rejets_ali, "rejets_ali", "lignes rejetées par ALI"),
    ):  # fmt: skip
        ui.graphique(
            ctx, figure(par), vue=TITRE, table=table(par), definitions=[vue.DEF_REJETS], cle=cle, tableau=tableau,
            resume=resume(par),
        )  # fmt: skip
    detail = ctx.sql(
        "qualite_quarantaine",
        chargement=None if chargement == qualite.TOUS else chargement,
        limite=vue.LIMITE_QUARANTAINE,
        **territoire,
    )
    st.markdown(vue.NOTE_QUARANTAINE)
    if note := vue_rejets.note_quarantaine_partielle(int(rejets["lignes"].sum()), len(detail)):
        st.caption(note)
    quarantaine = vue_rejets.tableau_quarantaine(detail)
    st.dataframe(quarantaine.texte, hide_index=True, width="stretch", key="quarantaine")
    ui.telechargements(ctx, quarantaine, vue="Lignes rejetées", cle="quarantaine")

# --- Complétude ------------------------------------------------------------------------------------------
st.subheader("Complétude des champs facultatifs")
if not donnees:
    st.info(vue.COMPLETUDE_ATTENDUE)
else:
    params = vue_completude.parametres_completude(f)
    # Effectifs d'épisodes du périmètre filtré : protégés (secret statistique), l'ensemble exempté
    # seulement sans aucun filtre.
    ensemble = vue_completude.completude_ensemble(ctx.sql("qualite_completude", groupe="departement", **params), f)
    par_ali = vue_completude.completude_par_ali(ctx.sql("qualite_completude", groupe="ali", **params))
    if ensemble.donnees.empty:
        ui.etat_vide(etats_vides.message("episodes", f))
    else:
        st.caption(vue.NOTE_COMPLETUDE)
        ui.graphique(
            ctx,
            vue_completude.figure_completude_ensemble(ensemble, f.territoire),
            vue=TITRE,
            table=vue_completude.tableau_completude(ensemble, lambda _: f.territoire),
            definitions=[vue.DEF_COMPLETUDE],
            masque=ensemble.a_masque,
            cle="completude_ensemble",
            tableau="complétude des champs facultatifs",
            resume=vue_completude.resume_completude(ensemble),
        )
        if not par_ali.donnees.empty:
            ui.graphique(
                ctx,
                vue_completude.figure_completude_ali(par_ali),
                vue=TITRE,
                table=vue_completude.table_completude_ali(par_ali),
                definitions=[vue.DEF_COMPLETUDE],
                masque=par_ali.a_masque,
                cle="completude_ali",
                tableau="complétude par ALI",
            )
