"""Les filtres de la barre latérale, partagés par toutes les vues et gardés dans l'URL : leurs valeurs,
leur lecture et leur écriture dans l'URL, sans Streamlit (les widgets sont dans `insertion.present.barre_filtres`).

La valeur de référence vit dans `st.session_state["_filtres"]` (elle survit aux changements
de page) et est recopiée dans l'URL à chaque exécution : un lien copié rouvre la même vue.
Les valeurs lues dans l'URL sont vérifiées contre les référentiels ; une valeur inconnue est
ignorée et signalée, jamais utilisée.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb

from insertion import contrat, formats
from insertion.indicators import libelles
from insertion.protect import questions
from insertion.store import requetes
from insertion.store.referentiel import charger_referentiel
from insertion.store.requetes import DatesDonnees, Perimetre, Periode

DEBUT_PAR_DEFAUT = date(2023, 1, 1)  # la première ALI a ouvert en janvier 2023
BORNE_MIN = date(2021, 1, 1)

# (clé d'URL, libellé, champ de Perimetre)
LISTES = [
    ("ept", "Établissement public territorial (EPT)", "epts"),
    ("ali", "Agence locale d'insertion (ALI)", "alis"),
    ("commune", "Commune de résidence", "communes"),
    ("parcours", "Type de parcours", "parcours"),
    ("age", "Tranche d'âge", "ages"),
    ("sexe", "Sexe", "sexes"),
]


def options() -> dict[str, dict[str, str]]:
    return {
        "ept": libelles.epts(),
        "ali": libelles.ali(),
        "commune": libelles.communes(),
        "parcours": libelles.PARCOURS,
        "age": libelles.TRANCHES_AGE,
        "sexe": libelles.SEXES,
    }


@dataclass(frozen=True)
class Filtres:
    periode: Periode  # as_of = D = fin de la période, au plus tard la plus récente extraction du territoire
    perimetre: Perimetre
    # La date des données du territoire, D par défaut : la dernière date que toutes ses ALI ont fournie
    # (requetes.date_observation) ; « Données au … » des vues, des exports et de la note.
    derniere_extraction: date
    dates: DatesDonnees | None = None  # le détail par ALI ; None : une date fixée (mesures, tests)

    @property
    def as_of(self) -> date:
        return self.periode.as_of

    @property
    def date_max(self) -> date:
        """La date D la plus tardive qu'on puisse choisir : la plus récente extraction du territoire."""
        return self.dates.plus_recente if self.dates else self.derniere_extraction

    def avis_dates(self) -> str | None:
        """La phrase qui nomme les ALI du territoire qui ne sont pas à la date d'observation, ou None.

        Les ALI en avance ont des données après D qui ne sont pas lues ; celles en retard (D choisie après la
        date commune) n'ont pas de données jusqu'à D : leurs entrées et sorties récentes manquent. Avant la
        date commune, toutes les ALI ont leurs données : rien à dire.
        """
        if self.dates is None or self.as_of < self.dates.commune:
            return None
        avance, retard = self.dates.en_avance(self.as_of), self.dates.en_retard(self.as_of)
        if not avance and not retard:
            return None
        texte = f"Date commune des données : {formats.date_longue(self.dates.commune)}."
        if avance:
            texte += f" En avance : {_ali_datees(avance)}."
        if retard:
            texte += (
                f" Pas encore de données au {formats.date_longue(self.as_of)} (chiffres incomplets) : "
                f"{_ali_datees(retard)}."
            )
        return texte

    @property
    def sous_departement(self) -> bool:
        """Un filtre de territoire est posé (libellés, comparaison au département). L'exemption du secret
        statistique, elle, se décide par `secret.departement_exempte` (aucun filtre, profil compris)."""
        p = self.perimetre
        return bool(p.alis or p.epts or p.communes)

    @property
    def territoire(self) -> str:
        p = self.perimetre
        noms = libelles.ali()
        if len(p.alis) == 1:
            return noms[p.alis[0]]
        if p.alis:
            return f"{len(p.alis)} ALI"
        if len(p.epts) == 1:
            return f"EPT {p.epts[0]}"
        if p.epts:
            return f"{len(p.epts)} EPT"
        if p.communes:
            communes = libelles.communes()
            return ", ".join(communes[c] for c in p.communes[:3]) + (" …" if len(p.communes) > 3 else "")
        return contrat.DEPARTEMENT

    def resume(self) -> list[tuple[str, str]]:
        """Les filtres posés, en français, pour les légendes et les exports."""
        lignes = [
            (
                "Période d'orientation",
                f"du {formats.date_longue(self.periode.debut)} au {formats.date_longue(self.as_of)}",
            ),
            ("Date d'observation", formats.date_longue(self.as_of)),
        ]
        tous = options()
        for cle, libelle, champ in LISTES:
            choisies = getattr(self.perimetre, champ)
            if choisies:
                lignes.append((libelle, ", ".join(tous[cle].get(v, v) for v in choisies)))
        return lignes


