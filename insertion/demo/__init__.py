"""Données de démonstration : extractions de file active anonymisées et fichier budget.

`generer(out_dir, seed)` écrit, de façon déterministe (même graine → mêmes octets), ce que
le Département recevrait des 22 ALI :

- une extraction par ALI et par trimestre depuis son ouverture (31/03, 30/06, 30/09, 31/12),
  plus une dernière au 31/10/2026, nommée ``extraction_ALI14_2023-06-30.csv`` ; chaque
  extraction est un instantané : tous les épisodes de l'ALI orientés au plus tard à la date
  d'extraction, avec seulement ce qui était connu à cette date (diagnostics et sorties
  postérieurs laissés vides) ;
- un fichier ``budget.csv`` (séparateur ``;``, montants à virgule décimale, parfois avec des
  espaces comme séparateurs de milliers) pour 2021–2026 ;
- les fichiers du contrat §7 (annuaire des structures, mises en relation, actions collectives et participations,
  moyens), écrits par insertion/demo/systemes.py à partir des mêmes épisodes (mêmes pseudonymes). Les extractions
  datées de 2025 et après portent aussi les freins périphériques (colonnes frein_*, §7.1) ; les plus anciennes
  n'en ont pas. Ni ces colonnes ni ces fichiers ne changent les données de file active : ils sont tirés de
  générateurs à part.

Les formats varient comme de vrais exports : la plupart en CSV UTF-8 ``,`` avec des dates ISO,
certains en Windows-1252 ``;`` avec des dates ``15/03/2024``, des en-têtes en majuscules et des
libellés accentués (``Socio-professionnel``, ``Intermédiaire``), quelques-uns en UTF-8 avec BOM
et ``;``, deux en .xlsx et deux en Parquet. Une poignée de fichiers contient quelques lignes
fautives (commune inconnue, date du 31 février, sortie avant l'orientation, parcours inconnu,
doublon, sexe manquant, diagnostic avant l'orientation) pour que la page qualité ait du contenu ;
rien qui ferait refuser un fichier entier (ni nom, ni NIR, ni e-mail ; les pseudonymes sont des
hachages à clé HMAC-SHA256 tronqués à 16 caractères hexadécimaux, tels quels).

Le modèle : pour chaque ALI, une cible de file active en fin de mois
T(t) = cap × (1 − exp(−t/τ)) × (1 + g·t/12), t en mois depuis l'ouverture, simulée mois par mois.
Les épisodes en cours sortent selon un risque mensuel de 3 à 5 % (jamais le mois de leur entrée) ;
les entrées du mois comblent l'écart à la cible, si bien que la file active en fin de mois vaut T.
Calage sur les chiffres publiés : ALI14 (Clichy-sous-Bois – Montfermeil – Coubron) 638 personnes
au 30/06/2023, ALI04 (La Courneuve) 389 au 31/10/2023, ALI01 (Saint-Denis) environ 250 après ses
premiers mois, 12 600 personnes suivies dans le département au 31/10/2026 (objectif 2026).
Environ 1,5 % des personnes, sorties pour déménagement ou réorientation, reviennent plus tard dans
une autre ALI sous le même pseudonyme (jamais deux épisodes en même temps). Pierrefitte-sur-Seine a
fusionné avec Saint-Denis le 1er janvier 2025 : ses habitants orientés ensuite portent le code 93066.

`construire_demo(chemin_base)` écrit ces fichiers dans un dossier ``demo_extraits`` placé à côté du
fichier de la base (ou dans `out_dir`), puis les charge tous, dans l'ordre, avec le chargeur
du projet. Ce sont des données fictives : aucune personne réelle derrière les pseudonymes.

Ce module enchaîne la démonstration : la simulation des épisodes (insertion/demo/simulation.py), l'écriture des
extractions (extraits.py), le fichier budget (budget.py), les fichiers du §7 (systemes.py), le tout sur le calendrier
de calendrier.py ; puis le chargement et la mise en place de la base.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from insertion.demo import extraits, simulation
from insertion.demo import systemes as demo_systemes
from insertion.demo.budget import texte_budget
from insertion.demo.calendrier import dates_extraction
from insertion.store.referentiel import charger_referentiel

DOSSIER_DEMO = "demo_extraits"
_NOM_FICHIER = re.compile(r"^extraction_[A-Za-z0-9]+_\d{4}-\d{2}-\d{2}\.(csv|xlsx|parquet)$")


def generer(out_dir: Path, seed: int = 93) -> list[Path]:
    """Écrit les extractions de démonstration, budget.csv et les fichiers du §7 dans out_dir ; renvoie leurs
    chemins, extractions par date d'extraction puis code ALI, budget, puis les fichiers du §7 dans l'ordre où le
    chargeur doit les lire (demo_systemes.NOMS).

    Les anciens fichiers de démonstration du dossier (extraction_*.csv|xlsx|parquet, budget.csv, fichiers du §7)
    sont remplacés ; le dossier ne doit servir qu'à cela.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.iterdir():
        if old.is_file() and (
            _NOM_FICHIER.match(old.name) or old.name == "budget.csv" or old.name in demo_systemes.NOMS
        ):
            old.unlink()
    ref = charger_referentiel()
    ep, params = simulation.episodes(ref, seed)
    freins = demo_systemes.freins(ep, seed)
    textes = extraits.textes_dates(ep)
    bornes = {}
    ali = ep["code_ali"].to_numpy()
    orientation = ep["date_orientation"].to_numpy()
    for code in params:
        idx = np.flatnonzero(ali == code)
        bornes[code] = (int(idx[0]), orientation[idx]) if len(idx) else (0, orientation[:0])
    fichiers = sorted(
        ((c, d) for c, p in params.items() for d in dates_extraction(p["ouverture"])), key=lambda x: (x[1], x[0])
    )
    styles = extraits.styles(fichiers, seed)
    fautifs = extraits.fichiers_fautifs(fichiers, styles, seed)
    rng_defauts = np.random.default_rng([seed, 4])
    paths = []
    for i, ((code, d), style) in enumerate(zip(fichiers, styles, strict=True)):
        debut, dates = bornes[code]
        fin_idx = debut + int(np.searchsorted(dates, np.datetime64(d.isoformat()), side="right"))
        table = extraits.table_fichier(ep, textes, debut, fin_idx, d, style)
        if d >= demo_systemes.DEBUT_FREINS:
            extraits.ajoute_freins(table, freins, debut, fin_idx, style == "csv_fr")
        if i in fautifs and len(table):
            table = extraits.abime(table, fautifs[i], rng_defauts, style == "csv_fr", d)
        extension = {"xlsx": "xlsx", "parquet": "parquet"}.get(style, "csv")
        path = out_dir / f"extraction_{code}_{d.isoformat()}.{extension}"
        extraits.ecrit(table, path, style)
        paths.append(path)
    budget = out_dir / "budget.csv"
    budget.write_bytes(texte_budget(ref, params, seed).encode("utf-8"))
    paths.append(budget)
    paths += demo_systemes.generer(out_dir, ep, params, ref, seed)
    return paths


