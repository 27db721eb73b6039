"""La simulation des épisodes de la démonstration : pour chaque ALI, une file active qui suit sa courbe de montée en
charge (insertion/demo/calendrier.py), calée sur les chiffres publiés, avec ses entrées, ses sorties, ses
diagnostics, ses caractéristiques et ses pseudonymes, et les personnes qui reviennent dans une autre ALI.

Tout est tiré d'une graine : même graine, mêmes épisodes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import numpy as np
import pandas as pd

from insertion.demo.calendrier import FIN, debut_mois
from insertion.demo.calendrier import mois as _mois
from insertion.demo.calendrier import trajectoire as _trajectoire

# Population approximative (milliers d'habitants) : répartit les personnes entre les communes d'une ALI.
_POPULATION = {
    "93001": 88, "93005": 87, "93006": 38, "93007": 57, "93008": 54, "93010": 54, "93013": 17, "93014": 29,
    "93015": 5, "93027": 45, "93029": 72, "93030": 11, "93031": 56, "93032": 40, "93033": 7, "93039": 8,
    "93045": 23, "93046": 44, "93047": 28, "93048": 111, "93049": 21, "93050": 36, "93051": 70, "93053": 44,
    "93055": 60, "93057": 24, "93059": 31, "93061": 18, "93062": 15, "93063": 30, "93064": 46, "93066": 113,
    "93070": 52, "93071": 51, "93072": 39, "93073": 36, "93074": 7, "93077": 30, "93078": 37, "93079": 14,
}  # fmt: skip


# Commune fusionnée → commune nouvelle (contrat §1) ; appliqué après la date_fin du référentiel.
_FUSIONS = {"93059": "93066"}


# Capacité relative à pleine charge (avant mise à l'échelle sur 12 600 au total).
_CAPACITE = {
    "ALI02": 420, "ALI03": 800, "ALI05": 380, "ALI06": 520, "ALI07": 420, "ALI08": 820, "ALI09": 520,
    "ALI10": 560, "ALI11": 520, "ALI12": 380, "ALI13": 520, "ALI15": 520, "ALI16": 500, "ALI17": 420,
    "ALI18": 380, "ALI19": 780, "ALI20": 820, "ALI21": 680, "ALI22": 560,
}  # fmt: skip


# Chiffres publiés : (ALI, date, personnes suivies, τ en mois).
CALAGES = {
    "ALI14": (date(2023, 6, 30), 638, 2.5),
    "ALI04": (date(2023, 10, 31), 389, 3.0),
    "ALI01": (date(2023, 6, 30), 250, 14.0),
}


OBJECTIF_DEPARTEMENT = 12_600


_PARCOURS = (["social", "socio_professionnel", "professionnel"], [0.35, 0.40, 0.25])


_POIDS_EMPLOI = [0.45, 1.0, 1.6]  # l'accès à l'emploi selon le parcours


_AGES = (["moins_25", "25_34", "35_44", "45_54", "55_plus"], [0.06, 0.28, 0.27, 0.22, 0.17])


_FOYERS = (["seul", "seul_avec_enfants", "couple", "couple_avec_enfants"], [0.45, 0.28, 0.07, 0.20])


_ANCIENNETES = (["moins_1_an", "1_2_ans", "2_5_ans", "5_ans_plus"], [0.18, 0.20, 0.30, 0.32])


_NIVEAUX_NUM = (["autonome", "intermediaire", "debutant", "non_evalue"], [0.30, 0.33, 0.30, 0.07])


_NIVEAUX_LING = (["A1", "A2", "B1", "B2", "C1", "C2", "francophone"], [0.10, 0.14, 0.16, 0.11, 0.06, 0.03, 0.40])


_MOTIFS_EMPLOI = (["emploi_durable", "creation_entreprise", "emploi_transition"], [0.45, 0.10, 0.45])


# "" : sortie sans motif (chargée comme non_renseigne).
_MOTIFS_AUTRES = (
    ["formation", "reorientation", "demenagement", "fin_droits", "abandon", "autre", ""],
    [0.14, 0.22, 0.10, 0.25, 0.20, 0.06, 0.03],
)


def _pseudonymes(n: int, seed: int) -> np.ndarray:
    """Ce que le Département enverra (contrat §3) : un hachage à clé, HMAC-SHA256 du rang sous une clé
    tirée de la graine, tronqué à 16 caractères hexadécimaux. Aucun tri des valeurs obtenues : des chiffres
    de suite dans un pseudonyme, la vérification des identifiants doit les accepter comme ils viennent."""
    cle = f"ali93-demo:{seed}".encode()
    return np.array([hmac.new(cle, str(i).encode(), hashlib.sha256).hexdigest()[:16] for i in range(n)], dtype=object)


def _choix(
    rng: np.random.Generator, modalites: tuple[list[str], list[float]], n: int, concentration: float | None = None
) -> np.ndarray:
    valeurs, parts = modalites
    p = np.asarray(parts, dtype=float)
    if concentration:  # une variation propre à l'ALI autour des parts de référence
        p = rng.dirichlet(p * concentration)
    return np.asarray(valeurs, dtype=object)[rng.choice(len(valeurs), size=n, p=p / p.sum())]


def _parametres(ref, rng: np.random.Generator) -> dict[str, dict]:
    fin = _mois(FIN)
    params: dict[str, dict] = {}
    for a in sorted(ref.ali, key=lambda a: a["code_ali"]):
        code = a["code_ali"]
        p = {
            "ouverture": a["ouverture"],
            "tau": float(rng.uniform(2.5, 6.0)),
            "g": float(rng.uniform(0.0, 0.03)),
            "hazard": float(rng.uniform(0.03, 0.05)),
            "taux_emploi": float(rng.uniform(0.115, 0.16)),
            "diag_num": float(rng.uniform(0.63, 0.80)),
            "diag_ling": float(rng.uniform(0.55, 0.78)),
            "cap": _CAPACITE.get(code, 500) * float(rng.uniform(0.95, 1.05)),
            "fixe": False,
        }
        if code in CALAGES:
            quand, effectif, tau = CALAGES[code]
            t = _mois(quand) - _mois(a["ouverture"]) + 1
            p["tau"] = tau
            p["cap"] = effectif / float(_trajectoire(1.0, tau, p["g"], np.array(t)))
            p["fixe"] = True
        p["t_fin"] = fin - _mois(a["ouverture"]) + 1
        params[code] = p
    # Les ALI non calées sont mises à l'échelle pour que le département atteigne l'objectif au 31/10/2026.
    fin_de = {c: float(_trajectoire(p["cap"], p["tau"], p["g"], np.array(p["t_fin"]))) for c, p in params.items()}
    fixes = sum(v for c, v in fin_de.items() if params[c]["fixe"])
    libres = sum(v for c, v in fin_de.items() if not params[c]["fixe"])
    if libres > 0:
        echelle = (OBJECTIF_DEPARTEMENT - fixes) / libres
        for p in params.values():
            if not p["fixe"]:
                p["cap"] *= max(echelle, 0.1)
    return params


def _simule_ali(p: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Mois d'orientation et mois de sortie de chaque épisode (sortie toujours après le mois d'entrée)."""
    o, fin = _mois(p["ouverture"]), _mois(FIN)
    horizon = fin + 400
    sorties_par_mois = np.zeros(horizon + 1, dtype=np.int64)
    entrees, sorties = [], []
    actifs = 0
    for m in range(o, fin + 1):
        cible = int(round(float(_trajectoire(p["cap"], p["tau"], p["g"], np.array(m - o + 1)))))
        actifs -= int(sorties_par_mois[m])
        n = max(0, cible - actifs)
        if n:
            mois_sortie = np.minimum(m + rng.geometric(p["hazard"], size=n), horizon)
            np.add.at(sorties_par_mois, mois_sortie, 1)
            entrees.append(np.full(n, m))
            sorties.append(mois_sortie)
            actifs += n
    if not entrees:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(entrees), np.concatenate(sorties)


