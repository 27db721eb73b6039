"""Indicateurs du contrat §5 : de fines fonctions autour des fichiers SQL de queries/.

La logique (définitions, bornes, regroupements) est dans le SQL ; ici, on choisit la requête,
on vérifie les valeurs qui ne peuvent pas être liées autrement qu'en liste blanche, et on met
en forme le résumé que la CLI affiche (`calculer`, protégé par `publier`, puis `mettre_en_texte`). `calculer`
rend des valeurs brutes : rien ne les imprime sans passer par `publier`.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from insertion.contrat import DEPARTEMENT, GROUPES, GROUPES_BUDGET  # noqa: F401  (DEPARTEMENT : lu par les pages)
from insertion.contrat import DIAGNOSTICS as _DIAGNOSTICS
from insertion.formats import date_longue, decimal, entier, pourcentage
from insertion.indicators import libelles
from insertion.protect import secret
from insertion.store import referentiel
from insertion.store.requetes import Perimetre, Periode, date_derniere_extraction, date_observation, executer

# DEPARTEMENT, GROUPES, GROUPES_BUDGET viennent du contrat et restent lisibles ici (pages, tests).
DIAGNOSTICS = tuple(_DIAGNOSTICS)
# Les deux diagnostics faits dans les 90 jours (le second daté au plus tard 90 jours après l'orientation).
LES_DEUX = "les_deux"


def _choix(valeur: str, permis: tuple[str, ...], quoi: str) -> str:
    if valeur not in permis:
        raise ValueError(f"{quoi} inconnu : {valeur!r} (valeurs possibles : {', '.join(permis)})")
    return valeur


def _params(periode: Periode, perimetre: Perimetre, groupe: str, permis: tuple[str, ...] = GROUPES) -> dict:
    return {**periode.parametres(), **perimetre.parametres(), "groupe": _choix(groupe, permis, "Regroupement")}


# --- Fonctions appelées par les pages : un DataFrame par fichier SQL -------------------------------


def file_active(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """File active à D = periode.as_of (la période ne la restreint pas) : groupe, file_active."""
    return executer(con, "file_active", **_params(periode, perimetre, groupe))


def file_active_mensuelle(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """File active à chaque fin de mois de la période (mois de D pris à D) : groupe, mois, date_reference,
    file_active."""
    return executer(con, "file_active_mensuelle", **_params(periode, perimetre, groupe))


def entrees_sorties(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Épisodes entrés et sortis pendant la période : groupe, entrees, sorties."""
    return executer(con, "entrees_sorties", **_params(periode, perimetre, groupe))


