"""Définitions des indicateurs (contrat §5), affichées dans « Méthode » et jointes aux exports."""

from __future__ import annotations

from dataclasses import dataclass

from insertion.indicators import libelles
from insertion.protect import secret


@dataclass(frozen=True)
class Definition:
    titre: str
    definition: str
    denominateur: str
    requetes: tuple[str, ...]  # fichiers de queries/, sans l'extension


DEFINITIONS = {
    "file_active": Definition(
        "File active",
        "Nombre de personnes distinctes (id_beneficiaire) dont un épisode a commencé au plus tard à la date "
        "d'observation D et n'est pas terminé à D (date de sortie vide ou postérieure à D). Une personne "
        "suivie dans deux ALI compte une fois au département et une fois dans chaque ALI.",
        "Sans objet (effectif).",
        ("file_active",),
    ),
    "file_active_mensuelle": Definition(
        "File active mensuelle",
        "La file active à chaque fin de mois de la période (le mois de D est pris à D).",
        "Sans objet (effectif).",
        ("file_active_mensuelle",),
    ),
    "entrees_sorties": Definition(
        "Entrées et sorties",
        "Entrées d'un mois : épisodes dont la date d'orientation tombe dans le mois. Sorties : épisodes dont la "
        "date de sortie tombe dans le mois.",
        "Sans objet (effectifs d'épisodes).",
        ("entrees_sorties_mensuelles", "entrees_sorties"),
    ),
    "diag_numerique": Definition(
        "Diagnostic numérique à 90 jours",
        "Parmi les épisodes orientés pendant la période P et au plus tard à D − 90 jours, la part dont le "
        "diagnostic numérique est daté au plus tard 90 jours après l'orientation. Délai médian : médiane, en "
        "jours, de (date du diagnostic − date d'orientation) parmi les épisodes de P diagnostiqués au plus tard à D.",
        "Épisodes orientés pendant P et depuis au moins 90 jours à D.",
        ("taux_diagnostic_90j",),
    ),
    "diag_linguistique": Definition(
        "Diagnostic linguistique à 90 jours",
        "Même définition que le diagnostic numérique, avec la date du diagnostic linguistique.",
        "Épisodes orientés pendant P et depuis au moins 90 jours à D.",
        ("taux_diagnostic_90j",),
    ),
    "diag_les_deux": Definition(
        "Les deux diagnostics à 90 jours",
        "Parmi les épisodes orientés pendant P et au plus tard à D − 90 jours, la part qui a ses deux diagnostics, "
        "numérique et linguistique, datés au plus tard 90 jours après l'orientation (le second compte). Délai "
        "médian : jours entre l'orientation et le second diagnostic, pour les épisodes aux deux diagnostics datés.",
        "Épisodes orientés pendant P et depuis au moins 90 jours à D.",
        ("taux_diagnostic_90j",),
    ),
    "sortie_emploi_12m": Definition(
        "Sortie en emploi à 12 mois",
        "Parmi les épisodes orientés pendant P et au plus tard à D − 365 jours, la part sortie au plus tard "
        "365 jours après l'orientation pour un motif du groupe « sortie en emploi » (emploi durable, création "
        "d'entreprise, emploi de transition). Même calcul pour le groupe « emploi durable » (emploi durable, "
        "création d'entreprise).",
        "Épisodes orientés pendant P et depuis au moins 365 jours à D.",
        ("taux_sortie_emploi_12m",),
    ),
    "sorties_par_motif": Definition(
        "Sorties par motif",
        "Épisodes dont la date de sortie tombe dans la période, par motif et par groupe (emploi durable : les "
        "motifs emploi durable et création d'entreprise ; sortie en emploi ; sortie dynamique, selon les "
        "catégories de l'IAE). Le motif emploi durable seul se lit « Motif emploi durable ». Une sortie sans "
        "motif compte en « non renseigné ».",
        "Sans objet (effectifs d'épisodes).",
        ("sorties_par_motif",),
    ),
    "budget": Definition(
        "Budget de l'insertion",
        "Crédits votés et exécutés par année et par ligne budgétaire ; taux d'exécution = exécuté / voté ; "
        "indice = montant de l'année / montant de 2021 × 100.",
        "Montant voté (taux d'exécution), montant de 2021 (indice).",
        ("budget_annuel",),
    ),
    "cout_par_personne": Definition(
        "Coût par personne suivie",
        "Montant exécuté d'une année divisé par la moyenne des files actives de fin de mois de cette année "
        "(mois échus au plus tard à D).",
        "File active moyenne de l'année.",
        ("cout_par_personne",),
    ),
    # --- Freins périphériques et réseau local (contrat §7.1 et §7.5) ---
    "freins_prevalence": Definition(
        "Prévalence des freins périphériques",
        "Parmi les personnes de la file active à la date d'observation D (même définition que la file active ; une "
        "personne compte une fois, avec la réponse de son épisode actif le plus récent), la part de celles qui "
        "ont le frein (réponse « oui » évaluée à l'entrée), pour chacun des sept freins : logement, garde "
        "d'enfants, mobilité, santé, numérique, langue, démarches administratives. Une réponse vide est inconnue : "
        "elle n'entre pas dans le calcul. Une extraction sans les colonnes de freins n'a aucune réponse connue.",
        "Personnes de la file active à D dont la réponse à ce frein est connue (oui ou non).",
        ("freins_prevalence",),
    ),
    "freins_par_personne": Definition(
        "Nombre de freins par personne",
        "Pour chaque personne de la file active à D ayant au moins une réponse connue, le nombre de freins "
        "déclarés « oui » parmi les sept, en classes 0, 1, 2, 3 et 4 ou plus ; une réponse inconnue ne compte pas "
        "comme un frein.",
        "Personnes de la file active à D ayant au moins une réponse connue.",
        ("freins_par_personne",),
    ),
    "freins_sortie_emploi": Definition(
        "Sortie en emploi à 12 mois avec ou sans chaque frein",
        "Même cohorte et même calcul que le taux de sortie en emploi à 12 mois (épisodes orientés pendant P et "
        "au plus tard à D − 365 jours, sortis en emploi au plus tard 365 jours après l'orientation), séparée "
        "selon que le frein était présent (« oui ») ou absent (« non ») à l'entrée ; les épisodes dont la réponse "
        "est inconnue ne comptent d'aucun côté. Un écart se lit avec prudence : les personnes avec un frein "
        "diffèrent aussi sur d'autres points.",
        "Épisodes orientés pendant P, depuis au moins 365 jours à D, dont la réponse à ce frein est connue.",
        ("freins_sortie_emploi",),
    ),
    "annuaire_structures": Definition(
        "Annuaire des structures",
        "Les structures du territoire chargées dans l'annuaire (fichier « structures ») : nom, type, commune, "
        "domaines d'intervention et réseaux. Des organisations, jamais de contact personnel. Recherche par "
        "commune, domaine, réseau et nom (sans tenir compte des majuscules ni des accents).",
        "Sans objet (liste de structures).",
        ("annuaire_structures",),
    ),
    "couverture_freins": Definition(
        "Couverture des freins par le réseau local",
        "Pour chaque commune et chaque frein, le nombre de structures de l'annuaire situées dans la commune qui "
        "couvrent le domaine correspondant (logement, garde d'enfants, mobilité, santé, numérique, langue ; "
        "accès aux droits pour les démarches administratives), en regard de la part des personnes suivies de la "
        "commune qui ont ce frein. Une structure d'une commune voisine n'est pas comptée.",
        "Sans objet (nombre de structures).",
        ("couverture_freins", "freins_prevalence"),
    ),
    "mises_en_relation": Definition(
        "Mises en relation par les partenaires",
        "Mises en relation d'une personne suivie avec un employeur du territoire par une structure partenaire "
        "(contrat §7.2), datées dans la période. Taux d'embauche : mises en relation dont l'issue est une embauche. "
        "Contrat long : CDI, création d'entreprise, ou contrat d'au moins 6 mois. TPE/PME : entreprise de moins de "
        "250 salariés (taille inconnue exclue).",
        "Mises en relation de la période (taux d'embauche) ; embauches de la période (contrats longs, TPE/PME).",
        ("mises_en_relation",),
    ),
    "delais_mise_en_relation": Definition(
        "Délais jusqu'à la mise en relation et à l'embauche",
        "Pour chaque personne dans une ALI dont la première mise en relation tombe dans la période : jours entre "
        "l'orientation de son épisode (le plus récent orienté à cette date) et cette première mise en relation ; "
        "puis jusqu'à sa première embauche. Médianes, arrondies au pas du secret.",
        "Personnes mises en relation pour la première fois dans la période, avec un épisode dans l'ALI.",
        ("delais_mise_en_relation",),
    ),
    "embauches_sorties": Definition(
        "Embauches et sorties en emploi",
        "Embauches par un partenaire, dans la période et au plus tard 90 jours avant D, dont l'épisode de la "
        "personne dans la même ALI est sorti de 0 à 90 jours après l'embauche avec un motif du groupe « sortie en "
        "emploi ». Mesure l'accord entre les fichiers des partenaires et la file active.",
        "Embauches de la période datant d'au moins 90 jours à D.",
        ("embauches_sorties",),
    ),
    # Moyens (contrat §7.4).
    "moyens_referents_places": Definition(
        "Référents et places",
        "Référents d'accompagnement en équivalents temps plein (ETP) et places d'accompagnement déclarés par chaque "
        "ALI pour le mois (fichier des moyens), additionnés sur les ALI qui ont déclaré ce mois-là. Cibles du "
        "Département (contrat §7.4) : de 170 à 340 référents et de 6 300 à 12 600 places d'ici 2026. Progression "
        "vers une cible = (valeur du dernier mois déclaré − valeur de départ) / (cible − valeur de départ). Les "
        "moyens sont déclarés par ALI : seul le filtre ALI s'applique.",
        "Cible 2026 − valeur de départ (progression).",
        ("moyens_mensuels",),
    ),
    "personnes_par_referent": Definition(
        "Personnes suivies par référent",
        "File active de fin de mois (au mois de D : à D) des ALI qui ont déclaré leurs moyens ce mois-là, divisée "
        "par leurs référents en ETP. Une ALI sans déclaration pour le mois n'entre ni au numérateur ni au "
        "dénominateur. Au département, les files actives des ALI sont additionnées : une personne suivie par deux "
        "ALI à la fois compte dans chacune. Calculé sur la file active publiée (secret statistique).",
        "Référents (ETP) des ALI déclarantes du mois.",
        ("moyens_mensuels",),
    ),
    "taux_occupation": Definition(
        "Taux d'occupation des places",
        "File active de fin de mois des ALI qui ont déclaré leurs moyens ce mois-là, divisée par leurs places "
        "d'accompagnement ; au-delà de 100 %, les ALI suivent plus de personnes qu'elles n'ont de places. Calculé "
        "sur la file active publiée (secret statistique).",
        "Places des ALI déclarantes du mois.",
        ("moyens_mensuels",),
    ),
    "cout_par_place": Definition(
        "Coût par place",
        "Montant exécuté d'une année (budget, comme le coût par personne suivie) divisé par la moyenne, sur les mois "
        "déclarés de l'année (au plus tard le mois de D), des places déclarées par les ALI. Non calculé pour un "
        "exercice en cours ou une année sans place déclarée.",
        "Places moyennes déclarées de l'année.",
        ("cout_par_place",),
    ),
    "actions_collectives": Definition(
        "Actions collectives",
        "Séances d'actions collectives (ateliers numériques et linguistiques, informations collectives, journées "
        "d'aller-vers, job datings) datées dans la période, telles que les structures organisatrices les "
        "déclarent : nombre de séances, participants, rendez-vous pris pendant la séance, personnes remobilisées "
        "(qui avaient abandonné leurs droits ou leur recherche). Par type, commune et quartier de la séance, "
        "structure, ALI et mois. Les participants se comptent par séance : une personne venue à deux séances "
        "compte deux fois. Seuls les filtres de territoire s'appliquent (ALI qui mène la séance, commune, EPT).",
        "Sans objet (effectifs déclarés par séance).",
        ("actions_collectives",),
    ),
    "taux_remplissage": Definition(
        "Taux de remplissage",
        "Participants des séances dont le nombre de places est connu, divisés par ces places ; calculé sur le "
        "nombre de participants diffusé (secret statistique).",
        "Places des séances dont le nombre de places est connu.",
        ("actions_collectives",),
    ),
    "rendez_vous_par_seance": Definition(
        "Rendez-vous par séance",
        "Rendez-vous pris pendant les séances (un rendez-vous non renseigné compte 0), divisés par le nombre de "
        "séances ; calculé sur le nombre de rendez-vous diffusé (secret statistique).",
        "Séances de la période.",
        ("actions_collectives",),
    ),
    "ateliers_apres_diagnostic": Definition(
        "Débutants en numérique passés par un atelier numérique dans les 60 jours",
        "Parmi les épisodes du périmètre dont le diagnostic numérique, de niveau « débutant », est daté dans la "
        "période et au plus tard à D − 60 jours, la part dont la personne a participé à un atelier numérique "
        "daté de 0 à 60 jours après le diagnostic (fichier des participations). Sans fichier de participations "
        "pour une ALI, ses débutants comptent sans atelier.",
        "Épisodes diagnostiqués débutants en numérique pendant P et depuis au moins 60 jours à D.",
        ("ateliers_apres_diagnostic",),
    ),
    # --- Cohortes : diagnostics et sorties (vues Diagnostics et Sorties vers l'emploi) ---
    "diag_cohortes": Definition(
        "Diagnostic à 90 jours par cohorte mensuelle d'orientation",
        "Même définition que le taux de diagnostic à 90 jours, calculée pour les épisodes orientés chaque mois "
        "de la période. Seules les cohortes dont tous les épisodes ont 90 jours de recul à la date "
        "d'observation sont montrées. Le délai médian d'une cohorte porte sur ses épisodes diagnostiqués au "
        f"plus tard à la date d'observation ; il n'est pas diffusé s'il repose sur moins de {secret.SEUIL_SECRET} "
        "diagnostics, et il est arrondi à 5 jours.",
        "Épisodes orientés dans le mois (et dans la période), depuis au moins 90 jours à la date d'observation.",
        ("taux_diagnostic_cohortes",),
    ),
    "delai_median": Definition(
        "Délai médian de diagnostic",
        "Médiane, en jours, de (date du diagnostic − date d'orientation) parmi les épisodes orientés pendant la "
        "période et diagnostiqués au plus tard à la date d'observation. Non diffusé quand il repose sur moins "
        f"de {secret.SEUIL_SECRET} diagnostics (le nombre de diagnostics vient de la requête par cohorte, "
        "additionné sur les mois) ; arrondi à 5 jours.",
        "Épisodes de la période diagnostiqués au plus tard à la date d'observation.",
        ("taux_diagnostic_90j", "taux_diagnostic_cohortes"),
    ),
    "niveaux": Definition(
        "Niveaux constatés",
        "Répartition des niveaux relevés lors des diagnostics (numérique : débutant, intermédiaire, autonome, "
        "non évalué ; linguistique : A1 à C2 du cadre européen, francophone) parmi les épisodes orientés "
        "pendant la période et diagnostiqués au plus tard à la date d'observation. Un diagnostic daté sans "
        "niveau compte en « non renseigné ».",
        "Épisodes de la période diagnostiqués au plus tard à la date d'observation.",
        ("niveaux_diagnostic",),
    ),
    "sortie_cohortes": Definition(
        "Sortie en emploi à 12 mois par cohorte d'orientation",
        "Même définition que le taux de sortie en emploi à 12 mois, calculée pour les épisodes orientés chaque "
        "mois (ou trimestre) de la période. Seules les cohortes dont tous les épisodes ont 365 jours de recul "
        "à la date d'observation sont montrées.",
        "Épisodes orientés dans la cohorte (et dans la période), depuis au moins 365 jours à la date d'observation.",
        ("taux_sortie_emploi_cohortes",),
    ),
    "groupes_sortie": Definition(
        "Groupes de sortie",
        f"{libelles.GROUPE_EMPLOI_DURABLE} : motifs emploi durable (CDI, CDD ou intérim de 6 mois et plus, "
        "titularisation) et création d'entreprise ; emploi de transition : CDD ou intérim de "
        "moins de 6 mois, contrat aidé ; formation : formation qualifiante ou préqualifiante ; autres sorties : "
        "réorientation, déménagement, fin de droits, abandon, autre motif, motif non renseigné. Secret "
        "statistique : les motifs d'un groupe forment une ventilation du groupe, et les motifs d'un groupe "
        "masqué sont masqués aussi, pour qu'aucune case masquée ne se déduise des autres.",
        "Sorties de la période du territoire (part de chaque groupe).",
        ("sorties_par_motif",),
    ),
    "parcours": Definition(
        "Parcours d'une cohorte",
        "Les épisodes orientés pendant la cohorte et depuis au moins 365 jours à la date d'observation, puis, "
        "parmi eux : diagnostic numérique et diagnostic linguistique datés au plus tard 90 jours après "
        "l'orientation (les deux étapes se recouvrent en partie), sortie au plus tard 365 jours après "
        "l'orientation quel que soit le motif, sortie dans ce délai pour un motif du groupe « sortie en "
        "emploi », et pour un motif du groupe « emploi durable ».",
        "Épisodes orientés pendant la cohorte, depuis au moins 365 jours à la date d'observation.",
        ("parcours_cohorte",),
    ),
    # --- Qualité des données ---
    "qualite_completude": Definition(
        "Complétude des champs facultatifs",
        "Parmi les épisodes courants du périmètre orientés pendant la période P, la part qui a une valeur dans "
        "chaque champ facultatif : date et niveau des diagnostics numérique et linguistique, composition du foyer, "
        "ancienneté au RSA. Pour le motif de sortie, la part des sorties dont le motif est renseigné (« non "
        "renseigné » compte comme vide).",
        "Épisodes courants orientés pendant P (pour le motif de sortie : ceux qui sont sortis).",
        ("qualite_completude",),
    ),
}
