"""Un tableau de vue : les nombres publiés et, pour chaque colonne, sa nature (entier, %, M€, jours, date…).

Le texte de l'écran (« 38,5 % », « secret ») se déduit des nombres ; les exports CSV et Excel
(insertion.outputs.exports) écrivent les nombres eux-mêmes, dans l'unité que nomme l'en-tête, sans jamais relire
le texte affiché. Une case peut porter un texte à la place d'un nombre : « secret » (masquée par le secret
statistique), « exercice en cours »… ; elle est écrite telle quelle, à l'écran comme dans les exports.
Une case vide (None, NaN) est sans objet : « – » à l'écran, vide dans les exports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

import pandas as pd

from insertion import formats
from insertion.protect import secret


@dataclass(frozen=True)
class Nature:
    """Comment une colonne s'écrit à l'écran et dans un export.

    `vers_export` rend le nombre dans l'unité de l'en-tête, arrondi comme à l'écran (38,5 pour « 38,5 % ») : le CSV,
    le classeur et l'écran montrent la même valeur."""

    nom: str
    ecrire: Callable[[object], str]
    vers_export: Callable[[object], object]
    unite: str | None = None
    format_excel: str | None = None

    @property
    def est_date(self) -> bool:
        return self.nom in ("date", "mois", "horodatage", "horodatage_secondes")


def _nombre(v: object) -> float:
    return float(v)  # type: ignore[arg-type]


def entier() -> Nature:
    return Nature("entier", lambda v: formats.entier(_nombre(v)), lambda v: int(round(_nombre(v))), None, "#,##0")


def decimal(chiffres: int = 1, unite: str | None = None) -> Nature:
    motif = "#,##0." + "0" * chiffres if chiffres else "#,##0"
    return Nature(
        "decimal",
        lambda v: formats.decimal(_nombre(v), chiffres),
        lambda v: formats.arrondi_affiche(_nombre(v), chiffres),
        unite,
        motif,
    )


def pourcentage(chiffres: int = 1) -> Nature:
    """Une part (0,385) : « 38,5 % » à l'écran, 38,5 dans une colonne « (%) »."""
    return Nature(
        "pourcentage",
        lambda v: formats.pourcentage(_nombre(v), chiffres),
        lambda v: formats.arrondi_affiche(_nombre(v) * 100, chiffres),
        "%",
        "0." + "0" * chiffres if chiffres else "0",
    )


def evolution() -> Nature:
    """Une évolution relative (0,12) : « +12,0 % » à l'écran, 12,0 dans une colonne « (%) »."""
    return Nature(
        "pourcentage",
        lambda v: ("+" if _nombre(v) >= 0 else "") + formats.pourcentage(_nombre(v)),
        lambda v: formats.arrondi_affiche(_nombre(v) * 100, 1),
        "%",
        "0.0",
    )


def annee() -> Nature:
    """Une année : 2023, sans séparateur de milliers (ni « 2 023 » à l'écran, ni dans le classeur)."""
    return Nature("annee", lambda v: str(int(_nombre(v))), lambda v: int(_nombre(v)), None, "0")


def millions_euros(chiffres: int = 1) -> Nature:
    return Nature(
        "millions_euros",
        lambda v: formats.millions_euros(_nombre(v), chiffres),
        lambda v: formats.arrondi_affiche(_nombre(v) / 1e6, chiffres),
        "M€",
        "#,##0." + "0" * chiffres if chiffres else "#,##0",
    )


def euros() -> Nature:
    return Nature("euros", lambda v: formats.euros(_nombre(v)), lambda v: int(round(_nombre(v))), "€", "#,##0")


def jours() -> Nature:
    """Un délai : « 33 jours » à l'écran, 33 dans une colonne « (jours) »."""
    return Nature(
        "jours",
        lambda v: formats.jours(_nombre(v)),
        lambda v: formats.arrondi_affiche(_nombre(v), 0 if _nombre(v).is_integer() else 1),
        "jours",
        "#,##0",
    )


