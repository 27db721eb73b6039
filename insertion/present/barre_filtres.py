"""La barre de filtres de l'application (Streamlit) : widgets, lien partageable, valeur de référence.

Séparée de `insertion.indicators.filters`, qui reste sans Streamlit : la CLI et la note de synthèse construisent leurs
filtres sans charger Streamlit (≈ 0,6 s au démarrage de `python -m insertion briefing`).
"""

from __future__ import annotations

import streamlit as st

from insertion import formats
from insertion.indicators.filters import (
    BORNE_MIN,
    CLES_URL,
    LISTES,
    DatesDe,
    Filtres,
    cle_widget,
    construire,
    depuis_url,
    options,
    perimetre_de,
    vers_url,
)


def barre_laterale(dates_de: DatesDe, page: str) -> Filtres:
    etat = st.session_state
    if "_filtres" not in etat:
        parametres = {k: st.query_params.get_all(k) for k in st.query_params}
        etat["_filtres"], ignores = depuis_url(parametres, dates_de)
        if ignores:
            st.sidebar.warning("Paramètres de lien ignorés (valeurs inconnues) : " + ", ".join(ignores))
    valeurs = etat["_filtres"]
    tous = options()
    barre = st.sidebar
    barre.header("Filtres")
    # Les dates dépendent du territoire, choisi plus bas : ses listes ont déjà leur valeur de cette exécution.
    choix = {cle: etat.get(cle_widget(cle, page), valeurs[cle]) for cle, _, _ in LISTES}
    dates = dates_de(perimetre_de(choix))
    defaut, maxi = dates.commune, dates.plus_recente
    precedent = etat.get("_filtres_defaut")
    if precedent not in (None, defaut) and etat.get(cle_widget("fin", page)) == precedent:
        # Nouvelle extraction ou autre territoire : un widget resté sur l'ancienne date par défaut la suit.
        etat.pop(cle_widget("fin", page))
    etat["_filtres_defaut"] = defaut
    for cle, libelle in (("debut", "Orientations du"), ("fin", "au")):
        cle_du_widget = cle_widget(cle, page)
        if cle_du_widget not in etat:
            etat[cle_du_widget] = min(valeurs[cle] or defaut, maxi)
        elif etat[cle_du_widget] > maxi:  # un territoire dont les données s'arrêtent plus tôt
            etat[cle_du_widget] = maxi
        barre.date_input(
            libelle,
            key=cle_du_widget,
            min_value=BORNE_MIN,
            max_value=maxi,
            format="DD/MM/YYYY",
            help=None
            if cle == "debut"
            else "Date d'observation D. Par défaut, la date commune des données du territoire : la dernière date "
            "que toutes ses ALI ont fournie. On peut choisir plus tard, jusqu'à sa plus récente extraction : "
            "les ALI sans données à cette date sont alors signalées.",
        )
        valeurs[cle] = etat[cle_du_widget]
    if valeurs["fin"] == defaut:
        valeurs["fin"] = None
    for cle, libelle, _ in LISTES:
        cle_du_widget = cle_widget(cle, page)
        if cle_du_widget not in etat:
            etat[cle_du_widget] = valeurs[cle]
        correspondance = tous[cle]
        barre.multiselect(
            libelle, list(correspondance), format_func=correspondance.get, key=cle_du_widget, placeholder="Tous"
        )
        valeurs[cle] = list(etat[cle_du_widget])
    if barre.button("Effacer les filtres", width="stretch"):
        del etat["_filtres"]
        for cle in ["debut", "fin"] + [k for k, _, _ in LISTES]:
            etat.pop(cle_widget(cle, page), None)
        st.query_params.clear()
        st.rerun()
    filtres = construire(valeurs, dates)
    synchroniser_url(vers_url(valeurs))
    barre.caption(f"Date d'observation : {formats.date_longue(filtres.as_of)}")
    if filtres.periode.debut != valeurs["debut"] or (valeurs["fin"] and filtres.as_of != valeurs["fin"]):
        barre.caption(
            "Période ramenée à des mois entiers (secret statistique) : "
            f"du {formats.date_longue(filtres.periode.debut)} au {formats.date_longue(filtres.as_of)}."
        )
    return filtres


def synchroniser_url(voulus: dict[str, list[str] | str]) -> None:
    """Recopie les filtres dans l'URL sans toucher aux autres paramètres (ceux d'une page)."""
    for cle in CLES_URL:
        if cle not in voulus:
            if cle in st.query_params:
                del st.query_params[cle]
            continue
        valeur = voulus[cle]
        actuelle = st.query_params.get_all(cle) if isinstance(valeur, list) else st.query_params.get(cle)
        if actuelle != valeur:
            st.query_params[cle] = valeur
