"""Le vocabulaire du contrat de données, écrit une seule fois : colonnes, valeurs admises et leurs libellés,
groupes de sortie, diagnostics, regroupements, nom du département.

La couche la plus basse (issue 15) : ce module n'importe rien du projet, tous les autres peuvent le lire.
Le SQL ne peut pas l'importer : les règles de validation (insertion/ingest/sql/valider_*.sql) et la macro
`groupe_de` (queries/macros/perimetre.sql) répètent ces valeurs, en citant ce module.
"""

from __future__ import annotations

# --- Colonnes (contrat §3 et §4), dans l'ordre du contrat : une ligne est rejetée pour la première
# règle enfreinte dans cet ordre.
COLONNES_FILE_ACTIVE = [
    "id_beneficiaire", "code_ali", "code_commune", "date_orientation", "type_parcours",
    "date_diag_numerique", "niveau_numerique", "date_diag_linguistique", "niveau_linguistique",
    "date_sortie", "motif_sortie", "tranche_age", "sexe", "composition_foyer", "anciennete_rsa",
    "date_extraction",
]  # fmt: skip
OBLIGATOIRES_FILE_ACTIVE = [
    "id_beneficiaire", "code_ali", "code_commune", "date_orientation", "type_parcours",
    "tranche_age", "sexe", "date_extraction",
]  # fmt: skip
COLONNES_DATES = ["date_orientation", "date_diag_numerique", "date_diag_linguistique", "date_sortie"]
COLONNES_BUDGET = ["annee", "code_ali", "ligne", "montant_vote", "montant_execute"]
OBLIGATOIRES_BUDGET = ["annee", "ligne", "montant_vote"]

# --- Valeurs admises (contrat §3) → libellé français, dans l'ordre du contrat.
PARCOURS = {"social": "Social", "socio_professionnel": "Socio-professionnel", "professionnel": "Professionnel"}
TRANCHES_AGE = {
    "moins_25": "Moins de 25 ans",
    "25_34": "25 à 34 ans",
    "35_44": "35 à 44 ans",
    "45_54": "45 à 54 ans",
    "55_plus": "55 ans et plus",
}
SEXES = {"F": "Femmes", "M": "Hommes"}
COMPOSITIONS_FOYER = {
    "seul": "Personne seule",
    "seul_avec_enfants": "Seul avec enfants",
    "couple": "Couple sans enfant",
    "couple_avec_enfants": "Couple avec enfants",
}
ANCIENNETES_RSA = {
    "moins_1_an": "Moins d'un an",
    "1_2_ans": "1 à 2 ans",
    "2_5_ans": "2 à 5 ans",
    "5_ans_plus": "5 ans et plus",
}
NIVEAUX_NUMERIQUES = {
    "autonome": "Autonome",
    "intermediaire": "Intermédiaire",
    "debutant": "Débutant",
    "non_evalue": "Non évalué",
}
NIVEAUX_LINGUISTIQUES = {n: n for n in ("A1", "A2", "B1", "B2", "C1", "C2")} | {"francophone": "Francophone"}
# Un champ facultatif vide, une sortie sans motif : le code que les requêtes rendent, et son libellé.
CODE_NON_RENSEIGNE = "non_renseigne"
NON_RENSEIGNE = "Non renseigné"

# --- Diagnostics (contrat §5.2) : le paramètre $diagnostic des requêtes → libellé.
DIAGNOSTICS = {"numerique": "Numérique", "linguistique": "Linguistique"}

# --- Regroupements des requêtes ($groupe) ; le budget n'est ventilé que par ALI.
GROUPES = ("departement", "ali", "ept", "commune")
GROUPES_BUDGET = ("departement", "ali")
# Le nom du groupe « departement » dans les résultats (macro groupe_de de queries/macros/perimetre.sql).
DEPARTEMENT = "Seine-Saint-Denis"

# --- Sorties (contrat §3) : le groupe « emploi durable » réunit deux motifs, emploi_durable et
# creation_entreprise. Le groupe et le motif seul sont deux nombres (3 465 contre 2 985 sorties sur la
# démonstration) : ils ne portent jamais le même libellé. « Emploi durable » sans « motif » désigne toujours
# le groupe (taux à 12 mois compris).
GROUPE_EMPLOI_DURABLE = "Emploi durable (y compris création d'entreprise)"
MOTIF_EMPLOI_DURABLE = "Motif emploi durable (CDI, CDD ≥ 6 mois)"

# Groupes de sortie (catégories de l'IAE), du plus au moins favorable.
GROUPES_SORTIE = {
    "emploi_durable": GROUPE_EMPLOI_DURABLE,
    "emploi_transition": "Emploi de transition",
    "formation": "Formation",
    "autres": "Autres sorties",
}


