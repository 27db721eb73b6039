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
