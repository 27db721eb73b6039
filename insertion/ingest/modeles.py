"""Ce que la page Importer dit des fichiers à déposer : pour chaque type de fichier du contrat (§3 extraction de
file active avec ses freins facultatifs du §7.1, §4 fichier budget, §7.2 à §7.5 mises en relation, actions
collectives et participations, moyens, annuaire des structures), ses colonnes et leurs règles, et un modèle à
remplir, en CSV et en Excel (.xlsx).

Tout vient d'insertion.contrat (colonnes, obligatoires, valeurs admises) et du référentiel (codes d'ALI, de
communes, motifs de sortie) : la liste affichée ne peut pas dire autre chose que ce que le chargeur applique.
Les phrases de format reprennent les règles de validation du chargeur (insertion/ingest/sql/valider_*.sql).
Sans Streamlit : la page ne fait que la mise en page. Ici, l'extraction de file active, le budget et la liste de
tous les types ; les fichiers du §7 sont dans modeles_systemes.py, la forme d'un type dans type_fichier.py.
"""

from __future__ import annotations

from insertion import contrat
from insertion.ingest.modeles_systemes import actions_collectives, mises_en_relation, moyens, participations, structures
from insertion.ingest.type_fichier import DATE, Regle, TypeFichier, liste_codes, mention_obligatoire
from insertion.store.referentiel import charger_referentiel


def file_active() -> TypeFichier:
    """Extraction de la file active (contrat §3) : une ligne par épisode d'accompagnement."""
    ref = charger_referentiel()
    codes_ali = [a["code_ali"] for a in ref.ali]
    motifs = [m["motif_sortie"] for m in ref.motifs]
    apres_orientation = f"{DATE} ; pas avant date_orientation ni après date_extraction"
    formats = {
        "id_beneficiaire": "pseudonyme attribué par le Département, 8 à 64 caractères parmi lettres sans accent, "
        "chiffres, « _ » et « - » ; jamais un nom, un NIR ni une adresse (fichier refusé en entier)",
        "code_ali": "code d'une ALI du référentiel",
        "code_commune": "code INSEE (5 caractères) de la commune de résidence, dans le référentiel des communes",
        "date_orientation": f"{DATE} ; entrée en accompagnement, pas après date_extraction",
        "type_parcours": "valeur de la liste",
        "date_diag_numerique": apres_orientation,
        "niveau_numerique": "valeur de la liste",
        "date_diag_linguistique": apres_orientation,
        "niveau_linguistique": "valeur de la liste (niveaux du CECRL en majuscules)",
        "date_sortie": apres_orientation,
        "motif_sortie": "valeur de la liste ; une date_sortie sans motif est chargée « non_renseigne »",
        "tranche_age": "valeur de la liste",
        "sexe": "F ou M, en majuscule",
        "composition_foyer": "valeur de la liste",
        "anciennete_rsa": "valeur de la liste",
        **{
            c: f"frein « {libelle} » évalué à l'entrée ; vide : inconnu (colonne facultative, une extraction sans "
            "elle reste valide)"
            for c, libelle in contrat.FREINS.items()
        },
        "date_extraction": f"{DATE} ; date de l'extraction, la même sur toutes les lignes du fichier",
    }
    valeurs = {
        "code_ali": f"{codes_ali[0]} à {codes_ali[-1]}" if codes_ali else "",
        "code_commune": f"{len(ref.communes)} communes de la Seine-Saint-Denis",
        "type_parcours": liste_codes(contrat.PARCOURS),
        "niveau_numerique": liste_codes(contrat.NIVEAUX_NUMERIQUES),
        "niveau_linguistique": liste_codes(contrat.NIVEAUX_LINGUISTIQUES),
        "motif_sortie": liste_codes(motifs),
        "tranche_age": liste_codes(contrat.TRANCHES_AGE),
        "sexe": liste_codes(contrat.SEXES),
        "composition_foyer": liste_codes(contrat.COMPOSITIONS_FOYER),
        "anciennete_rsa": liste_codes(contrat.ANCIENNETES_RSA),
        **dict.fromkeys(contrat.COLONNES_FREINS, liste_codes(contrat.VALEURS_FREIN)),
    }
    colonnes = contrat.COLONNES_EXTRACTION
    obligatoire = {c: mention_obligatoire(c, contrat.OBLIGATOIRES_FILE_ACTIVE) for c in colonnes}
    obligatoire["motif_sortie"] = "si date_sortie"
    regles = tuple(Regle(c, obligatoire[c], formats[c], valeurs.get(c, "")) for c in colonnes)
    # Deux épisodes fictifs (pseudonymes « EXEMPLE ») : l'un en cours, l'autre sorti en emploi. Extraction
    # ancienne (30 juin 2023) : déposé tel quel sur une base en service, le modèle ne remplace pas une
    # extraction plus récente (« instantané plus ancien », contrat §3 Versions).
    ali = ref.ali[0]
    commun = {
        "code_ali": ali["code_ali"],
        "code_commune": ali["communes"][0],
        "date_orientation": "2023-04-03",
        "tranche_age": next(iter(contrat.TRANCHES_AGE)),
        "date_extraction": "2023-06-30",
    }
    exemple = (
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0001",
            "type_parcours": "social",
            "date_diag_numerique": "2023-04-20",
            "niveau_numerique": "intermediaire",
            "sexe": "F",
            "composition_foyer": "seul_avec_enfants",
            "anciennete_rsa": "2_5_ans",
            "frein_logement": "non",
            "frein_garde_enfants": "oui",
            "frein_mobilite": "non",
        },
        commun
        | {
            "id_beneficiaire": "EXEMPLE-0002",
            "type_parcours": "professionnel",
            "date_diag_linguistique": "2023-04-12",
            "niveau_linguistique": "B1",
            "date_sortie": "2023-06-15",
            "motif_sortie": "emploi_durable",
            "sexe": "M",
        },
    )
    listes = {
        "code_ali": tuple(codes_ali),
        "code_commune": tuple(sorted(c["code_commune"] for c in ref.communes)),
        "type_parcours": tuple(contrat.PARCOURS),
        "niveau_numerique": tuple(contrat.NIVEAUX_NUMERIQUES),
        "niveau_linguistique": tuple(contrat.NIVEAUX_LINGUISTIQUES),
        "motif_sortie": tuple(motifs),
        "tranche_age": tuple(contrat.TRANCHES_AGE),
        "sexe": tuple(contrat.SEXES),
        "composition_foyer": tuple(contrat.COMPOSITIONS_FOYER),
        "anciennete_rsa": tuple(contrat.ANCIENNETES_RSA),
        **dict.fromkeys(contrat.COLONNES_FREINS, tuple(contrat.VALEURS_FREIN)),
    }
    return TypeFichier("file_active", "Extraction de la file active", tuple(colonnes), regles, exemple, listes)