def _ali_datees(ali: tuple[tuple[str, date], ...]) -> str:
    """« ALI08 Montreuil (30 novembre 2026) » ; regroupées par date ; au-delà de 5 ALI, les codes seuls."""
    noms = {a["code_ali"]: a["nom"] for a in charger_referentiel().ali}
    par_date: dict[date, list[str]] = {}
    for code, jour in ali:
        par_date.setdefault(jour, []).append(code)
    morceaux = []
    for jour in sorted(par_date):
        codes = par_date[jour]
        liste = ", ".join(codes if len(ali) > 5 else [f"{c} {noms.get(c, '')}".strip() for c in codes])
        morceaux.append(f"{liste} ({formats.date_longue(jour)})")
    return " ; ".join(morceaux)


# Les dates des données d'un territoire (requetes.dates_donnees, mise en cache par l'application).
DatesDe = Callable[[Perimetre], DatesDonnees]


def perimetre_de(valeurs: dict) -> Perimetre:
    return Perimetre(**{champ: tuple(valeurs.get(cle, ())) for cle, _, champ in LISTES})


def depuis_url(parametres: dict[str, list[str]], dates_de: DatesDe) -> tuple[dict, list[str]]:
    """Les filtres d'une URL, vérifiés ; renvoie aussi les paramètres ignorés (pour le dire).

    Les dates sont bornées par celles du territoire de l'URL : D au plus tard sa plus récente extraction."""
    tous = options()
    valeurs: dict = {}
    ignores: list[str] = []
    for cle, _, _ in LISTES:
        recues = parametres.get(cle, [])
        valeurs[cle] = [v for v in dict.fromkeys(recues) if v in tous[cle]]
        ignores += [f"{cle}={v}" for v in recues if v not in tous[cle]]
    dates = dates_de(perimetre_de(valeurs))
    defaut, maxi = dates.commune, dates.plus_recente
    # fin = None : « la date commune du territoire », qui suit donc les nouveaux chargements et le territoire.
    for cle, initiale in (("debut", DEBUT_PAR_DEFAUT), ("fin", None)):
        valeurs[cle] = initiale
        for texte in parametres.get(cle, [])[:1]:
            try:
                valeurs[cle] = min(max(date.fromisoformat(texte), BORNE_MIN), maxi)
            except ValueError:
                ignores.append(f"{cle}={texte}")
    if valeurs["fin"] == defaut:
        valeurs["fin"] = None
    if valeurs["debut"] > (valeurs["fin"] or defaut):
        valeurs["debut"], valeurs["fin"] = valeurs["fin"] or defaut, valeurs["debut"]
    return valeurs, ignores


def vers_url(valeurs: dict) -> dict[str, list[str] | str]:
    """Seuls les filtres posés vont dans l'URL, pour des liens courts (fin = None : la date par défaut)."""
    url: dict[str, list[str] | str] = {cle: list(valeurs[cle]) for cle, _, _ in LISTES if valeurs[cle]}
    if valeurs["debut"] != DEBUT_PAR_DEFAUT:
        url["debut"] = valeurs["debut"].isoformat()
    if valeurs["fin"] is not None:
        url["fin"] = valeurs["fin"].isoformat()
    return url


def construire(valeurs: dict, dates: DatesDonnees) -> Filtres:
    """D = la fin choisie, sinon la date commune du territoire ; jamais après sa plus récente extraction."""
    perimetre = perimetre_de(valeurs)
    fin = min(valeurs["fin"] or dates.commune, dates.plus_recente)
    # Des mois entiers (secret statistique, insertion/protect/questions.py) : une date choisie au jour près
    # est ramenée au début ou à la fin de son mois, sauf les dates des données elles-mêmes.
    debut, fin = questions.mois_entiers(valeurs["debut"], fin, (dates.commune, dates.plus_recente))
    return Filtres(Periode(as_of=fin, debut=debut, fin=fin), perimetre, dates.commune, dates)


def cle_widget(cle: str, page: str) -> str:
    """Une clé par page : Streamlit ne garde pas l'état d'un widget d'une page à l'autre ;
    la valeur de référence (`_filtres`) réinitialise le widget de la nouvelle page."""
    return f"filtre_{cle}@{page}"


def pour(
    derniere: date | DatesDonnees,
    *,
    debut: date | None = None,
    fin: date | None = None,
    **listes: tuple[str, ...] | list[str],
) -> Filtres:
    """Des filtres hors de l'application : mêmes règles que la barre latérale.

    derniere : les dates du territoire (`pour_base` les lit dans la base), ou une date fixée qui sert à la
    fois de D par défaut et de borne (mesures, tests)."""
    valeurs: dict = {cle: list(listes.get(cle, ())) for cle, _, _ in LISTES}
    valeurs["debut"] = debut or DEBUT_PAR_DEFAUT
    valeurs["fin"] = fin
    dates = derniere if isinstance(derniere, DatesDonnees) else DatesDonnees(derniere, derniere)
    return construire(valeurs, dates)


def pour_base(
    con: duckdb.DuckDBPyConnection,
    *,
    debut: date | None = None,
    fin: date | None = None,
    **listes: tuple[str, ...] | list[str],
) -> Filtres:
    """`pour` avec les dates du territoire lues dans la base (CLI `briefing`) : le même D que l'application."""
    dates = requetes.dates_donnees(con, perimetre_de(listes))
    if dates is None:
        raise ValueError("La base ne contient aucune extraction : rien à résumer.")
    return pour(dates, debut=debut, fin=fin, **listes)


CLES_URL = [cle for cle, _, _ in LISTES] + ["debut", "fin"]
