"""Indicateurs du contrat §5 : de fines fonctions autour des fichiers SQL de queries/.

La logique (définitions, bornes, regroupements) est dans le SQL ; ici, on choisit la requête,
on vérifie les valeurs qui ne peuvent pas être liées autrement qu'en liste blanche, et on met
en forme le résumé que la CLI affiche (`compute` puis `format_text`).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from insertion import libelles
from insertion.contrat import DEPARTEMENT, GROUPES, GROUPES_BUDGET  # noqa: F401  (DEPARTEMENT : lu par les pages)
from insertion.contrat import DIAGNOSTICS as _DIAGNOSTICS
from insertion.formats import date_longue, decimal, entier, pourcentage
from insertion.store import referentiel
from insertion.store.requetes import Perimetre, Periode, date_observation, latest_extraction, run

# DEPARTEMENT, GROUPES, GROUPES_BUDGET viennent du contrat et restent lisibles ici (pages, tests).
DIAGNOSTICS = tuple(_DIAGNOSTICS)


def _choix(valeur: str, permis: tuple[str, ...], quoi: str) -> str:
    if valeur not in permis:
        raise ValueError(f"{quoi} inconnu : {valeur!r} (valeurs possibles : {', '.join(permis)})")
    return valeur


def _params(periode: Periode, perimetre: Perimetre, groupe: str, permis: tuple[str, ...] = GROUPES) -> dict:
    return {**periode.params(), **perimetre.params(), "groupe": _choix(groupe, permis, "Regroupement")}


# --- Fonctions appelées par les pages : un DataFrame par fichier SQL -------------------------------


def file_active(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """File active à D = periode.as_of (la période ne la restreint pas) : groupe, file_active."""
    return run(con, "file_active", **_params(periode, perimetre, groupe))


def file_active_mensuelle(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """File active à chaque fin de mois de la période (mois de D pris à D) : groupe, mois, date_reference,
    file_active."""
    return run(con, "file_active_mensuelle", **_params(periode, perimetre, groupe))


def entrees_sorties(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Épisodes entrés et sortis pendant la période : groupe, entrees, sorties."""
    return run(con, "entrees_sorties", **_params(periode, perimetre, groupe))


