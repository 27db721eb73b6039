"""Secret statistique (contrat §6) : la seule fonction qui masque, pour l'écran et les exports.

Règles appliquées ici, indépendantes de la méthode de fond (docs/secret-statistique.md) ; « seuil » est
`SEUIL_SECRET` ($INSERTION_SEUIL_SECRET) :
- Sous le département, un effectif de 1 à seuil − 1 n'est jamais montré.
- Le département n'est exempté que sans AUCUN filtre (`departement_exempte`) : un filtre de profil
  (âge, sexe, parcours) suffit à en faire une case comme une autre.
- Un taux (part de profil comprise) n'est montré que si son dénominateur atteint le seuil, et si son
  numérateur et son complément (dénominateur − numérateur) valent chacun 0 ou au moins le seuil :
  « 3,6 % sur 112 » redonnerait 4 personnes.
- Une médiane (délai) n'est montrée que sur au moins seuil personnes, arrondie à 5 jours.
- Dans une ventilation dont le total est montré, si une seule case est masquée, la plus petite
  case non nulle suivante l'est aussi, pour qu'aucune valeur masquée ne se déduise du total.
- Toute case masquée se lit « secret » (un seul libellé : un libellé propre aux petits effectifs dirait de
  quel côté du seuil la case se trouve).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from insertion.config import SEUIL_SECRET

# Un seul libellé pour toute case masquée (effectif, taux, médiane, masquage primaire ou secondaire) :
# deux libellés diraient au lecteur de quel côté du seuil la case se trouve.
LIBELLE_MASQUE = "secret"
TAUX_NON_DIFFUSE = LIBELLE_MASQUE  # anciens noms, gardés pour les appels existants
MASQUE_SECONDAIRE = LIBELLE_MASQUE
ARRONDI_MEDIANE_J = 5  # une médiane de délai se publie arrondie à 5 jours


def libelle_masque(seuil: int = SEUIL_SECRET) -> str:  # noqa: ARG001 — même libellé quel que soit le seuil
    return LIBELLE_MASQUE


def note(seuil: int = SEUIL_SECRET) -> str:
    return (
        f"Secret statistique : « {LIBELLE_MASQUE} » remplace toute valeur non diffusée. Sous le département, "
        f"et au département dès qu'un filtre est posé, les effectifs de 1 à {seuil - 1} sont masqués ; un taux "
        f"n'est diffusé que sur au moins {seuil} personnes, et si ses deux parts (personnes comptées et non "
        f"comptées) valent chacune 0 ou au moins {seuil} ; un délai médian, que sur au moins {seuil} personnes, "
        f"arrondi à {ARRONDI_MEDIANE_J} jours ; quand une seule case d'un total est masquée, la plus petite "
        f"suivante l'est aussi, pour qu'elle ne se déduise pas du total."
    )


def departement_exempte(perimetre: object) -> bool:
    """Le département n'est publié exactement que sans AUCUN filtre : ni territoire (ALI, EPT, commune), ni
    profil (âge, sexe, parcours, ni tout autre champ que le périmètre gagnerait). Tout champ non vide compte,
    pour qu'un filtre ajouté plus tard ne rouvre pas l'exemption sans que personne n'y pense."""
    return not any(getattr(perimetre, champ.name) for champ in dataclasses.fields(perimetre))


def _petit(n: float, seuil: int) -> bool:
    return 0 < n < seuil


def taux_publiable(numerateur: float | None, denominateur: float | None, seuil: int = SEUIL_SECRET) -> bool:
    """Dénominateur ≥ seuil, numérateur et complément chacun 0 ou ≥ seuil."""
    if numerateur is None or denominateur is None or pd.isna(numerateur) or pd.isna(denominateur):
        return False
    return denominateur >= seuil and not _petit(numerateur, seuil) and not _petit(denominateur - numerateur, seuil)


def arrondir_mediane(jours: float) -> float:
    """Au multiple de 5 jours le plus proche (12,5 → 15 : la moitié monte, sans l'arrondi bancaire)."""
    return float(math.floor(jours / ARRONDI_MEDIANE_J + 0.5) * ARRONDI_MEDIANE_J)


def mediane_publiee(jours: float | None, effectif: float | None, seuil: int = SEUIL_SECRET) -> float | None:
    """La médiane arrondie à 5 jours si elle porte sur au moins `seuil` personnes, sinon None (masquée)."""
    if jours is None or effectif is None or pd.isna(jours) or pd.isna(effectif) or effectif < seuil:
        return None
    return arrondir_mediane(float(jours))


@dataclass
class Protege:
    """Les valeurs protégées (NaN là où c'est masqué, pour les graphiques) et le masque."""

    donnees: pd.DataFrame
    masque: pd.DataFrame  # booléens, une colonne par colonne protégée
    seuil: int = SEUIL_SECRET
    secondaire: pd.DataFrame | None = None  # cases masquées par la seule règle du total

    @property
    def a_masque(self) -> bool:
        return bool(self.masque.to_numpy().any()) if not self.masque.empty else False

    def affichage(self, formats: dict[str, Callable[[object], str]]) -> pd.DataFrame:
        """Un tableau de textes au format français, « secret » dans les cases masquées."""
        sortie = self.donnees.copy()
        for colonne, format_ in formats.items():
            aucune = pd.Series(False, index=sortie.index)
            masquees = self.masque[colonne] if colonne in self.masque else aucune
            secondaires = (
                self.secondaire[colonne] if self.secondaire is not None and colonne in self.secondaire else aucune
            )
            sortie[colonne] = [
                LIBELLE_MASQUE if m else format_(None if pd.isna(v) else v)
                for v, m in zip(sortie[colonne], masquees | secondaires, strict=True)
            ]
        return sortie

    def _est_taux(self, colonne: str) -> bool:
        return colonne in self.masque.attrs.get("taux", ())


