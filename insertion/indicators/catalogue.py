"""Le catalogue : chaque requête de queries/ déclarée une fois, avec ce qu'un lecteur doit savoir d'elle.

Une entrée dit le titre, l'unité de ce qu'elle compte, le sens favorable (une hausse est-elle un progrès ?), les
définitions affichées sous ses graphiques (insertion.indicators.definitions) et la façon dont elle sort : par la
couche de publication (sa déclaration dans insertion.protect.diffusion) ou, pour les requêtes qui ne comptent
pas de personnes, la raison pour laquelle le secret statistique ne s'y applique pas.

Le fichier SQL et ses paramètres ne se recopient pas ici : ils se lisent dans queries/<nom>.sql (`requete`,
`parametres`). tests/indicators/test_catalogue.py vérifie que chaque fichier de queries/ a son entrée et une
seule, que chaque définition citée existe et que chaque requête qui compte des personnes est déclarée.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from insertion.config import QUERIES_DIR

# L'unité de ce que compte la requête (colonne « Unité » des exports, axes des graphiques).
UNITES = ("personnes", "épisodes", "part", "jours", "euros", "séances", "mises en relation", "ETP et places",
          "structures", "chargements", "date", "libellés")  # fmt: skip
# Le sens favorable : « hausse » (plus haut, c'est mieux), « baisse », ou « neutre » (un effectif plus grand
# n'est ni un progrès ni un recul : il dit l'activité).
SENS = ("hausse", "baisse", "neutre")
# Le sens favorable dans le vocabulaire de la couleur d'un écart (delta_color de st.metric) : vert pour un progrès,
# gris pour un effectif qui dit l'activité.
SENS_ECART = {"hausse": "normal", "baisse": "inverse", "neutre": "off"}


@dataclass(frozen=True)
class Requete:
    nom: str  # queries/<nom>.sql
    titre: str
    unite: str
    sens: str = "neutre"
    definitions: tuple[str, ...] = ()  # clés de insertion.indicators.definitions.DEFINITIONS
    # Les requêtes publiées passent par une déclaration de insertion.protect.diffusion ; les autres disent ici
    # pourquoi le secret statistique ne s'y applique pas.
    hors_secret: str | None = None

    @property
    def fichier(self) -> Path:
        return QUERIES_DIR / f"{self.nom}.sql"

    @property
    def requete(self) -> str:
        return self.fichier.read_text(encoding="utf-8")

    @property
    def parametres(self) -> list[str]:
        from insertion.store import requetes

        return requetes.noms_parametres(requetes.texte_sql(self.nom))

    @property
    def indicateur(self) -> bool:
        """Un indicateur a une définition affichée ; les autres requêtes servent la navigation ou la qualité."""
        return bool(self.definitions)


_REFERENTIEL = "ne compte pas de personnes : des dates et des codes du référentiel"
_BUDGET = "montants budgétaires, pas des personnes (contrat §4)"
_CHARGEMENTS = "décrit des fichiers et des lignes rejetées, réservé aux rôles qui voient la qualité des données"
_STRUCTURES = "des organisations du territoire, jamais des personnes (contrat §7.5)"

CATALOGUE: dict[str, Requete] = {
    r.nom: r
    for r in (
        # --- File active, entrées et sorties (contrat §5.1) ---
        Requete("file_active", "File active", "personnes", definitions=("file_active",)),
        Requete("file_active_mensuelle", "File active mensuelle", "personnes", definitions=("file_active_mensuelle",)),
        Requete("entrees_sorties", "Entrées et sorties", "épisodes", definitions=("entrees_sorties",)),
        Requete("entrees_sorties_mensuelles", "Entrées et sorties par mois", "épisodes",
                definitions=("entrees_sorties",)),
        Requete("repartition_profil", "Profil des personnes suivies", "personnes", definitions=("file_active",)),
        # --- Diagnostics (contrat §5.2) ---
        Requete("taux_diagnostic_90j", "Diagnostic à 90 jours", "part", "hausse",
                definitions=("diag_numerique", "diag_linguistique", "diag_les_deux")),
        Requete("taux_diagnostic_cohortes", "Diagnostic à 90 jours par cohorte", "part", "hausse",
                definitions=("diag_cohortes", "delai_median")),
        Requete("niveaux_diagnostic", "Niveaux constatés aux diagnostics", "épisodes", definitions=("niveaux",)),
        Requete("taux_fins_de_mois", "Taux au fil des mois (vue d'ensemble)", "part", "hausse",
                definitions=("diag_numerique", "sortie_emploi_12m")),
        # --- Sorties vers l'emploi (contrat §5.3, §5.4) ---
        Requete("taux_sortie_emploi_12m", "Sortie en emploi à 12 mois", "part", "hausse",
                definitions=("sortie_emploi_12m",)),
        Requete("taux_sortie_emploi_cohortes", "Sortie en emploi à 12 mois par cohorte", "part", "hausse",
                definitions=("sortie_cohortes",)),
        Requete("sorties_par_motif", "Sorties par motif", "épisodes", definitions=("sorties_par_motif",)),
        Requete("sorties_par_groupe", "Sorties par groupe de motifs", "épisodes", definitions=("groupes_sortie",)),
        Requete("parcours_cohorte", "Parcours d'une cohorte", "épisodes", definitions=("parcours",)),
        # --- Budget (contrat §5.5) ---
        Requete("budget_annuel", "Budget de l'insertion", "euros", definitions=("budget",), hors_secret=_BUDGET),
        Requete("cout_par_personne", "Coût par personne suivie", "euros", "baisse",
                definitions=("cout_par_personne",)),
        # --- Autres systèmes du territoire (contrat §7) ---
        Requete("freins_prevalence", "Prévalence des freins périphériques", "part",
                definitions=("freins_prevalence", "couverture_freins")),
        Requete("freins_par_personne", "Nombre de freins par personne", "personnes",
                definitions=("freins_par_personne",)),
        Requete("freins_sortie_emploi", "Sortie en emploi avec ou sans chaque frein", "part", "hausse",
                definitions=("freins_sortie_emploi",)),
        Requete("mises_en_relation", "Mises en relation par les partenaires", "mises en relation", "hausse",
                definitions=("mises_en_relation",)),
        Requete("delais_mise_en_relation", "Délai entre orientation et mise en relation", "jours", "baisse",
                definitions=("delais_mise_en_relation",)),
        Requete("embauches_sorties", "Embauches suivies d'une sortie en emploi", "part", "hausse",
                definitions=("embauches_sorties",)),
        Requete("actions_collectives", "Actions collectives", "séances", "hausse",
                definitions=("actions_collectives", "taux_remplissage", "rendez_vous_par_seance")),
        Requete("ateliers_apres_diagnostic", "Ateliers numériques après un diagnostic débutant", "part", "hausse",
                definitions=("ateliers_apres_diagnostic",)),
        Requete("moyens_mensuels", "Référents, places et personnes par référent", "ETP et places",
                definitions=("moyens_referents_places", "personnes_par_referent", "taux_occupation")),
        Requete("cout_par_place", "Coût par place", "euros", "baisse", definitions=("cout_par_place",),
                hors_secret=_BUDGET + " et places déclarées par les ALI"),
        Requete("annuaire_structures", "Annuaire des structures", "structures",
                definitions=("annuaire_structures",), hors_secret=_STRUCTURES),
        Requete("couverture_freins", "Structures qui couvrent chaque frein, par commune", "structures",
                definitions=("couverture_freins",), hors_secret=_STRUCTURES),
        # --- Requêtes de service : navigation, libellés, qualité des données ---
        Requete("qualite_completude", "Complétude des champs facultatifs", "épisodes", "hausse",
                definitions=("qualite_completude",)),
        Requete("date_observation", "Date d'observation", "date", hors_secret=_REFERENTIEL),
        Requete("ali_ouvertes", "ALI ouvertes à la date d'observation", "libellés", hors_secret=_REFERENTIEL),
        Requete("noms_structures", "Noms des structures partenaires", "libellés", hors_secret=_STRUCTURES),
        Requete("qualite_chargements", "Historique des chargements", "chargements", hors_secret=_CHARGEMENTS),
        Requete("qualite_fraicheur", "Fraîcheur des extractions par ALI", "date", hors_secret=_CHARGEMENTS),
        Requete("qualite_quarantaine", "Lignes en quarantaine", "chargements", hors_secret=_CHARGEMENTS),
        Requete("qualite_rejets", "Lignes rejetées par motif et par ALI", "chargements", hors_secret=_CHARGEMENTS),
    )
}  # fmt: skip


def entree(nom: str) -> Requete:
    """L'entrée d'une requête ; un nom hors du catalogue est une erreur de programmation, dite en français."""
    try:
        return CATALOGUE[nom]
    except KeyError:
        raise KeyError(f"Requête absente du catalogue (insertion/indicators/catalogue.py) : {nom}") from None
