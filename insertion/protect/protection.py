"""Secret statistique par clés de cellule (issue 12) : le cœur de la méthode, sans base ni interface.

Choix et raisons : docs/secret-statistique.md. En bref :

- Chaque personne (file active, répartitions) et chaque épisode (entrées, sorties, cohortes) reçoit une
  clé d'enregistrement : les 32 premiers bits de HMAC-SHA256(sel secret, pseudonyme). La clé d'une
  cellule est la somme des clés de ses enregistrements modulo 2**32 : la même cellule, quelle que soit la
  requête qui l'atteint, a la même clé, donc la même valeur publiée. La somme se calcule en SQL comme un
  effectif (événements +clé à l'orientation, −clé après la sortie, somme cumulée). Les clés elles-mêmes
  (sel, HMAC, somme modulo 2**32) sont calculées par `insertion.store.cles`, sous cette couche.
- Sous le département (et au département dès qu'un filtre de profil est posé, ou tant que des ALI de deux
  EPT ne sont pas ouvertes), un effectif n est publié n + bruit si n ≥ seuil et si n + bruit ≥ seuil, sinon
  masqué. Le bruit, entre −D et +D, est lu dans la
  table p à la position de la clé de cellule. Zéro est masqué aussi : publier les zéros dirait qu'une case
  masquée vaut au moins 1, et un total suffit alors parfois à la fixer (exemple dans la doc).
- Un seul libellé pour toute case masquée (effectif, taux, médiane) : LIBELLE_MASQUE.
- Taux : publiés seulement si le numérateur et son complément sont tous deux publiés ; calculés sur les
  effectifs publiés. Médianes : seulement sur un effectif publié, arrondies au pas.

Tout ce qui sort d'ici dépend des seuls effectifs publiés : aucune décision ne trahit une valeur vraie.
Le module ne lit ni la base ni streamlit ; la couche de publication lui passe les effectifs et les clés.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from insertion.config import SEUIL_SECRET
from insertion.store.cles import MODULE, cle_complement

LIBELLE_MASQUE = "secret"

NIVEAUX = ("departement", "ept", "ali", "commune")
DIMENSIONS_PROFIL = ("parcours", "ages", "sexes")
# Nombre de dimensions de profil qu'une question peut combiner à chaque niveau : sous l'EPT, chaque filtre
# de plus multiplie les petites cases et les façons de les retrouver par différence.
FILTRES_PROFIL_MAX = {"departement": 3, "ept": 2, "ali": 1, "commune": 0}


# --- Table p ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableP:
    """Loi du bruit, de −D à +D, et sa lecture par clé de cellule.

    bornes[i] : fin (exclue) de l'intervalle de clés qui donne le bruit i − D ; les intervalles couvrent
    [0, MODULE) dans l'ordre. Toutes les lignes de valeur ≥ seuil partagent cette loi."""

    bruit_max: int
    variance: float
    probabilites: tuple[float, ...]
    bornes: tuple[int, ...] = field(repr=False)

    @classmethod
    def entropie_maximale(cls, bruit_max: int, variance: float) -> TableP:
        """La loi d'entropie maximale sur {−D, …, D} de moyenne nulle et de variance donnée (comme le paquet R
        ptable de Destatis) : p(d) proportionnel à exp(−λ d²)."""
        if bruit_max < 1:
            raise ValueError("Le bruit maximal D doit valoir au moins 1.")
        uniforme = bruit_max * (bruit_max + 1) / 3
        if not 0 < variance < uniforme:
            raise ValueError(f"La variance doit être entre 0 et {uniforme:g} (loi uniforme) pour D = {bruit_max}.")
        bruits = range(-bruit_max, bruit_max + 1)

        def loi(lam: float) -> list[float]:
            poids = [math.exp(-lam * d * d) for d in bruits]
            total = sum(poids)
            return [p / total for p in poids]

        def ecart(lam: float) -> float:
            return sum(p * d * d for p, d in zip(loi(lam), bruits, strict=True)) - variance

        bas, haut = 0.0, 1.0
        while ecart(haut) > 0:
            haut *= 2
        for _ in range(200):  # bissection : ecart décroît avec λ
            milieu = (bas + haut) / 2
            bas, haut = (milieu, haut) if ecart(milieu) > 0 else (bas, milieu)
        probabilites = tuple(loi((bas + haut) / 2))
        cumul, bornes = 0.0, []
        for p in probabilites:
            cumul += p
            bornes.append(round(cumul * MODULE))
        bornes[-1] = MODULE
        table = cls(bruit_max, variance, probabilites, tuple(bornes))
        debuts = (0, *bornes[:-1])
        if any(fin <= debut for debut, fin in zip(debuts, bornes, strict=True)):
            raise ValueError("Chaque bruit de −D à +D doit avoir au moins une clé.")
        return table

    def bruit(self, cle: int) -> int:
        return bisect.bisect_right(self.bornes, int(cle) % MODULE) - self.bruit_max

    def bruits(self, cles: np.ndarray) -> np.ndarray:
        positions = np.searchsorted(np.asarray(self.bornes, dtype=np.int64), cles % MODULE, side="right")
        return positions.astype(np.int64) - self.bruit_max

    def cle_pour(self, bruit: int) -> int:
        """La première clé qui donne ce bruit (pour les tests et les exemples)."""
        if not -self.bruit_max <= bruit <= self.bruit_max:
            raise ValueError(f"Bruit hors de la table : {bruit}")
        i = bruit + self.bruit_max
        return 0 if i == 0 else self.bornes[i - 1]


