"""ALI 93 — tableau de bord de l'insertion. Lancer : streamlit run dashboard.py

Icônes Material (livrées avec Streamlit) plutôt qu'emoji : rien à télécharger, rendu identique partout.
La page par défaut est servie à la racine « / ».
La navigation ne montre que les vues du rôle de la personne (insertion/protect/acces.py) ; chaque page vérifie de
plus ce droit à son ouverture (app.preparer), pour un lien direct.
"""

import streamlit as st

from insertion.present import connexion
from insertion.present.accessibilite import ICONE

PAGES = {
    "Indicateurs": [
        st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/home:", default=True),
        st.Page(
            "pages/beneficiaires.py", title="Bénéficiaires suivis", icon=":material/groups:", url_path="beneficiaires"
        ),
        st.Page("pages/diagnostics.py", title="Diagnostics", icon=":material/fact_check:", url_path="diagnostics"),
        st.Page("pages/sorties.py", title="Sorties vers l'emploi", icon=":material/work:", url_path="sorties"),
        st.Page(
            "pages/partenaires.py", title="Partenaires et emploi", icon=":material/handshake:", url_path="partenaires"
        ),
        st.Page(
            "pages/actions_collectives.py",
            title="Actions collectives",
            icon=":material/diversity_3:",
            url_path="actions-collectives",
        ),
        st.Page("pages/freins_reseau.py", title="Freins et réseau", icon=":material/hub:", url_path="freins-reseau"),
        st.Page("pages/budget.py", title="Budget", icon=":material/euro:", url_path="budget"),
        st.Page("pages/moyens.py", title="Moyens", icon=":material/badge:", url_path="moyens"),
        st.Page("pages/comparer.py", title="Comparer les territoires", icon=":material/map:", url_path="comparer"),
    ],
    "Données": [
        st.Page("pages/qualite.py", title="Qualité des données", icon=":material/verified:", url_path="qualite"),
        st.Page("pages/importer.py", title="Importer", icon=":material/upload_file:", url_path="importer"),
        st.Page("pages/journal.py", title="Journal d'audit", icon=":material/history:", url_path="journal"),
    ],
}


def permises(pages: dict[str, list[st.Page]]) -> dict[str, list[st.Page]]:
    """Les pages du rôle ; sans session ouverte (ou sur erreur), la seule page d'accueil, qui dira pourquoi."""
    vues = connexion.vues_permises()
    gardees = {
        section: [p for p in liste if connexion.vue_de_titre(p.title) in vues] for section, liste in pages.items()
    }
    gardees = {section: liste for section, liste in gardees.items() if liste}
    return gardees or {"": [PAGES["Indicateurs"][0]]}


# L'icône de l'onglet avant st.navigation : sinon le navigateur prend d'abord l'icône Material de la page,
# chargée depuis fonts.gstatic.com (absente hors ligne), avant que la page ne pose l'icône locale.
st.set_page_config(page_icon=str(ICONE))
# Déplié : replié, Streamlit cache les pages au-delà de la dixième derrière « View more » (en anglais), et
# l'administrateur·rice ne verrait plus Qualité, Importer ni le journal.
st.navigation(permises(PAGES), expanded=True).run()