def entrees_sorties_mensuelles(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Entrées et sorties par mois de la période : groupe, mois, entrees, sorties."""
    return run(con, "entrees_sorties_mensuelles", **_params(periode, perimetre, groupe))


def taux_diagnostic(
    con: duckdb.DuckDBPyConnection,
    periode: Periode,
    perimetre: Perimetre = Perimetre(),
    groupe: str = "departement",
    diagnostic: str = "numerique",
) -> pd.DataFrame:
    """Diagnostic à 90 jours : groupe, denominateur, numerateur, taux_90j, delai_median_j."""
    params = _params(periode, perimetre, groupe)
    params["diagnostic"] = _choix(diagnostic, DIAGNOSTICS, "Diagnostic")
    return run(con, "taux_diagnostic_90j", **params)


def taux_sortie_emploi(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Sorties en emploi à 12 mois : groupe, denominateur, n_sortie_emploi, taux_sortie_emploi,
    n_emploi_durable, taux_emploi_durable."""
    return run(con, "taux_sortie_emploi_12m", **_params(periode, perimetre, groupe))


def sorties_par_motif(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Sorties de la période par motif : groupe, motif_sortie, libelle, emploi_durable, sortie_emploi,
    sortie_dynamique, sorties."""
    return run(con, "sorties_par_motif", **_params(periode, perimetre, groupe))


def budget_annuel(
    con: duckdb.DuckDBPyConnection, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Budget par année et par ligne (plus une ligne 'total') : groupe, annee, ligne, montant_vote,
    montant_execute, taux_execution, indice_vote_2021, indice_execute_2021.

    Le budget n'est ventilé que par ALI : seul le filtre ALI du périmètre s'applique."""
    return run(
        con,
        "budget_annuel",
        groupe=_choix(groupe, GROUPES_BUDGET, "Regroupement"),
        alis=perimetre.params()["alis"],
    )


def cout_par_personne(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Coût par personne suivie de chaque année budgétaire : groupe, annee, montant_execute, mois_observes,
    file_active_moyenne, cout_par_personne.

    Seul le filtre ALI s'applique : un crédit ne se répartit pas par sexe ou par âge, et diviser le
    budget d'une ALI par une partie seulement de ses personnes suivies gonflerait le coût."""
    params = _params(periode, Perimetre(alis=perimetre.alis), groupe, GROUPES_BUDGET)
    return run(con, "cout_par_personne", **params)


# --- Résumé pour la CLI ---------------------------------------------------------------------------


def _date(value: date | str | None, nom: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{nom} illisible : {value!r} (attendu AAAA-MM-JJ)") from exc


def _taux(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _ligne(df: pd.DataFrame) -> dict:
    """La ligne du département, ou {} quand le périmètre ne contient rien."""
    return df.iloc[0].to_dict() if len(df) else {}


def compute(
    con: duckdb.DuckDBPyConnection,
    as_of: date | str | None = None,
    debut: date | str | None = None,
    fin: date | str | None = None,
    perimetre: Perimetre = Perimetre(),
) -> dict:
    """Les indicateurs du département pour le périmètre, à la date D, sur la période P.

    D = as_of, sinon la date par défaut du territoire (`queries.date_observation` : la dernière date que toutes
    ses ALI ont fournie, comme dans l'application) ; P = [debut, fin], ouverte quand une borne manque,
    toujours plafonnée à D. Les taux sont des fractions de 0 à 1, None quand le dénominateur est vide.
    """
    if latest_extraction(con) is None:
        raise ValueError(
            "La base ne contient aucun épisode : chargez une extraction de file active avant de calculer "
            "des indicateurs."
        )
    as_of, debut, fin = (
        _date(as_of, "Date d'observation"),
        _date(debut, "Début de période"),
        _date(fin, "Fin de période"),
    )
    if debut and fin and debut > fin:
        raise ValueError(f"Période vide : le début ({debut.isoformat()}) est après la fin ({fin.isoformat()}).")
    d = as_of or date_observation(con, perimetre)
    periode = Periode(as_of=d, debut=debut, fin=fin)

    fa = _ligne(file_active(con, periode, perimetre))
    es = _ligne(entrees_sorties(con, periode, perimetre))
    motifs = sorties_par_motif(con, periode, perimetre)
    emploi = _ligne(taux_sortie_emploi(con, periode, perimetre))

    def diag(nom: str) -> dict:
        row = _ligne(taux_diagnostic(con, periode, perimetre, diagnostic=nom))
        return {
            "taux_90j": _taux(row.get("taux_90j")),
            "delai_median_j": _taux(row.get("delai_median_j")),
            "denominateur": int(row.get("denominateur", 0)),
        }

    return {
        "as_of": d.isoformat(),
        "file_active": int(fa.get("file_active", 0)),
        "entrees": int(es.get("entrees", 0)),
        "sorties": int(es.get("sorties", 0)),
        "sorties_par_motif": {str(m): int(n) for m, n in zip(motifs["motif_sortie"], motifs["sorties"], strict=True)},
        "diag_numerique": diag("numerique"),
        "diag_linguistique": diag("linguistique"),
        "sortie_emploi_12m": {
            "taux": _taux(emploi.get("taux_sortie_emploi")),
            "denominateur": int(emploi.get("denominateur", 0)),
        },
        "emploi_durable_12m": {
            "taux": _taux(emploi.get("taux_emploi_durable")),
            "denominateur": int(emploi.get("denominateur", 0)),
        },
    }


def _motifs_referentiel() -> dict[str, dict]:
    try:
        return {m["motif_sortie"]: m for m in referentiel.load_referentiel().motifs}
    except referentiel.ReferentielInvalide:
        return {}


def _jours(x: float) -> str:
    return decimal(x, 0 if float(x).is_integer() else 1) + (" jour" if x <= 1 else " jours")


def format_text(result: dict) -> str:
    """Le résultat de `compute` en français lisible."""
    lignes = [
        f"Indicateurs au {date_longue(date.fromisoformat(result['as_of']))}",
        "",
        f"File active : {entier(result['file_active'])} personne{'s' if result['file_active'] > 1 else ''}",
        f"Entrées sur la période : {entier(result['entrees'])} épisode{'s' if result['entrees'] > 1 else ''}",
        f"Sorties sur la période : {entier(result['sorties'])} épisode{'s' if result['sorties'] > 1 else ''}",
    ]
    if result["sorties_par_motif"]:
        # Mêmes libellés qu'à l'écran : le motif emploi_durable seul ne se lit pas comme le groupe « emploi
        # durable » (création d'entreprise comprise, contrat §3), qui suit.
        referentiel = _motifs_referentiel()
        lignes.append("Sorties par motif :")
        groupes = dict.fromkeys(libelles.GROUPES_SORTIE, 0)
        for motif, n in result["sorties_par_motif"].items():
            ref = referentiel.get(motif)
            nom = libelles.MOTIFS_COURTS.get(motif) or (ref["libelle"] if ref else motif)
            lignes.append(f"  - {nom} : {entier(n)}")
            flags = (ref["emploi_durable"], ref["sortie_emploi"], ref["sortie_dynamique"]) if ref else (0, 0, 0)
            groupes[libelles.groupe_sortie(*flags)] += n
        lignes.append("Sorties par groupe de motifs :")
        for groupe, n in groupes.items():
            if n:
                lignes.append(f"  - {libelles.GROUPES_SORTIE[groupe]} : {entier(n)}")
    lignes.append("")

    def cohorte(n: int) -> str:
        return f"{entier(n)} orientation{'s' if n > 1 else ''}"

    for cle, nom in (("diag_numerique", "numérique"), ("diag_linguistique", "linguistique")):
        r = result[cle]
        if r["taux_90j"] is None:
            taux = "non calculable (aucune orientation de la période datant de plus de 90 jours)"
        else:
            taux = f"{pourcentage(r['taux_90j'])} (sur {cohorte(r['denominateur'])})"
        delai = "non calculable (aucun diagnostic)" if r["delai_median_j"] is None else _jours(r["delai_median_j"])
        lignes.append(f"Diagnostic {nom} à 90 jours : {taux} ; délai médian : {delai}")

    for cle, nom in (("sortie_emploi_12m", "en emploi"), ("emploi_durable_12m", "en emploi durable")):
        r = result[cle]
        if r["taux"] is None:
            taux = "non calculable (aucune orientation de la période datant de plus d'un an)"
        else:
            taux = f"{pourcentage(r['taux'])} (sur {cohorte(r['denominateur'])})"
        lignes.append(f"Sortie {nom} à 12 mois : {taux}")
    return "\n".join(lignes)