TABLE_P_DEFAUT = TableP.entropie_maximale(bruit_max=3, variance=1.0)


@dataclass(frozen=True)
class Reglage:
    """Paramètres publiables de la méthode (le sel, lui, ne l'est pas)."""

    seuil: int = SEUIL_SECRET
    table: TableP = TABLE_P_DEFAUT
    pas_mediane: int = 5  # jours

    def __post_init__(self) -> None:
        if self.seuil < 2:
            raise ValueError("Le seuil du secret statistique doit valoir au moins 2.")
        # D < seuil : un numérateur et un complément publiés (≥ seuil) donnent toujours un dénominateur publié,
        # et une case masquée peut valoir jusqu'à seuil + D − 1 ≥ seuil (voir valeurs_compatibles).
        if self.table.bruit_max >= self.seuil:
            raise ValueError("Le bruit maximal doit rester inférieur au seuil.")
        if self.pas_mediane < 1:
            raise ValueError("Le pas d'arrondi des médianes doit valoir au moins 1.")


# Un seuil de 1 désactive le secret (vérifications internes : `INSERTION_SEUIL_SECRET=1` montre les valeurs
# exactes) ; la couche de publication lit alors REGLAGE = None et laisse tout passer.
REGLAGE: Reglage | None = Reglage() if SEUIL_SECRET > 1 else None


def table_lisible(reglage: Reglage = REGLAGE) -> pd.DataFrame:
    """La table p au format des instituts (i valeur vraie, j valeur publiée, p probabilité, v = j − i,
    p_lb / p_ub bornes de la clé de cellule ramenée dans [0, 1)), de 0 à seuil + D ; la dernière ligne vaut
    pour toute valeur plus grande. j vaut LIBELLE_MASQUE quand la case est masquée."""
    t, s = reglage.table, reglage.seuil
    debuts = (0, *t.bornes[:-1])
    lignes = []
    for i in range(s + t.bruit_max + 1):
        if i < s:
            lignes.append((i, LIBELLE_MASQUE, 1.0, None, 0.0, 1.0))
            continue
        for k, (debut, fin) in enumerate(zip(debuts, t.bornes, strict=True)):
            d = k - t.bruit_max
            j = i + d if i + d >= s else LIBELLE_MASQUE
            lignes.append((i, j, t.probabilites[k], d if j != LIBELLE_MASQUE else None, debut / MODULE, fin / MODULE))
    return pd.DataFrame(lignes, columns=["i", "j", "p", "v", "p_lb", "p_ub"])


# --- Publication -----------------------------------------------------------------------------------


