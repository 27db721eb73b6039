"""Interface en ligne de commande : l'automatisation du contrat (chargements, indicateurs, démo).

python -m insertion load FICHIER [FICHIER ...] [--db CHEMIN] [--json] [--dry-run] [--force]
python -m insertion indicators [--db CHEMIN] [--as-of AAAA-MM-JJ] [--from …] [--to …] [--ali CODE ...] [--json]
python -m insertion demo [--db CHEMIN]
python -m insertion catalogue [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import duckdb

from insertion.config import chemin_base_par_defaut

LIBELLES_STATUT = {
    "loaded": "chargé",
    "already_loaded": "déjà chargé",
    "older_snapshot": "historique seulement",
    "refused": "refusé",
    "to_confirm": "à confirmer",
}
# --dry-run : ce que le chargement ferait.
LIBELLES_SIMULATION = {
    "loaded": "serait chargé",
    "already_loaded": "déjà chargé",
    "older_snapshot": "historique seulement",
    "refused": "refusé",
    "to_confirm": "à confirmer",
}

# Codes de sortie de `load` : 0 tout est appliqué (ou le serait, avec --dry-run) ; 1 au moins un fichier
# refusé ; 4 aucun refusé mais au moins un remplacement à confirmer (rien de ce fichier n'est écrit ;
# --force l'applique). 2 : erreur d'utilisation ; 3 : base verrouillée par un autre processus.
SORTIE_REFUS = 1
SORTIE_A_CONFIRMER = 4


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » : attendu AAAA-MM-JJ") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m insertion", description="ALI 93 — tableau de bord de l'insertion")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{load,indicators,demo,briefing,catalogue}")

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, help="base DuckDB (défaut : $INSERTION_DB, sinon data/insertion.duckdb)")

    load = commands.add_parser("load", help="charger des extractions de file active ou des fichiers budget")
    load.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    add_db(load)
    load.add_argument("--json", action="store_true", help="une liste JSON, un objet par fichier")
    load.add_argument(
        "--dry-run",
        action="store_true",
        help="montrer ce que chaque fichier remplacerait (avant → après) sans rien écrire dans la base",
    )
    load.add_argument(
        "--force",
        action="store_true",
        help="appliquer aussi les remplacements au-delà du seuil de confirmation ($INSERTION_SEUIL_CONFIRMATION)",
    )

    indicators = commands.add_parser(
        "indicators", help="les indicateurs du contrat §5 (protégés par le secret statistique)"
    )
    add_db(indicators)
    indicators.add_argument(
        "--as-of",
        type=_date,
        help="date d'observation D (défaut : la dernière date que toutes les ALI retenues ont fournie)",
    )
    indicators.add_argument("--from", dest="debut", type=_date, help="début de la période d'orientation P")
    indicators.add_argument("--to", dest="fin", type=_date, help="fin de la période P (plafonnée à D)")
    indicators.add_argument("--ali", nargs="+", default=[], metavar="CODE", help="limiter à ces ALI")
    indicators.add_argument("--json", action="store_true")

    demo = commands.add_parser("demo", help="générer et charger les données de démonstration")
    add_db(demo)

    roles = commands.add_parser("roles", help="vérifier le fichier des rôles (connexion, issue 13)")
    add_db(roles)
    roles.add_argument("fichier", nargs="?", type=Path, help="défaut : $INSERTION_ROLES, sinon data/roles.toml")

    briefing = commands.add_parser("briefing", help="note de synthèse PDF (une page A4)")
    add_db(briefing)
    where = briefing.add_mutually_exclusive_group()
    where.add_argument("--ali", metavar="CODE", help="une ALI (défaut : le département)")
    where.add_argument("--ept", metavar="NOM", help="un établissement public territorial")
    where.add_argument("--all-ali", type=Path, metavar="DOSSIER", help="une note par ALI dans ce dossier")
    briefing.add_argument("--from", dest="debut", type=_date, help="début de la période d'orientation")
    briefing.add_argument("--to", dest="fin", type=_date, help="fin de la période (et date d'observation)")
    briefing.add_argument("--out", type=Path, help="fichier PDF à écrire")

    catalogue = commands.add_parser("catalogue", help="les requêtes de queries/ : titre, unité, sens, paramètres")
    catalogue.add_argument("--json", action="store_true")
    return parser


def _locked_message(db_path: Path) -> str:
    return (
        f"La base {db_path} est ouverte par un autre processus (l'application ou un autre chargement). "
        "Réessayez dans un instant."
    )


def _cmd_load(args: argparse.Namespace, db_path: Path) -> int:
    from insertion.ingest import apercu
    from insertion.ingest.chargement import charger_fichiers

    results = charger_fichiers(db_path, args.files, forcer=args.force, simuler=args.dry_run)
    if args.json:
        print(json.dumps([r.en_json() for r in results], ensure_ascii=False, indent=2))
    else:
        if args.dry_run:
            print(f"Simulation (--dry-run) : rien n'a été écrit dans {db_path}.")
        libelles = LIBELLES_SIMULATION if args.dry_run else LIBELLES_STATUT
        for r in results:
            print(f"[{libelles[r.status]}] {r.message}")
            for reason, count in r.rejections.items():
                print(f"    {count} × {reason}")
            if r.apercu is not None and r.status in ("loaded", "to_confirm"):
                for line in apercu.texte(r.apercu):
                    print(f"    {line}")
    if any(r.status == "refused" for r in results):
        return SORTIE_REFUS
    return SORTIE_A_CONFIRMER if any(r.status == "to_confirm" for r in results) else 0


def _cmd_indicators(args: argparse.Namespace, db_path: Path) -> int:
    from insertion import indicators, protect
    from insertion.indicators import autres_systemes
    from insertion.protect import protection, questions
    from insertion.store import db
    from insertion.store.referentiel import charger_referentiel
    from insertion.store.requetes import Perimetre, Periode

    unknown = sorted(set(args.ali) - charger_referentiel().codes_ali)
    if unknown:
        print(f"Code ALI inconnu : {', '.join(unknown)} (voir data/ali.csv).", file=sys.stderr)
        return 2
    if protection.REGLAGE is not None:  # secret actif : des périodes en mois entiers (insertion/protect/questions)
        if args.debut and args.debut.day != 1:
            print(
                f"--from doit être le 1er d'un mois (secret statistique) : {args.debut.isoformat()}.", file=sys.stderr
            )
            return 2
        if args.fin and args.fin != questions.fin_de_mois(args.fin):
            print(
                f"--to doit être le dernier jour d'un mois (secret statistique) : {args.fin.isoformat()}.",
                file=sys.stderr,
            )
            return 2
    con = db.ouvrir_en_lecture(db_path)
    try:
        perimetre = Perimetre(alis=tuple(args.ali))
        # Jamais de valeur brute imprimée : toute requête passe par la couche de publication.
        with protect.publication():
            publie = indicators.calculer(con, as_of=args.as_of, debut=args.debut, fin=args.fin, perimetre=perimetre)
            periode = Periode(as_of=date.fromisoformat(publie["as_of"]), debut=args.debut, fin=args.fin)
            systemes = autres_systemes.resume(con, periode, perimetre)
    finally:
        con.close()
    result = {**indicators.publier(publie, perimetre), **systemes}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print("\n".join([indicators.mettre_en_texte(result), "", *autres_systemes.lignes_texte(result)]).rstrip())
    return 0


def _cmd_demo(args: argparse.Namespace, db_path: Path) -> int:
    from insertion.demo import construire_demo

    def progress(index: int, total: int, name: str) -> None:
        print(f"\r{index + 1}/{total} {name}".ljust(60), end="", file=sys.stderr, flush=True)

    results = construire_demo(db_path, progress=progress)
    print(file=sys.stderr)
    statuses = {s: sum(r.status == s for r in results) for s in LIBELLES_STATUT}
    print(
        f"Démonstration chargée dans {db_path} : {len(results)} fichiers, "
        + ", ".join(f"{LIBELLES_STATUT[s]} : {n}" for s, n in statuses.items() if n)
        + f" ; {sum(r.rejected for r in results)} lignes en quarantaine."
    )
    return 1 if statuses["refused"] else 0


def _cmd_briefing(args: argparse.Namespace, db_path: Path) -> int:
    from insertion import protect
    from insertion.store import db
    from insertion.store.referentiel import charger_referentiel

    ref = charger_referentiel()
    if args.ali and args.ali not in ref.codes_ali:
        print(f"Code ALI inconnu : {args.ali} (voir data/ali.csv).", file=sys.stderr)
        return 2
    if args.ept and args.ept not in ref.epts:
        print(f"EPT inconnu : {args.ept} (possibles : {', '.join(ref.epts)}).", file=sys.stderr)
        return 2
    if not args.all_ali and not args.out:
        print("Indiquez --out FICHIER.pdf (ou --all-ali DOSSIER).", file=sys.stderr)
        return 2
    con = db.ouvrir_en_lecture(db_path)
    try:
        with protect.publication():
            _notes(args, con, ref)
    finally:
        con.close()
    return 0


def _notes(args: argparse.Namespace, con, ref) -> None:
    """Les notes demandées, sous la couche de publication posée par _cmd_briefing."""
    import time

    from insertion.indicators import filters
    from insertion.outputs import briefing

    jobs: list[tuple[Path, filters.Filtres]] = []
    if args.all_ali:
        args.all_ali.mkdir(parents=True, exist_ok=True)
        for code in sorted(ref.codes_ali):
            # D par défaut : celle du territoire, comme dans l'application (queries.date_observation).
            selection = filters.pour_base(con, debut=args.debut, fin=args.fin, ali=[code])
            out = args.all_ali / f"note_{code}_{selection.derniere_extraction.isoformat()}.pdf"
            jobs.append((out, selection))
    else:
        listes = {"ali": [args.ali]} if args.ali else {"ept": [args.ept]} if args.ept else {}
        jobs.append((args.out, filters.pour_base(con, debut=args.debut, fin=args.fin, **listes)))
    for out, selection in jobs:
        start = time.perf_counter()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(briefing.note_pdf(con, selection))
        print(f"{out} ({selection.territoire}) : {time.perf_counter() - start:.1f} s")


def _cmd_roles(args: argparse.Namespace, db_path: Path) -> int:
    """Le fichier des rôles validé comme au démarrage de l'application : à lancer après chaque modification.
    Une faute lève FichierRolesInvalide (une ValueError) : message en français, code 2."""
    from insertion.protect import acces

    registre = acces.lire_roles(args.fichier)
    entrees = [*registre.personnes, *registre.organisations]
    print(f"{registre.chemin} : {len(registre.personnes)} personne(s), {len(registre.organisations)} organisation(s).")
    for role in acces.ROLES:
        n = sum(e.role == role for e in entrees)
        if n:
            print(f"  {acces.LIBELLES_ROLES[role]} : {n}")
    return 0


def _cmd_catalogue(args: argparse.Namespace, db_path: Path) -> int:  # noqa: ARG001 (sans base)
    from insertion.indicators import catalogue
    from insertion.indicators.definitions import DEFINITIONS

    entrees = [
        {
            "nom": r.nom,
            "titre": r.titre,
            "unite": r.unite,
            "sens": r.sens,
            "parametres": r.parametres,
            "definitions": {cle: DEFINITIONS[cle].titre for cle in r.definitions},
            "publication": "secret statistique" if r.hors_secret is None else f"hors secret : {r.hors_secret}",
        }
        for r in catalogue.CATALOGUE.values()
    ]
    if args.json:
        print(json.dumps(entrees, ensure_ascii=False, indent=2))
        return 0
    for e in entrees:
        print(f"{e['nom']} — {e['titre']} ({e['unite']}, sens {e['sens']})")
        print(f"    paramètres : {', '.join(e['parametres']) or 'aucun'} ; {e['publication']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db_path = getattr(args, "db", None) or chemin_base_par_defaut()
    commands = {
        "load": _cmd_load,
        "indicators": _cmd_indicators,
        "demo": _cmd_demo,
        "briefing": _cmd_briefing,
        "roles": _cmd_roles,
        "catalogue": _cmd_catalogue,
    }
    try:
        return commands[args.command](args, db_path)
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ValueError as exc:  # base vide, période incohérente… : un message, pas une trace
        print(str(exc), file=sys.stderr)
        return 2
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            print(_locked_message(db_path), file=sys.stderr)
            return 3
        raise
