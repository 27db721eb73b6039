"""Ce que rendent les chiffres clés (insertion/indicators/synthese.py) : une valeur déjà protégée par le secret
statistique (None quand elle est masquée), un chiffre clé avec sa valeur précédente et sa petite courbe, et la
synthèse d'un périmètre à la date D, prête à montrer telle quelle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from insertion.indicators import catalogue

EFFECTIF, TAUX, MONTANT = "effectif", "taux", "montant"


@dataclass(frozen=True)
class Valeur:
    """Une valeur déjà protégée : None quand elle est masquée (masque=True) ou non calculable."""

    date: date  # date d'observation ; 1er du mois pour un mois, 1er janvier pour une année
    valeur: float | None
    texte: str  # au format français, « secret » si masquée, « – » si non calculable
    masque: bool = False
    denominateur: int | None = None  # taux : taille de la cohorte (None si elle est masquée)


@dataclass(frozen=True)
class ChiffreCle:
    cle: str
    libelle: str
    nature: str  # EFFECTIF, TAUX ou MONTANT
    actuel: Valeur
    precedent: Valeur | None
    comparaison: str  # « sur un mois », « sur un an »
    serie: tuple[Valeur, ...]
    definition: str  # clé de insertion.indicators.definitions.DEFINITIONS
    aide: str
    requete: str = ""  # son entrée du catalogue (insertion.indicators.catalogue), qui dit son sens favorable
    extra: dict = field(default_factory=dict)
    court: str = ""  # libellé de carte (une ligne à 1 280 px) ; le titre de section dit le reste

    @property
    def sens(self) -> str:
        """La couleur de l'écart d'une carte (« normal » : une hausse est un progrès, « inverse », « off » : sans
        jugement), lue dans le catalogue : la Vue d'ensemble et la comparaison des territoires disent la même
        chose d'un même indicateur."""
        return catalogue.SENS_ECART[catalogue.entree(self.requete).sens]

    @property
    def libelle_carte(self) -> str:
        return self.court or self.libelle

    def variation(self) -> tuple[float, float] | None:
        """(actuel, précédent) quand les deux sont montrés ; sinon rien (une évolution trahirait un masque)."""
        if self.precedent is None or self.actuel.valeur is None or self.precedent.valeur is None:
            return None
        return float(self.actuel.valeur), float(self.precedent.valeur)

    def stable(self) -> bool:
        """L'évolution s'arrondit à zéro (moins de 0,05 point ou 0,05 %) : rien à signaler."""
        v = self.variation()
        if v is None:
            return False
        if self.nature == TAUX:
            return abs(v[0] - v[1]) * 100 < 0.05
        return v[1] != 0 and abs(v[0] - v[1]) / abs(v[1]) * 100 < 0.05

    def courbe(self) -> list[float] | None:
        """La petite courbe : la plus longue fin de série sans valeur masquée ni manquante (au moins 2 points)."""
        points: list[float] = []
        for v in reversed(self.serie):
            if v.valeur is None:
                break
            points.append(float(v.valeur))
        return points[::-1] if len(points) >= 2 else None


@dataclass(frozen=True)
class Synthese:
    as_of: date
    sous_departement: bool  # un filtre de territoire est posé (libellés) ; le secret suit departement_exempte
    file_active: ChiffreCle
    file_active_fin_annee: Valeur  # au 31 décembre de l'année précédant D
    entrees: ChiffreCle
    sorties: ChiffreCle
    diag_numerique: ChiffreCle
    diag_linguistique: ChiffreCle
    sortie_emploi: ChiffreCle
    emploi_durable: ChiffreCle
    budget_vote: ChiffreCle
    budget_execute: ChiffreCle
    ali_ouvertes: int  # ALI du territoire ouvertes à D (référentiel)
    ali_total: int  # ALI du territoire
    budget_perimetre: str  # « Seine-Saint-Denis » ou « ALI retenues »
    budget_filtres_ignores: bool  # un filtre autre qu'ALI est posé : le budget ne se ventile pas ainsi

    def cartes(self) -> list[ChiffreCle]:
        return [
            self.file_active,
            self.entrees,
            self.sorties,
            self.diag_numerique,
            self.diag_linguistique,
            self.sortie_emploi,
            self.emploi_durable,
            self.budget_vote,
            self.budget_execute,
        ]

    def as_dict(self) -> dict:
        return asdict(self)
