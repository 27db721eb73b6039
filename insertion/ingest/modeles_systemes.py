"""Les modèles des fichiers des autres systèmes (contrat §7.2 à §7.5 : annuaire des structures, mises en relation,
actions collectives et participations, moyens) : colonnes et obligatoires de insertion.contrat, une règle de
format par colonne, des exemples qui se répondent d'un fichier à l'autre.
"""

from __future__ import annotations

from insertion import contrat
from insertion.ingest.type_fichier import DATE, Regle, TypeFichier, liste_codes, mention_obligatoire
from insertion.store.referentiel import charger_referentiel


def _type(
    cle: str, titre: str, formats: dict, valeurs: dict, exemple: tuple, listes: dict, **conditions
) -> TypeFichier:
    """Un type de fichier du §7 : colonnes et obligatoires de contrat.py, une règle de format par colonne."""
    colonnes = contrat.COLONNES_PAR_NATURE[cle]
    obligatoires = contrat.OBLIGATOIRES_PAR_NATURE[cle]
    regles = tuple(
        Regle(c, conditions.get(c, mention_obligatoire(c, obligatoires)), formats[c], valeurs.get(c, ""))
        for c in colonnes
    )
    return TypeFichier(cle, titre, tuple(colonnes), regles, exemple, listes)


# Les exemples des modèles du §7 se répondent : les structures fictives de l'annuaire sont celles des mises en
# relation et des actions, la séance des participations est celle des actions (codes « EXEMPLE »).
_STRUCTURE_EXEMPLE = "EXEMPLE-ASSO"


_STRUCTURE_EXEMPLE_2 = "EXEMPLE-ML"


_ACTION_EXEMPLE = "EXEMPLE-ATELIER-1"


_EXTRACTION_EXEMPLE = "2023-06-30"


_ENTIER = "nombre entier positif ou nul"


def _codes_ali(ref) -> str:
    return f"{ref.ali[0]['code_ali']} à {ref.ali[-1]['code_ali']}" if ref.ali else ""


def structures() -> TypeFichier:
    """Annuaire des structures du territoire (contrat §7.5) : une ligne par structure, sans date_extraction."""
    ref = charger_referentiel()
    formats = {
        "code_structure": "code court de la structure, 2 à 40 caractères parmi lettres sans accent, chiffres, « _ » "
        "et « - » (lu en majuscules) ; le fichier remplace tout l'annuaire",
        "nom_structure": "nom public de l'organisation (150 caractères au plus) ; jamais le nom d'une personne",
        "type": "valeur de la liste",
        "code_commune": "code INSEE de la commune où elle accueille, dans le référentiel des communes",
        "domaines": "un ou plusieurs domaines de la liste, séparés par « | » (emploi|formation)",
        "reseaux": "libellés libres des réseaux dont elle est membre, séparés par « | » (reseau_pantin)",
        "site_web": "adresse du site public (sans espace, 200 caractères au plus) ; aucun contact personnel",
    }
    valeurs = {
        "type": liste_codes(contrat.TYPES_STRUCTURE),
        "code_commune": f"{len(ref.communes)} communes de la Seine-Saint-Denis",
        "domaines": liste_codes(contrat.DOMAINES),
    }
    commune = ref.ali[0]["communes"][0]
    exemple = (
        {
            "code_structure": _STRUCTURE_EXEMPLE,
            "nom_structure": "Association d'exemple",
            "type": "association",
            "code_commune": commune,
            "domaines": "emploi|numerique",
            "reseaux": "reseau_exemple",
            "site_web": "",
        },
        {
            "code_structure": _STRUCTURE_EXEMPLE_2,
            "nom_structure": "Mission locale d'exemple",
            "type": "mission_locale",
            "code_commune": commune,
            "domaines": "emploi|formation|logement",
            "reseaux": "",
            "site_web": "https://exemple.invalid",
        },
    )
    listes = {
        "type": tuple(contrat.TYPES_STRUCTURE),
        "code_commune": tuple(sorted(c["code_commune"] for c in ref.communes)),
    }
    return _type("structures", "Annuaire des structures", formats, valeurs, exemple, listes)


