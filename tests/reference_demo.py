"""Garde-fou avant/après d'une réorganisation du code (issue 15) : les résultats bruts de chaque requête de
queries/*.sql sur la base de démonstration, pour 4 périmètres et 2 périodes, écrits dans reference_demo.json.

Déplacer du code ne doit changer aucun nombre : tests/indicators/test_reference_demo.py recalcule tout et compare à
l'égalité exacte. Quand un changement de comportement est voulu (une règle, une requête), on réécrit la
référence et le diff du JSON montre ce qui a bougé :

    python -m tests.reference_demo --ecrire            # construit la démonstration dans un dossier temporaire
    python -m tests.reference_demo --ecrire --base data/demo.duckdb

Les requêtes sont lancées par le même chemin que l'application (`executer` du magasin : curseur dédié, paramètres
liés), sur chaque valeur admise de leurs paramètres de forme (regroupement, diagnostic, dimension, pas).
Les flottants sont arrondis à 12 chiffres significatifs (voir `_valeur`) ; les lignes sont triées : l'ordre
d'une requête sans ORDER BY complet n'est pas garanti par DuckDB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parent / "reference_demo.json"
QUERIES = Path(__file__).resolve().parent.parent / "queries"

# Colonnes qui dépendent de l'instant du chargement, pas des données : exclues de la comparaison.
COLONNES_HORODATEES = {"qualite_chargements": {"charge_le"}}

# Valeurs des paramètres de forme, par requête quand elles diffèrent (le regroupement par commune n'est
# calculé que pour le département).
GROUPES = ("departement", "ali", "ept", "commune")
GROUPES_PAR_REQUETE = {
    "budget_annuel": ("departement", "ali"),
    "cout_par_personne": ("departement", "ali"),
    "qualite_completude": ("departement", "ali"),
    # Contrat §7.2 : les mises en relation se regroupent par ALI ou par structure partenaire.
    "mises_en_relation": ("departement", "ali", "structure"),
    "delais_mise_en_relation": ("departement", "ali", "structure"),
    "embauches_sorties": ("departement", "ali", "structure"),
    "actions_collectives": ("departement", "type_action", "commune", "quartier", "structure", "ali"),
    "moyens_mensuels": ("departement", "ali"),
    "cout_par_place": ("departement", "ali"),
}
# Les pas admis quand une requête n'en prend qu'une partie.
PAS_PAR_REQUETE = {"actions_collectives": ("mois", "periode")}
VARIANTES = {
    "diagnostic": ("numerique", "linguistique"),
    "dimension": ("tranche_age", "sexe", "type_parcours", "composition_foyer", "anciennete_rsa"),
    "pas": ("mois", "trimestre", "periode"),
}


def perimetres(ref_ali: str, ref_ept: str) -> dict[str, Any]:
    from insertion.store.requetes import Perimetre

    return {
        "departement": Perimetre(),
        f"ali_{ref_ali}": Perimetre(alis=(ref_ali,)),
        f"ept_{ref_ept}": Perimetre(epts=(ref_ept,)),
        "profil_F_25_34": Perimetre(sexes=("F",), ages=("25_34",)),
    }


def _valeur(v: Any) -> Any:
    """Une cellule en JSON : dates ISO, décimaux en texte, flottants à 12 chiffres significatifs."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_valeur(x) for x in v]
    if isinstance(v, dict):
        return {k: _valeur(x) for k, x in v.items()}
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        # 12 chiffres significatifs : DuckDB additionne les flottants en parallèle dans un ordre qui varie d'une
        # exécution à l'autre (32120825.5 puis 32120825.500000004 pour la même somme) ; au-delà, c'est exact.
        return "NaN" if math.isnan(v) else float(f"{v:.12g}")
    return v


def _table(df: pd.DataFrame, exclues: set[str]) -> dict:
    colonnes = [c for c in df.columns if c not in exclues]
    lignes = [[_valeur(v) for v in row] for row in df[colonnes].itertuples(index=False, name=None)]
    lignes.sort(key=lambda r: json.dumps(r, ensure_ascii=False))
    return {"colonnes": colonnes, "lignes": lignes}


def _combinaisons(nom: str, voulus: tuple[str, ...]) -> list[dict[str, Any]]:
    combinaisons: list[dict[str, Any]] = [{}]
    for p in voulus:
        if p == "groupe":
            valeurs = GROUPES_PAR_REQUETE.get(nom, GROUPES)
        elif p == "pas":
            valeurs = PAS_PAR_REQUETE.get(nom, VARIANTES["pas"])
        else:
            valeurs = VARIANTES.get(p)
        if valeurs is None:
            continue
        combinaisons = [{**c, p: v} for c in combinaisons for v in valeurs]
    return combinaisons


