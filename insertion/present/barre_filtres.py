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
    build,
    from_query_params,
    options,
    perimetre_de,
    to_query_params,
    widget_key,
)


def sidebar(dates_de: DatesDe, page: str) -> Filtres:
    state = st.session_state
    if "_filtres" not in state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        state["_filtres"], ignores = from_query_params(params, dates_de)
        if ignores:
            st.sidebar.warning("Paramètres de lien ignorés (valeurs inconnues) : " + ", ".join(ignores))
    valeurs = state["_filtres"]
    tous = options()
    bar = st.sidebar
    bar.header("Filtres")
    # Les dates dépendent du territoire, choisi plus bas : ses listes ont déjà leur valeur de cette exécution.
    choix = {key: state.get(widget_key(key, page), valeurs[key]) for key, _, _ in LISTES}
    dates = dates_de(perimetre_de(choix))
    defaut, maxi = dates.commune, dates.plus_recente
    precedent = state.get("_filtres_defaut")
    if precedent not in (None, defaut) and state.get(widget_key("fin", page)) == precedent:
        # Nouvelle extraction ou autre territoire : un widget resté sur l'ancienne date par défaut la suit.
        state.pop(widget_key("fin", page))
    state["_filtres_defaut"] = defaut
    for key, label in (("debut", "Orientations du"), ("fin", "au")):
        widget_key_ = widget_key(key, page)
        if widget_key_ not in state:
            state[widget_key_] = min(valeurs[key] or defaut, maxi)
        elif state[widget_key_] > maxi:  # un territoire dont les données s'arrêtent plus tôt
            state[widget_key_] = maxi
        bar.date_input(
            label,
            key=widget_key_,
            min_value=BORNE_MIN,
            max_value=maxi,
            format="DD/MM/YYYY",
            help=None
            if key == "debut"
            else "Date d'observation D. Par défaut, la date commune des données du territoire : la dernière date "
            "que toutes ses ALI ont fournie. On peut choisir plus tard, jusqu'à sa plus récente extraction : "
            "les ALI sans données à cette date sont alors signalées.",
        )
        valeurs[key] = state[widget_key_]
    if valeurs["fin"] == defaut:
        valeurs["fin"] = None
    for key, label, _ in LISTES:
        widget_key_ = widget_key(key, page)
        if widget_key_ not in state:
            state[widget_key_] = valeurs[key]
        mapping = tous[key]
        bar.multiselect(label, list(mapping), format_func=mapping.get, key=widget_key_, placeholder="Tous")
        valeurs[key] = list(state[widget_key_])
    if bar.button("Effacer les filtres", width="stretch"):
        del state["_filtres"]
        for key in ["debut", "fin"] + [k for k, _, _ in LISTES]:
            state.pop(widget_key(key, page), None)
        st.query_params.clear()
        st.rerun()
    filtres = build(valeurs, dates)
    sync_url(to_query_params(valeurs))
    bar.caption(f"Date d'observation : {formats.date_longue(filtres.as_of)}")
    if filtres.periode.debut != valeurs["debut"] or (valeurs["fin"] and filtres.as_of != valeurs["fin"]):
        bar.caption(
            "Période ramenée à des mois entiers (secret statistique) : "
            f"du {formats.date_longue(filtres.periode.debut)} au {formats.date_longue(filtres.as_of)}."
        )
    return filtres


def sync_url(wanted: dict[str, list[str] | str]) -> None:
    """Recopie les filtres dans l'URL sans toucher aux autres paramètres (ceux d'une page)."""
    for key in CLES_URL:
        if key not in wanted:
            if key in st.query_params:
                del st.query_params[key]
            continue
        value = wanted[key]
        current = st.query_params.get_all(key) if isinstance(value, list) else st.query_params.get(key)
        if current != value:
            st.query_params[key] = value