def _jour_dans_mois(rng: np.random.Generator, m: np.ndarray) -> np.ndarray:
    debut = debut_mois(m)
    longueur = (debut_mois(m + 1) - debut).astype(np.int64)
    return debut + np.floor(rng.random(len(m)) * longueur).astype(np.int64)


def _diagnostics(
    rng: np.random.Generator,
    orientation: np.ndarray,
    sortie: np.ndarray,
    taux_90j: float,
    modalites: tuple[list[str], list[float]],
    delai_moyen: float,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(orientation)
    u = rng.random(n)
    dans_90j = 1 + np.floor(rng.beta(1.6, 3.0 * 35 / delai_moyen, n) * 89).astype(np.int64)
    tardif = 91 + np.floor(rng.gamma(2.0, 45.0, n)).astype(np.int64)
    delai = np.where(u < taux_90j, dans_90j, tardif)
    jamais = u >= taux_90j + (1 - taux_90j) * 0.55
    quand = orientation + delai
    jamais |= quand > sortie  # pas de diagnostic après la sortie
    quand = np.where(jamais, np.datetime64("NaT"), quand).astype("datetime64[D]")
    niveau = _choix(rng, modalites, n, concentration=80)
    niveau[jamais] = ""
    return quand, niveau


def episodes(ref, seed: int) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng([seed, 0])
    params = _parametres(ref, rng)
    fin = np.datetime64(FIN.isoformat())
    fins_communes = {c["code_commune"]: c["date_fin"] for c in ref.communes}
    morceaux = []
    for code, p in params.items():
        m_entree, m_sortie = _simule_ali(p, rng)
        n = len(m_entree)
        orientation = _jour_dans_mois(rng, m_entree)
        sortie = _jour_dans_mois(rng, m_sortie)
        communes = list(next(a for a in ref.ali if a["code_ali"] == code)["communes"])
        poids = np.array([_POPULATION.get(c, 10) for c in communes], dtype=float)
        commune = np.asarray(communes, dtype=object)[rng.choice(len(communes), size=n, p=poids / poids.sum())]
        for ancienne, nouvelle in _FUSIONS.items():
            date_fin = fins_communes.get(ancienne)
            if date_fin and nouvelle in fins_communes:
                commune[(commune == ancienne) & (orientation > np.datetime64(date_fin.isoformat()))] = nouvelle
        parcours = _choix(rng, _PARCOURS, n, concentration=60)
        # Motifs : le taux de sortie en emploi à 12 mois visé pour l'ALI, modulé par le parcours.
        cohorte = orientation <= fin - 365
        sortie_12m = sortie <= orientation + 365
        part_12m = float(sortie_12m[cohorte].mean()) if cohorte.any() else float(sortie_12m.mean())
        poids_parcours = pd.Series(parcours).map(dict(zip(_PARCOURS[0], _POIDS_EMPLOI, strict=True))).to_numpy()
        poids_parcours = poids_parcours / poids_parcours.mean()
        p_emploi = np.minimum(0.95, p["taux_emploi"] / max(part_12m, 0.05) * poids_parcours)
        motif = np.where(
            rng.random(n) < p_emploi,
            _choix(rng, _MOTIFS_EMPLOI, n, concentration=40),
            _choix(rng, _MOTIFS_AUTRES, n, concentration=60),
        ).astype(object)
        date_num, niv_num = _diagnostics(rng, orientation, sortie, p["diag_num"], _NIVEAUX_NUM, 35)
        date_ling, niv_ling = _diagnostics(rng, orientation, sortie, p["diag_ling"], _NIVEAUX_LING, 45)
        foyer = _choix(rng, _FOYERS, n, concentration=80)
        foyer[rng.random(n) < 0.05] = ""
        anciennete = _choix(rng, _ANCIENNETES, n, concentration=80)
        anciennete[rng.random(n) < 0.08] = ""
        morceaux.append(pd.DataFrame({
            "code_ali": code, "code_commune": commune, "date_orientation": orientation,
            "type_parcours": parcours, "date_diag_numerique": date_num, "niveau_numerique": niv_num,
            "date_diag_linguistique": date_ling, "niveau_linguistique": niv_ling, "date_sortie": sortie,
            "motif_sortie": motif, "tranche_age": _choix(rng, _AGES, n, concentration=80),
            "sexe": np.where(rng.random(n) < 0.55, "F", "M").astype(object),
            "composition_foyer": foyer, "anciennete_rsa": anciennete,
        }))  # fmt: skip
    ep = pd.concat(morceaux, ignore_index=True)
    ep["personne"] = np.arange(len(ep))
    _demenagements(ep, rng)
    ids = _pseudonymes(len(ep), seed)
    ep.insert(0, "id_beneficiaire", ids[ep["personne"].to_numpy()])
    ep = ep.drop(columns="personne").sort_values(["code_ali", "date_orientation"], kind="stable")
    return ep.reset_index(drop=True), params


def _demenagements(ep: pd.DataFrame, rng: np.random.Generator) -> None:
    """~1,5 % des personnes sorties pour déménagement ou réorientation reprennent un épisode,
    plus tard, dans une autre ALI : leur épisode suivant prend leur identité (même pseudonyme)."""
    fin = np.datetime64(FIN.isoformat())
    orientation = ep["date_orientation"].to_numpy().astype("datetime64[D]")
    sortie = ep["date_sortie"].to_numpy().astype("datetime64[D]")
    ali = ep["code_ali"].to_numpy()
    sources = np.flatnonzero(
        ep["motif_sortie"].isin(["demenagement", "reorientation"]).to_numpy() & (sortie <= fin - 60)
    )
    sources = rng.permutation(sources)[: int(round(0.015 * len(ep)))]
    utilises = np.zeros(len(ep), dtype=bool)
    utilises[sources] = True
    par_ali = {}
    for code in np.unique(ali):
        idx = np.flatnonzero(ali == code)
        idx = idx[np.argsort(orientation[idx], kind="stable")]
        par_ali[code] = (idx, orientation[idx])
    codes = sorted(par_ali)
    personne = ep["personne"].to_numpy().copy()
    sexe = ep["sexe"].to_numpy().copy()
    age = ep["tranche_age"].to_numpy().copy()
    for s in sources:
        autres = [c for c in codes if c != ali[s]]
        for code in rng.permutation(autres)[:3]:
            idx, dates = par_ali[code]
            lo, hi = np.searchsorted(dates, [sortie[s] + 15, sortie[s] + 180], side="right")
            libres = idx[lo:hi][~utilises[idx[lo:hi]]]
            if len(libres):
                cible = libres[rng.integers(len(libres))]
                utilises[cible] = True
                personne[cible], sexe[cible], age[cible] = personne[s], sexe[s], age[s]
                break
    ep["personne"], ep["sexe"], ep["tranche_age"] = personne, sexe, age
