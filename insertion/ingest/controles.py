"""Les refus d'un fichier avant toute écriture : taille permise, identifiants directs, nature reconnue à ses
colonnes (contrat §3, §4, §7) et colonnes obligatoires de cette nature.

Un fichier refusé ici n'a rien écrit : la raison, en français, dit quoi corriger avant de le recharger.
"""

from __future__ import annotations

from insertion import config, formats
from insertion.contrat import (
    COLONNES_PROPRES_FILE_ACTIVE,
    NATURES_FICHIER,
    OBLIGATOIRES_BUDGET,
    OBLIGATOIRES_FILE_ACTIVE,
    OBLIGATOIRES_PAR_NATURE,
)
from insertion.ingest import identifiants, lecture, systemes
from insertion.ingest.compte_rendu import ResultatChargement, refuse
from insertion.ingest.lecture import FichierRefuse


def reconnaitre_fichier(headers: list[str], name: str) -> str:
    """La nature du fichier d'après ses colonnes (contrat §3, §4, §7) ; refuse s'il en manque une obligatoire."""
    present = set(headers)
    if "montant_vote" in present or ({"annee", "ligne"} <= present and "id_beneficiaire" not in present):
        nature = "budget"
    elif present & COLONNES_PROPRES_FILE_ACTIVE:
        nature = "file_active"
    else:
        nature = systemes.reconnaitre(present)
        if nature is None and present & set(OBLIGATOIRES_FILE_ACTIVE):
            nature = "file_active"
    if nature is None:
        raise FichierRefuse(
            f"« {name} » n'a les colonnes d'aucun fichier du contrat : extraction de file active "
            f"({', '.join(OBLIGATOIRES_FILE_ACTIVE)}), fichier budget ({', '.join(OBLIGATOIRES_BUDGET)}), "
            "mises en relation, actions collectives, participations, moyens ou annuaire des structures (voir les "
            "modèles de la page Importer)."
        )
    required = OBLIGATOIRES_PAR_NATURE[nature]
    missing = [c for c in required if c not in present]
    if missing:
        label = {
            "file_active": "l'extraction de file active",
            "budget": "le fichier budget",
        }.get(nature, f"le fichier « {NATURES_FICHIER[nature]} »")
        plural = "s" if len(missing) > 1 else ""
        raise FichierRefuse(
            f"« {name} » : colonne{plural} obligatoire{plural} absente{plural} pour {label} : "
            f"{', '.join(missing)}. Ajoutez-la{'s' if plural else ''} puis rechargez le fichier."
        )
    return nature


def verifier_identifiants(raw: lecture.TableBrute, name: str) -> None:
    columns = identifiants.colonnes_identifiantes(raw.colonnes)
    if columns:
        raise FichierRefuse(
            f"« {name} » contient des données directement identifiantes (colonne{'s' if len(columns) > 1 else ''} "
            f"{', '.join(columns)}). Rien n'a été enregistré : retirez ces colonnes puis rechargez le fichier."
        )
    values = [(f"colonne {col}", label, lines) for col, label, lines in identifiants.valeurs_identifiantes(raw.table)]
    if raw.hors_colonnes is not None and raw.hors_colonnes.num_rows:
        # Une colonne sans en-tête, des cellules au-delà de l'en-tête, une ligne malformée : rien n'en
        # serait chargé, mais le fichier contient la donnée, il est refusé comme les autres.
        for _, label, lines in identifiants.valeurs_identifiantes(raw.hors_colonnes):
            values.append(("cellule hors des colonnes nommées", label, sorted(set(lines))))
    if values:
        details = "; ".join(
            f"{where} : {label}, ligne{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
            for where, label, lines in values
        )
        raise FichierRefuse(
            f"« {name} » contient des valeurs qui ressemblent à des identifiants directs ({details}). "
            "Rien n'a été enregistré : pseudonymisez ou retirez ces valeurs puis rechargez le fichier."
        )


def verifier_taille(size_bytes: int, name: str) -> None:
    """Refuse (FichierRefuse) un fichier au-delà de la taille permise, avant de le lire ou de l'enregistrer.

    charger_fichiers l'appelle sur `path.stat()` ; la page Importer peut l'appeler sur la taille d'un envoi
    avant de l'écrire sur le disque. Limite : $INSERTION_TAILLE_MAX_MO (200 Mo par défaut).
    """
    limit = config.taille_max_mo()
    if size_bytes > limit * 10**6:
        raise FichierRefuse(
            f"« {name} » pèse {formats.decimal(size_bytes / 10**6)} Mo, au-delà de la limite de "
            f"{formats.entier(limit)} Mo par fichier (réglage INSERTION_TAILLE_MAX_MO) : il n'a pas été lu. "
            "Découpez l'extraction en plusieurs fichiers par ALI, en gardant toutes les lignes d'une même ALI "
            "dans le même fichier (chaque fichier remplace l'instantané des ALI qu'il contient), ou "
            "enregistrez-la en Parquet, plus compact, puis chargez-les l'un après l'autre."
        )


def refus_taille(size_bytes: int, name: str) -> ResultatChargement | None:
    """Le ResultatChargement « refused » d'un fichier trop gros, None s'il passe : pour la page Importer."""
    try:
        verifier_taille(size_bytes, name)
    except FichierRefuse as exc:
        return refuse(name, str(exc))
    return None