def mises_en_relation() -> TypeFichier:
    """Mises en relation par les structures partenaires (contrat §7.2) : une ligne par mise en relation."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    formats = {
        "id_beneficiaire": "pseudonyme attribué par le Département, le même que dans l'extraction de file active",
        "code_ali": "code d'une ALI du référentiel",
        "code_structure": "code d'une structure de l'annuaire (chargez l'annuaire d'abord) ; le fichier remplace les "
        "mises en relation de chaque structure × ALI qu'il contient",
        "date_mise_en_relation": f"{DATE} ; pas après date_extraction",
        "taille_entreprise": "valeur de la liste : tpe (moins de 10 salariés), pme (10 à 249), eti_ge (250 et plus)",
        "secteur_naf": "lettre de la section NAF de l'employeur (A à U)",
        "issue": "valeur de la liste",
        "date_embauche": f"{DATE} ; pas avant date_mise_en_relation ni après date_extraction",
        "type_contrat": "valeur de la liste",
        "duree_contrat_mois": "durée du contrat en mois, de 1 à 120 ; vide pour un CDI",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    valeurs = {
        "code_ali": _codes_ali(ref),
        "taille_entreprise": liste_codes(contrat.TAILLES_ENTREPRISE),
        "secteur_naf": "A à U",
        "issue": liste_codes(contrat.ISSUES_MISE_EN_RELATION),
        "type_contrat": liste_codes(contrat.TYPES_CONTRAT),
    }
    commun = {
        "code_ali": codes_ali[0],
        "code_structure": _STRUCTURE_EXEMPLE,
        "date_extraction": _EXTRACTION_EXEMPLE,
    }
    exemple = (
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0001",
            "date_mise_en_relation": "2023-04-20",
            "taille_entreprise": "tpe",
            "secteur_naf": "F",
            "issue": "embauche",
            "date_embauche": "2023-05-15",
            "type_contrat": "cdd",
            "duree_contrat_mois": "12",
        },
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0002",
            "date_mise_en_relation": "2023-06-02",
            "taille_entreprise": "pme",
            "issue": "en_cours",
        },
    )
    listes = {
        "code_ali": tuple(codes_ali),
        "taille_entreprise": tuple(contrat.TAILLES_ENTREPRISE),
        "secteur_naf": contrat.SECTIONS_NAF,
        "issue": tuple(contrat.ISSUES_MISE_EN_RELATION),
        "type_contrat": tuple(contrat.TYPES_CONTRAT),
    }
    return _type(
        "mises_en_relation",
        "Mises en relation",
        formats,
        valeurs,
        exemple,
        listes,
        date_embauche="si issue embauche",
        type_contrat="si issue embauche",
    )


def actions_collectives() -> TypeFichier:
    """Actions collectives (contrat §7.3) : une ligne par séance."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    formats = {
        "id_action": "identifiant unique de la séance (1 à 64 caractères parmi lettres, chiffres, « _ », « - » et "
        "« . »)",
        "type_action": "valeur de la liste",
        "code_structure": "code de la structure organisatrice, dans l'annuaire (chargez l'annuaire d'abord) ; le "
        "fichier remplace les séances de chaque structure qu'il contient",
        "code_ali": "code de l'ALI qui mène la séance, s'il y en a une",
        "code_commune": "code INSEE de la commune de la séance",
        "quartier": "nom du quartier (texte libre, 80 caractères au plus ; jamais de nom de personne)",
        "date_action": f"{DATE} ; pas après date_extraction",
        "places": _ENTIER,
        "participants": _ENTIER,
        "rendez_vous_pris": f"{_ENTIER} ; rendez-vous pris pendant la séance",
        "personnes_remobilisees": f"{_ENTIER}, pas plus que participants ; personnes qui avaient renoncé et "
        "reprennent leurs démarches",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    valeurs = {
        "type_action": liste_codes(contrat.TYPES_ACTION),
        "code_ali": _codes_ali(ref),
        "code_commune": f"{len(ref.communes)} communes de la Seine-Saint-Denis",
    }
    ali = ref.ali[0]
    exemple = (
        {
            "id_action": _ACTION_EXEMPLE,
            "type_action": "atelier_numerique",
            "code_structure": _STRUCTURE_EXEMPLE,
            "code_ali": ali["code_ali"],
            "code_commune": ali["communes"][0],
            "quartier": "",
            "date_action": "2023-04-04",
            "places": "8",
            "participants": "7",
            "rendez_vous_pris": "",
            "personnes_remobilisees": "",
            "date_extraction": _EXTRACTION_EXEMPLE,
        },
        {
            "id_action": "EXEMPLE-JOURNEE-1",
            "type_action": "aller_vers",
            "code_structure": _STRUCTURE_EXEMPLE_2,
            "code_ali": "",
            "code_commune": ali["communes"][0],
            "quartier": "Centre-ville",
            "date_action": "2023-06-01",
            "places": "",
            "participants": "42",
            "rendez_vous_pris": "11",
            "personnes_remobilisees": "6",
            "date_extraction": _EXTRACTION_EXEMPLE,
        },
    )
    listes = {
        "type_action": tuple(contrat.TYPES_ACTION),
        "code_ali": tuple(codes_ali),
        "code_commune": tuple(sorted(c["code_commune"] for c in ref.communes)),
    }
    return _type("actions_collectives", "Actions collectives", formats, valeurs, exemple, listes)


