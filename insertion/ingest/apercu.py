"""Aperçu d'un remplacement : ce qu'un fichier change, avant → après, et s'il faut le confirmer.

Le contrat ne change pas (un instantané remplace les ALI qu'il contient, un fichier budget les années
qu'il contient), mais un export partiel ne doit pas effacer une file active ou un budget sans qu'on le
voie. Le chargeur mesure l'état des ALI (ou des années) touchées juste avant et juste après leur
remplacement, dans la transaction du fichier : l'aperçu est donc exactement ce que le chargement fait,
lignes rejetées comprises. S'il faut une confirmation, la transaction est annulée et rien ne change.

Mesures, par ALI remplacée :
- épisodes : les épisodes courants de l'ALI (ceux de son instantané en place) ;
- personnes suivies : la file active du contrat (§5.1) à la date de cet instantané, c'est-à-dire les
  id_beneficiaire distincts de ses épisodes courants orientés au plus tard à date_extraction et non
  sortis à cette date (date_sortie vide ou postérieure). Avant : à la date de l'instantané remplacé ;
  après : à la date du nouveau.
Par année budgétaire et ligne (toutes ALI confondues) : montants votés et exécutés avant → après.
Pour les fichiers du contrat §7 (insertion/ingest/systemes.py), par périmètre remplacé (structure × ALI, structure,
ALI, annuaire) : les lignes courantes avant → après.

À confirmer :
- une ALI qui perd plus que le seuil de ses épisodes (config.seuil_confirmation, 20 % par défaut ;
  perdre exactement le seuil passe) ;
- une année budgétaire dont le total voté ou le total exécuté baisse, ou dont une ligne disparaît ;
- un périmètre d'un fichier du §7 qui perd plus que le seuil de ses lignes (l'annuaire : de ses structures).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

from insertion import formats

# Les épisodes courants d'une ALI viennent tous d'un même instantané (une seule date_extraction). Le compte
# des personnes ne lit que les épisodes en cours à cette date : le DISTINCT, seul coût notable, porte sur
# la file active et non sur tous les épisodes. Mesuré : 22 fichiers d'ALI à 1 M d'épisodes, ≈ 2 % de la
# durée de l'envoi (0,8 s), sur une base neuve comme en remplacement.
_ETAT_ALI = """
SELECT e.code_ali, e.date_extraction, e.episodes, coalesce(p.personnes, 0)
FROM (
    SELECT code_ali, max(date_extraction) AS date_extraction, count(*) AS episodes
    FROM episodes WHERE list_contains($alis, code_ali) GROUP BY code_ali
) AS e
LEFT JOIN (
    SELECT code_ali, count(DISTINCT id_beneficiaire) AS personnes
    FROM episodes
    WHERE list_contains($alis, code_ali)
      AND date_orientation <= date_extraction AND (date_sortie IS NULL OR date_sortie > date_extraction)
    GROUP BY code_ali
) AS p USING (code_ali)
"""
_ETAT_BUDGET = """
SELECT annee, ligne, sum(montant_vote), sum(montant_execute)
FROM budget
WHERE list_contains($annees, annee)
GROUP BY annee, ligne
"""


@dataclass(frozen=True)
class EcartAli:
    code_ali: str
    date_avant: date | None  # None : l'ALI n'avait pas encore d'instantané
    date_apres: date | None
    episodes_avant: int
    episodes_apres: int
    personnes_avant: int
    personnes_apres: int

    @property
    def ecart(self) -> float | None:
        """Variation du nombre d'épisodes (−0,917 pour 60 → 5) ; None pour une ALI nouvelle."""
        if not self.episodes_avant:
            return None
        return (self.episodes_apres - self.episodes_avant) / self.episodes_avant

    def hors_seuil(self, seuil_pct: float) -> bool:
        """Perd-elle plus que seuil_pct % de ses épisodes ? (comparaison exacte, sans arrondi)"""
        perte = self.episodes_avant - self.episodes_apres
        if self.episodes_avant <= 0 or perte <= 0:
            return False
        return Decimal(perte) * 100 > Decimal(str(seuil_pct)) * self.episodes_avant


@dataclass(frozen=True)
class EcartSysteme:
    """Un périmètre remplacé par un fichier du contrat §7 : ses lignes courantes avant → après."""

    nature: str
    cle: str  # « C2DI93|ALI14 », « ALI14 », « annuaire »…
    date_avant: date | None  # None : pas d'instantané avant, ou l'annuaire (sans date)
    date_apres: date | None
    lignes_avant: int
    lignes_apres: int

    @property
    def ecart(self) -> float | None:
        if not self.lignes_avant:
            return None
        return (self.lignes_apres - self.lignes_avant) / self.lignes_avant

    def hors_seuil(self, seuil_pct: float) -> bool:
        perte = self.lignes_avant - self.lignes_apres
        if self.lignes_avant <= 0 or perte <= 0:
            return False
        return Decimal(perte) * 100 > Decimal(str(seuil_pct)) * self.lignes_avant


