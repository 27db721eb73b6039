"""Fabrique de petites extractions pour les tests : chaque test décrit ses lignes à la main."""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from insertion.ingest.chargement import COLONNES_FILE_ACTIVE

# Un sel public et fixe pour les tests (jamais pour des données réelles) : deux bases construites à partir des
# mêmes fichiers ont alors les mêmes clés de personne (insertion/store/cles.py), comme en production où le sel vient
# de l'environnement. Les tests du sel tiré au hasard (tests/store/test_cles_cellule.py) retirent la variable.
os.environ.setdefault("INSERTION_SEL_SECRET", "sel-public-des-tests-" + "0123456789abcdef" * 2)

# Une ligne valide ; chaque test ne change que ce qu'il éprouve.
LIGNE_VALIDE = {
    "id_beneficiaire": "b0000001",
    "code_ali": "ALI14",
    "code_commune": "93014",
    "date_orientation": "2023-03-15",
    "type_parcours": "social",
    "date_diag_numerique": "",
    "niveau_numerique": "",
    "date_diag_linguistique": "",
    "niveau_linguistique": "",
    "date_sortie": "",
    "motif_sortie": "",
    "tranche_age": "25_34",
    "sexe": "F",
    "composition_foyer": "",
    "anciennete_rsa": "",
    "date_extraction": "2023-06-30",
}


def ligne(**changes: str) -> dict[str, str]:
    row = dict(LIGNE_VALIDE)
    row.update(changes)
    return row


def lignes(n: int, **changes: str) -> list[dict[str, str]]:
    """n lignes valides de bénéficiaires distincts."""
    return [ligne(id_beneficiaire=f"b{i:07d}", **changes) for i in range(1, n + 1)]