def participations() -> TypeFichier:
    """Participations aux actions collectives (contrat §7.3, facultatif) : qui a participé à quelle séance."""
    formats = {
        "id_beneficiaire": "pseudonyme attribué par le Département, le même que dans l'extraction de file active",
        "id_action": "identifiant d'une séance des actions collectives déjà chargées (chargez-les d'abord) ; le "
        "fichier remplace les participations aux séances de chaque structure organisatrice qu'il contient",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    exemple = (
        {"id_beneficiaire": "EXEMPLE-0001", "id_action": _ACTION_EXEMPLE, "date_extraction": _EXTRACTION_EXEMPLE},
        {"id_beneficiaire": "EXEMPLE-0002", "id_action": _ACTION_EXEMPLE, "date_extraction": _EXTRACTION_EXEMPLE},
    )
    return _type("participations", "Participations aux actions collectives", formats, {}, exemple, {})


def moyens() -> TypeFichier:
    """Moyens des ALI (contrat §7.4) : une ligne par ALI et par mois."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    formats = {
        "code_ali": "code d'une ALI du référentiel ; le fichier remplace tous les mois des ALI qu'il contient",
        "mois": "mois AAAA-MM (ou MM/AAAA), pas après date_extraction",
        "referents_etp": "référents en équivalents temps plein, nombre positif ou nul ; virgule décimale admise (4,5)",
        "places": f"places d'accompagnement, {_ENTIER}",
        "cip_ecole": f"référents formés par l'École des CIP, {_ENTIER}",
        "date_extraction": f"{DATE} ; la même sur toutes les lignes du fichier",
    }
    valeurs = {"code_ali": _codes_ali(ref)}
    commun = {"code_ali": codes_ali[0], "date_extraction": _EXTRACTION_EXEMPLE}
    exemple = (
        commun | {"mois": "2023-05", "referents_etp": "4,5", "places": "160", "cip_ecole": ""},
        commun | {"mois": "2023-06", "referents_etp": "5", "places": "180", "cip_ecole": "1"},
    )
    listes = {"code_ali": tuple(codes_ali)}
    return _type("moyens", "Moyens (référents et places)", formats, valeurs, exemple, listes)
