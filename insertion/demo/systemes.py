"""Données de démonstration des fichiers du contrat §7 (issue 14), cohérentes avec la file active de la démonstration.

Appelé par `insertion.demo.generer`, qui lui passe ses épisodes simulés (mêmes pseudonymes) : rien ici ne change
les données de file active de la démonstration (aucun tirage des générateurs de demo.py n'est consommé ; chaque
fichier a le sien, tiré de la graine). Les fichiers écrits, dans l'ordre où le chargeur doit les lire :

- ``structures.csv`` : l'annuaire. Les 22 ALI (code = code de l'ALI), les trois structures partenaires de l'ALI
  Clichy-sous-Bois – Montfermeil – Coubron (C2Di 93, Self Interim, Energie) et une cinquantaine de membres du
  réseau local des acteurs de l'insertion de Pantin. Données de démonstration : chaque ligne porte le réseau
  ``donnees_demonstration`` ; seuls un nom public et un type sont donnés (génériques quand aucun nom public ne
  s'impose), aucun site ni aucun contact ;
- ``mises_en_relation_2026-10-31.csv`` : les mises en relation de C2Di 93, Self Interim et Energie pour des
  personnes suivies par ALI14, vers les TPE et PME du territoire ; une sortie en emploi de l'épisode y est précédée
  d'une embauche (l'accord avec la file active du contrat §7.2), et quelques missions courtes n'en font pas sortir ;
- ``actions_collectives_2026-10-31.csv`` : les ateliers numériques d'ALI14, chaque mardi et chaque vendredi depuis
  février 2023 (hors août), environ 7 personnes devant les écrans ; les « Jeudis de l'insertion » du réseau de
  Pantin, une journée dans chacun de ses quartiers en juin 2023 (questions, rendez-vous pris, personnes
  remobilisées) ; une information collective mensuelle dans chaque ALI ouverte ;
- ``participations_2026-10-31.csv`` : qui était à chaque atelier numérique : des personnes suivies par ALI14 à
  cette date, de préférence diagnostiquées « debutant » dans les 60 jours précédents ;
- ``moyens_2026-10-31.csv`` : référents (ETP) et places de chaque ALI, mois par mois depuis son ouverture, qui
  montent avec sa file active vers les cibles du Département pour 2026 (340 référents, 12 600 places) ;
  référents formés par l'École des CIP à partir de septembre 2024.

`freins(ep, seed)` donne les freins périphériques (contrat §7.1) de chaque épisode, évalués à l'entrée : demo.py
les écrit dans les extractions à partir de 2025 (les plus anciennes restent sans ces colonnes, comme de vraies
extractions d'avant la version 2 du contrat).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from insertion import contrat

FIN = date(2026, 10, 31)
# Les extractions à partir de cette date portent les colonnes frein_*.
DEBUT_FREINS = date(2025, 1, 1)
NOMS = (
    "structures.csv",
    "mises_en_relation_2026-10-31.csv",
    "actions_collectives_2026-10-31.csv",
    "participations_2026-10-31.csv",
    "moyens_2026-10-31.csv",
)
RESEAU_DEMO = "donnees_demonstration"
RESEAU_PANTIN = "reseau_pantin"
PARTENAIRES_ALI14 = {"C2DI93": "C2Di 93", "SELF-INTERIM": "Self Interim", "ENERGIE": "Energie"}
PANTIN = "93055"
QUARTIERS_PANTIN = (
    "Quatre-Chemins", "Courtillières", "Centre-ville", "Église", "Haut et Petit-Pantin", "Mairie – Hoche",
    "Sept-Arpents – Stalingrad",
)  # fmt: skip
# Le premier atelier numérique d'ALI14 (ouverte en février 2023) : le premier mardi du mois.
DEBUT_ATELIERS = date(2023, 2, 7)

# Les freins (contrat §7.1) : part de « oui » parmi les réponses connues, avant l'effet du profil.
_PREVALENCES = {
    "frein_logement": 0.32,
    "frein_garde_enfants": 0.12,
    "frein_mobilite": 0.34,
    "frein_sante": 0.24,
    "frein_numerique": 0.20,
    "frein_langue": 0.10,
    "frein_administratif": 0.30,
}
_PART_NON_EVALUE = 0.12  # personnes dont les freins n'ont pas été évalués à l'entrée (toutes les colonnes vides)

# L'annuaire de Pantin (réseau local des acteurs de l'insertion) : (code, nom public ou générique, type, domaines).
_RESEAU_PANTIN = [
    ("PANTIN-RESEAU", "Réseau local des acteurs de l'insertion de Pantin", "service_municipal", "emploi|acces_droits"),
    ("PANTIN-EMPLOI", "Service municipal de l'emploi de Pantin", "service_municipal", "emploi"),
    ("PANTIN-CCAS", "Centre communal d'action sociale de Pantin", "service_municipal", "acces_droits|logement"),
    ("PANTIN-ML", "Mission locale (antenne de Pantin)", "mission_locale", "emploi|formation|logement|sante"),
    ("PANTIN-FT", "France Travail (agence de Pantin)", "france_travail", "emploi|formation"),
    ("PANTIN-FACE", "FACE Seine-Saint-Denis", "association", "emploi"),
    ("PANTIN-EMMAUS-CONNECT", "Emmaüs Connect", "association", "numerique"),
    ("PANTIN-RELAIS-1", "Relais solidaire des Quatre-Chemins", "association", "acces_droits|numerique"),
    ("PANTIN-RELAIS-2", "Relais solidaire des Courtillières", "association", "acces_droits|numerique"),
    ("PANTIN-RELAIS-3", "Relais solidaire du Centre", "association", "acces_droits"),
    ("PANTIN-EBE", "Entreprise à but d'emploi (Territoires zéro chômeur de longue durée)", "ebe", "emploi"),
    ("PANTIN-UNIV", "Université (antenne de formation continue)", "universite", "formation"),
    ("PANTIN-PIJ", "Point information jeunesse de Pantin", "service_municipal", "formation|acces_droits"),
    ("PANTIN-MDQ-1", "Maison de quartier des Quatre-Chemins", "service_municipal", "acces_droits|numerique"),
    ("PANTIN-MDQ-2", "Maison de quartier des Courtillières", "service_municipal", "acces_droits|numerique"),
    ("PANTIN-MDQ-3", "Maison de quartier du Haut et Petit-Pantin", "service_municipal", "acces_droits"),
    ("PANTIN-MDQ-4", "Maison de quartier Mairie – Hoche", "service_municipal", "acces_droits"),
    ("PANTIN-MDQ-5", "Maison de quartier des Sept-Arpents", "service_municipal", "acces_droits"),
    ("PANTIN-CMS", "Centre municipal de santé de Pantin", "service_municipal", "sante"),
    ("PANTIN-PMI", "Centre de protection maternelle et infantile", "service_municipal", "garde_enfants|sante"),
    ("PANTIN-CRECHE-1", "Crèche à vocation d'insertion professionnelle (AVIP)", "association", "garde_enfants"),
    ("PANTIN-CRECHE-2", "Multi-accueil associatif", "association", "garde_enfants"),
    ("PANTIN-RAM", "Relais petite enfance de Pantin", "service_municipal", "garde_enfants"),
    ("PANTIN-LOGEMENT-1", "Service municipal du logement", "service_municipal", "logement"),
    ("PANTIN-LOGEMENT-2", "Association d'accompagnement vers le logement", "association", "logement|acces_droits"),
    ("PANTIN-LOGEMENT-3", "Bailleur social (agence de proximité)", "entreprise", "logement"),
    ("PANTIN-MOBILITE-1", "Plateforme mobilité (permis et transports)", "association", "mobilite"),
    ("PANTIN-MOBILITE-2", "Auto-école associative", "association", "mobilite"),
    ("PANTIN-SIAE-1", "Atelier et chantier d'insertion (espaces verts)", "siae", "emploi|formation"),
    ("PANTIN-SIAE-2", "Atelier et chantier d'insertion (réemploi)", "siae", "emploi|formation"),
    ("PANTIN-SIAE-3", "Entreprise d'insertion (restauration)", "siae", "emploi"),
    ("PANTIN-SIAE-4", "Association intermédiaire", "siae", "emploi"),
    ("PANTIN-SIAE-5", "Entreprise de travail temporaire d'insertion", "siae", "emploi"),
    ("PANTIN-GEIQ", "Groupement d'employeurs pour l'insertion et la qualification", "siae", "emploi|formation"),
    ("PANTIN-OF-1", "Organisme de formation (français langue étrangère)", "organisme_formation", "langue|formation"),
    ("PANTIN-OF-2", "Organisme de formation (savoirs de base)", "organisme_formation", "formation|numerique"),
    ("PANTIN-OF-3", "Organisme de formation (métiers du bâtiment)", "organisme_formation", "formation"),
    ("PANTIN-OF-4", "Organisme de formation (métiers du soin)", "organisme_formation", "formation"),
    ("PANTIN-ASL-1", "Ateliers sociolinguistiques (association de quartier)", "association", "langue"),
    ("PANTIN-ASL-2", "Ateliers sociolinguistiques (centre social)", "association", "langue|acces_droits"),
    ("PANTIN-NUM-1", "Espace public numérique de Pantin", "service_municipal", "numerique"),
    ("PANTIN-NUM-2", "Conseillers numériques (association)", "association", "numerique|acces_droits"),
    ("PANTIN-DROITS-1", "Point justice de Pantin", "service_municipal", "acces_droits"),
    ("PANTIN-DROITS-2", "Permanence d'accès aux droits sociaux", "association", "acces_droits"),
    ("PANTIN-SANTE-1", "Permanence d'accès aux soins de santé", "association", "sante|acces_droits"),
    ("PANTIN-SANTE-2", "Centre médico-psychologique", "autre", "sante"),
    ("PANTIN-CREATION", "Couveuse et accompagnement à la création d'entreprise", "association", "emploi"),
    ("PANTIN-PLIE", "Plan local pour l'insertion et l'emploi (Est Ensemble)", "service_municipal", "emploi"),
    ("PANTIN-ENTREPRISES", "Club d'entreprises du territoire", "entreprise", "emploi"),
    ("PANTIN-EPICERIE", "Épicerie solidaire", "association", "acces_droits"),
]
# Les partenaires d'ALI14 (contrat §7.2) : noms publics et types.
_PARTENAIRES = [
    ("C2DI93", "C2Di 93", "association", "93014", "emploi"),
    ("SELF-INTERIM", "Self Interim", "siae", "93014", "emploi"),
    ("ENERGIE", "Energie", "association", "93047", "emploi|formation"),
]


# --------------------------------------------------------------------------- freins (§7.1)


def freins(ep: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Les freins de chaque épisode (mêmes lignes que ep) : « oui », « non » ou « » (non évalué), tirés d'un
    générateur à part ; liés au profil (garde d'enfants et foyer avec enfants, langue et niveau A1/A2, numérique
    et niveau débutant). Un même épisode a les mêmes freins dans toutes les extractions qui le contiennent."""
    rng = np.random.default_rng([seed, 14, 1])
    n = len(ep)
    foyer = ep["composition_foyer"].to_numpy()
    avec_enfants = np.isin(foyer, ["seul_avec_enfants", "couple_avec_enfants"])
    langue_faible = np.isin(ep["niveau_linguistique"].to_numpy(), ["A1", "A2"])
    debutant = ep["niveau_numerique"].to_numpy() == "debutant"
    sante_age = np.isin(ep["tranche_age"].to_numpy(), ["45_54", "55_plus"])
    mobilite_loin = np.isin(ep["code_commune"].to_numpy(), ["93014", "93047", "93015", "93071", "93078", "93073"])
    facteurs = {
        "frein_logement": np.where(ep["type_parcours"].to_numpy() == "social", 1.3, 0.85),
        "frein_garde_enfants": np.where(avec_enfants, 3.0, 0.2),
        "frein_mobilite": np.where(mobilite_loin, 1.4, 0.9),
        "frein_sante": np.where(sante_age, 1.6, 0.8),
        "frein_numerique": np.where(debutant, 3.0, 0.6),
        "frein_langue": np.where(langue_faible, 5.0, 0.4),
        "frein_administratif": np.ones(n),
    }
    non_evalue = rng.random(n) < _PART_NON_EVALUE
    out = {}
    for colonne, part in _PREVALENCES.items():
        p = np.minimum(0.95, part * facteurs[colonne])
        valeurs = np.where(rng.random(n) < p, "oui", "non").astype(object)
        valeurs[rng.random(n) < 0.03] = ""  # une question restée sans réponse
        valeurs[non_evalue] = ""
        out[colonne] = valeurs
    return pd.DataFrame(out, index=ep.index)


