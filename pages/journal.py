"""Journal d'audit : qui a vu, exporté, chargé quoi (insertion/protect/audit.py). Réservé aux administrateur·rice·s
des données (acces.DROITS) ; l'export CSV du journal est lui-même journalisé."""

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from insertion import formats
from insertion.figures.journal import tableau_journal
from insertion.outputs import exports
from insertion.present import app, connexion
from insertion.protect import audit

TITRE = "Journal d'audit"
app.preparer(TITRE)
st.title(TITRE)
jours = formats.entier(audit.conservation_jours())
st.caption(
    "Chaque vue ouverte (avec ses filtres), export, note, chargement et refus d'accès. Les personnes y sont "
    f"pseudonymisées (une clé du serveur, jamais l'e-mail). Conservation : {jours} "
    "jours ($INSERTION_AUDIT_JOURS), les lignes plus anciennes sont effacées."
)
depuis = st.date_input("Depuis le", value=date.today() - timedelta(days=30), format="DD/MM/YYYY", key="journal_depuis",
                       bind="query-params")  # fmt: skip
journal = audit.lire(datetime.combine(depuis, time.min, tzinfo=UTC))
if journal.empty:
    st.info("Aucune ligne dans le journal sur cette période.")
    st.stop()
table = tableau_journal(journal)
st.caption(f"{formats.entier(len(table))} ligne{'s' if len(table) > 1 else ''}, les plus récentes d'abord.")
st.dataframe(table.texte, hide_index=True, width="stretch", key="journal_tableau")
st.download_button(
    "Télécharger le journal (CSV)",
    data=connexion.trace(
        lambda: exports.ecrire_csv(table), "export", vue=TITRE, detail=f"journal depuis le {depuis.isoformat()}"
    ),
    file_name=f"journal-audit-depuis-{depuis.isoformat()}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="journal_csv",
)
