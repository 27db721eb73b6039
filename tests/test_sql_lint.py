"""Le SQL du projet passe sqlfluff (dialecte DuckDB, règles et exceptions expliquées dans .sqlfluff) : aucun fichier
visé n'est illisible pour l'analyseur, aucun n'a de violation (issue 15). Corriger : `sqlfluff fix FICHIER`, relire."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

ROOT = Path(__file__).resolve().parent.parent
MOTIFS = (
    "queries/*.sql",
    "queries/macros/*.sql",
    "insertion/store/schema.sql",
    "insertion/store/sql/*.sql",
    "insertion/ingest/sql/*.sql",
)


def _config() -> FluffConfig:
    # La configuration du dépôt, d'où que pytest soit lancé (from_path seul ne lit que les dossiers entre le
    # dossier courant et ROOT), et pas celle de l'utilisateur (~/.sqlfluff).
    return FluffConfig.from_path(str(ROOT), extra_config_path=str(ROOT / ".sqlfluff"), ignore_local_config=True)


def _bilan(resultat) -> tuple[list[str], list[str]]:
    """(passages illisibles, violations « CODE ligne : description », exceptions noqa comprises) d'un LintedFile."""
    illisibles = []
    if resultat.tree is None:
        illisibles.append("gabarit non rendu")
    else:
        illisibles += [
            f"ligne {s.pos_marker.source_position()[0]} : {s.raw[:80]!r}"
            for s in resultat.tree.recursive_crawl("unparsable")
        ]
    violations = [f"{v.rule_code()} ligne {v.line_no} : {v.desc()}" for v in resultat.get_violations()]
    return illisibles, violations


def _analyser(sql: str) -> tuple[list[str], list[str]]:
    config = _config()
    return _bilan(Linter(config=config).lint_string(sql, config=config))


def _fichiers() -> list[Path]:
    fichiers = []
    for motif in MOTIFS:
        trouves = sorted(ROOT.glob(motif))
        # Un dossier déplacé ne doit pas rendre le test vide en silence.
        assert trouves, f"aucun fichier pour {motif}"
        fichiers += trouves
    return fichiers


# Les deux tests lents partagent une seule analyse (≈ 15 s) : sous pytest-xdist, même groupe, même worker.
@pytest.fixture(scope="module")
def analyses() -> dict[str, tuple[list[str], list[str]]]:
    # lint_paths, comme la ligne de commande : il lit les réglages écrits dans un fichier (`-- sqlfluff:…`),
    # que lint_string n'applique pas aux règles.
    resultat = Linter(config=_config()).lint_paths(tuple(str(f) for f in _fichiers()), processes=1)
    fichiers = [fichier for dossier in resultat.paths for fichier in dossier.files]
    return {str(Path(fichier.path).resolve().relative_to(ROOT)): _bilan(fichier) for fichier in fichiers}


@pytest.mark.slow
@pytest.mark.xdist_group("sqlfluff")
def test_chaque_fichier_sql_vise_est_analysable(analyses):
    illisibles = {nom: passages for nom, (passages, _) in analyses.items() if passages}
    assert not illisibles, f"SQL que sqlfluff ne sait pas analyser : {illisibles}"


@pytest.mark.slow
@pytest.mark.xdist_group("sqlfluff")
def test_le_sql_passe_sqlfluff_sans_violation(analyses):
    assert sorted(analyses) == sorted(str(f.relative_to(ROOT)) for f in _fichiers())
    violations = {nom: v for nom, (_, v) in analyses.items() if v}
    assert not violations, "sqlfluff lint (corriger : sqlfluff fix FICHIER) :\n" + "\n".join(
        f"{nom}\n  " + "\n  ".join(v) for nom, v in violations.items()
    )


def test_les_parametres_lies_de_duckdb_s_analysent():
    """`$nom` et `?`, y compris dans un CAST, un appel de macro et un `::`, sont des valeurs pour l'analyseur."""
    sql = (
        "SELECT a, CAST($debut AS DATE) AS d, $date_extraction::DATE AS e\n"
        "FROM perimetre($alis, $epts)\n"
        "WHERE b = ? AND c IN (?, ?)\n"
    )
    illisibles, violations = _analyser(sql)
    assert illisibles == [] and violations == [], (illisibles, violations)


def test_le_garde_fou_mord():
    """Une violation de style et une requête illisible sont vues (le test ci-dessus peut donc échouer)."""
    illisibles, violations = _analyser("select a from t where b = $nom\n")
    assert illisibles == []
    assert any(v.startswith("CP01") for v in violations), violations

    illisibles, _ = _analyser("SELECT a FROM t WHERE b = = $nom\n")
    assert illisibles, "une requête fautive doit être signalée comme illisible"
