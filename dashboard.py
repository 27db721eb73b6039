"""ALI 93 — tableau de bord de l'insertion. Lancer : streamlit run dashboard.py"""

import streamlit as st

PAGES = {
    "Indicateurs": [
        st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon="🏠", url_path="vue-ensemble", default=True),
        st.Page("pages/beneficiaires.py", title="Bénéficiaires suivis", icon="👥", url_path="beneficiaires"),
        st.Page("pages/diagnostics.py", title="Diagnostics", icon="🧭", url_path="diagnostics"),
        st.Page("pages/sorties.py", title="Sorties vers l'emploi", icon="💼", url_path="sorties"),
        st.Page("pages/budget.py", title="Budget", icon="💶", url_path="budget"),
        st.Page("pages/comparer.py", title="Comparer les territoires", icon="🗺️", url_path="comparer"),
    ],
    "Données": [
        st.Page("pages/qualite.py", title="Qualité des données", icon="✅", url_path="qualite"),
        st.Page("pages/importer.py", title="Importer", icon="📥", url_path="importer"),
    ],
}

st.navigation(PAGES).run()
