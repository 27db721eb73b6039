"""Page « Importer » : ce qui a besoin de Streamlit (zone de dépôt, envoi, confirmation d'un remplacement).

Un fichier qui retirerait à une ALI plus que le seuil de ses épisodes, ou ferait baisser une année
budgétaire, revient « à confirmer » sans que rien ne change : la page montre ce qu'il remplacerait et
garde ses octets dans session_state jusqu'au clic sur « Confirmer le remplacement ». La confirmation
recharge exactement ces octets (empreinte vérifiée) et ne force que l'aperçu montré (son jeton) : si la
base a changé entre-temps, le nouvel aperçu est montré et il faut confirmer à nouveau.

Chaque envoi et chaque confirmation sont inscrits au journal d'audit (connexion.journaliser_action) ; le droit
d'importer est vérifié par qualite.importer elle-même, pas seulement par la page.

Tests : AppTest ne sait pas piloter st.file_uploader ; une liste de (nom, octets) déposée dans
st.session_state[qualite.CLE_DEPOT] est traitée comme des fichiers envoyés (`fichiers_deposes`).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from insertion.figures import importer as vue
from insertion.ingest import apercu
from insertion.ingest.compte_rendu import ResultatChargement
from insertion.present import connexion, qualite

# Les fichiers à confirmer du dernier envoi : {rang dans les résultats: {nom, contenu, empreinte, jeton}}.
CLE_A_CONFIRMER = "importer_a_confirmer"
# Un compteur dans la clé vide le sélecteur après un chargement (un widget ne se vide pas autrement).
CLE_ENVOI = "importer_envoi"


def fichiers_deposes(taille_max_mo: int) -> list[tuple[str, bytes]]:
    """La zone de dépôt ; rend les (nom, octets) envoyés, plus ceux de la couture de test (qualite.CLE_DEPOT)."""
    state = st.session_state
    state.setdefault(CLE_ENVOI, 0)
    envoyes = st.file_uploader(
        "Fichiers à charger",
        type=qualite.EXTENSIONS,
        accept_multiple_files=True,
        key=f"importer_fichiers_{state[CLE_ENVOI]}",
        help="Un fichier est l'instantané d'une date d'extraction ; plusieurs fichiers sont chargés dans l'ordre.",
        max_upload_size=taille_max_mo,
    )
    return [(f.name, f.getvalue()) for f in envoyes or []] + list(state.get(qualite.CLE_DEPOT, []))


def charger(fichiers: list[tuple[str, bytes]], vue_audit: str) -> None:
    """Charge les fichiers (barre d'avancement), journalise l'envoi, garde le compte rendu et les fichiers à
    confirmer, puis relance la page sur la nouvelle version de la base (date des données, filtres, bandeau)."""
    state = st.session_state
    with st.status(vue.en_cours(len(fichiers)), expanded=True) as s:
        barre = st.progress(0.0, text="Préparation…")

        def avancement(index: int, total: int, nom: str) -> None:
            barre.progress(index / max(total, 1), text=f"Fichier {index + 1} sur {total} : {nom}")

        resultats = qualite.importer(fichiers, progress=avancement)
        connexion.journaliser_action(
            "import", vue=vue_audit, detail=vue.bilan(resultats) + " " + vue.journal(resultats)
        )
        barre.progress(1.0, text="Terminé")
        s.update(label=vue.bilan(resultats), state="complete", expanded=False)
    state[qualite.CLE_RESULTATS] = {"quand": vue.horodatage_import(), "resultats": resultats}
    state[CLE_A_CONFIRMER] = {
        i: {"nom": nom, "contenu": contenu, "empreinte": r.empreinte, "jeton": r.jeton}
        for i, ((nom, contenu), r) in enumerate(zip(fichiers, resultats, strict=True))
        if r.status == "to_confirm"
    }
    state.pop(qualite.CLE_DEPOT, None)
    state[CLE_ENVOI] += 1
    st.rerun()


def confirmer(rang: int, vue_audit: str) -> None:
    """Applique le fichier gardé, tel qu'il a été prévisualisé ; la page repart sur la nouvelle base."""
    state = st.session_state
    attente = state[CLE_A_CONFIRMER][rang]
    if hashlib.sha256(attente["contenu"]).hexdigest() != attente["empreinte"]:
        st.error("Le fichier gardé pour la confirmation ne correspond plus à l'aperçu : rien n'a été chargé.")
        return
    with st.spinner(f"Remplacement par « {attente['nom']} »…"):
        (nouveau,) = qualite.importer([(attente["nom"], attente["contenu"])], forcer={attente["jeton"]})
    connexion.journaliser_action("confirmation", vue=vue_audit, detail=vue.journal([nouveau]))
    dernier = state[qualite.CLE_RESULTATS]
    dernier["resultats"][rang] = nouveau
    dernier["quand"] = vue.horodatage_import()
    if nouveau.status == "to_confirm":  # la base a changé depuis l'aperçu : le nouveau est à confirmer
        attente.update(jeton=nouveau.jeton, reconfirmer=True)
    else:
        state[CLE_A_CONFIRMER].pop(rang)
    st.rerun()


def montrer_apercu(r: ResultatChargement, rang: int, vue_audit: str) -> None:
    """Ce que le fichier a remplacé (chargé) ou remplacerait (à confirmer), avant → après, et les boutons de
    confirmation d'un fichier à confirmer."""
    if r.apercu is None or r.status not in ("loaded", "to_confirm"):
        return
    state = st.session_state
    attente = state.get(CLE_A_CONFIRMER, {}).get(rang)
    st.markdown(vue.titre_apercu(r))
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
            confirmer(rang, vue_audit)
    with droite:
        if st.button("Ne pas remplacer", key=f"importer_abandonner_{rang}"):
            state[CLE_A_CONFIRMER].pop(rang)
            st.rerun()


def effacer_compte_rendu() -> None:
    """Oublie le dernier envoi et ses fichiers à confirmer, puis relance la page."""
    st.session_state.pop(qualite.CLE_RESULTATS, None)
    st.session_state.pop(CLE_A_CONFIRMER, None)
    st.rerun()


BOITES = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