def _masque_effectif(valeurs: pd.Series, seuil: int) -> pd.Series:
    nombres = pd.to_numeric(valeurs, errors="coerce")
    return (nombres >= 1) & (nombres < seuil)


def _masque_en_amont(valeurs: pd.Series, base: pd.Series) -> pd.Series:
    """Un taux ou une médiane absents (NaN) sur une base masquée (NaN) ou non nulle ont été masqués par la couche
    de publication : ils se lisent « secret ». Sur une base nulle, ils sont sans objet (« – »)."""
    effectif = pd.to_numeric(base, errors="coerce")
    return valeurs.isna() & (effectif.isna() | (effectif > 0))


def _secondaire(valeurs: pd.Series, masquees: pd.Series) -> pd.Series:
    """Dans une ventilation, une case masquée seule entraîne la plus petite case non nulle suivante."""
    masquees = masquees.copy()
    if int(masquees.sum()) == 1:
        nombres = pd.to_numeric(valeurs, errors="coerce")
        candidates = nombres[(~masquees) & (nombres > 0)]
        if not candidates.empty:
            masquees.loc[candidates.idxmin()] = True
    return masquees


def proteger(
    df: pd.DataFrame,
    *,
    effectifs: list[str] = (),
    taux: dict[str, str] | None = None,
    ventilation: list[str] | None = None,
    departement: bool | pd.Series = False,
    seuil: int = SEUIL_SECRET,
    medianes: dict[str, str] | None = None,
    numerateurs: dict[str, str] | None = None,
) -> Protege:
    """Applique le secret statistique à un tableau d'indicateurs.

    effectifs : colonnes de comptes ; taux : colonne de taux → colonne de son dénominateur ;
    ventilation : colonnes qui identifient une ventilation dont le total est montré (les lignes
    d'un même groupe sont ses cases ; [] = tout le tableau, None = pas de masquage secondaire) ;
    departement : True, ou un booléen par ligne, pour les lignes au niveau du département (exempté
    seulement sans aucun filtre : `departement_exempte`) ; medianes : colonne de médiane (en jours) →
    colonne de son effectif ; numerateurs : colonne de taux → colonne de son numérateur (sinon le
    numérateur est taux × dénominateur, exact pour un taux calculé comme un quotient d'effectifs).
    Taux et médianes sont protégés à tous les niveaux, département compris.
    """
    taux = taux or {}
    medianes = medianes or {}
    numerateurs = numerateurs or {}
    donnees = df.copy().reset_index(drop=True)
    sous_departement = ~(
        pd.Series(bool(departement), index=donnees.index)
        if isinstance(departement, bool)
        else pd.Series(departement).reset_index(drop=True).astype(bool)
    )
    masque = pd.DataFrame(index=donnees.index)
    secondaire = pd.DataFrame(index=donnees.index)
    for colonne in effectifs:
        # Un effectif absent (NaN) a été masqué en amont par la couche de publication (insertion.protect), à tout
        # niveau (son exemption est plus stricte) : il reste masqué, et se lit « secret ».
        primaire = (_masque_effectif(donnees[colonne], seuil) & sous_departement) | pd.to_numeric(
            donnees[colonne], errors="coerce"
        ).isna()
        premier_passage = primaire.copy()
        if ventilation is not None:
            cles = ventilation[0] if len(ventilation) == 1 else list(ventilation)
            groupes = donnees.groupby(cles, dropna=False).groups if ventilation else {0: donnees.index}
            for lignes in groupes.values():
                primaire.loc[lignes] = (
                    _secondaire(donnees.loc[lignes, colonne], primaire.loc[lignes]) & sous_departement.loc[lignes]
                )
        masque[colonne] = primaire.astype(bool)
        secondaire[colonne] = masque[colonne] & ~premier_passage
    for colonne, denominateur in taux.items():
        # Un taux sur moins de `seuil` personnes n'est montré à aucun niveau, département compris.
        # … ni quand son dénominateur est lui-même masqué (masquage secondaire) : le taux le trahirait.
        # … ni quand son numérateur ou son complément vaut de 1 à seuil − 1 : taux × dénominateur le redonne.
        den = pd.to_numeric(donnees[denominateur], errors="coerce").fillna(0)
        valeurs_taux = pd.to_numeric(donnees[colonne], errors="coerce")
        if colonne in numerateurs:
            num = pd.to_numeric(donnees[numerateurs[colonne]], errors="coerce")
        else:
            num = (valeurs_taux * den).round()
        petits = ((num > 0) & (num < seuil)) | (((den - num) > 0) & ((den - num) < seuil))
        base_masquee = masque[denominateur] if denominateur in masque else False
        amont = _masque_en_amont(donnees[colonne], donnees[denominateur])
        masque[colonne] = (((den < seuil) | base_masquee | petits.fillna(False)) & donnees[colonne].notna()) | amont
    for colonne, effectif in medianes.items():
        effectif_base = pd.to_numeric(donnees[effectif], errors="coerce").fillna(0)
        base_masquee = masque[effectif] if effectif in masque else False
        amont = _masque_en_amont(donnees[colonne], donnees[effectif])
        masque[colonne] = (((effectif_base < seuil) | base_masquee) & donnees[colonne].notna()) | amont
        donnees[colonne] = pd.to_numeric(donnees[colonne], errors="coerce").map(
            lambda j: j if pd.isna(j) else arrondir_mediane(j)
        )
    masque.attrs["taux"] = tuple(taux) + tuple(medianes)
    for colonne in masque.columns:
        donnees[colonne] = donnees[colonne].astype("float64").where(~masque[colonne])
    return Protege(donnees, masque, seuil, secondaire)