@dataclass(frozen=True)
class EcartBudget:
    annee: int
    ligne: str
    vote_avant: Decimal | None  # None : la ligne n'existait pas pour cette année
    vote_apres: Decimal | None  # None : la ligne disparaît
    execute_avant: Decimal | None  # None : aucun montant exécuté (exercice en cours) ou pas de ligne
    execute_apres: Decimal | None


def _montant(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class Apercu:
    """Ce qu'un fichier change. `raisons` non vide : le remplacement attend une confirmation."""

    seuil_pct: float
    ali: list[EcartAli] = field(default_factory=list)
    budget: list[EcartBudget] = field(default_factory=list)
    systemes: list[EcartSysteme] = field(default_factory=list)
    raisons: list[str] = field(default_factory=list)
    alis_hors_seuil: list[str] = field(default_factory=list)
    annees_en_baisse: list[int] = field(default_factory=list)
    cles_hors_seuil: list[str] = field(default_factory=list)

    @property
    def a_confirmer(self) -> bool:
        return bool(self.raisons)

    def lignes_json(self) -> dict:
        return {
            "ali": [
                {
                    "code_ali": e.code_ali,
                    "date_avant": e.date_avant.isoformat() if e.date_avant else None,
                    "date_apres": e.date_apres.isoformat() if e.date_apres else None,
                    "episodes_avant": e.episodes_avant,
                    "episodes_apres": e.episodes_apres,
                    "personnes_avant": e.personnes_avant,
                    "personnes_apres": e.personnes_apres,
                    "ecart_episodes_pct": None if e.ecart is None else round(e.ecart * 100, 1),
                }
                for e in self.ali
            ],
            "budget": [
                {
                    "annee": b.annee,
                    "ligne": b.ligne,
                    "vote_avant": _montant(b.vote_avant),
                    "vote_apres": _montant(b.vote_apres),
                    "execute_avant": _montant(b.execute_avant),
                    "execute_apres": _montant(b.execute_apres),
                }
                for b in self.budget
            ],
        } | (
            # Seulement pour un fichier du §7 : la forme (et le jeton) d'un aperçu de file active ou de budget
            # ne change pas.
            {
                "systemes": [
                    {
                        "nature": e.nature,
                        "cle": e.cle,
                        "date_avant": e.date_avant.isoformat() if e.date_avant else None,
                        "date_apres": e.date_apres.isoformat() if e.date_apres else None,
                        "lignes_avant": e.lignes_avant,
                        "lignes_apres": e.lignes_apres,
                        "ecart_lignes_pct": None if e.ecart is None else round(e.ecart * 100, 1),
                    }
                    for e in self.systemes
                ]
            }
            if self.systemes
            else {}
        )

    def jeton(self, empreinte: str) -> str:
        """Le contenu du fichier et ce qu'il change : une confirmation ne vaut que pour ce couple. Si la base
        a changé depuis l'aperçu (un autre chargement), le jeton change et il faut confirmer à nouveau."""
        lignes = json.dumps(self.lignes_json(), sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(f"{empreinte}\n{lignes}".encode()).hexdigest()

    def en_json(self, empreinte: str) -> dict:
        return {
            "seuil_pct": self.seuil_pct,
            "a_confirmer": self.a_confirmer,
            "raisons": list(self.raisons),
            **self.lignes_json(),
            "jeton": self.jeton(empreinte),
        }


def etat_ali(con: duckdb.DuckDBPyConnection, alis: list[str]) -> dict[str, tuple[date, int, int]]:
    """Pour chaque ALI : (date de l'instantané courant, épisodes courants, personnes suivies à cette date)."""
    rows = con.execute(_ETAT_ALI, {"alis": alis}).fetchall()
    return {ali: (d, episodes, personnes) for ali, d, episodes, personnes in rows}


def etat_budget(con: duckdb.DuckDBPyConnection, annees: list[int]) -> dict[tuple[int, str], tuple[Decimal, Decimal]]:
    """Pour chaque (année, ligne) : (montant voté, montant exécuté ou None), toutes ALI confondues."""
    rows = con.execute(_ETAT_BUDGET, {"annees": annees}).fetchall()
    return {(annee, ligne): (vote, execute) for annee, ligne, vote, execute in rows}


def pourcentage_seuil(seuil_pct: float) -> str:
    return formats.pourcentage(seuil_pct / 100, 0 if float(seuil_pct).is_integer() else 1)


def pour_file_active(alis: list[str], avant: dict[str, tuple], apres: dict[str, tuple], seuil_pct: float) -> Apercu:
    apercu = Apercu(seuil_pct=seuil_pct)
    for ali in alis:
        d0, e0, p0 = avant.get(ali, (None, 0, 0))
        d1, e1, p1 = apres.get(ali, (None, 0, 0))
        ecart = EcartAli(ali, d0, d1, e0, e1, p0, p1)
        apercu.ali.append(ecart)
        if ecart.hors_seuil(seuil_pct):
            apercu.alis_hors_seuil.append(ali)
            apercu.raisons.append(
                f"{ali} perd {formats.pourcentage(-ecart.ecart)} de ses épisodes ({formats.entier(e0)} → "
                f"{formats.entier(e1)} ; personnes suivies {formats.entier(p0)} → {formats.entier(p1)}), au-delà "
                f"du seuil de {pourcentage_seuil(seuil_pct)}"
            )
    return apercu


def pour_systeme(
    nature: str, libelle_cle: str, cles: list[str], avant: dict[str, tuple], apres: dict[str, tuple], seuil_pct: float
) -> Apercu:
    """avant, apres : pour chaque clé, (date de l'instantané, lignes courantes)."""
    apercu = Apercu(seuil_pct=seuil_pct)
    for cle in cles:
        d0, n0 = avant.get(cle, (None, 0))
        d1, n1 = apres.get(cle, (None, 0))
        ecart = EcartSysteme(nature, cle, d0, d1, n0, n1)
        apercu.systemes.append(ecart)
        if ecart.hors_seuil(seuil_pct):
            apercu.cles_hors_seuil.append(cle)
            quoi = "l'annuaire" if nature == "structures" else f"{libelle_cle} {cle.replace('|', ' × ')}"
            unite = "structures" if nature == "structures" else "lignes"
            apercu.raisons.append(
                f"{quoi} perd {formats.pourcentage(-ecart.ecart)} de ses {unite} ({formats.entier(n0)} → "
                f"{formats.entier(n1)}), au-delà du seuil de {pourcentage_seuil(seuil_pct)}"
            )
    return apercu


def _somme(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def pour_budget(annees: list[int], avant: dict[tuple, tuple], apres: dict[tuple, tuple], seuil_pct: float) -> Apercu:
    apercu = Apercu(seuil_pct=seuil_pct)
    for annee in annees:
        lignes = sorted({ligne for a, ligne in (*avant, *apres) if a == annee})
        for ligne in lignes:
            v0, x0 = avant.get((annee, ligne), (None, None))
            v1, x1 = apres.get((annee, ligne), (None, None))
            apercu.budget.append(EcartBudget(annee, ligne, v0, v1, x0, x1))
        if not any(a == annee for a, _ in avant):
            continue  # une année nouvelle ne fait rien perdre
        raisons = []
        vote0 = _somme([v for (a, _), (v, _) in avant.items() if a == annee])
        vote1 = _somme([v for (a, _), (v, _) in apres.items() if a == annee])
        exec0 = _somme([x for (a, _), (_, x) in avant.items() if a == annee])
        exec1 = _somme([x for (a, _), (_, x) in apres.items() if a == annee])
        if vote1 < vote0:
            raisons.append(f"le total voté baisse de {_euros(vote0)} à {_euros(vote1)}")
        if exec1 < exec0:
            raisons.append(f"le total exécuté baisse de {_euros(exec0)} à {_euros(exec1)}")
        perdues = [ligne for (a, ligne) in avant if a == annee and (a, ligne) not in apres]
        if perdues:
            pluriel = len(perdues) > 1
            raisons.append(
                f"{'les lignes' if pluriel else 'la ligne'} {', '.join(f'« {x} »' for x in sorted(perdues))} "
                f"{'disparaissent' if pluriel else 'disparaît'}"
            )
        if raisons:
            apercu.annees_en_baisse.append(annee)
            apercu.raisons.append(f"Budget {annee} : " + " ; ".join(raisons))
    return apercu


def _euros(amount: Decimal) -> str:
    """« 48,0 M€ » à partir du million, sinon « 12 500 € » : une baisse de 3 € ne doit pas se lire 0,0 → 0,0."""
    return formats.millions_euros(amount) if abs(amount) >= 10**6 else formats.euros(amount)


def montant(amount: Decimal | None) -> str:
    return formats.SANS_OBJET if amount is None else formats.euros(amount)


def avant_apres(avant: str, apres: str) -> str:
    return f"{avant} → {apres}"


def tableau_ali(apercu: Apercu) -> list[dict[str, str]]:
    """Une ligne par ALI remplacée, en français : pour la page Importer et la CLI."""
    return [
        {
            "ALI": e.code_ali,
            "Instantané": avant_apres(formats.date_longue(e.date_avant), formats.date_longue(e.date_apres)),
            "Épisodes avant → après": avant_apres(formats.entier(e.episodes_avant), formats.entier(e.episodes_apres)),
            "Personnes suivies avant → après": avant_apres(
                formats.entier(e.personnes_avant), formats.entier(e.personnes_apres)
            ),
            "Écart (épisodes)": (
                "nouvelle ALI" if e.ecart is None else ("+" if e.ecart >= 0 else "") + formats.pourcentage(e.ecart)
            ),
        }
        for e in apercu.ali
    ]


def tableau_budget(apercu: Apercu) -> list[dict[str, str]]:
    """Une ligne par année et ligne budgétaire ; « – » : pas de montant (ligne absente, exercice en cours)."""
    return [
        {
            "Année": str(b.annee),
            "Ligne": b.ligne,
            "Voté avant → après": avant_apres(montant(b.vote_avant), montant(b.vote_apres)),
            "Exécuté avant → après": avant_apres(montant(b.execute_avant), montant(b.execute_apres)),
        }
        for b in apercu.budget
    ]


def tableau_systemes(apercu: Apercu) -> list[dict[str, str]]:
    """Une ligne par périmètre remplacé d'un fichier du §7 (structure × ALI, structure, ALI, annuaire)."""
    return [
        {
            "Périmètre": "annuaire" if e.nature == "structures" else e.cle.replace("|", " × "),
            "Instantané": avant_apres(formats.date_longue(e.date_avant), formats.date_longue(e.date_apres)),
            "Lignes avant → après": avant_apres(formats.entier(e.lignes_avant), formats.entier(e.lignes_apres)),
            "Écart (lignes)": (
                "nouveau" if e.ecart is None else ("+" if e.ecart >= 0 else "") + formats.pourcentage(e.ecart)
            ),
        }
        for e in apercu.systemes
    ]


def texte(apercu: Apercu) -> list[str]:
    """L'aperçu en lignes de texte alignées, pour la sortie de la CLI."""
    lignes: list[str] = []
    for rows in (tableau_ali(apercu), tableau_budget(apercu), tableau_systemes(apercu)):
        if not rows:
            continue
        colonnes = list(rows[0])
        largeurs = [max(len(c), *(len(r[c]) for r in rows)) for c in colonnes]
        lignes.append("  ".join(c.ljust(w) for c, w in zip(colonnes, largeurs, strict=True)).rstrip())
        for r in rows:
            lignes.append("  ".join(r[c].ljust(w) for c, w in zip(colonnes, largeurs, strict=True)).rstrip())
    return lignes


def enregistrer(con: duckdb.DuckDBPyConnection, load_id: int, apercu: Apercu) -> None:
    """L'historique de chaque remplacement, avant → après (table chargements_remplacements)."""
    if apercu.ali:
        con.executemany(
            """
            INSERT INTO chargements_remplacements (id_chargement, code_ali, date_avant, date_apres, episodes_avant,
                episodes_apres, personnes_avant, personnes_apres, confirme)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                (
                    load_id,
                    e.code_ali,
                    e.date_avant,
                    e.date_apres,
                    e.episodes_avant,
                    e.episodes_apres,
                    e.personnes_avant,
                    e.personnes_apres,
                    e.code_ali in apercu.alis_hors_seuil,
                )
                for e in apercu.ali
            ],  # fmt: skip
        )
    if apercu.budget:
        con.executemany(
            """
            INSERT INTO chargements_remplacements (id_chargement, annee, ligne, vote_avant, vote_apres, execute_avant,
                execute_apres, confirme)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                (
                    load_id,
                    b.annee,
                    b.ligne,
                    b.vote_avant,
                    b.vote_apres,
                    b.execute_avant,
                    b.execute_apres,
                    b.annee in apercu.annees_en_baisse,
                )
                for b in apercu.budget
            ],  # fmt: skip
        )
    if apercu.systemes:
        con.executemany(
            """
            INSERT INTO chargements_remplacements (id_chargement, nature, cle, date_avant, date_apres, lignes_avant,
                lignes_apres, confirme)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                (
                    load_id,
                    e.nature,
                    e.cle,
                    e.date_avant,
                    e.date_apres,
                    e.lignes_avant,
                    e.lignes_apres,
                    e.cle in apercu.cles_hors_seuil,
                )
                for e in apercu.systemes
            ],  # fmt: skip
        )
