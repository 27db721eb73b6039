"""Chiffres clés d'un périmètre à la date D, avec leur valeur précédente et leur petite courbe.

`chiffres_cles(con, periode, perimetre)` est pure : une connexion et les filtres en entrée, un
`Synthese` en sortie, sans Streamlit. La Vue d'ensemble l'affiche en cartes ; la note de synthèse
pour les élus la réutilisera. Le secret statistique (contrat §6) y est déjà appliqué par
`insertion.protect.secret.proteger` : un effectif ou un taux masqué vaut None et se lit « secret » (règles et
seuil : `insertion.protect.secret`). Ce qui sort d'ici peut donc être montré tel quel.

Valeurs précédentes :
- file active à D : fin du mois précédent (et, à part, 31 décembre de l'année précédente) ;
- entrées et sorties : le dernier mois complet à D (le mois de D si D en est le dernier jour), et le
  mois d'avant ;
- taux à 90 jours et à 12 mois : même indicateur (même période P) observé à la fin du mois précédent ;
- budget : année de D contre l'année précédente (exécuté : dernière année exécutée).

Les tableaux de la vue « Bénéficiaires suivis » (classement des ALI, répartition par profil) sont dans
insertion/indicators/tableaux_beneficiaires.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from insertion import formats, indicators
from insertion.indicators.definitions import Definition
from insertion.indicators.resultats_synthese import EFFECTIF, MONTANT, TAUX, ChiffreCle, Synthese, Valeur
from insertion.protect import secret

# Les mois entiers sont ceux de la couche de publication (questions permises) : un seul calendrier.
from insertion.protect.questions import decale_mois, fin_de_mois
from insertion.store import requetes
from insertion.store.requetes import Perimetre, Periode

OBJECTIF_PLACES_2026 = 12_600  # places d'accompagnement visées en 2026 (contrat §1)
MOIS_SERIE = 12  # profondeur des petites courbes : 12 mois avant celui de D

Requete = Callable[..., pd.DataFrame]


# --- Dates ------------------------------------------------------------------------------------------


def dernier_mois_complet(d: date) -> date:
    """Le 1er du dernier mois entièrement écoulé à D : celui de D si D en est le dernier jour."""
    premier = d.replace(day=1)
    return premier if d == fin_de_mois(d) else decale_mois(premier, -1)


def fin_mois_precedent(d: date) -> date:
    return d.replace(day=1) - timedelta(days=1)


def dates_fins_de_mois(d: date, n: int = MOIS_SERIE) -> list[date]:
    """Les fins des n mois qui précèdent celui de D, puis D : n + 1 dates croissantes."""
    premier = d.replace(day=1)
    return [fin_de_mois(decale_mois(premier, -k)) for k in range(n, 0, -1)] + [d]


# --- Calcul -----------------------------------------------------------------------------------------


def _sous_departement(perimetre: Perimetre) -> bool:
    """Comme Filtres.sous_departement : un filtre de territoire est posé (libellés). Le secret, lui, suit
    `secret.departement_exempte`."""
    return bool(perimetre.alis or perimetre.epts or perimetre.communes)


def _texte_taux(v: object) -> str:
    return formats.pourcentage(None if v is None else float(v))


def _texte_entier(v: object) -> str:
    return formats.entier(None if v is None else float(v))


def _proteger_effectifs(points: list[tuple[date, float | None]], exempte: bool) -> list[Valeur]:
    """exempte : `secret.departement_exempte` du périmètre (le département sans aucun filtre)."""
    df = pd.DataFrame({"date": [p[0] for p in points], "valeur": [p[1] for p in points]})
    prot = secret.proteger(df, effectifs=["valeur"], departement=exempte)
    textes = prot.affichage({"valeur": _texte_entier})["valeur"]
    return [
        Valeur(d, None if pd.isna(v) else float(v), t, bool(m))
        for d, v, t, m in zip(df["date"], prot.donnees["valeur"], textes, prot.masque["valeur"], strict=True)
    ]


def _proteger_taux(points: list[tuple[date, float | None, int]]) -> list[Valeur]:
    df = pd.DataFrame(
        {
            "date": [p[0] for p in points],
            "valeur": [p[1] for p in points],
            "denominateur": [p[2] for p in points],
        }
    )
    # Les taux sont protégés à tous les niveaux ; le dénominateur n'est montré que si le taux l'est.
    prot = secret.proteger(df, taux={"valeur": "denominateur"})
    textes = prot.affichage({"valeur": _texte_taux})["valeur"]
    return [
        Valeur(d, None if pd.isna(v) else float(v), t, bool(m), None if m or pd.isna(n) else int(n))
        for d, v, t, m, n in zip(
            df["date"], prot.donnees["valeur"], textes, prot.masque["valeur"], df["denominateur"], strict=True
        )
    ]


def texte_montant(montant: float | None) -> str:
    """« 46,0 M€ » ; en euros sous le million (budget d'une ALI) : « 120 000 € »."""
    if montant is not None and abs(montant) < 1e6:
        return formats.euros(montant)
    return formats.millions_euros(montant)


def _valeur_montant(annee: int, montant: float | None) -> Valeur:
    return Valeur(date(annee, 1, 1), montant, texte_montant(montant))


def _premiere(df: pd.DataFrame, colonne: str, defaut: float = 0) -> float:
    """La valeur de la première ligne ; `defaut` quand le périmètre ne rend aucune ligne. Une valeur masquée par
    la couche de publication reste NaN : elle ne devient jamais le défaut (un 0 affiché trahirait le masque)."""
    return float(df[colonne].iloc[0]) if len(df) else defaut


def _par_mois(df: pd.DataFrame, colonne: str, mois: list[date]) -> list[tuple[date, float]]:
    """Les valeurs d'une série mensuelle pour les mois voulus ; 0 pour un mois absent (avant la première
    orientation du périmètre, rien ne se passe)."""
    valeurs = {pd.Timestamp(m).date(): float(v) for m, v in zip(df["mois"], df[colonne], strict=True)}
    return [(m, valeurs.get(m, 0.0)) for m in mois]


def _taux_lu(df: pd.DataFrame, colonne_taux: str, colonne_den: str) -> tuple[float | None, int]:
    if not len(df):
        return None, 0
    taux = df[colonne_taux].iloc[0]
    # Un dénominateur masqué reste NaN : _proteger_taux masque alors le taux.
    return (None if pd.isna(taux) else float(taux)), float(df[colonne_den].iloc[0])


def chiffres_cles(
    con: duckdb.DuckDBPyConnection | None,
    periode: Periode,
    perimetre: Perimetre = Perimetre(),
    *,
    requete: Requete | None = None,
    sql: Requete | None = None,
    mois_serie: int = MOIS_SERIE,
) -> Synthese:
    """Les chiffres clés du périmètre à D = periode.as_of, protégés par le secret statistique.

    requete(fonction, **kwargs) et sql(nom, **params) permettent de passer par les caches d'une page
    (ctx.requete, ctx.sql) ; par défaut, les indicateurs et les fichiers SQL sont lancés sur `con`.
    """
    if requete is None:

        def requete(fonction: str, **kwargs) -> pd.DataFrame:
            return getattr(indicators, fonction)(con, **kwargs)

    if sql is None:

        def sql(nom: str, **params) -> pd.DataFrame:
            return requetes.executer(con, nom, **params)

    calcul = _Calcul(periode, perimetre, requete, sql, mois_serie)
    file_active, fin_annee = calcul.file_active()
    entrees, sorties = calcul.mouvements()
    diag_numerique, diag_linguistique, sortie_emploi, emploi_durable = calcul.taux()
    budget_vote, budget_execute = calcul.budget()
    d = periode.as_of
    ali = sql("ali_ouvertes", as_of=d, **{k: perimetre.parametres()[k] for k in ("alis", "epts", "communes")})
    return Synthese(
        as_of=d,
        sous_departement=_sous_departement(perimetre),
        file_active=file_active,
        file_active_fin_annee=fin_annee,
        entrees=entrees,
        sorties=sorties,
        diag_numerique=diag_numerique,
        diag_linguistique=diag_linguistique,
        sortie_emploi=sortie_emploi,
        emploi_durable=emploi_durable,
        budget_vote=budget_vote,
        budget_execute=budget_execute,
        ali_ouvertes=int(ali["ouverte"].sum()) if len(ali) else 0,
        ali_total=len(ali),
        budget_perimetre="ALI retenues" if perimetre.alis else indicators.DEPARTEMENT,
        budget_filtres_ignores=bool(
            perimetre.epts or perimetre.communes or perimetre.parcours or perimetre.ages or perimetre.sexes
        ),
    )


@dataclass(frozen=True)
class _Calcul:
    """Le calcul des cartes, groupe par groupe (file active, entrées et sorties, taux, budget), sur un même
    périmètre, une même date D et les mêmes fonctions de requête."""

    periode: Periode
    perimetre: Perimetre
    requete: Requete
    sql: Requete
    mois_serie: int

    @property
    def d(self) -> date:
        return self.periode.as_of

    @property
    def exempte(self) -> bool:
        return secret.departement_exempte(self.perimetre)

    def file_active(self) -> tuple[ChiffreCle, Valeur]:
        """À D, à chaque fin de mois des `mois_serie` mois précédents, et au 31 décembre précédent."""
        d, perimetre, mois_serie = self.d, self.perimetre, self.mois_serie
        mois_d = d.replace(day=1)
        fa_d = _premiere(self.requete("file_active", periode=self.periode, perimetre=perimetre), "file_active")
        serie_fa = self.requete(
            "file_active_mensuelle",
            periode=Periode(as_of=d, debut=decale_mois(mois_d, -mois_serie), fin=d),
            perimetre=perimetre,
        )
        mois_fa = [decale_mois(mois_d, -k) for k in range(mois_serie, -1, -1)]
        points_fa = [(min(fin_de_mois(m), d), v) for m, v in _par_mois(serie_fa, "file_active", mois_fa)]
        points_fa[-1] = (d, fa_d)  # le point du mois de D est la file active à D (même définition)
        fin_annee = date(d.year - 1, 12, 31)
        periode_annee = Periode(as_of=fin_annee, debut=self.periode.debut, fin=fin_annee)
        fa_annee = _premiere(self.requete("file_active", periode=periode_annee, perimetre=perimetre), "file_active")
        valeurs_fa = _proteger_effectifs(points_fa + [(fin_annee, fa_annee)], self.exempte)
        serie, valeur_fin_annee = tuple(valeurs_fa[:-1]), valeurs_fa[-1]
        carte = ChiffreCle(
            "file_active",
            "Personnes suivies (file active)",
            EFFECTIF,
            serie[-1],
            serie[-2],
            "sur un mois",
            serie,
            "file_active",
            f"Personnes distinctes en accompagnement au {formats.date_longue(d)}, comparées à la fin du mois "
            f"précédent ({formats.date_longue(fin_mois_precedent(d))}). Au {formats.date_longue(fin_annee)} : "
            f"{valeur_fin_annee.texte}. Courbe : fins de mois des {mois_serie} derniers mois.",
            court="File active",
            requete="file_active",
        )
        return carte, valeur_fin_annee

    def mouvements(self) -> tuple[ChiffreCle, ChiffreCle]:
        """Entrées et sorties du dernier mois complet, comparées au mois d'avant ; courbe des 12 derniers mois."""
        d, mois_serie = self.d, self.mois_serie
        mois_complet = dernier_mois_complet(d)
        mois_es = [decale_mois(mois_complet, -k) for k in range(mois_serie - 1, -1, -1)]
        es = self.requete(
            "entrees_sorties_mensuelles",
            periode=Periode(as_of=d, debut=mois_es[0], fin=fin_de_mois(mois_complet)),
            perimetre=self.perimetre,
        )

        def mouvement(colonne: str, libelle: str, quoi: str) -> ChiffreCle:
            serie = tuple(_proteger_effectifs(_par_mois(es, colonne, mois_es), self.exempte))
            return ChiffreCle(
                colonne,
                f"{libelle} en {formats.mois(mois_complet)}",
                EFFECTIF,
                serie[-1],
                serie[-2],
                "sur un mois",
                serie,
                "entrees_sorties",
                f"{quoi} en {formats.mois(mois_complet)} (dernier mois complet au {formats.date_longue(d)}), "
                f"comparés à {formats.mois(mois_es[-2])}. Courbe : les {mois_serie} derniers mois complets.",
                court=libelle,
                requete="entrees_sorties_mensuelles",
            )

        return mouvement("entrees", "Entrées", "Épisodes orientés"), mouvement(
            "sorties", "Sorties", "Épisodes sortis d'accompagnement"
        )

    def taux(self) -> tuple[ChiffreCle, ChiffreCle, ChiffreCle, ChiffreCle]:
        """Diagnostics numérique et linguistique à 90 jours, sortie en emploi et emploi durable à 12 mois : à D (les
        indicateurs des autres vues) et aux fins des mois précédents (une seule requête)."""
        periode, perimetre = self.periode, self.perimetre
        diags = {}
        for nom in indicators.DIAGNOSTICS:
            row = self.requete("taux_diagnostic", periode=periode, perimetre=perimetre, diagnostic=nom)
            # Le délai médian porte sur les épisodes diagnostiqués au plus tard à D, dont ceux du numérateur :
            # un numérateur d'au moins `seuil` garantit une médiane sur au moins `seuil` personnes.
            delai = secret.mediane_publiee(
                _premiere(row, "delai_median_j", float("nan")), _premiere(row, "numerateur", 0)
            )
            diags[nom] = (_taux_lu(row, "taux_90j", "denominateur"), delai)
        emploi = self.requete("taux_sortie_emploi", periode=periode, perimetre=perimetre)
        cartes = _CartesTaux(self)
        return (
            cartes.carte("diag_numerique", "Diagnostic numérique à 90 jours", "taux_diag_numerique",
                         "denominateur_90j", diags["numerique"][0], "diag_numerique",
                         "Part des personnes orientées qui ont eu leur diagnostic numérique dans les 90 jours.",
                         diags["numerique"][1]),
            cartes.carte("diag_linguistique", "Diagnostic linguistique à 90 jours", "taux_diag_linguistique",
                         "denominateur_90j", diags["linguistique"][0], "diag_linguistique",
                         "Part des personnes orientées qui ont eu leur diagnostic linguistique dans les 90 jours.",
                         diags["linguistique"][1]),
            cartes.carte("sortie_emploi", "Sortie en emploi à 12 mois", "taux_sortie_emploi", "denominateur_12m",
                         _taux_lu(emploi, "taux_sortie_emploi", "denominateur"), "sortie_emploi_12m",
                         "Part des personnes orientées sorties vers l'emploi (durable, création, transition) dans "
                         "l'année."),
            cartes.carte("emploi_durable", "Emploi durable à 12 mois", "taux_emploi_durable", "denominateur_12m",
                         _taux_lu(emploi, "taux_emploi_durable", "denominateur"), "sortie_emploi_12m",
                         "Part des personnes orientées sorties en emploi durable ou en création d'entreprise dans "
                         "l'année."),
        )  # fmt: skip

    def budget(self) -> tuple[ChiffreCle, ChiffreCle]:
        """Voté de l'année de D et exécuté du dernier exercice clos ; seul le filtre ALI s'y applique."""
        budget = self.requete("budget_annuel", perimetre=self.perimetre, groupe="departement")
        totaux = budget[budget["ligne"] == "total"] if len(budget) else budget
        annees, votes_l = totaux.get("annee", []), totaux.get("montant_vote", [])
        votes = {int(a): float(v) for a, v in zip(annees, votes_l, strict=True)}
        executes = {
            int(a): float(v) for a, v in zip(annees, totaux.get("montant_execute", []), strict=True) if pd.notna(v)
        }
        annee = self.d.year
        portee = (
            "Crédits ventilés aux ALI retenues (hors crédits départementaux non répartis)."
            if self.perimetre.alis
            else "Tous les crédits d'insertion du Département."
        )
        budget_vote = ChiffreCle(
            "budget_vote",
            f"Budget voté {annee}",
            MONTANT,
            _valeur_montant(annee, votes.get(annee)),
            _valeur_montant(annee - 1, votes.get(annee - 1)),
            "sur un an",
            tuple(_valeur_montant(a, votes[a]) for a in sorted(a for a in votes if a <= annee)),
            "budget",
            f"Crédits d'insertion votés pour {annee}, comparés à {annee - 1}. {portee} Courbe : une valeur par année.",
            requete="budget_annuel",
        )
        annees_executees = sorted(a for a in executes if a <= annee)
        annee_exec = annees_executees[-1] if annees_executees else annee
        budget_execute = ChiffreCle(
            "budget_execute",
            f"Budget exécuté {annee_exec}",
            MONTANT,
            _valeur_montant(annee_exec, executes.get(annee_exec)),
            _valeur_montant(annee_exec - 1, executes.get(annee_exec - 1)),
            "sur un an",
            tuple(_valeur_montant(a, executes[a]) for a in annees_executees),
            "budget",
            f"Crédits exécutés en {annee_exec}"
            + (f" (l'exercice {annee} est encore ouvert)" if annee_exec != annee else "")
            + f", comparés à {annee_exec - 1}. {portee} Courbe : une valeur par année.",
            requete="budget_annuel",
            extra={"taux_execution": (executes[annee_exec] / votes[annee_exec]) if votes.get(annee_exec) else None},
        )
        return budget_vote, budget_execute


class _CartesTaux:
    """Les cartes de taux : la valeur à D et celles des fins des mois précédents (requête taux_fins_de_mois),
    protégées ensemble."""

    def __init__(self, calcul: _Calcul):
        self.calcul = calcul
        self.dates = dates_fins_de_mois(calcul.d, calcul.mois_serie)
        p = calcul.periode.parametres() | calcul.perimetre.parametres()
        taux = calcul.sql("taux_fins_de_mois", dates=self.dates, groupe="departement", **p)
        self.par_date = {pd.Timestamp(r["date_reference"]).date(): r for r in taux.to_dict("records")}

    def serie(self, colonne: str, colonne_den: str, actuel: tuple[float | None, int]) -> tuple[Valeur, ...]:
        points = []
        for r in self.dates[:-1]:
            row = self.par_date.get(r)
            valeur = None if row is None or pd.isna(row[colonne]) else float(row[colonne])
            points.append((r, valeur, 0 if row is None else float(row[colonne_den])))
        points.append((self.calcul.d, actuel[0], actuel[1]))
        return tuple(_proteger_taux(points))

    def carte(
        self, cle: str, libelle: str, colonne: str, colonne_den: str, actuel, definition: str, quoi: str, delai=None
    ) -> ChiffreCle:
        d, periode = self.calcul.d, self.calcul.periode
        serie = self.serie(colonne, colonne_den, actuel)
        cohorte = serie[-1].denominateur
        jours = "90 jours" if colonne_den == "denominateur_90j" else "365 jours"
        debut_p = formats.date_longue(periode.parametres()["debut"]) if periode.debut else "l'origine"
        detail = (
            f"Sur {formats.entier(cohorte)} orientations du {debut_p} au {formats.date_longue(d)} "
            f"ayant au moins {jours} d'ancienneté."
            if cohorte
            else f"Taux non diffusé (secret statistique : moins de {secret.SEUIL_SECRET} orientations, ou trop peu "
            "de personnes comptées ou non comptées) ou aucune cohorte assez ancienne."
        )
        if cohorte and delai is not None:
            detail += f" Délai médian du diagnostic : {formats.decimal(delai, 0)} jours."
        return ChiffreCle(
            cle,
            libelle,
            TAUX,
            serie[-1],
            serie[-2],
            "sur un mois",
            serie,
            definition,
            f"{quoi} {detail} Évolution : même taux lu le {formats.date_longue(fin_mois_precedent(d))}.",
            court=libelle.split(" à ")[0],
            # Le délai médian publié (secret.mediane_publiee) : la note le cite, sans le recalculer.
            extra={} if delai is None or not cohorte else {"delai_median_j": delai},
            requete="taux_sortie_emploi_12m" if colonne_den == "denominateur_12m" else "taux_diagnostic_90j",
        )


# --- Définitions propres à ces vues (affichées dans « Méthode ») ------------------------------------

DEFINITION_TAUX_MENSUELS = Definition(
    "Évolution des taux sur un mois",
    "Les taux de diagnostic à 90 jours et de sortie en emploi à 12 mois lus à chaque fin de mois, avec les "
    "mêmes définitions et la même période P (plafonnée à la date de lecture) : l'évolution compare le taux à D "
    "à celui lu à la fin du mois précédent.",
    "Épisodes orientés pendant P et depuis au moins 90 jours (diagnostics) ou 365 jours (emploi) à la date lue.",
    ("taux_fins_de_mois",),
)
DEFINITION_ALI_OUVERTES = Definition(
    "ALI ouvertes",
    "Agences du territoire retenu dont le mois d'ouverture (référentiel des ALI) est au plus tard D.",
    "ALI du territoire retenu (référentiel).",
    ("ali_ouvertes",),
)
