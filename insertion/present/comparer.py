"""Les choix de la vue « Comparer les territoires » qui ont besoin de Streamlit : l'ALI mise en avant par défaut
(habilitation, filtre de la barre latérale) et les choix gardés dans le lien sous forme de code."""

from __future__ import annotations

import streamlit as st

from insertion.figures import territoires
from insertion.indicators.filters import Filtres
from insertion.present import connexion

CLE_FILTRE = "_comparer_filtre_ali"


def ali_par_defaut(f: Filtres, presentes: list[str], cle_ali: str) -> str | None:
    """L'ALI choisie par défaut : la première du filtre ALI de la barre latérale, sinon celle de la direction
    connectée. Quand ce filtre change (ici ou sur une autre vue), le choix courant (`cle_ali`) le suit."""
    state = st.session_state
    # Une direction d'ALI voit la sienne mise en avant, tant que la barre latérale ne filtre pas une autre ALI.
    habilitation = connexion.courante()
    propre_ali = (habilitation.ali,) if habilitation and habilitation.ali else ()
    defaut = territoires.ali_par_defaut(presentes, f.perimetre.alis or propre_ali)
    precedent = state.get(CLE_FILTRE)
    state[CLE_FILTRE] = f.perimetre.alis
    if precedent is not None and precedent != f.perimetre.alis and f.perimetre.alis:
        state[cle_ali] = defaut
    return defaut


def depuis_le_lien(cle: str, options: list[str], defaut: str) -> None:
    """Valeur initiale d'un choix de la vue : le code lu dans l'URL s'il est valide, sinon le défaut.

    Pas de `bind="query-params"` ici : avec un format_func, Streamlit écrit le libellé dans l'URL ;
    on y garde le code (« comparer_ali=ALI14 »), lisible et stable."""
    state = st.session_state
    if cle not in state or state[cle] not in options:
        lu = st.query_params.get(cle)
        state[cle] = lu if lu in options else defaut


def vers_le_lien(cle: str, valeur: str, defaut: str) -> None:
    """Le choix va dans l'URL (un lien rouvre la même vue), sauf quand il vaut le défaut."""
    if valeur != defaut:
        if st.query_params.get(cle) != valeur:
            st.query_params[cle] = valeur
    elif cle in st.query_params:
        del st.query_params[cle]