def groupe_sortie(emploi_durable: bool, sortie_emploi: bool, sortie_dynamique: bool) -> str:
    """Le groupe de sortie d'un motif d'après ses trois indicateurs du référentiel (ref_motifs_sortie)."""
    if emploi_durable:
        return "emploi_durable"
    if sortie_emploi:
        return "emploi_transition"
    return "formation" if sortie_dynamique else "autres"


# --- Freins périphériques (contrat §7.1) : colonnes facultatives de l'extraction de file active, évaluées à
# l'entrée. Une ancienne extraction sans elles reste valide (inconnu). Valeurs : oui, non ou vide (inconnu).
FREINS = {
    "frein_logement": "Logement",
    "frein_garde_enfants": "Garde d'enfants",
    "frein_mobilite": "Mobilité",
    "frein_sante": "Santé",
    "frein_numerique": "Numérique",
    "frein_langue": "Langue",
    "frein_administratif": "Démarches administratives",
}
COLONNES_FREINS = list(FREINS)
VALEURS_FREIN = {"oui": "Oui", "non": "Non"}
# L'extraction telle que le chargeur la lit : les colonnes du §3, freins facultatifs avant date_extraction (ordre
# des règles de ligne). COLONNES_FILE_ACTIVE reste la liste du §3 : une extraction qui n'a qu'elles est complète.
COLONNES_EXTRACTION = COLONNES_FILE_ACTIVE[:-1] + COLONNES_FREINS + ["date_extraction"]

# --- Les autres fichiers du contrat (§7.2 à §7.5), reconnus à leurs colonnes. Pour chacun : ses colonnes dans
# l'ordre du contrat (ordre des règles de ligne), ses obligatoires, et les colonnes qui le distinguent des autres.

# §7.2 Mises en relation par les structures partenaires : une ligne par mise en relation.
COLONNES_MISES_EN_RELATION = [
    "id_beneficiaire", "code_ali", "code_structure", "date_mise_en_relation", "taille_entreprise", "secteur_naf",
    "issue", "date_embauche", "type_contrat", "duree_contrat_mois", "date_extraction",
]  # fmt: skip
OBLIGATOIRES_MISES_EN_RELATION = [
    "id_beneficiaire", "code_ali", "code_structure", "date_mise_en_relation", "taille_entreprise", "issue",
    "date_extraction",
]  # fmt: skip
TAILLES_ENTREPRISE = {
    "tpe": "TPE (moins de 10 salariés)",
    "pme": "PME (10 à 249 salariés)",
    "eti_ge": "ETI ou grande entreprise (250 salariés et plus)",
    "inconnue": "Taille inconnue",
}
ISSUES_MISE_EN_RELATION = {
    "en_cours": "En cours",
    "embauche": "Embauche",
    "refus_employeur": "Refus de l'employeur",
    "refus_personne": "Refus de la personne",
    "abandon": "Abandon",
}
TYPES_CONTRAT = {
    "cdi": "CDI",
    "cdd": "CDD",
    "interim": "Intérim",
    "contrat_aide": "Contrat aidé",
    "alternance": "Alternance",
    "creation": "Création d'entreprise",
}
# Contrat long (« emploi durable » du §3) : CDI, création, ou une durée de 6 mois ou plus.
CONTRATS_LONGS = ("cdi", "creation")
DUREE_CONTRAT_LONG_MOIS = 6
SECTIONS_NAF = tuple("ABCDEFGHIJKLMNOPQRSTU")

# §7.3 Actions collectives : une ligne par séance ; participations facultatives (qui a participé à quoi).
COLONNES_ACTIONS_COLLECTIVES = [
    "id_action", "type_action", "code_structure", "code_ali", "code_commune", "quartier", "date_action", "places",
    "participants", "rendez_vous_pris", "personnes_remobilisees", "date_extraction",
]  # fmt: skip
OBLIGATOIRES_ACTIONS_COLLECTIVES = [
    "id_action", "type_action", "code_structure", "code_commune", "date_action", "participants", "date_extraction",
]  # fmt: skip
TYPES_ACTION = {
    "atelier_numerique": "Atelier numérique",
    "atelier_linguistique": "Atelier linguistique",
    "information_collective": "Information collective",
    "aller_vers": "Aller-vers (journée de quartier)",
    "job_dating": "Job dating",
    "autre": "Autre action",
}
QUARTIER_LONGUEUR_MAX = 80
COLONNES_PARTICIPATIONS = ["id_beneficiaire", "id_action", "date_extraction"]
OBLIGATOIRES_PARTICIPATIONS = list(COLONNES_PARTICIPATIONS)

