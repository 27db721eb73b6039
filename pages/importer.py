"""Importer : envoyer une ou plusieurs extractions depuis le navigateur, avec le chargeur de la CLI.

Les fichiers reçus sont enregistrés dans un dossier temporaire (noms gardés) puis chargés par
insertion.ingest.chargement.load_files, qui travaille sur une copie de la base et la met en place d'un coup :
à la réexécution suivante, app.setup() voit la nouvelle version du fichier et toutes les vues
lisent les nouvelles données, sans redémarrage.

Un fichier qui retirerait à une ALI plus que le seuil de ses épisodes, ou ferait baisser une année
budgétaire, revient « à confirmer » sans que rien ne change : la page montre ce qu'il remplacerait et
garde ses octets dans session_state jusqu'au clic sur « Confirmer le remplacement ». La confirmation
recharge exactement ces octets (empreinte vérifiée) et ne force que l'aperçu montré (son jeton) : si la
base a changé entre-temps, le nouvel aperçu est montré et il faut confirmer à nouveau.

Tests : AppTest ne sait pas piloter st.file_uploader ; une liste de (nom, octets) déposée dans
st.session_state[qualite.CLE_DEPOT] est traitée comme des fichiers envoyés (voir insertion/present/qualite.py).
"""

import hashlib

import streamlit as st

from insertion import config, formats
from insertion.ingest import apercu, modeles
from insertion.present import app, connexion, qualite

# Les fichiers à confirmer du dernier envoi : {rang dans les résultats: {nom, contenu, empreinte, jeton}}.
CLE_A_CONFIRMER = "importer_a_confirmer"

TITRE = "Importer"
# app.page() s'arrête quand la base n'a aucune extraction : c'est justement là qu'il faut pouvoir importer.
ctx = app.page(TITRE) if qualite.a_des_extractions() else qualite.page_sans_extraction(TITRE)
state = st.session_state

st.markdown(
    "Déposez une ou plusieurs **extractions de file active**, **fichiers budget** ou fichiers des partenaires "
    "(**mises en relation**, **actions collectives** et leurs **participations**, **moyens**, **annuaire des "
    "structures**), en CSV, Excel .xlsx ou Parquet, puis cliquez sur **Charger**. Les règles sont celles du "
    "contrat de données : les lignes fautives "
    "sont mises de côté (page Qualité des données) et le reste du fichier est chargé ; un fichier qui contient "
    "des données directement identifiantes (nom, NIR, e-mail, téléphone, adresse…) est refusé en entier, sans "
    "rien enregistrer. Un fichier qui retirerait à une ALI plus de "
    f"{apercu.pourcentage_seuil(config.seuil_confirmation())} de ses épisodes, ou ferait baisser le budget d'une "
    "année, n'est appliqué qu'après votre confirmation : vous voyez d'abord ce qu'il remplacerait (de même pour un "
    "fichier des partenaires qui retirerait plus que ce seuil des lignes d'une structure, d'une ALI ou de l'annuaire)."
)
if ctx.demo:
    st.warning(
        "La base contient les **données de démonstration**. Une extraction chargée ici remplacera les données de "
        "démonstration des seules ALI qu'elle contient ; les autres ALI resteront fictives.",
        icon="🧪",
    )


def _fichiers(resultats) -> str:
    """« a.csv (loaded), b.csv (refused) » : pour le journal d'audit."""
    return ", ".join(f"{r.file} ({r.status})" for r in resultats)


st.subheader("Les fichiers attendus")
st.caption(
    "Le type d'un fichier est reconnu à ses colonnes. Les en-têtes sont lus sans tenir compte des majuscules ; les "
    "valeurs d'une liste aussi (accents, espaces et tirets tolérés : « Socio-professionnel »), sauf sexe et "
    "niveaux du CECRL. Les colonnes non obligatoires peuvent manquer ou rester vides. Chaque modèle contient deux "
    "lignes d'exemple fictives, à remplacer par vos données ; le modèle Excel propose les valeurs admises en listes "
    "déroulantes et rappelle les règles dans sa seconde feuille."
)
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
# La zone de dépôt de Streamlit 1.67 écrit ses consignes en anglais (« Drag and drop files here », « Browse
# files » / « Upload », « 200MB per file ») et n'offre aucun paramètre pour les traduire (demande ouverte :
# streamlit/streamlit#13500 ; la PR #10042 qui l'ajoutait a été fermée). On donne donc la consigne en français
# juste au-dessus, avec la limite réelle du chargeur ; max_upload_size aligne le plafond affiché sur elle.
st.markdown(
    f"Glissez-déposez vos fichiers dans le cadre ci-dessous, ou cliquez sur son bouton pour les choisir. "
    f"Formats acceptés : CSV, Excel (.xlsx), Parquet ; **{formats.entier(taille_max)} Mo au plus par fichier**. "
    "(Les consignes en anglais du cadre viennent de Streamlit et ne peuvent pas être traduites.)"
)
# Un compteur dans la clé vide le sélecteur après un chargement (un widget ne se vide pas autrement).
state.setdefault("importer_envoi", 0)
envoyes = st.file_uploader(
    "Fichiers à charger",
    type=qualite.EXTENSIONS,
    accept_multiple_files=True,
    key=f"importer_fichiers_{state['importer_envoi']}",
    help="Un fichier est l'instantané d'une date d'extraction ; plusieurs fichiers sont chargés dans l'ordre.",
    max_upload_size=taille_max,
)
fichiers = [(f.name, f.getvalue()) for f in envoyes or []] + list(state.get(qualite.CLE_DEPOT, []))