# --------------------------------------------------------------------------- annuaire (§7.5)


def _annuaire(ref) -> pd.DataFrame:
    lignes = []
    for a in sorted(ref.ali, key=lambda a: a["code_ali"]):
        domaines = "emploi|formation|numerique|langue|acces_droits"
        reseaux = [RESEAU_DEMO] + ([RESEAU_PANTIN] if a["code_ali"] == "ALI09" else [])
        lignes.append((a["code_ali"], f"ALI {a['nom']}", "ali", a["communes"][0], domaines, "|".join(reseaux)))
    for code, nom, type_, commune, domaines in _PARTENAIRES:
        lignes.append((code, nom, type_, commune, domaines, f"partenaires_ali14|{RESEAU_DEMO}"))
    for code, nom, type_, domaines in _RESEAU_PANTIN:
        lignes.append((code, nom, type_, PANTIN, domaines, f"{RESEAU_PANTIN}|{RESEAU_DEMO}"))
    colonnes = ["code_structure", "nom_structure", "type", "code_commune", "domaines", "reseaux"]
    table = pd.DataFrame(lignes, columns=colonnes)
    table["site_web"] = ""  # aucun détail inventé au-delà du nom public et du type
    return table[contrat.COLONNES_STRUCTURES]


# --------------------------------------------------------------------------- mises en relation (§7.2)


