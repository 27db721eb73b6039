"""Un envoi national : l'extraction d'une échelle découpée en un fichier par ALI, chargée en une commande.

    python benchmarks/lot.py --scale 1m --repeat 3

Chaque ALI envoie son propre fichier ; `python -m insertion load` les reçoit tous ensemble (un envoi). Le
découpage garde les lignes telles quelles (en-tête compris), dans `cache/lot-<échelle>/`. Imprime, pour
chaque répétition sur une base neuve, la durée et le pic de mémoire du processus, puis la médiane ; à
comparer au chargement du même contenu en un seul fichier (benchmarks/run.py). Un banc d'essai, pas un
test : rien n'y échoue sur un temps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data  # noqa: E402
from benchmarks.run import enfant, supprime_base  # noqa: E402


def decoupe(ext: data.Extraction) -> list[Path]:
    """Un fichier par code_ali (deuxième colonne), lignes dans l'ordre du fichier d'origine."""
    dossier = data.CACHE / f"lot-{ext.echelle}"
    fait = dossier / ".fait"
    if fait.exists():
        return sorted(dossier.glob("*.csv"))
    dossier.mkdir(parents=True, exist_ok=True)
    groupes: dict[bytes, list[bytes]] = {}
    with open(ext.csv, "rb") as source:
        entete = source.readline()
        for ligne in source:
            groupes.setdefault(ligne.split(b",", 2)[1], []).append(ligne)
    for code, lignes in groupes.items():
        nom = code.decode() if code.strip() else "sans_ali"
        (dossier / f"{nom}.csv").write_bytes(entete + b"".join(lignes))
    fait.touch()
    return sorted(dossier.glob("*.csv"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(data.ECHELLES), default="1m")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    ext = data.extraction(args.scale)
    fichiers = decoupe(ext)
    base = data.CACHE / f"lot-{args.scale}.duckdb"
    durees = []
    for _ in range(args.repeat):
        supprime_base(base)
        r = enfant([sys.executable, "-m", "insertion", "load", *map(str, fichiers), "--db", str(base)])
        if r["code"] != 0:
            print(r["sortie"][-2000:])
            return 1
        durees.append(r["secondes"])
        lignes = f"{ext.lignes:,}".replace(",", " ")
        print(f"{len(fichiers)} fichiers, {lignes} lignes : {r['secondes']:.2f} s, pic {r['pic_octets'] >> 20} Mio")
    supprime_base(base)
    print(f"médiane de {args.repeat} : {statistics.median(durees):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