def premier_mois_exempte(ouvertures: Iterable[tuple[str, date]]) -> date | None:
    """Le premier jour du premier mois où des ALI d'au moins deux EPT sont ouvertes, d'après le référentiel
    (EPT et date d'ouverture de chaque ALI) ; None si ce n'est jamais le cas.

    Avant, le département n'est qu'un EPT (au début, qu'une ALI) : le publier exactement publierait exactement
    cet EPT et ses petites cases. Le référentiel est public, l'attaquant le sait aussi."""
    premier_par_ept: dict[str, date] = {}
    for ept, ouverture in ouvertures:
        mois = ouverture.replace(day=1)
        premier_par_ept[ept] = min(mois, premier_par_ept.get(ept, mois))
    dates = sorted(premier_par_ept.values())
    return dates[1] if len(dates) >= 2 else None


def exempte(
    niveau: str,
    filtres_profil: Mapping[str, Collection[str]] | None = None,
    *,
    depuis: date,
    premier_mois: date | None,
) -> bool:
    """Publié exactement : le département, sans aucun filtre de profil (contrat §6), pour une question qui ne
    remonte pas avant premier_mois (premier_mois_exempte). depuis : le début de la période pour un flux ou une
    cohorte, la date d'observation pour un stock. Une période qui commence avant premier_mois est protégée
    entière : sinon, elle moins ses mois exemptés redonnerait exactement les premiers mois."""
    if niveau not in NIVEAUX:
        raise ValueError(f"Niveau inconnu : {niveau!r} (valeurs possibles : {', '.join(NIVEAUX)})")
    sans_filtre = not any(filtres_profil.values() if filtres_profil else ())
    return niveau == "departement" and sans_filtre and premier_mois is not None and depuis >= premier_mois


def _effectif(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"Un effectif est un entier positif ou nul : {n!r}")
    return int(n)


def publier_effectif(n: int, cle: int, *, exempt: bool = False, reglage: Reglage = REGLAGE) -> int | str:
    """La valeur publiée d'un effectif vrai n de clé de cellule cle : n si exempt, sinon n + bruit(cle) quand
    n et n + bruit atteignent le seuil, sinon LIBELLE_MASQUE (zéro compris)."""
    n = _effectif(n)
    if exempt:
        return n
    if n < reglage.seuil:
        return LIBELLE_MASQUE
    publie = n + reglage.table.bruit(cle)
    return publie if publie >= reglage.seuil else LIBELLE_MASQUE


def publier_effectifs(
    n: Iterable[int], cles: Iterable[int], *, exempt: bool = False, reglage: Reglage = REGLAGE
) -> pd.Series:
    """publier_effectif sur des colonnes : entiers (Int64), <NA> là où la case est masquée."""
    valeurs = np.asarray(list(n) if not isinstance(n, np.ndarray | pd.Series) else n, dtype=np.int64)
    cles_ = np.asarray(list(cles) if not isinstance(cles, np.ndarray | pd.Series) else cles, dtype=np.int64)
    if valeurs.shape != cles_.shape:
        raise ValueError("Autant de clés que d'effectifs.")
    if (valeurs < 0).any():
        raise ValueError("Un effectif est un entier positif ou nul.")
    if exempt:
        return pd.Series(valeurs, dtype="Int64")
    publies = valeurs + reglage.table.bruits(cles_)
    visible = (valeurs >= reglage.seuil) & (publies >= reglage.seuil)
    return pd.Series(publies, dtype="Int64").where(visible, pd.NA)


def libelle(publie: object) -> object:
    """La valeur à écrire : LIBELLE_MASQUE pour une case masquée (None, NaN, <NA> ou déjà le libellé)."""
    if publie is None or publie is pd.NA or (isinstance(publie, float) and math.isnan(publie)):
        return LIBELLE_MASQUE
    return publie


def est_masque(publie: object) -> bool:
    return libelle(publie) == LIBELLE_MASQUE


def valeurs_compatibles(publie: int | str, *, exempt: bool = False, reglage: Reglage = REGLAGE) -> range:
    """Ce qu'un lecteur qui connaît la méthode et la table p, mais pas le sel, sait d'une valeur publiée :
    l'ensemble des effectifs vrais qui peuvent la donner. C'est la boîte que prend le test d'attaque."""
    s, d = reglage.seuil, reglage.table.bruit_max
    if exempt:
        return range(int(publie), int(publie) + 1)
    if est_masque(publie):
        return range(0, s + d)  # 0 … seuil − 1, et seuil … seuil + D − 1 tirés sous le seuil
    v = int(publie)
    if v < s:
        raise ValueError(f"Valeur jamais publiée sous le département : {v}")
    return range(max(s, v - d), v + d + 1)