def calculer(base: Path) -> dict:
    """Tous les résultats, clé « requête | périmètre | période | variantes »."""
    from insertion.store import db
    from insertion.store.requetes import (
        Periode,
        date_derniere_extraction,
        date_observation,
        executer,
        noms_parametres,
        texte_sql,
    )

    con = db.ouvrir_en_lecture(base)
    try:
        d = date_observation(con)
        assert d is not None, "base vide"
        ept = con.execute(
            "SELECT min(c.ept) FROM ref_ali_communes a JOIN ref_communes c USING (code_commune) "
            "WHERE a.code_ali = 'ALI08'"
        ).fetchone()[0]
        periodes = {
            "tout": Periode(as_of=d),
            f"annee_{d.year - 1}": Periode(as_of=d, debut=date(d.year - 1, 1, 1), fin=date(d.year - 1, 12, 31)),
        }
        communs = {
            "derniere": date_derniere_extraction(con),
            "chargement": None,
            "limite": 1000,
            "types": None,  # actions collectives : tous les types
            # L'annuaire des structures (contrat §7.5) : sans filtre (la commune vient du périmètre).
            "domaine": None,
            "reseau": None,
            "texte": None,
        }
        resultats: dict[str, dict] = {}
        noms = sorted(p.stem for p in QUERIES.glob("*.sql"))  # les macros sont dans queries/macros/
        for nom in noms:
            voulus = noms_parametres(texte_sql(nom))
            deja: set[str] = set()
            for nom_perimetre, perimetre in perimetres("ALI08", ept).items():
                for nom_periode, periode in periodes.items():
                    params = {**communs, **perimetre.parametres(), **periode.parametres()}
                    # Les fins de mois des 12 mois avant D (le graphique « au fil des mois » de la vue d'ensemble).
                    fins = pd.date_range(end=pd.Timestamp(d), periods=12, freq="ME")
                    params["dates"] = [t.date() for t in fins]
                    for variantes in _combinaisons(nom, voulus):
                        if variantes.get("groupe") == "commune" and nom_perimetre != "departement":
                            continue  # 40 communes × chaque périmètre : le JSON doublerait pour peu de chose
                        lies = {p: (params | variantes)[p] for p in voulus}
                        empreinte = repr(sorted(lies.items()))
                        if empreinte in deja:
                            continue  # la requête ne lit pas ce qui change (périmètre, période) : même résultat
                        deja.add(empreinte)
                        df = executer(con, nom, **params, **variantes)
                        cle = " | ".join(
                            [nom, nom_perimetre, nom_periode, *(f"{k}={v}" for k, v in sorted(variantes.items()))]
                        )
                        resultats[cle] = _table(df, COLONNES_HORODATEES.get(nom, set()))
        return {"date_observation": d.isoformat(), "resultats": resultats}
    finally:
        con.close()


# Les sorties publiées (CLI `indicators --json`, chiffres et phrases de la note) passent par le secret par clés de
# cellule : leur bruit dépend du sel. Un sel fixé, pour ces seules comparaisons, les rend reproductibles.
SEL_DE_REFERENCE = "reference-avant-apres-issue-15-" + "0" * 32


def sorties_publiees(base: Path) -> dict:
    """Ce que voient les utilisateurs, sur une copie de la base (ses clés sont recalculées avec le sel de
    référence) : le JSON de la CLI et la note, pour le département et une ALI. Dans un autre processus : le sel
    est lu dans l'environnement."""
    with tempfile.TemporaryDirectory() as dossier:
        copie = Path(dossier) / "reference.duckdb"
        shutil.copyfile(base, copie)
        env = {**os.environ, "INSERTION_SEL_SECRET": SEL_DE_REFERENCE}
        run = subprocess.run(
            [sys.executable, "-m", "tests.reference_demo", "--sorties", str(copie)],
            cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True, timeout=600,
            check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def _sorties_ici(base: Path) -> dict:
    from insertion.indicators import filters
    from insertion.outputs import briefing, cli
    from insertion.store import db

    sorties: dict[str, dict] = {}
    for nom, ali in (("departement", []), ("ali_ALI08", ["ALI08"])):
        tampon = io.StringIO()
        with contextlib.redirect_stdout(tampon):
            code = cli.main(["indicators", "--db", str(base), "--json", *(["--ali", *ali] if ali else [])])
        assert code == 0
        sorties[f"cli indicators --json | {nom}"] = json.loads(tampon.getvalue())
        con = db.ouvrir_en_lecture(base)
        try:
            note = briefing.preparer(con, filters.pour_base(con, ali=ali))
        finally:
            con.close()
        sorties[f"note | {nom}"] = {
            "chiffres": [[c.libelle, c.valeur, c.evolution] for c in note.chiffres],
            "phrases": note.phrases,
            "filtres": [list(f) for f in note.filtres],
        }
    return sorties


def ecrire(resultats: dict, chemin: Path = REFERENCE) -> None:
    # Une entrée par ligne de fichier : un changement voulu se lit dans le diff.
    lignes = [
        f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
        for k, v in sorted(resultats["resultats"].items())
    ]
    texte = (
        "{\n"
        f' "date_observation": {json.dumps(resultats["date_observation"])},\n'
        ' "resultats": {\n  ' + ",\n  ".join(lignes) + "\n }\n}\n"
    )
    chemin.write_text(texte, encoding="utf-8")


def lire(chemin: Path = REFERENCE) -> dict:
    return json.loads(chemin.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ecrire", action="store_true", help="écrit tests/reference_demo.json")
    parser.add_argument("--base", type=Path, help="base de démonstration déjà construite (sinon : construite ici)")
    parser.add_argument("--sorties", type=Path, help=argparse.SUPPRESS)  # usage interne : voir sorties_publiees
    args = parser.parse_args()
    if args.sorties:
        print(json.dumps(_sorties_ici(args.sorties), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as dossier:
        base = args.base
        if base is None:
            from insertion.demo import construire_demo

            base = Path(dossier) / "demo.duckdb"
            construire_demo(base)
        resultats = calculer(base)
        resultats["resultats"].update(sorties_publiees(base))
    if args.ecrire:
        ecrire(resultats)
        print(f"{len(resultats['resultats'])} résultats écrits dans {REFERENCE}")
    else:
        attendu = lire()
        differents = [k for k in attendu["resultats"] if attendu["resultats"][k] != resultats["resultats"].get(k)]
        nouveaux = sorted(set(resultats["resultats"]) - set(attendu["resultats"]))
        print(f"{len(differents)} résultats différents, {len(nouveaux)} nouveaux")
        for k in differents[:20]:
            print("  ≠", k)
        raise SystemExit(1 if differents or nouveaux else 0)


if __name__ == "__main__":
    main()
