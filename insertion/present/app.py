"""Ce que toutes les pages partagent : configuration, connexion, filtres, requêtes en cache.

Chaque page appelle `cadre_de_page()` en premier : sur un lien profond, le tout premier rendu peut ne
pas passer par dashboard.py (stack-notes), la page doit donc se suffire à elle-même.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from insertion import formats, indicators, protect
from insertion.config import chemin_base_par_defaut
from insertion.figures import charts
from insertion.indicators import autres_systemes, catalogue, filters
from insertion.present import accessibilite, barre_filtres, connexion
from insertion.protect import acces, questions
from insertion.store import db, requetes

TITRE = "ALI 93 — tableau de bord de l'insertion"


@dataclass(frozen=True)
class Contexte:
    con: duckdb.DuckDBPyConnection
    cle_base: str  # chemin et version du fichier : clé des caches de requêtes
    filtres: filters.Filtres
    demo: bool

    def requete(self, fonction: str, **kwargs) -> pd.DataFrame:
        """Un indicateur de insertion.indicators (« file_active ») ou de insertion.indicators.autres_systemes
        (« freins.prevalence »), en cache tant que la base ne change pas."""
        return _indicateur(self.cle_base, fonction, tuple(sorted(kwargs.items())))

    def sql(self, nom: str, **parametres) -> pd.DataFrame:
        """Un fichier de queries/ (ou de la base), en cache lui aussi ; les paramètres d'une requête du détail
        protégé sont d'abord restreints au rôle de la session (acces.restreindre)."""
        catalogue.entree(nom)  # une requête que le catalogue ne déclare pas ne sort pas à l'écran
        parametres = connexion.restreindre(nom, parametres)
        return _sql(self.cle_base, nom, tuple(sorted(parametres.items())))


def preparer(titre_page: str | None = None) -> tuple[duckdb.DuckDBPyConnection, str]:
    """Configuration de la page, base de démonstration au premier lancement, connexion en lecture."""
    titre_onglet = f"{titre_page} · ALI 93" if titre_page else TITRE
    st.set_page_config(page_title=titre_onglet, page_icon=str(accessibilite.ICONE), layout="wide")
    accessibilite.declarer_langue()
    # Avant toute donnée : connexion, rôle, droit de voir cette page (un lien direct passe aussi par ici).
    connexion.garder(titre_page, titre_page or TITRE)
    chemin = chemin_base_par_defaut()
    if not chemin.exists():
        # Le message et la barre vivent dans un emplacement vidé après la construction : écrits dans la fonction
        # en cache, Streamlit les rejouait à chaque exécution, au-dessus du titre (issue 16).
        avis = st.empty()
        with avis.container():
            st.info("Première ouverture : construction de la base de démonstration à partir des extractions générées…")
            barre = st.progress(0.0, text="Génération des extractions de démonstration…")

        def progression(index: int, total: int, nom: str) -> None:
            barre.progress(index / max(total, 1), text=f"Chargement {index + 1}/{total} : {nom}")

        construire_demo_une_fois(str(chemin), progression)
        avis.empty()
    version = chemin.stat().st_mtime_ns
    return connexion_en_lecture(str(chemin), version), f"{chemin}@{version}"


def cadre_de_page(titre: str) -> Contexte:
    """En-tête commun d'une vue : titre, bandeau de démonstration, filtres, date des données.

    Pose d'abord la couche de publication (issue 12) : dans cette exécution de la page, toute requête (cache
    compris : il est rempli ici) sort protégée par le secret statistique, pour l'écran, les exports et la note."""
    protect.poser_publication()
    con, cle = preparer(titre)
    demo = requetes.est_demo(con)
    derniere = requetes.date_derniere_extraction(
        con
    )  # None : base vide ; la date D est celle du territoire (barre latérale)
    st.title(titre)
    if demo:
        st.info(
            "**Données de démonstration** : fictives, générées pour découvrir l'outil. "
            "Elles respectent les chiffres publiés (ALI de Clichy-sous-Bois : 638 personnes suivies en juin 2023).",
            icon=":material/science:",
        )
    if derniere is None:
        st.warning("La base ne contient aucune extraction : chargez-en une depuis la page Importer.")
        st.stop()
    filtres = barre_filtres.barre_laterale(
        lambda p: _dates(cle, p.alis, p.epts, p.communes), charts.nom_de_fichier_sur(titre)
    )
    raisons = questions.refus(filtres.perimetre)
    if raisons:  # la barre latérale est déjà là : on peut y retirer un filtre
        st.error("\n\n".join(raisons), icon=":material/lock:")
        st.stop()
    connexion.journaliser_vue(titre, filtres.resume())
    st.caption(f"Données au {formats.date_longue(filtres.derniere_extraction)} · {filtres.territoire}")
    avis = filtres.avis_dates()
    if avis:
        st.caption(avis)
    bouton_note(con, filtres)
    return Contexte(con, cle, filtres, demo)