def budget() -> TypeFichier:
    """Fichier budget (contrat §4) : une ligne par (année, ALI, ligne budgétaire)."""
    ref = charger_referentiel()
    montant = "montant en euros, positif ou nul ; virgule décimale et espaces entre les milliers admis (1 250 000,50)"
    formats = {
        "annee": "année entre 2000 et 2100 ; le fichier remplace toutes les lignes des années qu'il contient",
        "code_ali": "code d'une ALI du référentiel ; vide pour une ligne au niveau du département",
        "ligne": "ligne budgétaire, code court (lu en minuscules sans accents)",
        "montant_vote": f"crédits votés, {montant}",
        "montant_execute": f"crédits exécutés, {montant} ; vide pour une année en cours",
    }
    valeurs = {
        "code_ali": "vide, ou " + (f"{ref.ali[0]['code_ali']} à {ref.ali[-1]['code_ali']}" if ref.ali else ""),
        "ligne": "par exemple accompagnement_ali, diagnostics, formation, iae, mobilite, garde_enfants, autre",
    }
    regles = tuple(
        Regle(c, mention_obligatoire(c, contrat.OBLIGATOIRES_BUDGET), formats[c], valeurs.get(c, ""))
        for c in contrat.COLONNES_BUDGET
    )
    exemple = (
        {
            "annee": "2021",
            "code_ali": "",
            "ligne": "diagnostics",
            "montant_vote": "250000",
            "montant_execute": "231500",
        },
        {
            "annee": "2021",
            "code_ali": ref.ali[0]["code_ali"],
            "ligne": "accompagnement_ali",
            "montant_vote": "1 200 000",
            "montant_execute": "1 150 000,50",
        },
    )
    listes = {"code_ali": tuple(a["code_ali"] for a in ref.ali)}
    return TypeFichier("budget", "Fichier budget", tuple(contrat.COLONNES_BUDGET), regles, exemple, listes)


def types_fichier() -> list[TypeFichier]:
    """Les types de fichier que le chargeur reconnaît (d'après leurs colonnes), dans l'ordre du contrat. L'annuaire
    vient avant les mises en relation et les actions qui le citent, les actions avant leurs participations."""
    return [
        file_active(),
        budget(),
        structures(),
        mises_en_relation(),
        actions_collectives(),
        participations(),
        moyens(),
    ]