def publier_taux(
    numerateur: int,
    cle_numerateur: int,
    denominateur: int,
    cle_denominateur: int,
    *,
    exempt: bool = False,
    reglage: Reglage = REGLAGE,
) -> float | str:
    """Un taux (ou une part de profil) : publié quand le numérateur et son complément (dénominateur −
    numérateur) sont tous deux publiés, et alors calculé sur les effectifs publiés. Au niveau exempté,
    taux exact dès que le dénominateur atteint le seuil. Un taux de 0 % ou 100 % n'est jamais publié sous
    le département : il dirait que le numérateur ou son complément vaut zéro, ce que les effectifs taisent."""
    num, den = _effectif(numerateur), _effectif(denominateur)
    if num > den:
        raise ValueError(f"Numérateur ({num}) plus grand que le dénominateur ({den}).")
    if exempt:
        return num / den if den >= reglage.seuil else LIBELLE_MASQUE
    pub_num = publier_effectif(num, cle_numerateur, reglage=reglage)
    pub_complement = publier_effectif(den - num, cle_complement(cle_denominateur, cle_numerateur), reglage=reglage)
    if est_masque(pub_num) or est_masque(pub_complement):
        return LIBELLE_MASQUE
    pub_den = publier_effectif(den, cle_denominateur, reglage=reglage)
    return pub_num / pub_den  # pub_den est publié : den ≥ 2 × seuil > seuil + D


def publier_mediane(
    mediane: float | None, effectif: int, cle: int, *, exempt: bool = False, reglage: Reglage = REGLAGE
) -> int | str:
    """Une médiane (délai en jours) calculée sur `effectif` personnes de clé `cle` : publiée, arrondie au pas
    le plus proche, seulement si cet effectif est lui-même publié (au niveau exempté : s'il atteint le
    seuil)."""
    n = _effectif(effectif)
    if mediane is None or (isinstance(mediane, float) and math.isnan(mediane)):
        return LIBELLE_MASQUE
    visible = n >= reglage.seuil if exempt else not est_masque(publier_effectif(n, cle, reglage=reglage))
    if not visible:
        return LIBELLE_MASQUE
    pas = reglage.pas_mediane
    return int(pas * math.floor(mediane / pas + 0.5))


# --- Questions permises ----------------------------------------------------------------------------


def question_refusee(
    niveau: str,
    filtres_profil: Mapping[str, Collection[str]] | None = None,
    debut: date | None = None,
    fin: date | None = None,
) -> list[str]:
    """Les raisons (en français) pour lesquelles la question ne peut pas être posée ; [] si elle le peut.

    Permis : un seul territoire de la hiérarchie commune ⊂ ALI ⊂ EPT ⊂ département ; des périodes en mois
    entiers (un trimestre ou une année en sont) ; au plus une valeur par dimension de profil, et au plus
    FILTRES_PROFIL_MAX[niveau] dimensions combinées."""
    if niveau not in NIVEAUX:
        raise ValueError(f"Niveau inconnu : {niveau!r} (valeurs possibles : {', '.join(NIVEAUX)})")
    raisons = []
    filtres = {k: tuple(v) for k, v in (filtres_profil or {}).items() if v}
    inconnues = sorted(set(filtres) - set(DIMENSIONS_PROFIL))
    if inconnues:
        raisons.append(f"Filtre de profil inconnu : {', '.join(inconnues)}.")
    for dimension, valeurs in sorted(filtres.items()):
        if len(valeurs) > 1:
            raisons.append(f"Un filtre de profil ne retient qu'une valeur à la fois ({dimension} : {len(valeurs)}).")
    maximum = FILTRES_PROFIL_MAX[niveau]
    if len(filtres) > maximum:
        raisons.append(
            f"Au niveau {niveau}, on combine au plus {maximum} filtre(s) de profil ({len(filtres)} demandés)."
        )
    if debut is not None and debut.day != 1:
        raisons.append(f"Une période commence le premier jour d'un mois (pas le {debut.isoformat()}).")
    if fin is not None and (fin + timedelta(days=1)).day != 1:
        raisons.append(f"Une période finit le dernier jour d'un mois (pas le {fin.isoformat()}).")
    return raisons