def bouton_note(con: duckdb.DuckDBPyConnection, filtres: filters.Filtres) -> None:
    """La note de synthèse des filtres en cours, construite au clic seulement (≈ 3 s, graphiques compris)."""
    if not connexion.peut(acces.NOTE):
        return

    def pdf() -> bytes:
        from insertion.outputs import briefing

        curseur = db.curseur(con)  # le clic est servi par un autre fil d'exécution : son propre curseur
        try:
            return briefing.note_pdf(curseur, filtres)
        finally:
            curseur.close()

    st.sidebar.download_button(
        "Note de synthèse (PDF)",
        data=connexion.trace(pdf, "note", vue="Note de synthèse", filtres=filtres.resume()),
        file_name=f"note-{charts.nom_de_fichier_sur(filtres.territoire)}-{filtres.as_of.isoformat()}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        width="stretch",
        help="Une page A4 pour un élu : chiffres clés, évolutions, deux graphiques, avec les filtres en cours.",
    )


@st.cache_resource(show_spinner=False)
def construire_demo_une_fois(chemin_texte: str, _progression: Callable[[int, int, str], None]) -> None:
    """Une seule construction par processus, même si plusieurs sessions arrivent ensemble (les suivantes
    attendent la première). `_progression` (non haché) suit la session qui construit ; aucun élément
    Streamlit n'est écrit ici, pour que rien ne soit rejoué ensuite."""
    from insertion.demo import construire_demo_en_deux_temps

    chemin = Path(chemin_texte)
    if chemin.exists():
        return
    # La première page s'ouvre sur les chiffres du jour ; l'historique des chargements se complète en
    # arrière-plan, et l'application passe à la base complète quand elle est en place (nouvelle version du
    # fichier, nouvelle connexion : app.connexion_en_lecture).
    completer = construire_demo_en_deux_temps(chemin, progress=_progression)
    threading.Thread(target=completer, name="demo-historique", daemon=True).start()


@st.cache_resource(max_entries=2)
def connexion_en_lecture(chemin: str, version: int) -> duckdb.DuckDBPyConnection:
    """Une connexion en lecture seule par version du fichier : un nouveau chargement est vu aussitôt."""
    return db.ouvrir_en_lecture(chemin)


def _connexion_de(cle_base: str) -> duckdb.DuckDBPyConnection:
    chemin, version = cle_base.rsplit("@", 1)
    return connexion_en_lecture(chemin, int(version))


def fonction_indicateur(nom: str) -> Callable[..., pd.DataFrame]:
    """« file_active » : insertion.indicators ; « freins.prevalence » : un module de
    insertion.indicators.autres_systemes (liste fermée : un nom venu d'ailleurs ne charge jamais un autre module)."""
    module_nom, _, fonction = nom.rpartition(".")
    if module_nom:
        if module_nom not in autres_systemes.MODULES:
            raise ValueError(f"Indicateur inconnu : {nom}")
        module = importlib.import_module(f"insertion.indicators.autres_systemes.{module_nom}")
    else:
        module = indicators
    if fonction.startswith("_") or not callable(getattr(module, fonction, None)):
        raise ValueError(f"Indicateur inconnu : {nom}")
    return getattr(module, fonction)


@st.cache_data(max_entries=512, show_spinner=False)
def _indicateur(cle_base: str, fonction: str, kwargs: tuple) -> pd.DataFrame:
    return fonction_indicateur(fonction)(_connexion_de(cle_base), **dict(kwargs))


@st.cache_data(max_entries=256, show_spinner=False)
def _dates(cle_base: str, alis: tuple, epts: tuple, communes: tuple) -> requetes.DatesDonnees:
    """Les dates des données d'un territoire (date D par défaut et borne), en cache par version de la base."""
    perimetre = requetes.Perimetre(alis=alis, epts=epts, communes=communes)
    dates = requetes.dates_donnees(_connexion_de(cle_base), perimetre)
    if dates is None:  # cadre_de_page() vérifie avant que la base a des épisodes
        raise ValueError("La base ne contient aucune extraction.")
    return dates


@st.cache_data(max_entries=512, show_spinner=False)
def _sql(cle_base: str, nom: str, parametres: tuple) -> pd.DataFrame:
    return requetes.executer(_connexion_de(cle_base), nom, **dict(parametres))


def date_derniere_extraction(con: duckdb.DuckDBPyConnection) -> date | None:
    return requetes.date_derniere_extraction(con)
