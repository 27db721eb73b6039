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
