"""Freins périphériques (contrat §7.1) et réseau local des structures (§7.5) : de fines fonctions autour des
fichiers SQL de queries/, une par question, comme insertion.indicators.

Les pages les appellent par `ctx.requete("freins.<fonction>", …)` ; la mise en forme de la vue est dans
insertion.figures.freins.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insertion.contrat import DOMAINES, FREINS, GROUPES
from insertion.store.requetes import Perimetre, Periode, executer

# Les freins par leur nom court (colonne `frein` des requêtes), dans l'ordre du contrat, et leur libellé.
LIBELLES = {colonne.removeprefix("frein_"): libelle for colonne, libelle in FREINS.items()}
# Le domaine de l'annuaire qui couvre chaque frein (queries/couverture_freins.sql).
DOMAINE_DU_FREIN = {frein: ("acces_droits" if frein == "administratif" else frein) for frein in LIBELLES}
NB_FREINS_MAX = 4  # la dernière classe du nombre de freins par personne : « 4 ou plus »


def _choix(valeur: str, permis, quoi: str) -> str:
    if valeur not in permis:
        raise ValueError(f"{quoi} inconnu : {valeur!r} (valeurs possibles : {', '.join(permis)})")
    return valeur


def _params(periode: Periode, perimetre: Perimetre, groupe: str) -> dict:
    return {**periode.parametres(), **perimetre.parametres(), "groupe": _choix(groupe, GROUPES, "Regroupement")}


def prevalence(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Part des personnes de la file active à D qui ont chaque frein, parmi celles dont la réponse est connue :
    groupe, frein, connus, avec_frein, part."""
    return executer(con, "freins_prevalence", **_params(periode, perimetre, groupe))


def par_personne(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Nombre de freins par personne de la file active à D ayant au moins une réponse connue : groupe, nb_freins
    (0 à 4, 4 = « 4 ou plus »), personnes, total, part."""
    return executer(con, "freins_par_personne", **_params(periode, perimetre, groupe))


def sortie_emploi(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Sortie en emploi à 12 mois avec et sans chaque frein : groupe, frein, avec ('oui' / 'non'), denominateur,
    n_sortie_emploi, taux_sortie_emploi."""
    return executer(con, "freins_sortie_emploi", **_params(periode, perimetre, groupe))


def annuaire(
    con: duckdb.DuckDBPyConnection,
    communes: tuple[str, ...] = (),
    domaine: str | None = None,
    reseau: str | None = None,
    texte: str | None = None,
) -> pd.DataFrame:
    """L'annuaire des structures, filtré (chaque filtre vide = non posé) : code_structure, nom_structure, type,
    code_commune, commune, domaines, reseaux, site_web."""
    texte = (texte or "").strip() or None
    reseau = (reseau or "").strip() or None
    return executer(
        con,
        "annuaire_structures",
        communes=list(communes) or None,
        domaine=None if domaine is None else _choix(domaine, tuple(DOMAINES), "Domaine"),
        reseau=reseau,
        texte=texte,
    )


def couverture(con: duckdb.DuckDBPyConnection, communes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Par commune et par frein, le nombre de structures de la commune qui couvrent le domaine du frein :
    code_commune, commune, frein, domaine, structures."""
    return executer(con, "couverture_freins", communes=list(communes) or None)


# --- Pour la CLI, la vue d'ensemble et la note ---------------------------------------------------------------


def _parts_montrees(df: pd.DataFrame) -> pd.Series:
    """Les parts publiées, masquées (NaN) comme à l'écran : une part n'est montrée, même au département, que si ses
    deux parts (avec et sans le frein) valent 0 ou au moins le seuil (secret.taux_publiable)."""
    from insertion.protect import secret

    montree = [secret.taux_publiable(a, c) for a, c in zip(df["avec_frein"], df["connus"], strict=True)]
    return df["part"].where(pd.Series(montree, index=df.index))


def resume(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()) -> dict:
    """Le périmètre pour la CLI `indicators --json` (clé « freins ») : par frein, les personnes suivies dont la
    réponse est connue, celles qui ont le frein et leur part (« secret » quand elle est masquée, None sans réponse
    connue) ; {} quand personne n'est suivi à D."""
    from insertion.indicators.autres_systemes.commun import valeur_publiee

    df = prevalence(con, periode, perimetre)
    if df.empty:
        return {}
    parts = _parts_montrees(df)
    return {
        frein: {
            "connus": valeur_publiee(c),
            "avec_frein": valeur_publiee(a),
            "part": None if c == 0 else valeur_publiee(p),
        }
        for frein, c, a, p in zip(df["frein"], df["connus"], df["avec_frein"], parts, strict=True)
    }


def frein_le_plus_frequent(df: pd.DataFrame) -> tuple[str, float] | None:
    """(libellé, part) du frein le plus fréquent parmi les parts montrées de la prévalence publiée ; None si aucune
    ne l'est."""
    parts = _parts_montrees(df)
    if parts.notna().sum() == 0:
        return None
    i = parts.idxmax()
    return LIBELLES[df.at[i, "frein"]], float(parts[i])


def ligne_synthese(con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre()):
    """Le frein le plus fréquent parmi les personnes suivies (vue d'ensemble, note) ; None sans réponse connue."""
    from insertion import formats
    from insertion.indicators.autres_systemes.commun import LigneSynthese
    from insertion.protect import secret

    df = prevalence(con, periode, perimetre)
    connus = pd.to_numeric(df["connus"], errors="coerce")
    if df.empty or (connus.fillna(0) == 0).all() and connus.notna().all():
        return None
    premier = frein_le_plus_frequent(df)
    aide = "Parmi les personnes suivies dont la réponse est connue (évaluée à l'entrée), la part la plus élevée."
    if premier is None:
        return LigneSynthese("Frein le plus fréquent", secret.LIBELLE_MASQUE, aide, None)
    libelle, part = premier
    valeur = f"{libelle} ({formats.pourcentage(part)})"
    phrase = PHRASE_NOTE.format(frein=libelle.lower(), part=formats.pourcentage(part))
    return LigneSynthese("Frein le plus fréquent", valeur, aide, phrase)


PHRASE_NOTE = "Frein le plus fréquent : {frein} ({part} des personnes suivies dont la réponse est connue)."
