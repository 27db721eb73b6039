"""Un choix multiple gardé dans l'URL par ses codes (« types_action=aller_vers »), pas par ses libellés : un lien
copié reste valable si un libellé change, et un code inconnu dans un lien est ignoré."""

from __future__ import annotations

import streamlit as st


def multiselect_codes(libelle: str, options: dict[str, str], cle: str, *, placeholder: str = "Tous") -> tuple[str, ...]:
    """Les codes choisis ; `options` : {code: libellé}, dans l'ordre d'affichage ; `cle` : clé du widget et du
    paramètre d'URL."""
    state = st.session_state
    # Premier passage : la valeur vient du lien (les codes connus seulement) ; ensuite, du widget.
    if cle not in state:
        state[cle] = [c for c in st.query_params.get_all(cle) if c in options]
    choisis = tuple(st.multiselect(libelle, list(options), format_func=options.get, key=cle, placeholder=placeholder))
    if not choisis and cle in st.query_params:
        del st.query_params[cle]
    elif choisis and st.query_params.get_all(cle) != list(choisis):
        st.query_params[cle] = list(choisis)
    return choisis
