"""Rendu de chaque vue avec AppTest, à froid (caches Streamlit vidés) puis à chaud (même page relancée).

Comme tests/conftest.py : `AppTest.from_file("dashboard.py")`, base désignée par $INSERTION_DB, puis
`switch_page("pages/x.py")`. Les caches (`st.cache_data`, `st.cache_resource` : connexion comprise) sont
ceux du processus : les vider avant chaque rendu à froid oblige la page à rouvrir la base et à relancer
toutes ses requêtes.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# page → titre affiché (st.title), pour vérifier que c'est bien la page demandée qui s'est rendue
PAGES = {
    "pages/vue_ensemble.py": "Vue d'ensemble",
    "pages/beneficiaires.py": "Bénéficiaires suivis",
    "pages/diagnostics.py": "Diagnostics",
    "pages/sorties.py": "Sorties vers l'emploi",
    "pages/partenaires.py": "Partenaires et emploi",
    "pages/actions_collectives.py": "Actions collectives",
    "pages/freins_reseau.py": "Freins et réseau",
    "pages/budget.py": "Budget",
    "pages/moyens.py": "Moyens",
    "pages/comparer.py": "Comparer les territoires",
    "pages/qualite.py": "Qualité des données",
    "pages/importer.py": "Importer",
}


def silence_streamlit() -> None:
    """Hors d'un vrai serveur, Streamlit prévient à chaque cache créé (« No runtime found ») et à chaque appel
    hors script (« missing ScriptRunContext ») : du bruit ici. Un filtre, qui survit aux changements de niveau
    qu'AppTest fait en lisant la configuration."""
    import logging

    import streamlit.logger

    class Filtre(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            message = record.getMessage()
            return "No runtime found" not in message and "missing ScriptRunContext" not in message

    for nom in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        streamlit.logger.get_logger(nom).addFilter(Filtre())


class ErreurVue(RuntimeError):
    pass


def _verifie(at, page: str) -> None:
    if at.exception:
        raise ErreurVue(f"{page} : exception {[e.message for e in at.exception]}")
    titres = [t.value for t in at.title]
    attendu = PAGES.get(page)
    if attendu and attendu not in titres:
        raise ErreurVue(f"{page} : titre {attendu!r} absent (titres rendus : {titres})")


def _vider_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def mesure(base: Path, repetitions: int, echauffement: bool, journal=print) -> dict:
    """{page: {froid_s, chaud_s, froid_tous, chaud_tous}} ; médianes sur `repetitions` rendus."""
    from streamlit.testing.v1 import AppTest

    ancien = os.environ.get("INSERTION_DB")
    os.environ["INSERTION_DB"] = str(base)
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
        at.run()
        _verifie(at, "pages/vue_ensemble.py")
        if echauffement:  # imports et premiers appels de chaque page hors mesure
            for page in PAGES:
                _vider_caches()
                at.switch_page(page).run()
                _verifie(at, page)
        resultats = {}
        for page in PAGES:
            froid, chaud = [], []
            for _ in range(repetitions):
                _vider_caches()
                t = time.perf_counter()
                at.switch_page(page).run()
                froid.append(time.perf_counter() - t)
                _verifie(at, page)
                t = time.perf_counter()
                at.run()
                chaud.append(time.perf_counter() - t)
                _verifie(at, page)
            resultats[page] = {
                "froid_s": statistics.median(froid),
                "chaud_s": statistics.median(chaud),
                "froid_tous": froid,
                "chaud_tous": chaud,
            }
            journal(f"{page} : froid {statistics.median(froid):.2f} s, chaud {statistics.median(chaud):.2f} s")
        return resultats
    finally:
        _vider_caches()
        if ancien is None:
            os.environ.pop("INSERTION_DB", None)
        else:
            os.environ["INSERTION_DB"] = ancien
