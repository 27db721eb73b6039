"""Secret statistique (contrat §6) : la seule fonction qui masque, pour l'écran et les exports.

- Sous le département, un effectif de 1 à 10 (seuil − 1) n'est jamais montré : il se lit « < 11 ».
- Un taux dont le dénominateur est inférieur au seuil n'est pas montré (« n.d. »).
- Dans une ventilation dont le total est montré, si une seule case est masquée, la plus petite
  case non nulle suivante l'est aussi, pour qu'aucune valeur masquée ne se déduise du total.
- Les totaux du département sont montrés ; un taux sur moins de 11 personnes ne l'est à aucun niveau.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from insertion.config import SEUIL_SECRET


def libelle_masque(seuil: int = SEUIL_SECRET) -> str:
    return f"< {seuil}"


TAUX_NON_DIFFUSE = "n.d."
# Une case masquée seulement pour protéger une autre n'est pas « < 11 » : l'écrire serait faux.
MASQUE_SECONDAIRE = "secret"


def note(seuil: int = SEUIL_SECRET) -> str:
    return (
        f"Secret statistique : sous le département, les effectifs de 1 à {seuil - 1} sont masqués "
        f"(« < {seuil} ») et les taux calculés sur moins de {seuil} personnes ne sont pas diffusés "
        f"(« {TAUX_NON_DIFFUSE} ») ; quand une seule case d'un total est masquée, la plus petite "
        f"suivante l'est aussi (« {MASQUE_SECONDAIRE} ») pour qu'elle ne se déduise pas du total."
    )


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
        """Un tableau de textes au format français, « < 11 » ou « n.d. » dans les cases masquées."""
        out = self.donnees.copy()
        for column, fmt in formats.items():
            none = pd.Series(False, index=out.index)
            masked = self.masque[column] if column in self.masque else none
            second = self.secondaire[column] if self.secondaire is not None and column in self.secondaire else none
            label = TAUX_NON_DIFFUSE if self._is_rate(column) else libelle_masque(self.seuil)
            out[column] = [
                (MASQUE_SECONDAIRE if s2 else label) if m else fmt(None if pd.isna(v) else v)
                for v, m, s2 in zip(out[column], masked, second, strict=True)
            ]
        return out

    def _is_rate(self, column: str) -> bool:
        return column in self.masque.attrs.get("taux", ())


def _count_mask(values: pd.Series, seuil: int) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers >= 1) & (numbers < seuil)


def _secondary(values: pd.Series, masked: pd.Series) -> pd.Series:
    """Dans une ventilation, une case masquée seule entraîne la plus petite case non nulle suivante."""
    masked = masked.copy()
    if int(masked.sum()) == 1:
        numbers = pd.to_numeric(values, errors="coerce")
        candidates = numbers[(~masked) & (numbers > 0)]
        if not candidates.empty:
            masked.loc[candidates.idxmin()] = True
    return masked


def proteger(
    df: pd.DataFrame,
    *,
    effectifs: list[str] = (),
    taux: dict[str, str] | None = None,
    ventilation: list[str] | None = None,
    departement: bool | pd.Series = False,
    seuil: int = SEUIL_SECRET,
) -> Protege:
    """Applique le secret statistique à un tableau d'indicateurs.

    effectifs : colonnes de comptes ; taux : colonne de taux → colonne de son dénominateur ;
    ventilation : colonnes qui identifient une ventilation dont le total est montré (les lignes
    d'un même groupe sont ses cases ; [] = tout le tableau, None = pas de masquage secondaire) ;
    departement : True, ou un booléen par ligne, pour les lignes au niveau du département.
    """
    taux = taux or {}
    data = df.copy().reset_index(drop=True)
    below = ~(
        pd.Series(bool(departement), index=data.index)
        if isinstance(departement, bool)
        else pd.Series(departement).reset_index(drop=True).astype(bool)
    )
    mask = pd.DataFrame(index=data.index)
    secondary = pd.DataFrame(index=data.index)
    for column in effectifs:
        primary = _count_mask(data[column], seuil) & below
        first_pass = primary.copy()
        if ventilation is not None:
            keys = ventilation[0] if len(ventilation) == 1 else list(ventilation)
            groups = data.groupby(keys, dropna=False).groups if ventilation else {0: data.index}
            for rows in groups.values():
                primary.loc[rows] = _secondary(data.loc[rows, column], primary.loc[rows]) & below.loc[rows]
        mask[column] = primary.astype(bool)
        secondary[column] = mask[column] & ~first_pass
    for column, denominator in taux.items():
        # Un taux sur moins de `seuil` personnes n'est montré à aucun niveau, département compris.
        # … ni quand son dénominateur est lui-même masqué (masquage secondaire) : le taux le trahirait.
        den = pd.to_numeric(data[denominator], errors="coerce").fillna(0)
        hidden = mask[denominator] if denominator in mask else False
        mask[column] = ((den < seuil) | hidden) & data[column].notna()
    mask.attrs["taux"] = tuple(taux)
    for column in mask.columns:
        data[column] = data[column].astype("float64").where(~mask[column])
    return Protege(data, mask, seuil, secondary)