# §7.4 Moyens : une ligne par ALI et par mois.
COLONNES_MOYENS = ["code_ali", "mois", "referents_etp", "places", "cip_ecole", "date_extraction"]
OBLIGATOIRES_MOYENS = ["code_ali", "mois", "referents_etp", "places", "date_extraction"]
# Les cibles du Département pour 2026 (contrat §1 et §7.4) : référents et places d'accompagnement.
CIBLES_2026 = {"referents": (170, 340), "places": (6_300, 12_600)}
# Les mêmes, nommées (source : contrat §7.4, « progress to the Département's targets: 170 → 340 counsellors and
# 6,300 → 12,600 places by 2026 ») : valeur de départ et cible de fin 2026.
ANNEE_CIBLES = 2026
REFERENTS_DEPART, REFERENTS_CIBLE_2026 = CIBLES_2026["referents"]
PLACES_DEPART, PLACES_CIBLE_2026 = CIBLES_2026["places"]

# §7.5 L'annuaire des structures du territoire (sans date_extraction : un référentiel, remplacé en entier).
COLONNES_STRUCTURES = ["code_structure", "nom_structure", "type", "code_commune", "domaines", "reseaux", "site_web"]
OBLIGATOIRES_STRUCTURES = ["code_structure", "nom_structure", "type", "code_commune", "domaines"]
TYPES_STRUCTURE = {
    "ali": "Agence locale d'insertion",
    "association": "Association",
    "siae": "Structure d'insertion par l'activité économique",
    "mission_locale": "Mission locale",
    "france_travail": "France Travail",
    "ebe": "Entreprise à but d'emploi (TZCLD)",
    "organisme_formation": "Organisme de formation",
    "service_municipal": "Service municipal",
    "entreprise": "Entreprise",
    "universite": "Université",
    "autre": "Autre structure",
}
DOMAINES = {
    "emploi": "Emploi",
    "formation": "Formation",
    "numerique": "Numérique",
    "langue": "Langue",
    "logement": "Logement",
    "garde_enfants": "Garde d'enfants",
    "mobilite": "Mobilité",
    "sante": "Santé",
    "acces_droits": "Accès aux droits",
}
SEPARATEUR_LISTE = "|"

# Les natures de fichier (colonne chargements.nature) et leur libellé, dans l'ordre du contrat.
NATURES_FICHIER = {
    "file_active": "Extraction de file active",
    "budget": "Budget",
    "mises_en_relation": "Mises en relation",
    "actions_collectives": "Actions collectives",
    "participations": "Participations aux actions collectives",
    "moyens": "Moyens (référents et places)",
    "structures": "Annuaire des structures",
}
COLONNES_PAR_NATURE = {
    "file_active": COLONNES_EXTRACTION,
    "budget": COLONNES_BUDGET,
    "mises_en_relation": COLONNES_MISES_EN_RELATION,
    "actions_collectives": COLONNES_ACTIONS_COLLECTIVES,
    "participations": COLONNES_PARTICIPATIONS,
    "moyens": COLONNES_MOYENS,
    "structures": COLONNES_STRUCTURES,
}
OBLIGATOIRES_PAR_NATURE = {
    "file_active": OBLIGATOIRES_FILE_ACTIVE,
    "budget": OBLIGATOIRES_BUDGET,
    "mises_en_relation": OBLIGATOIRES_MISES_EN_RELATION,
    "actions_collectives": OBLIGATOIRES_ACTIONS_COLLECTIVES,
    "participations": OBLIGATOIRES_PARTICIPATIONS,
    "moyens": OBLIGATOIRES_MOYENS,
    "structures": OBLIGATOIRES_STRUCTURES,
}
# Les colonnes propres à chaque nouveau type : une seule suffit à le reconnaître (la plus représentée l'emporte).
# participations n'en a pas : id_action sans colonne de séance. Une extraction de file active qui porte une colonne
# propre au §3 (date_orientation, sexe…) reste une extraction de file active, quoi qu'elle ait d'autre.
SIGNATURES = {
    "mises_en_relation": {
        "date_mise_en_relation", "taille_entreprise", "secteur_naf", "issue", "date_embauche", "type_contrat",
        "duree_contrat_mois",
    },
    "actions_collectives": {"type_action", "quartier", "date_action", "participants", "rendez_vous_pris",
                            "personnes_remobilisees"},
    "moyens": {"mois", "referents_etp", "cip_ecole"},
    "structures": {"nom_structure", "domaines", "reseaux", "site_web"},
}  # fmt: skip

# Les colonnes qui ne sont qu'à l'extraction de file active.
COLONNES_PROPRES_FILE_ACTIVE = set(COLONNES_EXTRACTION) - {
    c for nature, colonnes in COLONNES_PAR_NATURE.items() if nature != "file_active" for c in colonnes
}
