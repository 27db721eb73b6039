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

On y trouve aussi les mises en forme des tableaux de la vue « Bénéficiaires suivis » (classement des
ALI, répartition par profil, séries par territoire), pour que les pages ne fassent que la mise en page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd

from insertion import contrat, formats, indicators
from insertion.indicators import catalogue, libelles
from insertion.indicators.definitions import Definition
from insertion.protect import secret

# Les mois entiers sont ceux de la couche de publication (questions permises) : un seul calendrier.
from insertion.protect.questions import decale_mois, fin_de_mois
from insertion.store import requetes as queries
from insertion.store.requetes import Perimetre, Periode

EFFECTIF, TAUX, MONTANT = "effectif", "taux", "montant"
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


# --- Résultat ---------------------------------------------------------------------------------------


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
            return queries.executer(con, nom, **params)

    d = periode.as_of
    sous = _sous_departement(perimetre)
    exempte = secret.departement_exempte(perimetre)
    mois_d = d.replace(day=1)
    fin_prec = fin_mois_precedent(d)

    # File active : à D, à chaque fin de mois des 12 mois précédents, au 31 décembre précédent.
    fa_d = _premiere(requete("file_active", periode=periode, perimetre=perimetre), "file_active")
    serie_fa = requete(
        "file_active_mensuelle",
        periode=Periode(as_of=d, debut=decale_mois(mois_d, -mois_serie), fin=d),
        perimetre=perimetre,
    )
    mois_fa = [decale_mois(mois_d, -k) for k in range(mois_serie, -1, -1)]
    points_fa = [(min(fin_de_mois(m), d), v) for m, v in _par_mois(serie_fa, "file_active", mois_fa)]
    points_fa[-1] = (d, fa_d)  # le point du mois de D est la file active à D (même définition)
    fin_annee = date(d.year - 1, 12, 31)
    periode_annee = Periode(as_of=fin_annee, debut=periode.debut, fin=fin_annee)
    fa_annee = _premiere(requete("file_active", periode=periode_annee, perimetre=perimetre), "file_active")
    valeurs_fa = _proteger_effectifs(points_fa + [(fin_annee, fa_annee)], exempte)
    serie_fa_protegee, valeur_fin_annee = tuple(valeurs_fa[:-1]), valeurs_fa[-1]
    file_active = ChiffreCle(
        "file_active",
        "Personnes suivies (file active)",
        EFFECTIF,
        serie_fa_protegee[-1],
        serie_fa_protegee[-2],
        "sur un mois",
        serie_fa_protegee,
        "file_active",
        f"Personnes distinctes en accompagnement au {formats.date_longue(d)}, comparées à la fin du mois "
        f"précédent ({formats.date_longue(fin_prec)}). Au {formats.date_longue(fin_annee)} : "
        f"{valeur_fin_annee.texte}. Courbe : fins de mois des {mois_serie} derniers mois.",
        court="File active",
        requete="file_active",
    )

    # Entrées et sorties : dernier mois complet et les 11 mois d'avant.
    mois_complet = dernier_mois_complet(d)
    mois_es = [decale_mois(mois_complet, -k) for k in range(mois_serie - 1, -1, -1)]
    es = requete(
        "entrees_sorties_mensuelles",
        periode=Periode(as_of=d, debut=mois_es[0], fin=fin_de_mois(mois_complet)),
        perimetre=perimetre,
    )

    def mouvement(colonne: str, libelle: str, quoi: str) -> ChiffreCle:
        serie = tuple(_proteger_effectifs(_par_mois(es, colonne, mois_es), exempte))
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

    entrees = mouvement("entrees", "Entrées", "Épisodes orientés")
    sorties = mouvement("sorties", "Sorties", "Épisodes sortis d'accompagnement")

    # Taux : à D (les indicateurs des autres vues), et aux fins des mois précédents (une seule requête).
    dates = dates_fins_de_mois(d, mois_serie)
    taux = sql("taux_fins_de_mois", dates=dates, groupe="departement", **periode.params(), **perimetre.params())
    taux_par_date = {pd.Timestamp(r["date_reference"]).date(): r for r in taux.to_dict("records")}

    def serie_taux(colonne: str, colonne_den: str, actuel: tuple[float | None, int]) -> tuple[Valeur, ...]:
        points = []
        for r in dates[:-1]:
            row = taux_par_date.get(r)
            valeur = None if row is None or pd.isna(row[colonne]) else float(row[colonne])
            points.append((r, valeur, 0 if row is None else float(row[colonne_den])))
        points.append((d, actuel[0], actuel[1]))
        return tuple(_proteger_taux(points))

    debut_p = formats.date_longue(periode.params()["debut"]) if periode.debut else "l'origine"

    def carte_taux(
        cle: str, libelle: str, colonne: str, colonne_den: str, actuel, definition: str, quoi: str, delai=None
    ) -> ChiffreCle:
        serie = serie_taux(colonne, colonne_den, actuel)
        cohorte = serie[-1].denominateur
        jours = "90 jours" if colonne_den == "denominateur_90j" else "365 jours"
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
            f"{quoi} {detail} Évolution : même taux lu le {formats.date_longue(fin_prec)}.",
            court=libelle.split(" à ")[0],
            # Le délai médian publié (secret.mediane_publiee) : la note le cite, sans le recalculer.
            extra={} if delai is None or not cohorte else {"delai_median_j": delai},
            requete="taux_sortie_emploi_12m" if colonne_den == "denominateur_12m" else "taux_diagnostic_90j",
        )

    diags = {}
    for nom in indicators.DIAGNOSTICS:
        row = requete("taux_diagnostic", periode=periode, perimetre=perimetre, diagnostic=nom)
        # Le délai médian porte sur les épisodes diagnostiqués au plus tard à D, dont ceux du numérateur :
        # un numérateur d'au moins `seuil` garantit une médiane sur au moins `seuil` personnes.
        delai = secret.mediane_publiee(_premiere(row, "delai_median_j", float("nan")), _premiere(row, "numerateur", 0))
        diags[nom] = (_taux_lu(row, "taux_90j", "denominateur"), delai)
    diag_numerique = carte_taux(
        "diag_numerique",
        "Diagnostic numérique à 90 jours",
        "taux_diag_numerique",
        "denominateur_90j",
        diags["numerique"][0],
        "diag_numerique",
        "Part des personnes orientées qui ont eu leur diagnostic numérique dans les 90 jours.",
        diags["numerique"][1],
    )
    diag_linguistique = carte_taux(
        "diag_linguistique",
        "Diagnostic linguistique à 90 jours",
        "taux_diag_linguistique",
        "denominateur_90j",
        diags["linguistique"][0],
        "diag_linguistique",
        "Part des personnes orientées qui ont eu leur diagnostic linguistique dans les 90 jours.",
        diags["linguistique"][1],
    )
    emploi = requete("taux_sortie_emploi", periode=periode, perimetre=perimetre)
    sortie_emploi = carte_taux(
        "sortie_emploi",
        "Sortie en emploi à 12 mois",
        "taux_sortie_emploi",
        "denominateur_12m",
        _taux_lu(emploi, "taux_sortie_emploi", "denominateur"),
        "sortie_emploi_12m",
        "Part des personnes orientées sorties vers l'emploi (durable, création, transition) dans l'année.",
    )
    emploi_durable = carte_taux(
        "emploi_durable",
        "Emploi durable à 12 mois",
        "taux_emploi_durable",
        "denominateur_12m",
        _taux_lu(emploi, "taux_emploi_durable", "denominateur"),
        "sortie_emploi_12m",
        "Part des personnes orientées sorties en emploi durable ou en création d'entreprise dans l'année.",
    )

    # Budget : seul le filtre ALI s'y applique (budget_annuel).
    budget = requete("budget_annuel", perimetre=perimetre, groupe="departement")
    totaux = budget[budget["ligne"] == "total"] if len(budget) else budget
    votes = {int(a): float(v) for a, v in zip(totaux.get("annee", []), totaux.get("montant_vote", []), strict=True)}
    executes = {
        int(a): float(v)
        for a, v in zip(totaux.get("annee", []), totaux.get("montant_execute", []), strict=True)
        if pd.notna(v)
    }
    annees_votees = sorted(a for a in votes if a <= d.year)
    annee = d.year
    budget_perimetre = "ALI retenues" if perimetre.alis else indicators.DEPARTEMENT
    portee = (
        "Crédits ventilés aux ALI retenues (hors crédits départementaux non répartis)."
        if perimetre.alis
        else "Tous les crédits d'insertion du Département."
    )
    budget_vote = ChiffreCle(
        "budget_vote",
        f"Budget voté {annee}",
        MONTANT,
        _valeur_montant(annee, votes.get(annee)),
        _valeur_montant(annee - 1, votes.get(annee - 1)),
        "sur un an",
        tuple(_valeur_montant(a, votes[a]) for a in annees_votees),
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

    ali = sql("ali_ouvertes", as_of=d, **{k: perimetre.params()[k] for k in ("alis", "epts", "communes")})
    return Synthese(
        as_of=d,
        sous_departement=sous,
        file_active=file_active,
        file_active_fin_annee=valeur_fin_annee,
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
        budget_perimetre=budget_perimetre,
        budget_filtres_ignores=bool(
            perimetre.epts or perimetre.communes or perimetre.parcours or perimetre.ages or perimetre.sexes
        ),
    )


# --- Vue « Bénéficiaires suivis » : mises en forme -------------------------------------------------

# Dimension du profil → (libellé, libellés des modalités) ; l'ordre des modalités est celui du contrat.
DIMENSIONS = {
    "tranche_age": ("Tranche d'âge", libelles.TRANCHES_AGE),
    "sexe": ("Sexe", libelles.SEXES),
    "type_parcours": ("Type de parcours", libelles.PARCOURS),
    "composition_foyer": ("Composition du foyer", libelles.COMPOSITIONS_FOYER),
    "anciennete_rsa": ("Ancienneté au RSA", libelles.ANCIENNETES_RSA),
}
NON_RENSEIGNE = contrat.CODE_NON_RENSEIGNE


def repartition_complete(df: pd.DataFrame, dimension: str, *, exempte: bool = True) -> pd.DataFrame:
    """Une ligne par modalité du contrat, dans l'ordre du contrat, plus « non renseigné » quand il y en a ;
    colonnes modalite, libelle, file_active, total (pour un seul groupe). Une modalité sans personne vaut 0
    au département exempté, et reste masquée (NaN) ailleurs, comme tout zéro publié sous le département. Le
    total est celui de la requête (publié comme une case à part), pas la somme des modalités publiées."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Dimension inconnue : {dimension!r}")
    mapping = DIMENSIONS[dimension][1]
    comptes = {str(m): float(n) for m, n in zip(df["modalite"], df["file_active"], strict=True)}
    absent = 0.0 if exempte else float("nan")
    total = float(df["total"].iloc[0]) if "total" in df and len(df) else float(sum(comptes.values()))
    codes = list(mapping) + [c for c in comptes if c not in mapping and c != NON_RENSEIGNE]
    if comptes.get(NON_RENSEIGNE):
        codes.append(NON_RENSEIGNE)
    return pd.DataFrame(
        {
            "modalite": codes,
            "libelle": [libelles.NON_RENSEIGNE if c == NON_RENSEIGNE else mapping.get(c, c) for c in codes],
            "file_active": [comptes.get(c, absent) for c in codes],
            "total": total,
        }
    )


def libelles_territoires(groupe: str) -> dict[str, str]:
    return libelles.ali() if groupe == "ali" else libelles.epts()


def classement_ali(file_active: pd.DataFrame, entrees_sorties: pd.DataFrame) -> pd.DataFrame:
    """File active à D et mouvements de la période par ALI : code_ali, libelle, file_active, entrees, sorties
    (une ALI du périmètre sans personne suivie à D vaut 0)."""
    fa = file_active.rename(columns={"groupe": "code_ali"})[["code_ali", "file_active"]]
    es = entrees_sorties.rename(columns={"groupe": "code_ali"})[["code_ali", "entrees", "sorties"]]
    # Pas de fillna(0) : une case masquée par la couche de publication (NaN) reste masquée.
    out = fa.merge(es, on="code_ali", how="outer")
    for colonne in ("file_active", "entrees", "sorties"):
        out[colonne] = pd.to_numeric(out[colonne], errors="coerce").astype("float64")
    noms = libelles.ali()
    out.insert(1, "libelle", [noms.get(c, c) for c in out["code_ali"]])
    return out.sort_values("code_ali").reset_index(drop=True)


def ordre_classement(protege: pd.DataFrame, colonne: str = "file_active") -> pd.DataFrame:
    """Tri du classement sur les valeurs protégées (index d'origine gardé) et rang : les cases masquées à la
    fin, par code et sans rang (leur ordre réel révélerait des effectifs masqués) ; ex aequo au même rang."""
    out = protege.assign(_masque=protege[colonne].isna())
    out = out.sort_values(["_masque", colonne, "code_ali"], ascending=[True, False, True], kind="stable")
    rangs = out[colonne].rank(method="min", ascending=False)
    out["rang"] = pd.Series([None if pd.isna(r) else int(r) for r in rangs], index=out.index, dtype=object)
    return out.drop(columns="_masque")


def texte_part(part: object) -> str:
    """Part d'une modalité ; une part absente est masquée : non diffusée."""
    return secret.LIBELLE_MASQUE if part is None or pd.isna(part) else formats.pourcentage(float(part))


def proteger_repartition(repartition: pd.DataFrame, *, departement: bool) -> secret.Protege:
    """La répartition du profil (`repartition_complete`) protégée : effectifs des modalités (cases du total
    montré, masquage secondaire compris), total, et part de chaque modalité (colonne « part »), qui est un
    taux : diffusée seulement si le total atteint le seuil et si la modalité et le reste valent chacun 0
    ou au moins le seuil (« 3,6 % sur 112 » redonnerait 4 personnes) ; jamais celle d'un effectif masqué.
    departement : `secret.departement_exempte` du périmètre."""
    total = pd.to_numeric(repartition["total"], errors="coerce")
    df = repartition.assign(part=(repartition["file_active"] / total).where(total > 0))
    prot = secret.proteger(
        df,
        effectifs=["file_active", "total"],
        taux={"part": "total"},
        numerateurs={"part": "file_active"},
        ventilation=[],
        departement=departement,
    )
    masque = prot.masque["part"] | prot.masque["file_active"]
    prot.masque["part"] = masque & df["part"].notna()
    prot.donnees["part"] = prot.donnees["part"].where(~masque)
    return prot


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
DEFINITION_PROFIL = Definition(
    "Profil des personnes suivies",
    "File active à D répartie selon une caractéristique de l'épisode (tranche d'âge, sexe, type de parcours, "
    "composition du foyer, ancienneté au RSA). Une personne suivie dans deux ALI compte une fois : on retient "
    "son épisode le plus récent. Un champ facultatif vide compte en « non renseigné ».",
    "File active du périmètre à D (part de chaque modalité).",
    ("repartition_profil",),
)