def _jour(v: object) -> date:
    moment = pd.Timestamp(v)  # type: ignore[arg-type]
    return moment.date()


def date_() -> Nature:
    return Nature("date", lambda v: formats.date_longue(_jour(v)), _jour, None, "dd/mm/yyyy")


def mois() -> Nature:
    """Le mois d'une date : « juin 2023 » ; le classeur l'écrit en toutes lettres, en français quelle que soit la
    langue d'Excel ([$-40C])."""
    return Nature("mois", lambda v: formats.mois(_jour(v)), lambda v: _jour(v).replace(day=1), None, "[$-40C]mmmm yyyy")


def trimestre() -> Nature:
    """Le trimestre d'une date : « T1 2024 » à l'écran ; « 2024-T1 » dans un export, qu'un tableur trie dans
    l'ordre du temps (ni le CSV ni Excel n'ont de format trimestre)."""

    def ecrire(v: object) -> str:
        jour = _jour(v)
        return f"T{(jour.month - 1) // 3 + 1} {jour.year}"

    def exporter(v: object) -> str:
        jour = _jour(v)
        return f"{jour.year}-T{(jour.month - 1) // 3 + 1}"

    return Nature("trimestre", ecrire, exporter)


def _moment(v: object) -> datetime:
    return pd.Timestamp(v).to_pydatetime().replace(tzinfo=None)  # type: ignore[arg-type]


def horodatage() -> Nature:
    return Nature("horodatage", lambda v: formats.horodatage(_moment(v)), _moment, None, "dd/mm/yyyy hh:mm")


def horodatage_secondes() -> Nature:
    """Un instant à la seconde (journal d'audit) : « 31/10/2026 14:05:09 »."""
    return Nature(
        "horodatage_secondes", lambda v: f"{_moment(v):%d/%m/%Y %H:%M:%S}", _moment, None, "dd/mm/yyyy hh:mm:ss"
    )


def texte() -> Nature:
    return Nature("texte", str, str)


TEXTE = texte()


