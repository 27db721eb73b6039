"""Données de démonstration : extractions de file active anonymisées et fichier budget.

`generate(out_dir, seed)` écrit, de façon déterministe (même graine → mêmes octets), ce que
le Département recevrait des 22 ALI :

- une extraction par ALI et par trimestre depuis son ouverture (31/03, 30/06, 30/09, 31/12),
  plus une dernière au 31/10/2026, nommée ``extraction_ALI14_2023-06-30.csv`` ; chaque
  extraction est un instantané : tous les épisodes de l'ALI orientés au plus tard à la date
  d'extraction, avec seulement ce qui était connu à cette date (diagnostics et sorties
  postérieurs laissés vides) ;
- un fichier ``budget.csv`` (séparateur ``;``, montants à virgule décimale, parfois avec des
  espaces comme séparateurs de milliers) pour 2021–2026 ;
- les fichiers du contrat §7 (annuaire des structures, mises en relation, actions collectives et participations,
  moyens), écrits par insertion/demo/systemes.py à partir des mêmes épisodes (mêmes pseudonymes). Les extractions
  datées de 2025 et après portent aussi les freins périphériques (colonnes frein_*, §7.1) ; les plus anciennes
  n'en ont pas. Ni ces colonnes ni ces fichiers ne changent les données de file active : ils sont tirés de
  générateurs à part.

Les formats varient comme de vrais exports : la plupart en CSV UTF-8 ``,`` avec des dates ISO,
certains en Windows-1252 ``;`` avec des dates ``15/03/2024``, des en-têtes en majuscules et des
libellés accentués (``Socio-professionnel``, ``Intermédiaire``), quelques-uns en UTF-8 avec BOM
et ``;``, deux en .xlsx et deux en Parquet. Une poignée de fichiers contient quelques lignes
fautives (commune inconnue, date du 31 février, sortie avant l'orientation, parcours inconnu,
doublon, sexe manquant, diagnostic avant l'orientation) pour que la page qualité ait du contenu ;
rien qui ferait refuser un fichier entier (ni nom, ni NIR, ni e-mail ; les pseudonymes sont des
hachages à clé HMAC-SHA256 tronqués à 16 caractères hexadécimaux, tels quels).

Le modèle : pour chaque ALI, une cible de file active en fin de mois
T(t) = cap × (1 − exp(−t/τ)) × (1 + g·t/12), t en mois depuis l'ouverture, simulée mois par mois.
Les épisodes en cours sortent selon un risque mensuel de 3 à 5 % (jamais le mois de leur entrée) ;
les entrées du mois comblent l'écart à la cible, si bien que la file active en fin de mois vaut T.
Calage sur les chiffres publiés : ALI14 (Clichy-sous-Bois – Montfermeil – Coubron) 638 personnes
au 30/06/2023, ALI04 (La Courneuve) 389 au 31/10/2023, ALI01 (Saint-Denis) environ 250 après ses
premiers mois, 12 600 personnes suivies dans le département au 31/10/2026 (objectif 2026).
Environ 1,5 % des personnes, sorties pour déménagement ou réorientation, reviennent plus tard dans
une autre ALI sous le même pseudonyme (jamais deux épisodes en même temps). Pierrefitte-sur-Seine a
fusionné avec Saint-Denis le 1er janvier 2025 : ses habitants orientés ensuite portent le code 93066.

`build_demo(db_path)` écrit ces fichiers dans un dossier ``demo_extraits`` placé à côté du
fichier de la base (ou dans `out_dir`), puis les charge tous, dans l'ordre, avec le chargeur
du projet. Ce sont des données fictives : aucune personne réelle derrière les pseudonymes.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from insertion.contrat import COLONNES_DATES, COLONNES_FREINS
from insertion.demo import systemes as demo_systemes
from insertion.demo.calendrier import mois as _mois
from insertion.demo.calendrier import trajectoire as _trajectoire
from insertion.store.referentiel import charger_referentiel

FIN = date(2026, 10, 31)
DOSSIER_DEMO = "demo_extraits"
COLONNES = [
    "id_beneficiaire", "code_ali", "code_commune", "date_orientation", "type_parcours",
    "date_diag_numerique", "niveau_numerique", "date_diag_linguistique", "niveau_linguistique",
    "date_sortie", "motif_sortie", "tranche_age", "sexe", "composition_foyer", "anciennete_rsa",
    "date_extraction",
]  # fmt: skip
_NOM_FICHIER = re.compile(r"^extraction_[A-Za-z0-9]+_\d{4}-\d{2}-\d{2}\.(csv|xlsx|parquet)$")

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
_CALAGES = {
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

# Libellés « à la française » de certains exports (normalisés par le chargeur, contrat §3).
_LIBELLES_FR = {
    "social": "Social", "socio_professionnel": "Socio-professionnel", "professionnel": "Professionnel",
    "autonome": "Autonome", "intermediaire": "Intermédiaire", "debutant": "Débutant", "non_evalue": "Non évalué",
    "francophone": "Francophone",
    "emploi_durable": "Emploi durable", "creation_entreprise": "Création entreprise",
    "emploi_transition": "Emploi transition", "formation": "Formation", "reorientation": "Réorientation",
    "demenagement": "Déménagement", "fin_droits": "Fin droits", "abandon": "Abandon", "autre": "Autre",
    "moins_25": "Moins 25", "25_34": "25-34", "35_44": "35-44", "45_54": "45-54", "55_plus": "55 plus",
    "seul": "Seul", "seul_avec_enfants": "Seul avec enfants", "couple": "Couple",
    "couple_avec_enfants": "Couple avec enfants",
    "moins_1_an": "Moins 1 an", "1_2_ans": "1-2 ans", "2_5_ans": "2-5 ans", "5_ans_plus": "5 ans plus",
}  # fmt: skip
_COLONNES_ENUM = [
    "type_parcours", "niveau_numerique", "niveau_linguistique", "motif_sortie", "tranche_age",
    "composition_foyer", "anciennete_rsa",
]  # fmt: skip

_BUDGET_VOTE = {2021: 23_000_000, 2022: 33_000_000, 2023: 46_000_000, 2024: 46_000_000,
                2025: 47_000_000, 2026: 48_000_000}  # fmt: skip
_LIGNES_BUDGET = ["accompagnement_ali", "diagnostics", "formation", "iae", "mobilite", "garde_enfants", "autre"]
_PART_ACCOMPAGNEMENT = {2021: 0.40, 2022: 0.42}  # ensuite 0,48 : les ALI montent en charge
_PARTS_AUTRES = np.array([0.07, 0.30, 0.34, 0.11, 0.09, 0.09])  # diagnostics … autre, hors accompagnement
_EXERCICE_OUVERT = 2026


# --------------------------------------------------------------------------- dates


def _debut_mois(m: np.ndarray | int) -> np.ndarray:
    return (np.asarray(m) - (1970 * 12)).astype("datetime64[M]").astype("datetime64[D]")


def dates_extraction(ouverture: date) -> list[date]:
    """Les dates d'extraction d'une ALI : chaque fin de trimestre après l'ouverture, puis le 31/10/2026."""
    dates = []
    for annee in range(ouverture.year, FIN.year + 1):
        for mois, jour in ((3, 31), (6, 30), (9, 30), (12, 31)):
            d = date(annee, mois, jour)
            if ouverture <= d < FIN:
                dates.append(d)
    return dates + [FIN]


