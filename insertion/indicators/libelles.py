"""Libellés français des codes du contrat, pour l'écran et les exports."""

from __future__ import annotations

# Le vocabulaire vient du contrat (insertion/contrat.py), ré-exporté ici pour les vues ; ce module y ajoute
# les libellés d'affichage.
from insertion.contrat import (  # noqa: F401
    ANCIENNETES_RSA,
    COMPOSITIONS_FOYER,
    GROUPE_EMPLOI_DURABLE,
    GROUPES_SORTIE,
    MOTIF_EMPLOI_DURABLE,
    NIVEAUX_LINGUISTIQUES,
    NIVEAUX_NUMERIQUES,
    NON_RENSEIGNE,
    PARCOURS,
    SEXES,
    TRANCHES_AGE,
    groupe_sortie,
)
from insertion.store.referentiel import charger_referentiel

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


def ali() -> dict[str, str]:
    """« ALI14 » → « ALI14 · Clichy-sous-Bois – Montfermeil – Coubron »."""
    return {a["code_ali"]: f"{a['code_ali']} · {a['nom']}" for a in charger_referentiel().ali}


def communes() -> dict[str, str]:
    return {c["code_commune"]: c["nom"] for c in sorted(charger_referentiel().communes, key=lambda c: c["nom"])}


def epts() -> dict[str, str]:
    return {e: e for e in charger_referentiel().epts}


def motifs() -> dict[str, str]:
    return {m["motif_sortie"]: m["libelle"] for m in charger_referentiel().motifs}


def libelle(mapping: dict[str, str], code: object) -> str:
    if code is None or (isinstance(code, float) and code != code):
        return NON_RENSEIGNE
    return mapping.get(str(code), str(code))