def entrees_sorties_mensuelles(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Entrées et sorties par mois de la période : groupe, mois, entrees, sorties."""
    return executer(con, "entrees_sorties_mensuelles", **_params(periode, perimetre, groupe))


def taux_diagnostic(
    con: duckdb.DuckDBPyConnection,
    periode: Periode,
    perimetre: Perimetre = Perimetre(),
    groupe: str = "departement",
    diagnostic: str = "numerique",
) -> pd.DataFrame:
    """Diagnostic à 90 jours : groupe, denominateur, numerateur, taux_90j, delai_median_j, diagnostics (effectif
    du délai médian)."""
    params = _params(periode, perimetre, groupe)
    params["diagnostic"] = _choix(diagnostic, (*DIAGNOSTICS, LES_DEUX), "Diagnostic")
    return executer(con, "taux_diagnostic_90j", **params)


def taux_sortie_emploi(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Sorties en emploi à 12 mois : groupe, denominateur, n_sortie_emploi, taux_sortie_emploi,
    n_emploi_durable, taux_emploi_durable."""
    return executer(con, "taux_sortie_emploi_12m", **_params(periode, perimetre, groupe))


def sorties_par_motif(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Sorties de la période par motif : groupe, motif_sortie, libelle, emploi_durable, sortie_emploi,
    sortie_dynamique, sorties."""
    return executer(con, "sorties_par_motif", **_params(periode, perimetre, groupe))


def sorties_par_groupe(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Sorties de la période par groupe de motifs, chaque groupe une case à part : groupe, groupe_sortie,
    sorties."""
    return executer(con, "sorties_par_groupe", **_params(periode, perimetre, groupe))


def budget_annuel(
    con: duckdb.DuckDBPyConnection, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Budget par année et par ligne (plus une ligne 'total') : groupe, annee, ligne, montant_vote,
    montant_execute, taux_execution, indice_vote_2021, indice_execute_2021.

    Le budget n'est ventilé que par ALI : seul le filtre ALI du périmètre s'applique."""
    return executer(
        con,
        "budget_annuel",
        groupe=_choix(groupe, GROUPES_BUDGET, "Regroupement"),
        alis=perimetre.parametres()["alis"],
    )


def cout_par_personne(
    con: duckdb.DuckDBPyConnection, periode: Periode, perimetre: Perimetre = Perimetre(), groupe: str = "departement"
) -> pd.DataFrame:
    """Coût par personne suivie de chaque année budgétaire : groupe, annee, montant_execute, mois_observes,
    file_active_moyenne, cout_par_personne.

    Seul le filtre ALI s'applique : un crédit ne se répartit pas par sexe ou par âge, et diviser le
    budget d'une ALI par une partie seulement de ses personnes suivies gonflerait le coût."""
    params = _params(periode, Perimetre(alis=perimetre.alis), groupe, GROUPES_BUDGET)
    return executer(con, "cout_par_personne", **params)


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


# Sous la couche de publication (insertion.protect), une case masquée arrive en NaN : elle devient le libellé
# du secret, jamais 0 ni « sans objet ».
def _effectif(value) -> int | str:
    return secret.LIBELLE_MASQUE if value is None or pd.isna(value) else int(value)


def _taux_ou_secret(value, *effectifs) -> float | str | None:
    """None : rien à rapporter (aucune personne) ; le libellé du secret : la valeur existe mais est masquée."""
    if value is not None and not pd.isna(value):
        return float(value)
    parle = any(isinstance(n, str) or n > 0 for n in effectifs)
    return secret.LIBELLE_MASQUE if parle else None


def _ligne(df: pd.DataFrame) -> dict:
    """La ligne du département, ou {} quand le périmètre ne contient rien."""
    return df.iloc[0].to_dict() if len(df) else {}


def calculer(
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
    if date_derniere_extraction(con) is None:
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
    groupes = sorties_par_groupe(con, periode, perimetre)
    emploi = _ligne(taux_sortie_emploi(con, periode, perimetre))

    def diag(nom: str) -> dict:
        row = _ligne(taux_diagnostic(con, periode, perimetre, diagnostic=nom))
        den = _effectif(row.get("denominateur", 0))
        diagnostics = _effectif(row.get("diagnostics", 0))
        return {
            "taux_90j": _taux_ou_secret(row.get("taux_90j"), den),
            "delai_median_j": _taux_ou_secret(row.get("delai_median_j"), diagnostics),
            "denominateur": den,
        }

    den_emploi = _effectif(emploi.get("denominateur", 0))
    return {
        "as_of": d.isoformat(),
        "file_active": _effectif(fa.get("file_active", 0)),
        "entrees": _effectif(es.get("entrees", 0)),
        "sorties": _effectif(es.get("sorties", 0)),
        "sorties_par_motif": {
            str(m): _effectif(n) for m, n in zip(motifs["motif_sortie"], motifs["sorties"], strict=True)
        },
        "sorties_par_groupe": {
            str(g): _effectif(n) for g, n in zip(groupes["groupe_sortie"], groupes["sorties"], strict=True)
        },
        "diag_numerique": diag("numerique"),
        "diag_linguistique": diag("linguistique"),
        "sortie_emploi_12m": {
            "taux": _taux_ou_secret(emploi.get("taux_sortie_emploi"), den_emploi),
            "denominateur": den_emploi,
        },
        "emploi_durable_12m": {
            "taux": _taux_ou_secret(emploi.get("taux_emploi_durable"), den_emploi),
            "denominateur": den_emploi,
        },
    }


def _groupe_motif(motif: str, motifs_connus: dict[str, dict]) -> str:
    ref = motifs_connus.get(motif)
    flags = (ref["emploi_durable"], ref["sortie_emploi"], ref["sortie_dynamique"]) if ref else (0, 0, 0)
    return libelles.groupe_sortie(*flags)


def publier(resultat: dict, perimetre: Perimetre = Perimetre(), seuil: int = secret.SEUIL_SECRET) -> dict:
    """Le résultat de `calculer` tel que la CLI l'imprime (texte ou JSON), avec `sorties_par_groupe` ; une valeur
    masquée est la chaîne « secret » (`secret.LIBELLE_MASQUE`).

    `calculer` lancé sous la couche de publication (`insertion.protect.publication`, ce que fait la CLI) rend
    déjà des valeurs publiées ; les règles appliquées ici en plus ne peuvent que masquer davantage : effectif
    de 1 à seuil − 1 hors exemption, taux sur moins de `seuil` personnes ou dont une part est petite, délai
    médian sans assez de diagnostics. Un groupe de sortie n'est publié que si tous ses motifs le sont : sa
    somme serait sinon fausse, ou redonnerait le motif masqué."""
    exempte = secret.departement_exempte(perimetre)
    masque = secret.LIBELLE_MASQUE

    def effectif(n: int | str) -> int | str:
        if isinstance(n, str):
            return n
        return n if exempte or not 0 < n < seuil else masque

    def taux(t: float | str | None, den: int | str) -> float | str | None:
        if t is None or isinstance(t, str):
            return t
        if isinstance(den, str):
            return masque
        return t if secret.taux_publiable(round(t * den), den, seuil) else masque

    out = dict(resultat)
    for cle in ("file_active", "entrees", "sorties"):
        out[cle] = effectif(resultat[cle])

    out["sorties_par_motif"] = {m: effectif(n) for m, n in resultat["sorties_par_motif"].items()}
    if "sorties_par_groupe" in resultat:  # chaque groupe est une case publiée à part (sorties_par_groupe.sql)
        out["sorties_par_groupe"] = {g: effectif(n) for g, n in resultat["sorties_par_groupe"].items()}
    else:  # un résultat sans les groupes : leur somme, masquée dès qu'un motif l'est
        motifs_connus = _motifs_referentiel()
        groupes: dict[str, int | str] = {}
        for motif, n in out["sorties_par_motif"].items():
            groupe = _groupe_motif(motif, motifs_connus)
            avant = groupes.get(groupe, 0)
            groupes[groupe] = masque if isinstance(avant, str) or isinstance(n, str) else avant + n
        out["sorties_par_groupe"] = {g: effectif(n) for g, n in groupes.items()}

    for cle in ("diag_numerique", "diag_linguistique"):
        r = resultat[cle]
        den = effectif(r["denominateur"])
        t = taux(r["taux_90j"], den)
        numerateur = None if t is None or isinstance(t, str) or isinstance(den, str) else round(t * den)
        delai = r["delai_median_j"]
        if delai is None or isinstance(delai, str):
            delai_publie = delai
        else:
            publie = secret.mediane_publiee(delai, numerateur, seuil)
            delai_publie = masque if publie is None else publie
        out[cle] = {"taux_90j": t, "delai_median_j": delai_publie, "denominateur": den}
    for cle in ("sortie_emploi_12m", "emploi_durable_12m"):
        r = resultat[cle]
        den = effectif(r["denominateur"])
        out[cle] = {"taux": taux(r["taux"], den), "denominateur": den}
    return out


def _motifs_referentiel() -> dict[str, dict]:
    try:
        return {m["motif_sortie"]: m for m in referentiel.charger_referentiel().motifs}
    except referentiel.ReferentielInvalide:
        return {}


def _jours(x: float) -> str:
    return decimal(x, 0 if float(x).is_integer() else 1) + (" jour" if x <= 1 else " jours")


def _nombre(n: int | str, unite: str) -> str:
    """« 3 465 personnes » ; une valeur masquée (« secret ») s'écrit seule."""
    if isinstance(n, str):
        return n
    return f"{entier(n)} {unite}{'s' if n > 1 else ''}"


def mettre_en_texte(result: dict) -> str:
    """Le résultat de `publier` (valeurs protégées) en français lisible."""
    lignes = [
        f"Indicateurs au {date_longue(date.fromisoformat(result['as_of']))}",
        "",
        f"File active : {_nombre(result['file_active'], 'personne')}",
        f"Entrées sur la période : {_nombre(result['entrees'], 'épisode')}",
        f"Sorties sur la période : {_nombre(result['sorties'], 'épisode')}",
    ]
    if result["sorties_par_motif"]:
        # Mêmes libellés qu'à l'écran : le motif emploi_durable seul ne se lit pas comme le groupe « emploi
        # durable » (création d'entreprise comprise, contrat §3), qui suit.
        motifs_connus = _motifs_referentiel()
        lignes.append("Sorties par motif :")
        for motif, n in result["sorties_par_motif"].items():
            ref = motifs_connus.get(motif)
            nom = libelles.MOTIFS_COURTS.get(motif) or (ref["libelle"] if ref else motif)
            lignes.append(f"  - {nom} : {n if isinstance(n, str) else entier(n)}")
        lignes.append("Sorties par groupe de motifs :")
        groupes = result.get("sorties_par_groupe") or publier(result)["sorties_par_groupe"]
        for groupe in libelles.GROUPES_SORTIE:
            n = groupes.get(groupe, 0)
            if n:
                lignes.append(f"  - {libelles.GROUPES_SORTIE[groupe]} : {n if isinstance(n, str) else entier(n)}")
    lignes.append("")

    def cohorte(n: int | str) -> str:
        return _nombre(n, "orientation")

    for cle, nom in (("diag_numerique", "numérique"), ("diag_linguistique", "linguistique")):
        r = result[cle]
        if r["taux_90j"] is None:
            taux = "non calculable (aucune orientation de la période datant de plus de 90 jours)"
        elif isinstance(r["taux_90j"], str):
            taux = r["taux_90j"]
        else:
            taux = f"{pourcentage(r['taux_90j'])} (sur {cohorte(r['denominateur'])})"
        d = r["delai_median_j"]
        delai = "non calculable (aucun diagnostic)" if d is None else d if isinstance(d, str) else _jours(d)
        lignes.append(f"Diagnostic {nom} à 90 jours : {taux} ; délai médian : {delai}")

    for cle, nom in (("sortie_emploi_12m", "en emploi"), ("emploi_durable_12m", "en emploi durable")):
        r = result[cle]
        if r["taux"] is None:
            taux = "non calculable (aucune orientation de la période datant de plus d'un an)"
        elif isinstance(r["taux"], str):
            taux = r["taux"]
        else:
            taux = f"{pourcentage(r['taux'])} (sur {cohorte(r['denominateur'])})"
        lignes.append(f"Sortie {nom} à 12 mois : {taux}")
    return "\n".join(lignes)