if st.button("Charger", type="primary", disabled=not fichiers, key="importer_charger"):
    with st.status(f"Chargement de {len(fichiers)} fichier{'s' if len(fichiers) > 1 else ''}…", expanded=True) as s:
        barre = st.progress(0.0, text="Préparation…")

        def avancement(index: int, total: int, nom: str) -> None:
            barre.progress(index / max(total, 1), text=f"Fichier {index + 1} sur {total} : {nom}")

        resultats = qualite.importer(fichiers, progress=avancement)
        connexion.journaliser_action("import", vue=TITRE, detail=qualite.bilan(resultats) + " " + _fichiers(resultats))
        barre.progress(1.0, text="Terminé")
        s.update(label=qualite.bilan(resultats), state="complete", expanded=False)
    state[qualite.CLE_RESULTATS] = {"quand": qualite.horodatage_import(), "resultats": resultats}
    state[CLE_A_CONFIRMER] = {
        i: {"nom": nom, "contenu": contenu, "empreinte": r.empreinte, "jeton": r.jeton}
        for i, ((nom, contenu), r) in enumerate(zip(fichiers, resultats, strict=True))
        if r.status == "to_confirm"
    }
    state.pop(qualite.CLE_DEPOT, None)
    state["importer_envoi"] += 1
    st.rerun()  # la page repart sur la nouvelle version de la base (date des données, filtres, bandeau)


def confirmer(rang: int) -> None:
    """Applique le fichier gardé, tel qu'il a été prévisualisé ; la page repart sur la nouvelle base."""
    attente = state[CLE_A_CONFIRMER][rang]
    if hashlib.sha256(attente["contenu"]).hexdigest() != attente["empreinte"]:
        st.error("Le fichier gardé pour la confirmation ne correspond plus à l'aperçu : rien n'a été chargé.")
        return
    with st.spinner(f"Remplacement par « {attente['nom']} »…"):
        (nouveau,) = qualite.importer([(attente["nom"], attente["contenu"])], forcer={attente["jeton"]})
    connexion.journaliser_action("confirmation", vue=TITRE, detail=_fichiers([nouveau]))
    dernier = state[qualite.CLE_RESULTATS]
    dernier["resultats"][rang] = nouveau
    dernier["quand"] = qualite.horodatage_import()
    if nouveau.status == "to_confirm":  # la base a changé depuis l'aperçu : le nouveau est à confirmer
        attente.update(jeton=nouveau.jeton, reconfirmer=True)
    else:
        state[CLE_A_CONFIRMER].pop(rang)
    st.rerun()


def montrer_apercu(r, rang: int) -> None:
    """Ce que le fichier a remplacé (chargé) ou remplacerait (à confirmer), avant → après."""
    if r.apercu is None or r.status not in ("loaded", "to_confirm"):
        return
    attente = state.get(CLE_A_CONFIRMER, {}).get(rang)
    titre = "Ce que ce fichier remplacerait" if r.status == "to_confirm" else "Ce que ce fichier a remplacé"
    st.markdown(f"**{titre}** — « {r.file} »")
    if r.apercu.ali:
        st.dataframe(apercu.tableau_ali(r.apercu), hide_index=True, width="stretch", key=f"importer_apercu_ali_{rang}")
    if r.apercu.budget:
        st.dataframe(
            apercu.tableau_budget(r.apercu), hide_index=True, width="stretch", key=f"importer_apercu_budget_{rang}"
        )
    if r.apercu.systemes:
        st.dataframe(
            apercu.tableau_systemes(r.apercu), hide_index=True, width="stretch", key=f"importer_apercu_systemes_{rang}"
        )
    if r.status != "to_confirm":
        return
    if attente is None:
        st.caption("Remplacement non confirmé : rien n'a été chargé.")
        return
    if attente.get("reconfirmer"):
        st.warning(
            "La base a changé depuis l'aperçu précédent (un autre chargement) : voici ce que le fichier remplacerait "
            "maintenant. Confirmez à nouveau si c'est bien ce que vous voulez.",
            icon="🔁",
        )
    gauche, droite = st.columns(2)
    with gauche:
        if st.button("Confirmer le remplacement", type="primary", key=f"importer_confirmer_{rang}"):
            confirmer(rang)
    with droite:
        if st.button("Ne pas remplacer", key=f"importer_abandonner_{rang}"):
            state[CLE_A_CONFIRMER].pop(rang)
            st.rerun()


dernier = state.get(qualite.CLE_RESULTATS)
if dernier:
    resultats = dernier["resultats"]
    st.subheader("Résultat du dernier chargement")
    st.caption(f"Chargement du {dernier['quand']} · {qualite.bilan(resultats)}")
    st.dataframe(qualite.tableau_resultats(resultats), hide_index=True, width="stretch", key="importer_tableau")
    for rang, r in enumerate(resultats):
        boite = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}[qualite.niveau(r)]
        statut = qualite.STATUTS_CHARGEMENT.get(r.status, r.status)
        boite(f"**{r.file}** — {statut}.\n\n{r.message}")
        if r.rejections:
            with st.expander(f"Lignes rejetées de « {r.file} » par motif ({formats.entier(r.rejected)})"):
                st.dataframe(qualite.tableau_motifs(r), hide_index=True, width="stretch")
        montrer_apercu(r, rang)
    gauche, droite = st.columns(2)
    with gauche:
        st.page_link(
            "pages/qualite.py",
            label="Voir l'historique, les lignes rejetées et la fraîcheur des ALI",
            icon="✅",
        )
    with droite:
        if st.button("Effacer ce compte rendu", key="importer_effacer"):
            state.pop(qualite.CLE_RESULTATS, None)
            state.pop(CLE_A_CONFIRMER, None)
            st.rerun()
