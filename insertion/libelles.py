"""Libellés français des codes du contrat, pour l'écran et les exports."""

from __future__ import annotations

from insertion.referential import load_referentiel

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
NON_RENSEIGNE = "Non renseigné"

# Contrat §3 : le groupe « emploi durable » réunit deux motifs, emploi_durable et creation_entreprise. Le groupe
# et le motif seul sont deux nombres (3 465 contre 2 985 sorties sur la démonstration) : ils ne portent jamais le
# même libellé. « Emploi durable » sans « motif » désigne toujours le groupe (taux à 12 mois compris).
GROUPE_EMPLOI_DURABLE = "Emploi durable (y compris création d'entreprise)"
MOTIF_EMPLOI_DURABLE = "Motif emploi durable (CDI, CDD ≥ 6 mois)"

# Groupes de sortie (contrat §3, catégories de l'IAE), du plus au moins favorable.
GROUPES_SORTIE = {
    "emploi_durable": GROUPE_EMPLOI_DURABLE,
    "emploi_transition": "Emploi de transition",
    "formation": "Formation",
    "autres": "Autres sorties",
}
# Libellés courts des motifs pour les axes et les listes (le référentiel garde la description complète).
MOTIFS_COURTS = {
    "emploi_durable": MOTIF_EMPLOI_DURABLE,
    "creation_entreprise": "Création d'entreprise",
    "emploi_transition": "Emploi de transition",
    "formation": "Formation",
    "reorientation": "Réorientation",
    "demenagement": "Déménagement",
    "fin_droits": "Sortie du RSA",
    "abandon": "Abandon, radiation",
    "autre": "Autre motif",
    "non_renseigne": "Motif non renseigné",
}


def groupe_sortie(emploi_durable: bool, sortie_emploi: bool, sortie_dynamique: bool) -> str:
    """Le groupe de sortie d'un motif d'après ses trois indicateurs du référentiel (ref_motifs_sortie)."""
    if emploi_durable:
        return "emploi_durable"
    if sortie_emploi:
        return "emploi_transition"
    return "formation" if sortie_dynamique else "autres"


def ali() -> dict[str, str]:
    """« ALI14 » → « ALI14 · Clichy-sous-Bois – Montfermeil – Coubron »."""
    return {a["code_ali"]: f"{a['code_ali']} · {a['nom']}" for a in load_referentiel().ali}


def communes() -> dict[str, str]:
    return {c["code_commune"]: c["nom"] for c in sorted(load_referentiel().communes, key=lambda c: c["nom"])}


def epts() -> dict[str, str]:
    return {e: e for e in load_referentiel().epts}


def motifs() -> dict[str, str]:
    return {m["motif_sortie"]: m["libelle"] for m in load_referentiel().motifs}


def libelle(mapping: dict[str, str], code: object) -> str:
    if code is None or (isinstance(code, float) and code != code):
        return NON_RENSEIGNE
    return mapping.get(str(code), str(code))
