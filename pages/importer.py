"""Importer : envoyer une ou plusieurs extractions depuis le navigateur, avec le chargeur de la CLI.

Les fichiers reçus sont enregistrés dans un dossier temporaire (noms gardés) puis chargés par
insertion.ingest.chargement.charger_fichiers, qui travaille sur une copie de la base et la met en place d'un coup :
à la réexécution suivante, app.preparer() voit la nouvelle version du fichier et toutes les vues
lisent les nouvelles données, sans redémarrage.

Un fichier qui retirerait trop de données revient « à confirmer » : voir insertion/present/importer.py
(confirmation, journal d'audit, couture de test du dépôt). Textes et compte rendu : insertion/figures/importer.py.
"""

import streamlit as st

from insertion import config, formats
from insertion.figures import importer as vue
from insertion.ingest import modeles
from insertion.present import importer, qualite

TITRE = "Importer"
# app.cadre_de_page() s'arrête quand la base n'a aucune extraction : c'est justement là qu'il faut pouvoir importer.
ctx = qualite.ouvrir(TITRE)

st.markdown(vue.consigne(config.seuil_confirmation()))
if ctx.demo:
    st.warning(vue.AVERTISSEMENT_DEMO, icon="🧪")

st.subheader("Les fichiers attendus")
st.caption(vue.NOTE_MODELES)
for type_fichier in modeles.types_fichier():
    with st.expander(f"{type_fichier.titre} : colonnes et règles", expanded=False):
        # Un tableau statique (les règles sont longues : elles passent à la ligne) ; les st.dataframe de la page
        # restent ceux des résultats de chargement.
        st.table(type_fichier.tableau_regles(), hide_index=True)
    gauche, droite = st.columns(2)
    gauche.download_button(
        f"Télécharger le modèle « {type_fichier.titre} » (CSV)",
        data=type_fichier.modele_csv(),
        file_name=type_fichier.nom_modele,
        mime="text/csv",
        key=f"importer_modele_{type_fichier.cle}",
        icon=":material/download:",
        on_click="ignore",
    )
    droite.download_button(
        f"Télécharger le modèle « {type_fichier.titre} » (Excel)",
        data=type_fichier.modele_xlsx,  # construit au clic seulement
        file_name=type_fichier.nom_modele_xlsx,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"importer_modele_xlsx_{type_fichier.cle}",
        icon=":material/table:",
        on_click="ignore",
    )

st.subheader("Déposer des fichiers")
taille_max = config.taille_max_mo()
# La consigne en français au-dessus du cadre anglais de Streamlit ; max_upload_size aligne son plafond affiché
# sur la limite réelle du chargeur.
st.markdown(vue.consigne_depot(taille_max))
fichiers = importer.fichiers_deposes(taille_max)
if st.button("Charger", type="primary", disabled=not fichiers, key="importer_charger"):
    importer.charger(fichiers, TITRE)

dernier = st.session_state.get(qualite.CLE_RESULTATS)
if dernier:
    resultats = dernier["resultats"]
    st.subheader("Résultat du dernier chargement")
    st.caption(f"Chargement du {dernier['quand']} · {vue.bilan(resultats)}")
    st.dataframe(vue.tableau_resultats(resultats), hide_index=True, width="stretch", key="importer_tableau")
    for rang, r in enumerate(resultats):
        importer.BOITES[vue.niveau(r)](vue.message(r))
        if r.rejections:
            with st.expander(f"Lignes rejetées de « {r.file} » par motif ({formats.entier(r.rejected)})"):
                st.dataframe(vue.tableau_motifs(r), hide_index=True, width="stretch")
        importer.montrer_apercu(r, rang, TITRE)
    gauche, droite = st.columns(2)
    with gauche:
        st.page_link(
            "pages/qualite.py",
            label="Voir l'historique, les lignes rejetées et la fraîcheur des ALI",
            icon="✅",
        )
    with droite:
        if st.button("Effacer ce compte rendu", key="importer_effacer"):
            importer.effacer_compte_rendu()
