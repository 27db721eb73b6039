"""Le journal d'audit (insertion.protect.audit) en tableau : l'instant de chaque ligne reste un instant, à la
seconde, à l'écran comme dans l'export CSV (une date que le tableur trie, pas un texte)."""

from __future__ import annotations

import pandas as pd

from insertion.figures import tableau as tb
from insertion.protect import audit


def tableau_journal(journal: pd.DataFrame) -> tb.Tableau:
    valeurs = journal.rename(columns=audit.COLONNES).astype(object)
    quand = audit.COLONNES["quand"]
    # L'heure du journal est en UTC (en-tête « (UTC) ») : le tableur reçoit l'heure UTC, sans fuseau.
    valeurs[quand] = [None if pd.isna(v) else pd.Timestamp(v).tz_localize(None) for v in journal["quand"]]
    return tb.Tableau(valeurs.reset_index(drop=True), {quand: tb.horodatage_secondes()})