def construire_demo(
    chemin_base: Path,
    out_dir: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    paths: list[Path] | None = None,
) -> list:
    """Génère les fichiers de démonstration (par défaut dans `demo_extraits/` à côté de la base ; `paths` : déjà
    générés) puis les charge tous, dans l'ordre, avec le chargeur du projet ; renvoie ses ResultatChargement."""
    chemin_base = Path(chemin_base)
    out_dir = Path(out_dir) if out_dir is not None else chemin_base.parent / DOSSIER_DEMO
    if paths is None:
        paths = generer(out_dir)
    return _charger_et_placer(chemin_base, paths, ".construction", progress)


def _charger_et_placer(
    chemin_base: Path, paths: list[Path], suffixe: str, progress: Callable[[int, int, str], None] | None
) -> list:
    """Charge `paths` dans une base construite à côté, puis la met en place d'un coup : un premier lancement
    interrompu ne laisse jamais une base à moitié chargée que l'application prendrait pour la bonne."""
    from insertion.ingest.chargement import charger_fichiers  # import différé : le chargeur tire DuckDB et les règles
    from insertion.store.db import ouvrir_en_ecriture

    building = chemin_base.with_name(chemin_base.name + suffixe)
    building.unlink(missing_ok=True)
    resultats = charger_fichiers(building, paths, progress=progress)
    with ouvrir_en_ecriture(building) as con:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('donnees_demo', 'oui')")
    os.replace(building, chemin_base)
    return resultats


def fichiers_premiere_ouverture(paths: list[Path]) -> list[Path]:
    """Ce qu'il faut pour les chiffres du jour : la dernière extraction de chaque ALI (un instantané complet de
    sa file active : les épisodes courants sont les siens) et tous les fichiers qui ne sont pas des extractions
    (budget, fichiers du §7), dans l'ordre de chargement. Les extractions plus anciennes ne font que l'historique
    des chargements (page Qualité)."""
    derniere: dict[str, Path] = {}
    for p in paths:
        m = _NOM_FICHIER.match(p.name)
        if m:
            code = p.name.split("_")[1]
            if code not in derniere or p.name.split("_")[2] > derniere[code].name.split("_")[2]:
                derniere[code] = p
    gardes = set(derniere.values())
    return [p for p in paths if p in gardes or not _NOM_FICHIER.match(p.name)]


def construire_demo_en_deux_temps(
    chemin_base: Path, progress: Callable[[int, int, str], None] | None = None
) -> Callable[[], list]:
    """Premier lancement de l'application (issue 16 : la première page en ≤ 10 s) : génère les fichiers, charge
    ceux des chiffres du jour (fichiers_premiere_ouverture) et met cette base en place ; renvoie la fonction qui
    charge ensuite tous les fichiers, historique compris, dans une autre base mise en place à la fin (la même
    que construire_demo), à lancer en arrière-plan. Les indicateurs sont les mêmes avant et après ; seul l'historique
    des chargements s'allonge."""
    chemin_base = Path(chemin_base)
    paths = generer(chemin_base.parent / DOSSIER_DEMO)
    _charger_et_placer(chemin_base, fichiers_premiere_ouverture(paths), ".premiere", progress)
    version = chemin_base.stat().st_mtime_ns

    def completer() -> list:
        # Un import fait entre-temps (page Importer, CLI) a changé la base : la remplacer l'effacerait. On garde
        # alors la base telle qu'elle est (chiffres du jour et import), sans l'historique de démonstration.
        if chemin_base.stat().st_mtime_ns != version:
            return []
        from insertion.store.publication import verrou_ecriture

        building = chemin_base.with_name(chemin_base.name + ".construction")
        resultats = _charger_et_placer(building, paths, ".chargement", None)
        with verrou_ecriture(chemin_base):  # comme un chargement : aucun import ne s'écrit pendant la mise en place
            if chemin_base.stat().st_mtime_ns != version:
                building.unlink(missing_ok=True)
                return []
            os.replace(building, chemin_base)
        return resultats

    return completer
