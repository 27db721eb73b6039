"""Qualité des données et import depuis le navigateur : ce qui a besoin de Streamlit dans les vues 7 et 8.

Les pages `pages/qualite.py` et `pages/importer.py` mettent en page ce que calcule
`insertion.figures.qualite` (tableaux, graphiques, textes, complétude protégée, sans Streamlit) et ce module :
ouverture de la page quand la base n'a encore aucune extraction, choix du chargement (session, lien), et
l'aide à l'import qui enregistre les fichiers reçus dans un dossier temporaire avant d'appeler le même
chargeur que la ligne de commande, après avoir vérifié le droit d'importer côté serveur.

Les noms purs restent lisibles ici (`qualite.completude`, `qualite.bilan`…) : ils viennent de
`insertion.figures.qualite` et `insertion.figures.importer`. Ce que le secret statistique masque sur la page, et
pourquoi les fichiers et la quarantaine ne le sont pas : voir `insertion.figures.qualite`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import streamlit as st

from insertion.config import chemin_base_par_defaut
from insertion.figures.importer import (  # noqa: F401 : réexportés pour les appelants de la présentation
    NIVEAUX,
    bilan,
    horodatage_import,
    niveau,
    nom_sur,
    tableau_motifs,
    tableau_resultats,
)
from insertion.figures.qualite import (  # noqa: F401 : réexportés pour les appelants de la présentation
    DEF_COMPLETUDE,
    DEF_FRAICHEUR,
    DEF_REJETS,
    LIMITE_QUARANTAINE,
    NATURES,
    STATUTS_CHARGEMENT,
    STATUTS_FRAICHEUR,
    fraicheur,
    historique,
    libelle_chargement,
    parametres_territoire,
    phrase_retards,
    tableau_fraicheur,
)
from insertion.figures.qualite_completude import (  # noqa: F401 : réexportés pour les appelants de la présentation
    CHAMPS_COURTS,
    CHAMPS_FACULTATIFS,
    completude,
    proteger_completude,
    tableau_completude,
)
from insertion.figures.qualite_rejets import (  # noqa: F401 : réexportés pour les appelants de la présentation
    ALI_INCONNUE,
    motif_court,
    rejets_par_ali,
    rejets_par_motif,
    tableau_quarantaine,
)
from insertion.indicators.filters import Filtres
from insertion.ingest.chargement import charger_fichiers
from insertion.ingest.compte_rendu import Forcer, ResultatChargement
from insertion.ingest.controles import refus_taille
from insertion.present import app, connexion
from insertion.protect import acces
from insertion.store import requetes
from insertion.store.requetes import Perimetre, Periode

# --- Ouverture de page quand la base n'a encore aucune extraction -------------------------------------


def a_des_extractions() -> bool:
    """Vrai si la base contient au moins un épisode courant (ou n'existe pas encore : la démo sera construite).

    `app.cadre_de_page()` arrête la page (st.stop) quand la base n'a aucune extraction ; or c'est justement
    le moment d'importer un premier fichier, ou de voir pourquoi toutes ses lignes ont été rejetées.
    """
    path = chemin_base_par_defaut()
    if not path.exists():
        return True
    return app.date_derniere_extraction(app.connexion_en_lecture(str(path), path.stat().st_mtime_ns)) is not None


def page_sans_extraction(titre: str) -> app.Contexte:
    """En-tête de page sans filtres : aucune date D n'existe encore.

    Le contexte rendu porte des filtres neutres (tout le département, D = aujourd'hui, pour nommer les
    exports) dont `derniere_extraction` vaut None : voir `avec_extraction`.
    """
    con, cle = app.preparer(titre)
    st.title(titre)
    st.info(
        "La base ne contient encore aucune extraction de file active en place : les filtres et les "
        "indicateurs apparaîtront après le premier chargement réussi."
    )
    aujourd_hui = date.today()
    filtres = Filtres(Periode(as_of=aujourd_hui, fin=aujourd_hui), Perimetre(), None)  # type: ignore[arg-type]
    return app.Contexte(con, cle, filtres, requetes.est_demo(con))


def avec_extraction(ctx: app.Contexte) -> bool:
    """Faux quand la page a été ouverte par `page_sans_extraction` (aucune date D)."""
    return ctx.filtres.derniere_extraction is not None


def ouvrir(titre: str) -> app.Contexte:
    """`app.cadre_de_page(titre)`, ou un en-tête sans filtres si la base n'a encore aucune extraction."""
    return app.cadre_de_page(titre) if a_des_extractions() else page_sans_extraction(titre)


# --- Lignes rejetées : le chargement choisi (session et lien) -------------------------------------------

TOUS = 0  # les numéros de chargement commencent à 1 ; None ferait afficher « Choose an option »
CLE_CHARGEMENT = "qualite_chargement"


def choisir_chargement(libelles_chargements: dict[int, str]) -> int:
    """Le sélecteur « Chargement » (TOUS ou un numéro) ; le choix suit le paramètre d'URL ?chargement=12.

    libelles_chargements : `figures.qualite.libelles_chargements`, les chargements qui ont des lignes rejetées,
    le plus récent d'abord. Un choix qui n'y est plus (autre filtre, autre base) revient à TOUS.
    """
    choix = [TOUS, *libelles_chargements]
    if CLE_CHARGEMENT not in st.session_state:
        # Un lien peut viser un chargement : ?chargement=12 (la page Importer ne l'impose pas).
        demande = st.query_params.get("chargement")
        st.session_state[CLE_CHARGEMENT] = int(demande) if demande and demande.isdigit() else TOUS
    if st.session_state[CLE_CHARGEMENT] not in choix:
        st.session_state[CLE_CHARGEMENT] = TOUS
    chargement = st.selectbox(
        "Chargement",
        choix,
        format_func=lambda i: "Tous les chargements" if i == TOUS else libelles_chargements[i],
        key=CLE_CHARGEMENT,
        help="Les chargements qui ont des lignes rejetées, le plus récent d'abord.",
    )
    if chargement == TOUS:
        st.query_params.pop("chargement", None)
    else:
        st.query_params["chargement"] = str(chargement)
    return chargement


def signaler_detail_limite() -> None:
    """Un rôle qui ne voit le détail que de son ALI le lit en tête de page (acces : detail_protege)."""
    habilitation = connexion.courante()
    if habilitation is not None and habilitation.droits.detail_protege == "sa_ali":
        st.info(f"Le détail de cette page est limité à votre ALI ({habilitation.ali}).", icon=":material/lock:")


# --- Import depuis le navigateur -----------------------------------------------------------------------

# Couture pour les tests (AppTest n'a pas d'accès au st.file_uploader) : une liste de (nom, octets)
# déposée dans st.session_state sous cette clé est traitée par la page Importer comme des fichiers
# envoyés, en plus de ceux du sélecteur. Seul du code serveur peut écrire dans session_state.
CLE_DEPOT = "importer_depot"
CLE_RESULTATS = "importer_resultats"
EXTENSIONS = ["csv", "xlsx", "parquet"]


def importer(
    fichiers: Sequence[tuple[str, bytes]],
    chemin_base: Path | str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    forcer: Forcer = False,
) -> list[ResultatChargement]:
    """Enregistre les fichiers reçus dans un dossier temporaire (noms gardés) et appelle le chargeur.

    forcer : les jetons des remplacements confirmés (ResultatChargement.jeton), voir loader.charger_octets.

    Chaque fichier a son sous-dossier : deux envois du même nom restent deux fichiers, et le nom
    enregistré dans l'historique est bien celui de l'utilisateur. Le chargeur travaille sur une copie
    de la base et la met en place d'un coup : l'application lit l'ancienne version jusque-là.
    """
    connexion.exiger(acces.IMPORTER)  # côté serveur, pas seulement dans la page : une requête forgée est refusée
    with tempfile.TemporaryDirectory(prefix="ali93-import-") as dossier:
        chemins = []
        trop_gros: dict[int, ResultatChargement] = {}  # refusés avant même d'être écrits sur le disque
        for index, (nom, contenu) in enumerate(fichiers):
            refus = refus_taille(len(contenu), nom)
            if refus is not None:
                trop_gros[index] = refus
                continue
            sous_dossier = Path(dossier) / f"{index:04d}"
            sous_dossier.mkdir()
            chemin = sous_dossier / nom_sur(nom)
            chemin.write_bytes(contenu)
            chemins.append(chemin)
        charges = iter(
            charger_fichiers(chemin_base or chemin_base_par_defaut(), chemins, progress=progress, forcer=forcer)
            if chemins
            else []
        )
        return [trop_gros[i] if i in trop_gros else next(charges) for i in range(len(fichiers))]
