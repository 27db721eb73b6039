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


def _date(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {texte} » : attendu AAAA-MM-JJ") from exc


def _parser() -> argparse.ArgumentParser:
    analyseur = argparse.ArgumentParser(
        prog="python -m insertion", description="ALI 93 — tableau de bord de l'insertion"
    )
    commandes = analyseur.add_subparsers(
        dest="commande", required=True, metavar="{load,indicators,demo,briefing,catalogue}"
    )

    def ajouter_option_base(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, help="base DuckDB (défaut : $INSERTION_DB, sinon data/insertion.duckdb)")

    charger = commandes.add_parser("load", help="charger des extractions de file active ou des fichiers budget")
    charger.add_argument("fichiers", nargs="+", type=Path, metavar="FICHIER")
    ajouter_option_base(charger)
    charger.add_argument("--json", action="store_true", help="une liste JSON, un objet par fichier")
    charger.add_argument(
        "--dry-run",
        action="store_true",
        help="montrer ce que chaque fichier remplacerait (avant → après) sans rien écrire dans la base",
    )
    charger.add_argument(
        "--force",
        action="store_true",
        help="appliquer aussi les remplacements au-delà du seuil de confirmation ($INSERTION_SEUIL_CONFIRMATION)",
    )

    indicateurs = commandes.add_parser(
        "indicators", help="les indicateurs du contrat §5 (protégés par le secret statistique)"
    )
    ajouter_option_base(indicateurs)
    indicateurs.add_argument(
        "--as-of",
        type=_date,
        help="date d'observation D (défaut : la dernière date que toutes les ALI retenues ont fournie)",
    )
    indicateurs.add_argument("--from", dest="debut", type=_date, help="début de la période d'orientation P")
    indicateurs.add_argument("--to", dest="fin", type=_date, help="fin de la période P (plafonnée à D)")
    indicateurs.add_argument("--ali", nargs="+", default=[], metavar="CODE", help="limiter à ces ALI")
    indicateurs.add_argument("--json", action="store_true")

    demo = commandes.add_parser("demo", help="générer et charger les données de démonstration")
    ajouter_option_base(demo)

    roles = commandes.add_parser("roles", help="vérifier le fichier des rôles (connexion, issue 13)")
    ajouter_option_base(roles)
    roles.add_argument("fichier", nargs="?", type=Path, help="défaut : $INSERTION_ROLES, sinon data/roles.toml")

    note = commandes.add_parser("briefing", help="note de synthèse PDF (une page A4)")
    ajouter_option_base(note)
    territoire = note.add_mutually_exclusive_group()
    territoire.add_argument("--ali", metavar="CODE", help="une ALI (défaut : le département)")
    territoire.add_argument("--ept", metavar="NOM", help="un établissement public territorial")
    territoire.add_argument("--all-ali", type=Path, metavar="DOSSIER", help="une note par ALI dans ce dossier")
    note.add_argument("--from", dest="debut", type=_date, help="début de la période d'orientation")
    note.add_argument("--to", dest="fin", type=_date, help="fin de la période (et date d'observation)")
    note.add_argument("--out", type=Path, help="fichier PDF à écrire")

    catalogue = commandes.add_parser("catalogue", help="les requêtes de queries/ : titre, unité, sens, paramètres")
    catalogue.add_argument("--json", action="store_true")
    return analyseur


def _message_base_verrouillee(chemin_base: Path) -> str:
    return (
        f"La base {chemin_base} est ouverte par un autre processus (l'application ou un autre chargement). "
        "Réessayez dans un instant."
    )


def _commande_charger(args: argparse.Namespace, chemin_base: Path) -> int:
    from insertion.ingest import apercu
    from insertion.ingest.chargement import charger_fichiers

    resultats = charger_fichiers(chemin_base, args.fichiers, forcer=args.force, simuler=args.dry_run)
    if args.json:
        print(json.dumps([r.en_json() for r in resultats], ensure_ascii=False, indent=2))
    else:
        if args.dry_run:
            print(f"Simulation (--dry-run) : rien n'a été écrit dans {chemin_base}.")
        libelles = LIBELLES_SIMULATION if args.dry_run else LIBELLES_STATUT
        for r in resultats:
            print(f"[{libelles[r.status]}] {r.message}")
            for raison, nombre in r.rejections.items():
                print(f"    {nombre} × {raison}")
            if r.apercu is not None and r.status in ("loaded", "to_confirm"):
                for ligne in apercu.texte(r.apercu):
                    print(f"    {ligne}")
    if any(r.status == "refused" for r in resultats):
        return SORTIE_REFUS
    return SORTIE_A_CONFIRMER if any(r.status == "to_confirm" for r in resultats) else 0


def _commande_indicateurs(args: argparse.Namespace, chemin_base: Path) -> int:
    from insertion import indicators, protect
    from insertion.indicators import autres_systemes
    from insertion.protect import protection, questions
    from insertion.store import db
    from insertion.store.referentiel import charger_referentiel
    from insertion.store.requetes import Perimetre, Periode

    inconnus = sorted(set(args.ali) - charger_referentiel().codes_ali)
    if inconnus:
        print(f"Code ALI inconnu : {', '.join(inconnus)} (voir data/ali.csv).", file=sys.stderr)
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
    con = db.ouvrir_en_lecture(chemin_base)
    try:
        perimetre = Perimetre(alis=tuple(args.ali))
        # Jamais de valeur brute imprimée : toute requête passe par la couche de publication.
        with protect.publication():
            publie = indicators.calculer(con, as_of=args.as_of, debut=args.debut, fin=args.fin, perimetre=perimetre)
            periode = Periode(as_of=date.fromisoformat(publie["as_of"]), debut=args.debut, fin=args.fin)
            systemes = autres_systemes.resume(con, periode, perimetre)
    finally:
        con.close()
    resultat = {**indicators.publier(publie, perimetre), **systemes}
    if args.json:
        print(json.dumps(resultat, ensure_ascii=False, indent=2))
    else:
        print("\n".join([indicators.mettre_en_texte(resultat), "", *autres_systemes.lignes_texte(resultat)]).rstrip())
    return 0


def _commande_demo(args: argparse.Namespace, chemin_base: Path) -> int:
    from insertion.demo import construire_demo

    def progression(index: int, total: int, nom: str) -> None:
        print(f"\r{index + 1}/{total} {nom}".ljust(60), end="", file=sys.stderr, flush=True)

    resultats = construire_demo(chemin_base, progress=progression)
    print(file=sys.stderr)
    statuts = {s: sum(r.status == s for r in resultats) for s in LIBELLES_STATUT}
    print(
        f"Démonstration chargée dans {chemin_base} : {len(resultats)} fichiers, "
        + ", ".join(f"{LIBELLES_STATUT[s]} : {n}" for s, n in statuts.items() if n)
        + f" ; {sum(r.rejected for r in resultats)} lignes en quarantaine."
    )
    return 1 if statuts["refused"] else 0


def _commande_note(args: argparse.Namespace, chemin_base: Path) -> int:
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
    con = db.ouvrir_en_lecture(chemin_base)
    try:
        with protect.publication():
            _notes(args, con, ref)
    finally:
        con.close()
    return 0


def _notes(args: argparse.Namespace, con, ref) -> None:
    """Les notes demandées, sous la couche de publication posée par _commande_note."""
    import time

    from insertion.indicators import filters
    from insertion.outputs import briefing

    taches: list[tuple[Path, filters.Filtres]] = []
    if args.all_ali:
        args.all_ali.mkdir(parents=True, exist_ok=True)
        for code in sorted(ref.codes_ali):
            # D par défaut : celle du territoire, comme dans l'application (queries.date_observation).
            selection = filters.pour_base(con, debut=args.debut, fin=args.fin, ali=[code])
            sortie = args.all_ali / f"note_{code}_{selection.derniere_extraction.isoformat()}.pdf"
            taches.append((sortie, selection))
    else:
        listes = {"ali": [args.ali]} if args.ali else {"ept": [args.ept]} if args.ept else {}
        taches.append((args.out, filters.pour_base(con, debut=args.debut, fin=args.fin, **listes)))
    for sortie, selection in taches:
        debut = time.perf_counter()
        sortie.parent.mkdir(parents=True, exist_ok=True)
        sortie.write_bytes(briefing.note_pdf(con, selection))
        print(f"{sortie} ({selection.territoire}) : {time.perf_counter() - debut:.1f} s")


def _commande_roles(args: argparse.Namespace, chemin_base: Path) -> int:
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


def _commande_catalogue(args: argparse.Namespace, chemin_base: Path) -> int:  # noqa: ARG001 (sans base)
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
    chemin_base = getattr(args, "db", None) or chemin_base_par_defaut()
    commandes = {
        "load": _commande_charger,
        "indicators": _commande_indicateurs,
        "demo": _commande_demo,
        "briefing": _commande_note,
        "roles": _commande_roles,
        "catalogue": _commande_catalogue,
    }
    try:
        return commandes[args.commande](args, chemin_base)
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ValueError as exc:  # base vide, période incohérente… : un message, pas une trace
        print(str(exc), file=sys.stderr)
        return 2
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            print(_message_base_verrouillee(chemin_base), file=sys.stderr)
            return 3
        raise