# --------------------------------------------------------------------------- simulation


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
        if code in _CALAGES:
            quand, effectif, tau = _CALAGES[code]
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
    debut = _debut_mois(m)
    longueur = (_debut_mois(m + 1) - debut).astype(np.int64)
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


def _episodes(ref, seed: int) -> tuple[pd.DataFrame, dict]:
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


# --------------------------------------------------------------------------- écriture


def _textes_dates(ep: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Les dates déjà mises en texte, ISO et françaises, une fois pour toutes."""
    out = {}
    for col in COLONNES_DATES:
        iso = np.datetime_as_string(ep[col].to_numpy().astype("datetime64[D]"), unit="D").astype(object)
        iso[iso == "NaT"] = ""
        fr = np.array([f"{s[8:10]}/{s[5:7]}/{s[0:4]}" if s else "" for s in iso], dtype=object)
        out[col] = {"iso": iso, "fr": fr}
    return out


def _ecrit_xlsx(table: pd.DataFrame, path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("file_active")
    ws.append(list(table.columns))
    dates = {i for i, col in enumerate(table.columns) if col.startswith("date_")}
    for row in table.itertuples(index=False):
        ws.append([None if not v else date.fromisoformat(v) if i in dates else v for i, v in enumerate(row)])
    tampon = io.BytesIO()
    wb.save(tampon)
    # openpyxl date le classeur du moment de l'enregistrement : on fige ces dates pour des octets stables.
    fige = datetime(FIN.year, FIN.month, FIN.day).strftime("%Y-%m-%dT%H:%M:%SZ")
    sortie = io.BytesIO()
    with zipfile.ZipFile(tampon) as zin, zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", fige.encode(), data)
            zinfo = zipfile.ZipInfo(info.filename, date_time=(FIN.year, FIN.month, FIN.day, 0, 0, 0))
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zinfo, data)
    path.write_bytes(sortie.getvalue())


def _ecrit_parquet(table: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for col in table.columns:
        values = table[col]
        if col in COLONNES_DATES or col == "date_extraction":
            arrays[col] = pa.array([date.fromisoformat(v) if v else None for v in values], type=pa.date32())
        else:
            arrays[col] = pa.array([v if v else None for v in values], type=pa.string())
    pq.write_table(pa.table(arrays), path, compression="snappy")


def _styles(fichiers: list[tuple[str, date]], seed: int) -> list[str]:
    """Le format de chaque fichier : CSV pour l'essentiel, deux .xlsx, deux Parquet."""
    rng = np.random.default_rng([seed, 1])
    styles = []
    for _ in fichiers:
        u = rng.random()
        styles.append("csv_fr" if u < 0.12 else "csv_bom" if u < 0.20 else "csv")
    # Les ALI calées sur les chiffres publiés restent en CSV ; les autres formats sur des instantanés intermédiaires.
    candidats = [i for i, (code, d) in enumerate(fichiers) if code not in _CALAGES and d != FIN]
    choisis = rng.choice(candidats, size=min(4, len(candidats)), replace=False)
    for k, i in enumerate(sorted(choisis)):
        styles[i] = "xlsx" if k % 2 == 0 else "parquet"
    return styles


_DEFAUTS = ["commune_inconnue", "date_impossible", "sortie_avant_orientation", "parcours_inconnu",
            "doublon", "sexe_manquant", "diag_avant_orientation"]  # fmt: skip


def _fichiers_fautifs(fichiers: list[tuple[str, date]], styles: list[str], seed: int) -> dict[int, list[str]]:
    """Une poignée de fichiers CSV reçoit deux ou trois lignes fautives ; tous les défauts figurent."""
    rng = np.random.default_rng([seed, 2])
    csv_hors_calage = [
        i for i, (code, _) in enumerate(fichiers) if styles[i].startswith("csv") and code not in _CALAGES
    ]
    derniers = [i for i in csv_hors_calage if fichiers[i][1] == FIN]
    anciens = [i for i in csv_hors_calage if fichiers[i][1] != FIN]
    choisis = list(rng.choice(derniers, size=min(3, len(derniers)), replace=False))
    choisis += list(rng.choice(anciens, size=min(5, len(anciens)), replace=False))
    sac = list(_DEFAUTS) * 3
    out = {}
    for k, i in enumerate(sorted(int(x) for x in choisis)):
        out[i] = [sac[(2 * k + j) % len(sac)] for j in range(2 + k % 2)]
    return out


def _abime(table: pd.DataFrame, defauts: list[str], rng: np.random.Generator, francais: bool, d: date) -> pd.DataFrame:
    table = table.copy()
    lignes = rng.choice(len(table), size=min(len(defauts), len(table)), replace=False)
    doublons = []
    for defaut, i in zip(defauts, lignes, strict=False):
        orientation = date.fromisoformat(_iso(table.iat[i, 3]))
        if defaut == "commune_inconnue":
            table.iat[i, 2] = "93999"
        elif defaut == "date_impossible":
            annee = d.year if d.month >= 3 else d.year - 1
            table.iat[i, 5] = f"31/02/{annee}" if francais else f"{annee}-02-31"
        elif defaut == "sortie_avant_orientation":
            avant = np.datetime64(orientation.isoformat()) - 12
            table.iat[i, 9] = _format_date(str(avant), francais)
            if not table.iat[i, 10]:
                table.iat[i, 10] = _LIBELLES_FR["abandon"] if francais else "abandon"
        elif defaut == "parcours_inconnu":
            table.iat[i, 4] = "Insertion" if francais else "insertion"
        elif defaut == "doublon":
            doublons.append(i)
        elif defaut == "sexe_manquant":
            table.iat[i, 12] = ""
        elif defaut == "diag_avant_orientation":
            avant = np.datetime64(orientation.isoformat()) - 5
            table.iat[i, 7] = _format_date(str(avant), francais)
            if not table.iat[i, 8]:
                table.iat[i, 8] = "B1"
    if doublons:
        ordre = np.concatenate([np.arange(len(table)), np.array(doublons)])
        table = table.iloc[np.sort(ordre, kind="stable")].reset_index(drop=True)
    return table


def _iso(texte: str) -> str:
    return f"{texte[6:10]}-{texte[3:5]}-{texte[0:2]}" if "/" in texte else texte


def _format_date(iso: str, francais: bool) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if francais else iso


def _ajoute_freins(table: pd.DataFrame, freins: pd.DataFrame, debut: int, fin_idx: int, francais: bool) -> None:
    """Les colonnes frein_* (contrat §7.1) avant date_extraction ; « Oui »/« Non » dans un export à la française."""
    for colonne in COLONNES_FREINS:
        valeurs = freins[colonne].to_numpy()[debut:fin_idx]
        if francais:
            valeurs = np.array([v.capitalize() for v in valeurs], dtype=object)
        table.insert(table.columns.get_loc("date_extraction"), colonne, valeurs)


def _table_fichier(ep: pd.DataFrame, textes: dict, debut: int, fin_idx: int, d: date, style: str) -> pd.DataFrame:
    sub = ep.iloc[debut:fin_idx]
    quand = np.datetime64(d.isoformat())
    francais = style == "csv_fr"
    forme = "fr" if francais else "iso"
    out = {}
    inconnu = {}
    for col in COLONNES_DATES:
        valeurs = textes[col][forme][debut:fin_idx].copy()
        dates = sub[col].to_numpy()
        inconnu[col] = ~(dates <= quand)  # NaT ou postérieur à l'extraction
        valeurs[inconnu[col]] = ""
        out[col] = valeurs
    table = pd.DataFrame({
        "id_beneficiaire": sub["id_beneficiaire"].to_numpy(),
        "code_ali": sub["code_ali"].to_numpy(),
        "code_commune": sub["code_commune"].to_numpy(),
        "date_orientation": out["date_orientation"],
        "type_parcours": sub["type_parcours"].to_numpy(),
        "date_diag_numerique": out["date_diag_numerique"],
        "niveau_numerique": np.where(inconnu["date_diag_numerique"], "", sub["niveau_numerique"].to_numpy()),
        "date_diag_linguistique": out["date_diag_linguistique"],
        "niveau_linguistique": np.where(inconnu["date_diag_linguistique"], "", sub["niveau_linguistique"].to_numpy()),
        "date_sortie": out["date_sortie"],
        "motif_sortie": np.where(inconnu["date_sortie"], "", sub["motif_sortie"].to_numpy()),
        "tranche_age": sub["tranche_age"].to_numpy(),
        "sexe": sub["sexe"].to_numpy(),
        "composition_foyer": sub["composition_foyer"].to_numpy(),
        "anciennete_rsa": sub["anciennete_rsa"].to_numpy(),
        "date_extraction": _format_date(d.isoformat(), francais),
    }, dtype=object)  # fmt: skip
    if francais:
        for col in _COLONNES_ENUM:
            table[col] = table[col].map(lambda v: _LIBELLES_FR.get(v, v))
    return table


def _ecrit(table: pd.DataFrame, path: Path, style: str) -> None:
    if style == "xlsx":
        _ecrit_xlsx(table, path)
    elif style == "parquet":
        _ecrit_parquet(table, path)
    elif style == "csv_fr":  # export Windows : cp1252, « ; », en-têtes en majuscules, fins de ligne CRLF
        table = table.rename(columns=str.upper)
        table.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    elif style == "csv_bom":
        table.to_csv(path, sep=";", index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        table.to_csv(path, sep=",", index=False, encoding="utf-8", lineterminator="\n")


# --------------------------------------------------------------------------- budget


def _montant_texte(centimes: int, espaces: bool) -> str:
    euros, cts = divmod(int(centimes), 100)
    entier = f"{euros:,}".replace(",", " ") if espaces else str(euros)
    return f"{entier},{cts:02d}"


def _repartit(total: int, parts: np.ndarray) -> list[int]:
    """Des montants entiers proportionnels aux parts, dont la somme vaut exactement total."""
    parts = np.asarray(parts, dtype=float) / np.sum(parts)
    bruts = np.floor(parts * total).astype(np.int64)
    bruts[np.argmax(parts)] += total - int(bruts.sum())
    return [int(x) for x in bruts]


def _budget(ref, params: dict, seed: int) -> str:
    rng = np.random.default_rng([seed, 3])
    lignes = ["annee;code_ali;ligne;montant_vote;montant_execute"]
    for annee, vote in _BUDGET_VOTE.items():
        total = vote // 100  # montants votés par centaines d'euros
        part_acc = _PART_ACCOMPAGNEMENT.get(annee, 0.48)
        autres = _PARTS_AUTRES * rng.uniform(0.9, 1.1, len(_PARTS_AUTRES))
        montants = _repartit(total, np.concatenate([[part_acc], (1 - part_acc) * autres / autres.sum()]))
        rangs: list[tuple[str, str, int]] = []
        ouvertes = [c for c, p in params.items() if p["ouverture"].year <= annee] if annee >= 2023 else []
        if ouvertes:  # l'accompagnement est ventilé par ALI, au prorata de la file active moyenne de l'année
            charges = []
            for c in ouvertes:
                p = params[c]
                t = np.arange(annee * 12, annee * 12 + 12) - _mois(p["ouverture"]) + 1
                charges.append(_trajectoire(p["cap"], p["tau"], p["g"], np.maximum(t, 0)).mean())
            parts = _repartit(montants[0], np.array(charges))
            rangs += [(c, "accompagnement_ali", m) for c, m in zip(ouvertes, parts, strict=True)]
        else:
            rangs.append(("", "accompagnement_ali", montants[0]))
        rangs += [("", ligne, m) for ligne, m in zip(_LIGNES_BUDGET[1:], montants[1:], strict=True)]
        for code, ligne, centaines in rangs:
            centimes = centaines * 10_000
            espaces = bool(rng.random() < 0.5)
            if annee >= _EXERCICE_OUVERT:
                execute = ""
            else:
                execute = _montant_texte(int(centimes * rng.uniform(0.92, 0.99)), espaces)
            lignes.append(f"{annee};{code};{ligne};{_montant_texte(centimes, espaces)};{execute}")
    return "\n".join(lignes) + "\n"


# --------------------------------------------------------------------------- API


def generate(out_dir: Path, seed: int = 93) -> list[Path]:
    """Écrit les extractions de démonstration, budget.csv et les fichiers du §7 dans out_dir ; renvoie leurs
    chemins, extractions par date d'extraction puis code ALI, budget, puis les fichiers du §7 dans l'ordre où le
    chargeur doit les lire (demo_systemes.NOMS).

    Les anciens fichiers de démonstration du dossier (extraction_*.csv|xlsx|parquet, budget.csv, fichiers du §7)
    sont remplacés ; le dossier ne doit servir qu'à cela.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.iterdir():
        if old.is_file() and (
            _NOM_FICHIER.match(old.name) or old.name == "budget.csv" or old.name in demo_systemes.NOMS
        ):
            old.unlink()
    ref = charger_referentiel()
    ep, params = _episodes(ref, seed)
    freins = demo_systemes.freins(ep, seed)
    textes = _textes_dates(ep)
    bornes = {}
    ali = ep["code_ali"].to_numpy()
    orientation = ep["date_orientation"].to_numpy()
    for code in params:
        idx = np.flatnonzero(ali == code)
        bornes[code] = (int(idx[0]), orientation[idx]) if len(idx) else (0, orientation[:0])
    fichiers = sorted(
        ((c, d) for c, p in params.items() for d in dates_extraction(p["ouverture"])), key=lambda x: (x[1], x[0])
    )
    styles = _styles(fichiers, seed)
    fautifs = _fichiers_fautifs(fichiers, styles, seed)
    rng_defauts = np.random.default_rng([seed, 4])
    paths = []
    for i, ((code, d), style) in enumerate(zip(fichiers, styles, strict=True)):
        debut, dates = bornes[code]
        fin_idx = debut + int(np.searchsorted(dates, np.datetime64(d.isoformat()), side="right"))
        table = _table_fichier(ep, textes, debut, fin_idx, d, style)
        if d >= demo_systemes.DEBUT_FREINS:
            _ajoute_freins(table, freins, debut, fin_idx, style == "csv_fr")
        if i in fautifs and len(table):
            table = _abime(table, fautifs[i], rng_defauts, style == "csv_fr", d)
        extension = {"xlsx": "xlsx", "parquet": "parquet"}.get(style, "csv")
        path = out_dir / f"extraction_{code}_{d.isoformat()}.{extension}"
        _ecrit(table, path, style)
        paths.append(path)
    budget = out_dir / "budget.csv"
    budget.write_bytes(_budget(ref, params, seed).encode("utf-8"))
    paths.append(budget)
    paths += demo_systemes.generate(out_dir, ep, params, ref, seed)
    return paths


def build_demo(
    db_path: Path,
    out_dir: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    paths: list[Path] | None = None,
) -> list:
    """Génère les fichiers de démonstration (par défaut dans `demo_extraits/` à côté de la base ; `paths` : déjà
    générés) puis les charge tous, dans l'ordre, avec le chargeur du projet ; renvoie ses ResultatChargement."""
    db_path = Path(db_path)
    out_dir = Path(out_dir) if out_dir is not None else db_path.parent / DOSSIER_DEMO
    if paths is None:
        paths = generate(out_dir)
    return _charger_et_placer(db_path, paths, ".construction", progress)


def _charger_et_placer(
    db_path: Path, paths: list[Path], suffixe: str, progress: Callable[[int, int, str], None] | None
) -> list:
    """Charge `paths` dans une base construite à côté, puis la met en place d'un coup : un premier lancement
    interrompu ne laisse jamais une base à moitié chargée que l'application prendrait pour la bonne."""
    from insertion.ingest.chargement import charger_fichiers  # import différé : le chargeur tire DuckDB et les règles
    from insertion.store.db import ouvrir_en_ecriture

    building = db_path.with_name(db_path.name + suffixe)
    building.unlink(missing_ok=True)
    results = charger_fichiers(building, paths, progress=progress)
    with ouvrir_en_ecriture(building) as con:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('donnees_demo', 'oui')")
    os.replace(building, db_path)
    return results


def fichiers_premiere_ouverture(paths: list[Path]) -> list[Path]:
    """Ce qu'il faut pour les chiffres du jour : la dernière extraction de chaque ALI (un instantané complet de
    sa file active : les épisodes courants sont les siens) et tous les fichiers qui ne sont pas des extractions
    (budget, fichiers du §7), dans l'ordre de chargement. Les extractions plus anciennes ne font que l'historique
    des chargements (page Qualité)."""
    derniere: dict[str, Path] = {}
    for p in paths:
        m = _NOM_FICHIER.match(p.name)
        if m:
            code = p.name.split("_")[1]
            if code not in derniere or p.name.split("_")[2] > derniere[code].name.split("_")[2]:
                derniere[code] = p
    gardes = set(derniere.values())
    return [p for p in paths if p in gardes or not _NOM_FICHIER.match(p.name)]


def build_demo_en_deux_temps(
    db_path: Path, progress: Callable[[int, int, str], None] | None = None
) -> Callable[[], list]:
    """Premier lancement de l'application (issue 16 : la première page en ≤ 10 s) : génère les fichiers, charge
    ceux des chiffres du jour (fichiers_premiere_ouverture) et met cette base en place ; renvoie la fonction qui
    charge ensuite tous les fichiers, historique compris, dans une autre base mise en place à la fin (la même
    que build_demo), à lancer en arrière-plan. Les indicateurs sont les mêmes avant et après ; seul l'historique
    des chargements s'allonge."""
    db_path = Path(db_path)
    paths = generate(db_path.parent / DOSSIER_DEMO)
    _charger_et_placer(db_path, fichiers_premiere_ouverture(paths), ".premiere", progress)
    version = db_path.stat().st_mtime_ns

    def completer() -> list:
        # Un import fait entre-temps (page Importer, CLI) a changé la base : la remplacer l'effacerait. On garde
        # alors la base telle qu'elle est (chiffres du jour et import), sans l'historique de démonstration.
        if db_path.stat().st_mtime_ns != version:
            return []
        from insertion.store.publication import verrou_ecriture

        building = db_path.with_name(db_path.name + ".construction")
        resultats = _charger_et_placer(building, paths, ".chargement", None)
        with verrou_ecriture(db_path):  # comme un chargement : aucun import ne s'écrit pendant la mise en place
            if db_path.stat().st_mtime_ns != version:
                building.unlink(missing_ok=True)
                return []
            os.replace(building, db_path)
        return resultats

    return completer