def _vide(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Tableau:
    """Les valeurs d'un tableau (une colonne par colonne affichée, sous son libellé) et la nature de chacune.

    Une colonne absente de `natures` est du texte."""

    valeurs: pd.DataFrame
    natures: Mapping[str, Nature] = field(default_factory=dict)

    def nature(self, colonne: str) -> Nature:
        return self.natures.get(colonne, TEXTE)

    @cached_property
    def texte(self) -> pd.DataFrame:
        """Le tableau de l'écran : des textes au format français."""
        out = pd.DataFrame(index=self.valeurs.index)
        for colonne in self.valeurs.columns:
            nature = self.nature(str(colonne))
            out[colonne] = pd.Series(
                [ecrire_case(v, nature) for v in self.valeurs[colonne]], index=self.valeurs.index, dtype=object
            )
        return out

    def __len__(self) -> int:
        return len(self.valeurs)

    @property
    def empty(self) -> bool:
        return self.valeurs.empty

    @property
    def columns(self) -> pd.Index:
        return self.valeurs.columns

    def colonnes(self, noms: list[str]) -> Tableau:
        """Une partie des colonnes, dans cet ordre."""
        return Tableau(self.valeurs[noms], {n: self.natures[n] for n in noms if n in self.natures})

    def renommer(self, noms: Mapping[str, str]) -> Tableau:
        natures = {noms.get(k, k): v for k, v in self.natures.items()}
        return Tableau(self.valeurs.rename(columns=dict(noms)), natures)

    @staticmethod
    def empiler(tableaux: list[Tableau]) -> Tableau:
        """Les lignes de plusieurs tableaux de mêmes colonnes, l'une après l'autre."""
        natures: dict[str, Nature] = {}
        for t in tableaux:
            natures.update(t.natures)
        return Tableau(pd.concat([t.valeurs for t in tableaux], ignore_index=True), natures)


def ecrivains(natures: Mapping[str, Nature]) -> dict[str, Callable[[object], str]]:
    """Les fonctions d'écriture de `secret.Protege.affichage` (survols, cartes) tirées des natures d'un tableau :
    le texte d'un survol est celui de la case du tableau."""
    return {colonne: (lambda v, n=nature: ecrire_case(v, n)) for colonne, nature in natures.items()}


def ecrire_case(v: object, nature: Nature) -> str:
    if isinstance(v, str):
        return v
    if _vide(v):
        return formats.SANS_OBJET
    return nature.ecrire(v)


def exporter_case(v: object, nature: Nature) -> object:
    """La valeur d'une case dans un export : le nombre (ou la date) dans l'unité de l'en-tête, le texte d'une case
    texte tel quel (« secret »), None pour une case sans objet."""
    if isinstance(v, str):
        return v
    if _vide(v):
        return None
    return nature.vers_export(v)


def textes(valeurs: pd.Series) -> list[object]:
    """Une colonne de libellés : None reste None (sans objet), le reste devient du texte."""
    return [None if _vide(v) else str(v) for v in valeurs]


def publie(prot: secret.Protege, colonne: str) -> pd.Series:
    """Une colonne d'un résultat protégé, « secret » dans les cases masquées (règle primaire ou secondaire)."""
    donnees = prot.donnees[colonne]
    masque = pd.Series(False, index=donnees.index)
    if colonne in prot.masque:
        masque = masque | prot.masque[colonne].astype(bool)
    if prot.secondaire is not None and colonne in prot.secondaire:
        masque = masque | prot.secondaire[colonne].astype(bool)
    return pd.Series(
        [secret.LIBELLE_MASQUE if m else (None if _vide(v) else v) for v, m in zip(donnees, masque, strict=True)],
        index=donnees.index,
        dtype=object,
    )


def depuis_protege(
    prot: secret.Protege,
    colonnes: Mapping[str, tuple[str, Nature]],
    *,
    avant: Mapping[str, object] | None = None,
    natures_avant: Mapping[str, Nature] | None = None,
) -> Tableau:
    """Le tableau d'un résultat protégé : `colonnes` donne, pour chaque colonne gardée, son libellé et sa nature ;
    `avant` des colonnes placées en tête (une liste ou une Series par libellé), de natures `natures_avant` (texte
    sinon)."""
    valeurs: dict[str, object] = {}
    natures: dict[str, Nature] = dict(natures_avant or {})
    for libelle, serie in (avant or {}).items():
        valeurs[libelle] = list(serie)  # type: ignore[call-overload]
    for cle, (libelle, nature) in colonnes.items():
        valeurs[libelle] = publie(prot, cle).to_list()
        if nature is not TEXTE:
            natures[libelle] = nature
    return Tableau(pd.DataFrame(valeurs, dtype=object), natures)


def jours_entiers() -> Nature:
    """Un délai écrit en nombre entier de jours (« 33 ») sous un en-tête qui nomme déjà l'unité (« … (jours) ») :
    jours() écrirait « 33 jours » à l'écran ; l'export écrit 33, arrondi comme à l'écran."""
    return Nature("jours", lambda v: formats.entier(_nombre(v)), lambda v: int(round(_nombre(v))), "jours", "#,##0")


def numero() -> Nature:
    """Un numéro (de chargement) : « 1234 » sans séparateur de milliers, comme on le cite ; un entier dans les
    exports (un tableur le trie comme un nombre)."""
    return Nature("entier", lambda v: str(int(_nombre(v))), lambda v: int(_nombre(v)), None, "0")


def _numero_nombre(v: object) -> str:
    # Un int, pas un texte : voir numero_triable.
    return int(_nombre(v))  # type: ignore[return-value]


def numero_triable() -> Nature:
    """Un numéro que l'écran garde en nombre (le numéro de ligne de la quarantaine) : st.dataframe l'écrit sans
    séparateur et le trie comme un nombre (9 avant 10), ce qu'un texte « 10 » ne ferait pas ; un entier dans les
    exports."""
    return Nature("entier", _numero_nombre, lambda v: int(_nombre(v)), None, "0")
