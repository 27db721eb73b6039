"""Ce que Streamlit ne règle pas lui-même pour le RGAA : la langue de la page et une icône servie localement.

Streamlit 1.67 sert toujours `<html lang="en">` (index.html figé ; st.set_page_config n'a pas de paramètre de
langue : streamlit/streamlit#15726, ouvert, et la demande d'ajout #16024, fermée sans fusion). Un lecteur d'écran
lirait alors le français avec une prononciation anglaise, et Chrome propose de « traduire de l'anglais ». Un petit
script pose donc `lang="fr"` sur la racine du document à chaque exécution de page ; son conteneur est masqué
pour ne pas laisser d'espace vide.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

LANGUE = "fr"
# Icône de l'onglet, servie par Streamlit lui-même : une icône « :material/… » était chargée depuis
# fonts.gstatic.com, absente hors ligne (et une requête vers un tiers à chaque ouverture).
ICONE = Path(__file__).resolve().parent / "icone.png"

_SCRIPT_LANGUE = f"""<style>[data-testid="stElementContainer"]:has(#langue-de-la-page){{display:none}}</style>
<span id="langue-de-la-page" hidden></span>
<script>document.documentElement.lang = "{LANGUE}";</script>"""


def declarer_langue() -> None:
    """`<html lang="fr">` : le document est déclaré en français (WCAG 3.1.1, RGAA 8.3)."""
    st.html(_SCRIPT_LANGUE, unsafe_allow_javascript=True)
