"""ALI 93 — tableau de bord de l'insertion. Lancer : streamlit run dashboard.py"""

import streamlit as st

from insertion import app, formats, queries

con = app.setup()
st.title(app.TITRE)

as_of = queries.latest_extraction(con)
if as_of is None:
    st.warning("La base ne contient encore aucune extraction : chargez-en une (python -m insertion load FICHIER).")
    st.stop()

file_active = queries.run(con, "file_active", **queries.Perimetre().params(), as_of=as_of, groupe="departement")
total = int(file_active["file_active"].sum())
st.caption(f"Données au {formats.date_longue(as_of)}")
st.metric("Personnes suivies (file active du département)", formats.entier(total))