def csv_bytes(
    rows: list[dict[str, str]],
    columns: list[str] | None = None,
    sep: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    if columns is None:
        columns = list(rows[0]) if rows else COLONNES_FILE_ACTIVE
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


_DUMPS = {
    "chargements": "SELECT * FROM chargements",
    "episodes": "SELECT * FROM episodes",
    "episodes_historique": "SELECT * FROM episodes_historique",
    "instantanes": "SELECT * FROM instantanes",
    "quarantaine": "SELECT * FROM quarantaine",
    "budget": "SELECT * FROM budget",
}


def query_rows(db_path: Path, sql: str) -> list[tuple]:
    """Les lignes d'une requête sur la base, ouverte en lecture le temps de la lire."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dump(db_path: Path) -> dict[str, list[tuple]]:
    """Tout le contenu des tables de données, trié : pour vérifier qu'une base n'a pas bougé."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in _DUMPS.items()}
    finally:
        con.close()


ROOT = Path(__file__).resolve().parent.parent


def build_db(db_path: Path, files: dict[str, bytes]) -> Path:
    """Une vraie base DuckDB sur disque, chargée par le vrai chargeur ; chaque fichier doit se charger."""
    from insertion.ingest.chargement import charger_fichiers

    folder = db_path.parent / "extraits"
    folder.mkdir(exist_ok=True)
    paths = [write(folder / name, data) for name, data in files.items()]
    results = charger_fichiers(db_path, paths)
    assert [r.status for r in results] == ["loaded"] * len(paths), [r.message for r in results]
    return db_path


@pytest.fixture
def app_test(monkeypatch):
    """Fabrique d'AppTest sur dashboard.py pour une base donnée, ouverte sur une page.

    usage : at = app_test(db_path, "pages/budget.py", query_params={"ali": ["ALI14"]})
    """
    from streamlit.testing.v1 import AppTest

    def make(db_path: Path, page: str | None = None, query_params: dict | None = None) -> AppTest:
        monkeypatch.setenv("INSERTION_DB", str(db_path))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in (query_params or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        if page:
            at.switch_page(page).run()
            assert not at.exception, [e.message for e in at.exception]
        return at

    return make


class Telechargement:
    """Un bouton de téléchargement vu pendant une exécution d'AppTest : libellé, nom de fichier et contenu."""

    def __init__(self, libelle: str, nom: str | None, donnees) -> None:
        self.libelle, self.nom, self._donnees = libelle, nom, donnees

    def octets(self) -> bytes:
        """Le fichier tel que le navigateur le recevrait (les exports sont construits au clic : on l'appelle)."""
        data = self._donnees() if callable(self._donnees) else self._donnees
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)


@pytest.fixture
def telechargements(monkeypatch) -> list[Telechargement]:
    """Les boutons de téléchargement des pages (ui.telechargements), avec leurs vrais fichiers : AppTest ne
    donne ni le nom de fichier ni le contenu d'un st.download_button. Vider la liste avant l'exécution visée."""
    from streamlit.delta_generator import DeltaGenerator

    vus: list[Telechargement] = []
    original = DeltaGenerator.download_button

    def enregistrer(self, label, data, file_name=None, *args, **kwargs):
        vus.append(Telechargement(label, file_name, data))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", enregistrer)
    return vus


@contextlib.contextmanager
def _verrou(path: Path) -> Iterator[None]:
    """Verrou exclusif entre processus (les workers de pytest-xdist) sur un fichier."""
    with open(path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def dossier_de_l_execution(tmp_path_factory) -> Path:
    """Un dossier commun à tous les processus d'une exécution de pytest : sous xdist, chaque worker a son
    basetemp (…/pytest-N/popen-gw0) et leur parent est propre à l'exécution ; sans xdist, le basetemp."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """La démonstration complète (≈ 25 à 50 s) construite une fois par exécution, même avec plusieurs
    workers xdist : le premier la construit sous verrou, chacun en reçoit sa copie (base, extraits).
    Rend (base, résultats du chargement, progression vue)."""
    from insertion.demo import construire_demo

    commun = dossier_de_l_execution(tmp_path_factory) / "demo-commune"
    fait = commun / "resultats.pickle"
    with _verrou(commun.parent / "demo-commune.verrou"):
        if not fait.exists():
            shutil.rmtree(commun, ignore_errors=True)  # une construction précédente interrompue
            seen: list[tuple[int, int, str]] = []
            results = construire_demo(
                commun / "base" / "demo.duckdb", progress=lambda i, n, name: seen.append((i, n, name))
            )
            fait.write_bytes(pickle.dumps((results, seen)))
    copie = tmp_path_factory.mktemp("demo") / "base"
    shutil.copytree(commun / "base", copie)
    results, seen = pickle.loads(fait.read_bytes())
    return copie / "demo.duckdb", results, seen


# ------------------------------------------------------------------ exécution en parallèle (pytest-xdist)
# `python -m pytest -n auto` répartit les tests sur un worker par cœur ; `--dist loadgroup` (pyproject.toml)
# envoie à un même worker les tests d'un même groupe xdist_group, l'un après l'autre.


def _fixture_de_module(item: pytest.Item) -> bool:
    infos = getattr(item, "_fixtureinfo", None)
    if infos is None:
        return False
    return any(d.scope in ("module", "class") for defs in infos.name2fixturedefs.values() for d in defs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Sous xdist, un test marqué `exclusif` (il occupe à lui seul tous les cœurs : vingt onglets Chromium)
    tourne seul : les autres workers finissent leur test en cours puis attendent qu'il soit fini. Sinon, ses
    vues et les tests chronométrés d'à côté se disputeraient le processeur. Verrou lecteurs-rédacteur entre
    processus : chaque test prend le verrou `machine` partagé, le test exclusif le prend seul ; le
    `tourniquet`, pris par le test exclusif dès qu'il attend, empêche les autres d'en commencer un nouveau
    (sans lui, les tests des autres workers pourraient se relayer sur le verrou partagé sans fin)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    dossier = Path(item.config.option.basetemp).parent  # xdist donne à chaque worker basetemp/popen-gwN
    exclusif = item.get_closest_marker("exclusif") is not None
    with open(dossier / "tourniquet.verrou", "a+b") as tourniquet, open(dossier / "machine.verrou", "a+b") as machine:
        fcntl.flock(tourniquet, fcntl.LOCK_EX)
        fcntl.flock(machine, fcntl.LOCK_EX if exclusif else fcntl.LOCK_SH)
        if not exclusif:
            fcntl.flock(tourniquet, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(machine, fcntl.LOCK_UN)
            if exclusif:
                fcntl.flock(tourniquet, fcntl.LOCK_UN)


# Le sous-ensemble rapide (`-m rapide`, README) : les couches sous la présentation, sans la lecture des fichiers
# (fuzzing, pannes provoquées, comparaisons de lecteurs) ni la démonstration, plus les règles du chargeur, la
# recherche d'identifiants et les garde-fous d'architecture. Les pages (AppTest), le navigateur et les tests lents
# n'en sont pas : la commande complète (celle de la CI) les lance.
RAPIDES = (
    "tests/store/", "tests/protect/", "tests/indicators/", "tests/figures/", "tests/outputs/",
    "tests/ingest/test_loader_rules.py", "tests/ingest/test_identifiants.py", "tests/ingest/test_pseudonymes.py",
    "tests/test_formats.py", "tests/test_architecture.py", "tests/test_project.py", "tests/test_sql_lint.py",
)  # fmt: skip


@pytest.hookimpl(tryfirst=True)  # avant celui de xdist, qui lit les marques xdist_group
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Un fichier dont les tests partagent une fixture de module (une base construite pour tout le fichier)
    forme un groupe : la fixture est construite une fois, sur un worker, au lieu d'une fois par worker. Les
    tests sur la démonstration complète forment le groupe « demo ». Les autres tests sont répartis un à un.
    Les groupes nommés dans les fichiers (xdist_group) restent."""
    for item in items:
        lent = item.get_closest_marker("slow") or item.get_closest_marker("browser")
        if not lent and item.nodeid.startswith(RAPIDES):
            item.add_marker(pytest.mark.rapide)
        if item.get_closest_marker("xdist_group") is not None:
            continue
        if "demo_build" in item.fixturenames:
            # Sur un même worker, l'un après l'autre : le premier construit la démonstration, les suivants la
            # copient ; sinon un second worker attendrait, inactif, la fin de la construction (≈ 50 s).
            item.add_marker(pytest.mark.xdist_group("demo"))
        elif _fixture_de_module(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Les plus longs d'abord (le groupe « processeur » : navigateur, sessions simultanées, banc d'essai,
        # ≈ 40 % du temps total), puis les groupes de fichiers, puis les tests seuls : l'autre worker prend le
        # reste au fil de l'eau et les deux finissent ensemble. L'ordre des fichiers est gardé ailleurs.
        def rang(item: pytest.Item) -> int:
            groupe = item.get_closest_marker("xdist_group")
            if groupe is None:
                return 2
            return 0 if groupe.args == ("processeur",) else 1

        items.sort(key=rang)