def _jours(x: np.ndarray) -> np.ndarray:
    return np.asarray(x).astype("datetime64[D]")


def _iso(d) -> str:
    return "" if pd.isna(d) else str(np.datetime64(d, "D"))


def _mises_en_relation(ep: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Des personnes suivies par ALI14 en parcours professionnel ou socio-professionnel, mises en relation par l'un
    des trois partenaires. Une sortie en emploi de l'épisode fait une embauche (dans les 90 jours qui la précèdent) ;
    sinon, refus, abandon, une mission courte sans sortie, ou en cours si la mise en relation est récente."""
    rng = np.random.default_rng([seed, 14, 2])
    fin = np.datetime64(FIN.isoformat())
    ali14 = ep[(ep["code_ali"] == "ALI14") & ep["type_parcours"].isin(["professionnel", "socio_professionnel"])]
    orientation = _jours(ali14["date_orientation"].to_numpy())
    sortie = _jours(ali14["date_sortie"].to_numpy())
    motif = ali14["motif_sortie"].to_numpy()
    emploi = np.isin(motif, ["emploi_durable", "creation_entreprise", "emploi_transition"]) & (sortie <= fin)
    # Une sortie en emploi sur deux passe par un partenaire ; une personne sur dix parmi les autres est mise en
    # relation sans embauche.
    choisis = np.flatnonzero(np.where(emploi, rng.random(len(ali14)) < 0.5, rng.random(len(ali14)) < 0.10))
    structures = np.array(list(PARTENAIRES_ALI14), dtype=object)
    lignes = []
    for i in choisis:
        o, s = orientation[i], sortie[i]
        structure = structures[rng.choice(3, p=[0.45, 0.35, 0.20])]
        taille = rng.choice(["tpe", "pme", "eti_ge", "inconnue"], p=[0.48, 0.38, 0.09, 0.05])
        naf = rng.choice(list("CFGHINQ"), p=[0.08, 0.22, 0.18, 0.14, 0.16, 0.12, 0.10])
        if emploi[i]:
            if s - o < np.timedelta64(10, "D"):
                continue  # sortie trop rapide pour une mise en relation puis une embauche
            embauche = s - rng.integers(0, 31)
            mise = max(o + 7, embauche - rng.integers(10, 60))
            embauche = max(embauche, mise)
            if motif[i] == "creation_entreprise":
                contrat_, duree = "creation", ""
            elif motif[i] == "emploi_durable":
                contrat_ = rng.choice(["cdi", "cdd", "interim"], p=[0.5, 0.35, 0.15])
                duree = "" if contrat_ == "cdi" else str(int(rng.integers(6, 19)))
            else:
                contrat_ = rng.choice(["cdd", "interim", "contrat_aide", "alternance"], p=[0.4, 0.3, 0.2, 0.1])
                duree = str(int(rng.integers(1, 6)))
            lignes.append((ali14["id_beneficiaire"].iat[i], structure, mise, taille, naf, "embauche", embauche,
                           contrat_, duree))  # fmt: skip
            continue
        fin_possible = min(s, fin)
        if fin_possible - o < np.timedelta64(14, "D"):
            continue
        mise = o + rng.integers(7, max(8, int((fin_possible - o).astype(int)) - 5))
        if fin - mise < np.timedelta64(45, "D") and s > fin:
            issue = "en_cours"
        elif rng.random() < 0.3 and fin_possible - mise > np.timedelta64(40, "D"):
            # Une mission courte (intérim, CDD d'un à trois mois) : la personne reste suivie, l'épisode ne sort pas
            # en emploi. Ces embauches-là n'ont pas de sortie dans la file active (contrat §7.2, accord).
            embauche = mise + rng.integers(10, 40)
            contrat_ = rng.choice(["interim", "cdd"], p=[0.6, 0.4])
            lignes.append((ali14["id_beneficiaire"].iat[i], structure, mise, taille, naf, "embauche", embauche,
                           contrat_, str(int(rng.integers(1, 4)))))  # fmt: skip
            continue
        else:
            issue = rng.choice(["refus_employeur", "refus_personne", "abandon"], p=[0.55, 0.25, 0.20])
        lignes.append((ali14["id_beneficiaire"].iat[i], structure, mise, taille, naf, issue, None, "", ""))
    table = pd.DataFrame(
        lignes,
        columns=["id_beneficiaire", "code_structure", "mise", "taille_entreprise", "secteur_naf", "issue", "embauche",
                 "type_contrat", "duree_contrat_mois"],
    )  # fmt: skip
    table = table[table["mise"] >= np.datetime64(DEBUT_ATELIERS.isoformat())]
    table = table.sort_values(["code_structure", "mise", "id_beneficiaire"], kind="stable")
    return pd.DataFrame(
        {
            "id_beneficiaire": table["id_beneficiaire"],
            "code_ali": "ALI14",
            "code_structure": table["code_structure"],
            "date_mise_en_relation": [_iso(d) for d in table["mise"]],
            "taille_entreprise": table["taille_entreprise"],
            "secteur_naf": table["secteur_naf"],
            "issue": table["issue"],
            "date_embauche": [_iso(d) for d in table["embauche"]],
            "type_contrat": table["type_contrat"],
            "duree_contrat_mois": table["duree_contrat_mois"],
            "date_extraction": FIN.isoformat(),
        }
    )[contrat.COLONNES_MISES_EN_RELATION]


# --------------------------------------------------------------------------- actions collectives (§7.3)


def _seances_ateliers() -> list[date]:
    """Chaque mardi et chaque vendredi d'ALI14 depuis le premier atelier, hors août et hors fin d'année."""
    jours, d = [], DEBUT_ATELIERS
    while d <= FIN:
        vacances = d.month == 8 or (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day <= 2)
        if d.weekday() in (1, 4) and not vacances:
            jours.append(d)
        d += timedelta(days=1)
    return jours


def _actions(ep: pd.DataFrame, ref, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng([seed, 14, 3])
    actions, participations = [], []

    # Ateliers numériques d'ALI14 : les personnes suivies à cette date, diagnostiquées débutantes dans les 60 jours
    # d'abord, puis d'autres débutantes ou intermédiaires, puis des personnes pas encore diagnostiquées ; environ 7
    # devant 8 écrans.
    ali14 = ep[ep["code_ali"] == "ALI14"]
    orientation = _jours(ali14["date_orientation"].to_numpy())
    sortie = _jours(ali14["date_sortie"].to_numpy())
    diag = _jours(ali14["date_diag_numerique"].to_numpy())
    niveau = ali14["niveau_numerique"].to_numpy()
    ids = ali14["id_beneficiaire"].to_numpy()
    for jour in _seances_ateliers():
        j = np.datetime64(jour.isoformat())
        suivis = (orientation <= j) & (sortie > j)
        recents = np.flatnonzero(suivis & (niveau == "debutant") & (diag <= j) & (diag >= j - 60))
        autres = np.flatnonzero(suivis & np.isin(niveau, ["debutant", "intermediaire"]) & (diag <= j) & (diag < j - 60))
        pas_encore = np.flatnonzero(suivis & ~(diag <= j))  # suivies, pas encore diagnostiquées
        voulu = int(min(8, max(4, rng.poisson(7))))
        pris = list(rng.permutation(recents)[:voulu])
        pris += list(rng.permutation(autres)[: voulu - len(pris)])
        pris += list(rng.permutation(pas_encore)[: voulu - len(pris)])
        id_action = f"ALI14-ATN-{jour.isoformat()}"
        actions.append((id_action, "atelier_numerique", "ALI14", "ALI14", "93014", "", jour, "8", str(len(pris)),
                        "", ""))  # fmt: skip
        participations += [(ids[k], id_action) for k in sorted(pris)]

    # Les « Jeudis de l'insertion » de Pantin, juin 2023 : une journée par quartier, deux quartiers certains jeudis.
    jeudis = [date(2023, 6, d) for d in (1, 8, 15, 22, 29)]
    for k, quartier in enumerate(QUARTIERS_PANTIN):
        jour = jeudis[k % len(jeudis)]
        venus = int(rng.integers(25, 61))
        rdv = int(rng.integers(6, 16))
        remobilises = int(rng.integers(2, min(9, venus)))
        slug = quartier.upper().replace(" – ", "-").replace(" ", "-").replace("È", "E").replace("É", "E")
        actions.append((f"PANTIN-JDI-{jour.isoformat()}-{slug}", "aller_vers", "PANTIN-RESEAU", "", PANTIN, quartier,
                        jour, "", str(venus), str(rdv), str(remobilises)))  # fmt: skip

    # Une information collective par mois dans chaque ALI ouverte, à partir du mois qui suit son ouverture.
    for a in sorted(ref.ali, key=lambda a: a["code_ali"]):
        m = a["ouverture"].year * 12 + a["ouverture"].month
        while True:
            annee, mois = divmod(m, 12)
            jour = date(annee, mois + 1, 10)
            if jour > FIN:
                break
            places = 20
            venus = int(min(places, rng.poisson(13)))
            actions.append((f"{a['code_ali']}-IC-{jour.isoformat()[:7]}", "information_collective", a["code_ali"],
                            a["code_ali"], a["communes"][0], "", jour, str(places), str(venus),
                            str(int(rng.binomial(venus, 0.4))), ""))  # fmt: skip
            m += 1

    colonnes = contrat.COLONNES_ACTIONS_COLLECTIVES[:-1]
    table = pd.DataFrame(actions, columns=colonnes)
    table["date_action"] = [d.isoformat() for d in table["date_action"]]
    table["date_extraction"] = FIN.isoformat()
    table = table.sort_values(["code_structure", "date_action", "id_action"], kind="stable")
    part = pd.DataFrame(participations, columns=["id_beneficiaire", "id_action"])
    part["date_extraction"] = FIN.isoformat()
    return table[contrat.COLONNES_ACTIONS_COLLECTIVES], part[contrat.COLONNES_PARTICIPATIONS]


# --------------------------------------------------------------------------- moyens (§7.4)


def _moyens(params: dict, seed: int) -> pd.DataFrame:
    """Places et référents suivent la file active visée de chaque ALI (le modèle de demo.py) : les places sont
    revues chaque trimestre, à la file active visée en fin de trimestre (arrondie à la dizaine supérieure) ; un
    référent pour 38 personnes environ, par demi-poste. Les référents formés par l'École des CIP arrivent par
    promotions, à partir de septembre 2024."""
    from insertion.demo.calendrier import mois as _mois
    from insertion.demo.calendrier import trajectoire as _trajectoire

    rng = np.random.default_rng([seed, 14, 4])
    fin = _mois(FIN)
    lignes = []
    for code, p in sorted(params.items()):
        ratio = float(rng.uniform(34, 42))
        o = _mois(p["ouverture"])
        for m in range(o, fin + 1):
            fin_trimestre = m + (2 - (m % 12) % 3)
            visee = float(_trajectoire(p["cap"], p["tau"], p["g"], np.array(fin_trimestre - o + 1)))
            places = int(np.ceil(max(visee, 20) / 10) * 10)
            actuelle = float(_trajectoire(p["cap"], p["tau"], p["g"], np.array(m - o + 1)))
            etp = max(1.0, round(actuelle / ratio * 2) / 2)
            annee, mois = divmod(m, 12)
            promotions = max(0, (m - (2024 * 12 + 8)) // 6 + 1) if m >= 2024 * 12 + 8 else 0
            cip = min(int(etp), promotions * max(1, int(round(etp * 0.06)))) if promotions else 0
            lignes.append((code, f"{annee}-{mois + 1:02d}", f"{etp:.1f}".replace(".", ","), str(places),
                           str(cip) if m >= 2024 * 12 + 8 else ""))  # fmt: skip
    table = pd.DataFrame(lignes, columns=["code_ali", "mois", "referents_etp", "places", "cip_ecole"])
    table["date_extraction"] = FIN.isoformat()
    return table[contrat.COLONNES_MOYENS]


# --------------------------------------------------------------------------- écriture


def generer(out_dir: Path, ep: pd.DataFrame, params: dict, ref, seed: int = 93) -> list[Path]:
    """Écrit les fichiers du §7 dans out_dir, dans l'ordre de chargement (l'annuaire d'abord, les actions avant
    leurs participations) ; renvoie leurs chemins. CSV « ; » en UTF-8, comme l'export d'un tableur."""
    out_dir = Path(out_dir)
    actions, participations = _actions(ep, ref, seed)
    tables = [
        _annuaire(ref),
        _mises_en_relation(ep, seed),
        actions,
        participations,
        _moyens(params, seed),
    ]
    paths = []
    for nom, table in zip(NOMS, tables, strict=True):
        path = out_dir / nom
        table.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths
