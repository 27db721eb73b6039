"""La couche de publication (issue 12) : ce qu'une requête de queries/ rend à une page, un export, la note
PDF ou la CLI, une fois le secret statistique appliqué. Méthode et raisons : docs/secret-statistique.md.

Une seule porte : `publication()` se pose autour d'une page, d'une note ou d'une commande ; pendant ce
temps, toute requête lancée par `insertion.store.requetes.executer` (directement, par un indicateur, par le cache
d'une page) passe par `publier_requete` avant de sortir. Les lectures brutes restent possibles hors de
`publication()` : pour le chargement, les tests des indicateurs et cette couche elle-même.

Ce que fait `publier_requete`, d'après DECLARATIONS (une entrée par requête qui compte des personnes) :
- chaque effectif `x` qui porte sa clé de cellule `cle_x` est publié par clés de cellule
  (`protection.publier_effectifs`) : bruit de −3 à +3 lu à la clé, masqué sous le seuil, zéro compris ; la
  même cellule a la même valeur quelle que soit la requête qui l'atteint ;
- un taux est recalculé sur les effectifs publiés, et publié seulement si son numérateur et son complément
  le sont ; une médiane, seulement si l'effectif sur lequel elle porte l'est, arrondie au pas ;
- le département n'est exact (`exempte`) que sans aucun filtre de territoire ni de profil et pour une
  question qui ne remonte pas avant le premier mois où des ALI de deux EPT sont ouvertes (référentiel) ;
- une case masquée sort en NaN (« secret » à l'écrit : `secret.LIBELLE_MASQUE`) ; les clés ne sortent jamais.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from insertion.protect import protection, questions
from insertion.store import requetes
from insertion.store.cles import MODULE
from insertion.store.referentiel import charger_referentiel

# Les champs du périmètre : un seul posé suffit à faire du département une case comme une autre.
FILTRES = ("alis", "epts", "communes", "parcours", "ages", "sexes")
# La moyenne d'effectifs du coût par personne (sans clé de cellule) se publie arrondie à ce pas.
PAS_MOYENNE = 10


@dataclass(frozen=True)
class Declaration:
    """Comment publier une requête.

    depuis : d'où date la question, pour l'exemption du département : « debut » (un flux ou une cohorte,
    depuis le début de la période), « as_of » (un stock à la date D), ou le nom d'une colonne de dates (un
    stock par ligne).
    taux : colonne de taux → (numérateur, dénominateur) ; créée si la requête ne la rend pas.
    medianes : colonne de médiane (jours) → effectif sur lequel elle porte.
    moyennes : colonne de moyenne d'effectifs sans clé → colonnes calculées sur elle (coût par personne).
    rapports : colonne → (effectif à clé, grandeur publique) : un effectif rapporté à une grandeur qui n'est pas
    un effectif de personnes (places, séances, référents en ETP) ; recalculé sur l'effectif publié, car le
    rapport exact, multiplié par la grandeur publique, redonnerait l'effectif exact.
    exemptable : faux pour les fichiers du §7 (mises en relation, actions collectives, participations) : ils ne
    viennent souvent que d'une ou deux ALI, leur « département » n'est alors qu'une ALI ; il n'est jamais exact.
    """

    depuis: str = "debut"
    taux: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    medianes: Mapping[str, str] = field(default_factory=dict)
    moyennes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rapports: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    exemptable: bool = True


_TAUX_DIAG = {"taux_90j": ("numerateur", "denominateur")}
_TAUX_EMPLOI = {
    "taux_sortie_emploi": ("n_sortie_emploi", "denominateur"),
    "taux_emploi_durable": ("n_emploi_durable", "denominateur"),
}

DECLARATIONS: dict[str, Declaration] = {
    "file_active": Declaration(depuis="as_of"),
    "file_active_mensuelle": Declaration(depuis="date_reference"),
    "repartition_profil": Declaration(depuis="as_of", taux={"part": ("file_active", "total")}),
    "entrees_sorties": Declaration(),
    "entrees_sorties_mensuelles": Declaration(),
    "sorties_par_motif": Declaration(),
    "sorties_par_groupe": Declaration(),
    "niveaux_diagnostic": Declaration(),
    "parcours_cohorte": Declaration(),
    "taux_diagnostic_90j": Declaration(taux=_TAUX_DIAG, medianes={"delai_median_j": "diagnostics"}),
    "taux_diagnostic_cohortes": Declaration(taux=_TAUX_DIAG, medianes={"delai_median_j": "diagnostics"}),
    "taux_sortie_emploi_12m": Declaration(taux=_TAUX_EMPLOI),
    "taux_sortie_emploi_cohortes": Declaration(taux=_TAUX_EMPLOI),
    "taux_fins_de_mois": Declaration(
        # Les cohortes de chaque fin de mois sont les orientations de la période P plafonnée à cette date.
        taux={
            "taux_diag_numerique": ("n_diag_numerique", "denominateur_90j"),
            "taux_diag_linguistique": ("n_diag_linguistique", "denominateur_90j"),
            "taux_sortie_emploi": ("n_sortie_emploi", "denominateur_12m"),
            "taux_emploi_durable": ("n_emploi_durable", "denominateur_12m"),
        },
    ),
    # La complétude : des effectifs d'épisodes renseignés ; ses taux sont faits par insertion.figures.qualite sur eux.
    "qualite_completude": Declaration(),
    "cout_par_personne": Declaration(depuis="as_of", moyennes={"file_active_moyenne": ("cout_par_personne",)}),
    # Freins périphériques (§7.1) : colonnes de la file active, exemptables comme elle ; un stock à D (prévalence,
    # freins par personne), une cohorte d'orientation depuis le début de la période (sortie en emploi).
    "freins_prevalence": Declaration(depuis="as_of", taux={"part": ("avec_frein", "connus")}),
    "freins_par_personne": Declaration(depuis="as_of", taux={"part": ("personnes", "total")}),
    "freins_sortie_emploi": Declaration(taux={"taux_sortie_emploi": ("n_sortie_emploi", "denominateur")}),
    # Contrat §7.2 : les mises en relation ne viennent que des ALI qui travaillent avec des partenaires.
    "mises_en_relation": Declaration(
        taux={
            "taux_embauche": ("embauches", "mises_en_relation"),
            "part_contrats_longs": ("contrats_longs", "embauches"),
            "part_tpe_pme": ("embauches_tpe_pme", "embauches"),
        },
        exemptable=False,
    ),
    "delais_mise_en_relation": Declaration(
        medianes={
            "delai_median_mise_en_relation_j": "personnes_mises_en_relation",
            "delai_median_embauche_j": "personnes_embauchees",
        },
        exemptable=False,
    ),
    "embauches_sorties": Declaration(
        taux={"taux_concordance": ("embauches_sortie_emploi", "embauches_observees")}, exemptable=False
    ),
    # Moyens (contrat §7.4) : la file active des ALI qui ont déclaré leurs moyens, rapportée aux référents et aux
    # places (grandeurs publiques). Le département n'est exact que les mois où toutes les ALI qui suivent des
    # personnes ont déclaré (date_complete) : il est alors la file active du département, publiée exacte (plus les
    # personnes suivies par deux ALI à la fois, un effectif du département) ; un autre mois, l'écart entre les deux
    # redonnerait la file active exacte des ALI absentes.
    "moyens_mensuels": Declaration(
        depuis="date_complete",
        rapports={
            "personnes_par_referent": ("file_active", "referents_etp"),
            "taux_occupation": ("file_active", "places"),
        },
    ),
    # Actions collectives (§7.3) : effectifs déclarés par séance, clés de séance ; rapports aux places et aux
    # séances (grandeurs publiques) recalculés sur les effectifs publiés.
    "actions_collectives": Declaration(
        rapports={
            "taux_remplissage": ("participants_places", "places"),
            "rendez_vous_par_seance": ("rendez_vous_pris", "seances"),
        },
        exemptable=False,
    ),
    "ateliers_apres_diagnostic": Declaration(
        taux={"taux_atelier_60j": ("debutants_atelier", "debutants")}, exemptable=False
    ),
}


@cache
def premiere_ouverture() -> date:
    """Le premier mois d'ouverture d'une ALI (référentiel, public) : avant, le département n'a personne à
    suivre, ses zéros ne cachent rien."""
    return min(a["ouverture"] for a in charger_referentiel().ali)


@cache
def premiers_mois_exemptes() -> tuple[date | None, date | None]:
    """(stocks, flux) : le premier mois où le département peut être exact pour un stock, puis pour un flux.

    Stocks : le premier mois où des ALI de deux EPT sont ouvertes (`protection.premier_mois_exempte`). Flux :
    un mois plus tard ; sinon le stock exact de ce premier mois, moins ses entrées et plus ses sorties exactes,
    redonnerait exactement le stock du mois d'avant, quand le département n'était qu'un EPT."""
    ref = charger_referentiel()
    ept_de = {c["code_commune"]: c["ept"] for c in ref.communes}
    ouvertures = [(ept_de[code], a["ouverture"]) for a in ref.ali for code in a["communes"][:1]]
    stocks = protection.premier_mois_exempte(ouvertures)
    return stocks, (questions.decale_mois(stocks, 1) if stocks else None)


def _date(valeur: object) -> date | None:
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)) or valeur is pd.NaT:
        return None
    return pd.Timestamp(valeur).date()


def sans_filtre(params: Mapping[str, object]) -> bool:
    return not any(params.get(nom) for nom in FILTRES)


def exemptions(decl: Declaration, params: Mapping[str, object], df: pd.DataFrame) -> np.ndarray:
    """Un booléen par ligne : publiée exactement (le département, sans filtre, sur une question assez récente)."""
    non = np.zeros(len(df), dtype=bool)
    if not decl.exemptable:
        return non
    # Une question tout entière avant l'ouverture de la première ALI (référentiel public) ne porte sur
    # personne, à aucun niveau : ses zéros ne cachent rien, et la vue peut dire qu'il n'y a rien.
    fins = [_date(params.get(p)) for p in ("as_of", "fin") if params.get(p) is not None]
    if fins and min(fins) < premiere_ouverture():
        return ~non
    if params.get("groupe", "departement") != "departement" or not sans_filtre(params):
        return non
    stocks, flux = premiers_mois_exemptes()
    if decl.depuis == "debut":
        debut = _date(params.get("debut"))
        return non | bool(flux and debut and debut >= flux)
    if decl.depuis == "as_of":
        as_of = _date(params.get("as_of"))
        return non | bool(stocks and as_of and as_of >= stocks)
    if decl.depuis not in df.columns or stocks is None:
        return non
    return np.array([bool(d and d >= stocks) for d in map(_date, df[decl.depuis])], dtype=bool)


def _entiers(serie: pd.Series) -> np.ndarray:
    return pd.to_numeric(serie, errors="coerce").fillna(0).round().astype("int64").to_numpy()


def _publier_colonne(vrai: np.ndarray, cles: np.ndarray, exempt: np.ndarray, reglage) -> np.ndarray:
    publie = protection.publier_effectifs(vrai, cles, reglage=reglage).astype("float64").to_numpy()
    return np.where(exempt, vrai.astype("float64"), publie)


def publier_requete(nom: str, params: Mapping[str, object], brut: pd.DataFrame) -> pd.DataFrame:
    """Le résultat publié d'une requête (voir le module). Une requête non déclarée passe telle quelle si elle
    ne porte aucune clé de cellule (budget, dates, référentiel, historique des chargements) ; une requête à
    clés non déclarée est refusée : l'oubli se voit au premier appel, pas dans un chiffre publié."""
    cles = [c for c in brut.columns if str(c).startswith(requetes.PREFIXE_CLE)]
    decl = DECLARATIONS.get(nom)
    if decl is None:
        if cles:
            raise LookupError(f"Requête {nom} : effectifs à clés sans déclaration de publication (insertion.protect).")
        return brut
    reglage = protection.REGLAGE
    df = brut.drop(columns=cles).reset_index(drop=True)
    if reglage is None:  # INSERTION_SEUIL_SECRET=1 : secret désactivé
        return df
    brut = brut.reset_index(drop=True)
    exempt = exemptions(decl, params, brut)
    seuil = reglage.seuil
    vrais: dict[str, np.ndarray] = {}
    for cle in cles:
        colonne = cle.removeprefix(requetes.PREFIXE_CLE)
        if colonne in brut.columns:
            vrais[colonne] = _entiers(brut[colonne])
            df[colonne] = _publier_colonne(vrais[colonne], _entiers(brut[cle]), exempt, reglage)
    for taux, (num, den) in decl.taux.items():
        n, d = vrais[num], vrais[den]
        cle_complement = (_entiers(brut[f"cle_{den}"]) - _entiers(brut[f"cle_{num}"])) % MODULE
        complement = protection.publier_effectifs(np.maximum(d - n, 0), cle_complement, reglage=reglage)
        visible_dessous = df[num].notna().to_numpy() & complement.notna().to_numpy() & df[den].notna().to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            exact = np.where(d > 0, n / np.maximum(d, 1), np.nan)
            dessous = df[num].to_numpy() / df[den].to_numpy()
        df[taux] = np.where(exempt, np.where(d >= seuil, exact, np.nan), np.where(visible_dessous, dessous, np.nan))
    for mediane, effectif in decl.medianes.items():
        jours = pd.to_numeric(brut[mediane], errors="coerce").to_numpy(dtype="float64")
        arrondi = reglage.pas_mediane * np.floor(jours / reglage.pas_mediane + 0.5)
        visible = np.where(exempt, vrais[effectif] >= seuil, df[effectif].notna().to_numpy())
        df[mediane] = np.where(visible, arrondi, np.nan)
    for rapport, (effectif, grandeur) in decl.rapports.items():
        public = pd.to_numeric(brut[grandeur], errors="coerce").to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            exact = vrais[effectif] / public
            sur_publie = df[effectif].to_numpy(dtype="float64") / public
        df[rapport] = np.where(public > 0, np.where(exempt, exact, sur_publie), np.nan)
    for moyenne, derivees in decl.moyennes.items():
        vraie = pd.to_numeric(brut[moyenne], errors="coerce").to_numpy(dtype="float64")
        arrondie = PAS_MOYENNE * np.floor(vraie / PAS_MOYENNE + 0.5)
        # Masquée sous le seuil, avant comme après l'arrondi (11 à 14 s'arrondiraient à 10).
        publiee = np.where(exempt, vraie, np.where((vraie >= seuil) & (arrondie >= seuil), arrondie, np.nan))
        df[moyenne] = publiee
        for derivee in derivees:
            # Calculée sur la moyenne publiée : la valeur exacte, rapportée au montant, redonnerait la moyenne.
            montant = pd.to_numeric(brut.get("montant_execute"), errors="coerce").to_numpy(dtype="float64")
            with np.errstate(divide="ignore", invalid="ignore"):
                sur_publiee = montant / publiee
            df[derivee] = np.where(exempt, pd.to_numeric(brut[derivee], errors="coerce"), sur_publiee)
    return df


@contextmanager
def publication() -> Iterator[None]:
    """Pendant ce bloc, toute requête sort publiée (voir le module)."""
    jeton = requetes.PUBLICATION.set(publier_requete)
    try:
        yield
    finally:
        requetes.PUBLICATION.reset(jeton)


def poser_publication() -> None:
    """Pose la publication pour le reste du fil d'exécution (une exécution de page Streamlit, qui a son propre
    fil : rien d'autre ne s'y déroule ensuite)."""
    requetes.PUBLICATION.set(publier_requete)


def en_publication() -> bool:
    return requetes.PUBLICATION.get() is not None
