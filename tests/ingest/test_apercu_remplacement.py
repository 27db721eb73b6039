"""Un fichier partiel ne remplace plus une ALI ou une année budgétaire en silence (issue 11, partie 2).

Base de départ, comptée à la main :
- ALI08 (Montreuil), extraction du 30 juin 2023 : 60 personnes, un épisode chacune, orientées de janvier à
  mai 2023 ; les personnes n° 5, 10, …, 60 (12 personnes) sont sorties le 31 mai 2023 en emploi durable.
  → 60 épisodes ; personnes suivies au 30 juin 2023 (file active, contrat §5.1) = 60 − 12 = 48.
- ALI14, même date : 8 personnes, aucune sortie (ne doit jamais bouger).
Fichier partiel : ALI08 au 31 juillet 2023, les personnes n° 1 à 5 seulement (la n° 5 est sortie)
  → 5 épisodes, 4 personnes suivies ; perte 55/60 = 91,7 % des épisodes, au-delà du seuil de 20 %.
Budget 2026 de départ : 25 000 000 + 4 100 000 + 6 000 000 + 9 000 000 + 2 500 000 + 1 400 000 = 48 000 000 €.
Nouveau fichier : trois lignes rejetées (diagnostics « 4,1 M€ » illisible, iae en double, ALI99 inconnue)
  → 2026 voté = 48 000 000 − 4 100 000 = 43 900 000 €, la ligne « diagnostics » disparaît ; 2025 inchangée.

Identifiants : pseudonymes HMAC-SHA256 tronqués à 16 caractères hexadécimaux, comme ceux du Département.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from insertion import config
from insertion.ingest import compte_rendu
from insertion.ingest.chargement import charger_fichiers, charger_octets
from insertion.present import qualite
from insertion.store import db
from tests.conftest import build_db, csv_bytes, dump, ligne, query_rows, write

ROOT = Path(__file__).resolve().parents[2]
CLE = b"cle-essai-departement-93"


def pseudo(n: int, ali: str = "ALI08") -> str:
    return hmac.new(CLE, f"{ali}-{n}".encode(), hashlib.sha256).hexdigest()[:16]


def ali08(personnes: range | list[int], date_extraction: str) -> bytes:
    """Un export de Montreuil comme le Département l'envoie : « ; », dates françaises, colonnes du contrat."""
    rows = []
    for n in personnes:
        sortie = n % 5 == 0
        rows.append(
            ligne(
                id_beneficiaire=pseudo(n),
                code_ali="ALI08",
                code_commune="93048",
                date_orientation=f"{1 + n % 28:02d}/{1 + n % 5:02d}/2023",
                type_parcours=["social", "socio_professionnel", "professionnel"][n % 3],
                tranche_age=["moins_25", "25_34", "35_44", "45_54", "55_plus"][n % 5],
                sexe="F" if n % 2 else "M",
                date_sortie="31/05/2023" if sortie else "",
                motif_sortie="emploi_durable" if sortie else "",
                date_extraction=date_extraction,
            )
        )
    return csv_bytes(rows, sep=";")


def ali14(date_extraction: str = "30/06/2023") -> bytes:
    rows = [ligne(id_beneficiaire=pseudo(n, "ALI14"), date_extraction=date_extraction) for n in range(1, 9)]
    return csv_bytes(rows, sep=";")


BUDGET_EN_TETE = "annee;code_ali;ligne;montant_vote;montant_execute"
BUDGET_2025 = ["2025;;accompagnement_ali;24 000 000;23 412 345,67", "2025;;diagnostics;3 800 000;3 650 000"]
BUDGET_2026 = [
    "2026;;accompagnement_ali;25 000 000;",
    "2026;;diagnostics;4 100 000;",
    "2026;;formation;6 000 000;",
    "2026;;iae;9 000 000;",
    "2026;;mobilite;2 500 000;",
    "2026;ALI08;garde_enfants;1 400 000;",
]
BUDGET_2026_ABIME = [
    "2026;;accompagnement_ali;25 000 000;",
    "2026;;diagnostics;4,1 M€;",  # illisible : rejetée
    "2026;;formation;6 000 000;",
    "2026;;iae;9 000 000;",
    "2026;;iae;9 000 000;",  # doublon : rejetée
    "2026;;mobilite;2 500 000;",
    "2026;ALI08;garde_enfants;1 400 000;",
    "2026;ALI99;autre;12 000;",  # ALI inconnue : rejetée
]


def budget(lines: list[str]) -> bytes:
    return ("\n".join([BUDGET_EN_TETE, *lines]) + "\n").encode("utf-8")


@pytest.fixture
def base(tmp_path) -> Path:
    return build_db(
        tmp_path / "base.duckdb",
        {
            "montreuil_juin.csv": ali08(range(1, 61), "30/06/2023"),
            "ali14_juin.csv": ali14(),
            "budget.csv": budget(BUDGET_2025 + BUDGET_2026),
        },
    )


def empreinte_fichier(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def file_active(path: Path) -> dict[str, int]:
    from insertion import indicators
    from insertion.store.requetes import Periode

    con = db.ouvrir_en_lecture(path)
    try:
        fa = indicators.file_active(con, Periode(as_of=indicators.date(2023, 6, 30)), groupe="ali")
        return dict(zip(fa["groupe"], fa["file_active"], strict=True))
    finally:
        con.close()


def remplacements(path: Path, sql: str) -> list[tuple]:
    return query_rows(path, sql)


# ---------------------------------------------------------------- le fichier partiel

PARTIEL = {
    "code_ali": "ALI08",
    "date_avant": "2023-06-30",
    "date_apres": "2023-07-31",
    "episodes_avant": 60,
    "episodes_apres": 5,
    "personnes_avant": 48,
    "personnes_apres": 4,
    "ecart_episodes_pct": -91.7,
}


def test_partial_snapshot_waits_for_confirmation_and_changes_nothing(tmp_path, base):
    assert file_active(base) == {"ALI08": 48, "ALI14": 8}
    avant_octets, avant_tables = empreinte_fichier(base), dump(base)
    partiel = write(tmp_path / "montreuil_juillet.csv", ali08(range(1, 6), "31/07/2023"))

    (result,) = charger_fichiers(base, [partiel])

    assert result.status == "to_confirm"
    assert (result.rows_read, result.accepted, result.rejected) == (5, 5, 0)
    assert result.en_json()["apercu"]["ali"] == [PARTIEL]
    assert result.apercu.a_confirmer and result.apercu.alis_hors_seuil == ["ALI08"]
    assert "ALI08 perd 91,7\u202f% de ses épisodes (60 → 5 ; personnes suivies 48 → 4)" in result.message
    assert "seuil de 20\u202f%" in result.message and "rien n'a été chargé" in result.message
    assert "--force" in result.message and "Confirmer le remplacement" in result.message
    # Rien n'a bougé : ni le fichier de la base, ni ses tables, ni les indicateurs.
    assert empreinte_fichier(base) == avant_octets
    assert dump(base) == avant_tables
    assert file_active(base) == {"ALI08": 48, "ALI14": 8}
    assert remplacements(
        base, "SELECT count(*) FROM chargements_remplacements WHERE date_apres > DATE '2023-06-30'"
    ) == [(0,)]

    # Confirmé : appliqué, et l'historique garde avant → après.
    (forced,) = charger_fichiers(base, [partiel], forcer=True)
    assert forced.status == "loaded"
    assert "Remplacement confirmé malgré la baisse : ALI08 perd 91,7" in forced.message
    rows = remplacements(
        base,
        "SELECT c.fichier, r.code_ali, r.date_avant, r.date_apres, r.episodes_avant, r.episodes_apres, "
        "r.personnes_avant, r.personnes_apres, r.confirme, c.message LIKE '%confirmé malgré la baisse%' "
        "FROM chargements_remplacements AS r JOIN chargements AS c USING (id_chargement) "
        "WHERE r.code_ali = 'ALI08' ORDER BY c.id_chargement",
    )
    assert rows == [
        ("montreuil_juin.csv", "ALI08", None, date(2023, 6, 30), 0, 60, 0, 48, False, False),
        ("montreuil_juillet.csv", "ALI08", date(2023, 6, 30), date(2023, 7, 31), 60, 5, 48, 4, True, True),
    ]
    assert query_rows(base, "SELECT code_ali, count(*) FROM episodes GROUP BY 1 ORDER BY 1") == [
        ("ALI08", 5),
        ("ALI14", 8),
    ]


def test_a_confirmation_applies_only_the_previewed_replacement(tmp_path, base):
    partiel = write(tmp_path / "montreuil_juillet.csv", ali08(range(1, 6), "31/07/2023"))
    (apercu,) = charger_fichiers(base, [partiel])
    # Un autre jeton (un autre aperçu) ne confirme rien.
    (autre,) = charger_fichiers(base, [partiel], forcer={"0" * 64})
    assert autre.status == "to_confirm" and autre.jeton == apercu.jeton
    # La base change entre l'aperçu et la confirmation (une extraction complète d'août) : ce que le
    # fichier remplacerait n'est plus ce qui a été montré, la confirmation ne vaut plus.
    complet = write(tmp_path / "montreuil_aout.csv", ali08(range(1, 66), "31/07/2023"))
    assert [r.status for r in charger_fichiers(base, [complet])] == ["loaded"]
    (perime,) = charger_fichiers(base, [partiel], forcer={apercu.jeton})
    assert perime.status == "to_confirm"
    assert perime.en_json()["apercu"]["ali"][0]["episodes_avant"] == 65
    assert perime.jeton != apercu.jeton
    (confirme,) = charger_fichiers(base, [partiel], forcer={perime.jeton})
    assert confirme.status == "loaded"


def test_batch_loads_the_files_within_the_threshold_and_holds_the_others(tmp_path, base):
    partiel = write(tmp_path / "montreuil_juillet.csv", ali08(range(1, 6), "31/07/2023"))
    ali14_juillet = write(tmp_path / "ali14_juillet.csv", ali14("31/07/2023"))
    results = charger_fichiers(base, [partiel, ali14_juillet])
    assert [r.status for r in results] == ["to_confirm", "loaded"]
    assert query_rows(base, "SELECT code_ali, date_extraction, count(*) FROM episodes GROUP BY ALL ORDER BY 1") == [
        ("ALI08", date(2023, 6, 30), 60),
        ("ALI14", date(2023, 7, 31), 8),
    ]


# ---------------------------------------------------------------- le seuil


@pytest.mark.parametrize(
    ("personnes", "statut", "episodes", "suivies"),
    [
        (range(1, 51), "loaded", 50, 40),  # −16,7 % ; sorties parmi 1..50 : 10
        (range(1, 49), "loaded", 48, 39),  # −20,0 % pile : le seuil n'est pas dépassé
        (range(1, 48), "to_confirm", 47, 38),  # −21,7 %
    ],
)
def test_threshold_is_a_share_of_the_episodes(tmp_path, base, personnes, statut, episodes, suivies):
    (result,) = charger_fichiers(base, [write(tmp_path / "juillet.csv", ali08(personnes, "31/07/2023"))])
    assert result.status == statut, result.message
    (ligne_ali,) = result.en_json()["apercu"]["ali"]
    assert (ligne_ali["episodes_avant"], ligne_ali["episodes_apres"]) == (60, episodes)
    assert (ligne_ali["personnes_avant"], ligne_ali["personnes_apres"]) == (48, suivies)
    en_place = query_rows(base, "SELECT count(*) FROM episodes WHERE code_ali = 'ALI08'")[0][0]
    assert en_place == (episodes if statut == "loaded" else 60)


def test_threshold_is_a_setting(tmp_path, base, monkeypatch):
    monkeypatch.setenv("INSERTION_SEUIL_CONFIRMATION", "10")
    (result,) = charger_fichiers(base, [write(tmp_path / "juillet.csv", ali08(range(1, 51), "31/07/2023"))])
    assert result.status == "to_confirm"
    assert "seuil de 10\u202f%" in result.message
    assert result.en_json()["apercu"]["seuil_pct"] == 10.0


@pytest.mark.parametrize(
    ("texte", "valeur"),
    [("", 20.0), ("10", 10.0), ("12,5", 12.5), ("20 %", 20.0), ("0", 0.0), ("abc", 20.0), ("150", 20.0), ("-5", 20.0)],
)
def test_threshold_setting_is_read_at_each_call(monkeypatch, texte, valeur):
    monkeypatch.setenv("INSERTION_SEUIL_CONFIRMATION", texte)
    assert config.seuil_confirmation() == valeur


# ---------------------------------------------------------------- budget


def test_budget_file_with_rejected_rows_lowering_a_year_waits_for_confirmation(tmp_path, base):
    avant_octets, avant_tables = empreinte_fichier(base), dump(base)
    abime = write(tmp_path / "budget_v2.csv", budget(BUDGET_2025 + BUDGET_2026_ABIME))

    (result,) = charger_fichiers(base, [abime])

    assert result.status == "to_confirm"
    assert (result.rows_read, result.accepted, result.rejected) == (10, 7, 3)
    assert result.apercu.raisons == [
        "Budget 2026 : le total voté baisse de 48,0\u202fM€ à 43,9\u202fM€ ; la ligne « diagnostics » disparaît"
    ]
    assert result.en_json()["apercu"]["budget"] == [
        {"annee": 2025, "ligne": "accompagnement_ali", "vote_avant": 24e6, "vote_apres": 24e6,
         "execute_avant": 23412345.67, "execute_apres": 23412345.67},
        {"annee": 2025, "ligne": "diagnostics", "vote_avant": 3.8e6, "vote_apres": 3.8e6,
         "execute_avant": 3.65e6, "execute_apres": 3.65e6},
        {"annee": 2026, "ligne": "accompagnement_ali", "vote_avant": 25e6, "vote_apres": 25e6,
         "execute_avant": None, "execute_apres": None},
        {"annee": 2026, "ligne": "diagnostics", "vote_avant": 4.1e6, "vote_apres": None,
         "execute_avant": None, "execute_apres": None},
        {"annee": 2026, "ligne": "formation", "vote_avant": 6e6, "vote_apres": 6e6,
         "execute_avant": None, "execute_apres": None},
        {"annee": 2026, "ligne": "garde_enfants", "vote_avant": 1.4e6, "vote_apres": 1.4e6,
         "execute_avant": None, "execute_apres": None},
        {"annee": 2026, "ligne": "iae", "vote_avant": 9e6, "vote_apres": 9e6,
         "execute_avant": None, "execute_apres": None},
        {"annee": 2026, "ligne": "mobilite", "vote_avant": 2.5e6, "vote_apres": 2.5e6,
         "execute_avant": None, "execute_apres": None},
    ]  # fmt: skip
    assert "(voir la page Qualité des données)" not in result.message  # la quarantaine n'a pas été écrite
    assert empreinte_fichier(base) == avant_octets
    assert dump(base) == avant_tables

    (forced,) = charger_fichiers(base, [abime], forcer=True)
    assert forced.status == "loaded"
    rows = remplacements(
        base,
        "SELECT annee, ligne, vote_avant, vote_apres, execute_avant, execute_apres, confirme "
        "FROM chargements_remplacements WHERE id_chargement = (SELECT max(id_chargement) FROM chargements) "
        "ORDER BY annee, ligne",
    )
    d = Decimal
    assert rows == [
        (2025, "accompagnement_ali", d("24000000.00"), d("24000000.00"), d("23412345.67"), d("23412345.67"), False),
        (2025, "diagnostics", d("3800000.00"), d("3800000.00"), d("3650000.00"), d("3650000.00"), False),
        (2026, "accompagnement_ali", d("25000000.00"), d("25000000.00"), None, None, True),
        (2026, "diagnostics", d("4100000.00"), None, None, None, True),
        (2026, "formation", d("6000000.00"), d("6000000.00"), None, None, True),
        (2026, "garde_enfants", d("1400000.00"), d("1400000.00"), None, None, True),
        (2026, "iae", d("9000000.00"), d("9000000.00"), None, None, True),
        (2026, "mobilite", d("2500000.00"), d("2500000.00"), None, None, True),
    ]
    assert query_rows(base, "SELECT sum(montant_vote) FROM budget WHERE annee = 2026") == [(d("43900000.00"),)]


def test_budget_executed_amounts_going_down_also_need_confirmation(tmp_path, base):
    # Exécuté 2025 : 23 412 345,67 + 3 650 000 = 27 062 345,67 € → 22 320 000 + 3 650 000 = 25 970 000 €.
    moins = ["2025;;accompagnement_ali;24 000 000;22 320 000", "2025;;diagnostics;3 800 000;3 650 000"]
    (result,) = charger_fichiers(base, [write(tmp_path / "b.csv", budget(moins))])
    assert result.status == "to_confirm"
    assert result.apercu.raisons == ["Budget 2025 : le total exécuté baisse de 27,1\u202fM€ à 26,0\u202fM€"]


def test_budget_growing_or_new_year_loads_directly(tmp_path, base):
    plus = ["2026;;accompagnement_ali;25 000 000;", "2026;;diagnostics;4 100 000;", "2026;;formation;6 000 000;",
            "2026;;iae;9 500 000;", "2026;;mobilite;2 500 000;", "2026;ALI08;garde_enfants;1 400 000;",
            "2027;;accompagnement_ali;26 000 000;"]  # fmt: skip
    (result,) = charger_fichiers(base, [write(tmp_path / "b.csv", budget(plus))])
    assert result.status == "loaded", result.message
    assert not result.apercu.a_confirmer
    assert query_rows(base, "SELECT annee, sum(montant_vote) FROM budget GROUP BY 1 ORDER BY 1") == [
        (2025, Decimal("27800000.00")),
        (2026, Decimal("48500000.00")),
        (2027, Decimal("26000000.00")),
    ]


# ---------------------------------------------------------------- simulation (--dry-run) et charger_octets


def test_dry_run_previews_and_writes_nothing(tmp_path, base):
    avant_octets, avant_tables = empreinte_fichier(base), dump(base)
    croissance = write(tmp_path / "montreuil_juillet.csv", ali08(range(1, 71), "31/07/2023"))
    partiel = write(tmp_path / "partiel.csv", ali08(range(1, 6), "31/07/2023"))
    results = charger_fichiers(base, [croissance, partiel], simuler=True)
    assert [r.status for r in results] == ["loaded", "to_confirm"]
    assert all(r.simulation and r.message.startswith("Simulation, rien n'a été écrit : ") for r in results)
    # 70 personnes, dont 14 sorties (5, 10, …, 70) ; le second fichier est comparé au premier, comme au
    # vrai chargement de cet envoi.
    assert results[0].en_json()["apercu"]["ali"][0] | {"date_avant": None} == {
        **PARTIEL, "date_avant": None, "episodes_apres": 70, "personnes_apres": 56, "ecart_episodes_pct": 16.7
    }  # fmt: skip
    assert results[1].en_json()["apercu"]["ali"][0]["episodes_avant"] == 70
    assert empreinte_fichier(base) == avant_octets
    assert dump(base) == avant_tables
    assert not list(tmp_path.glob("*.chargement*"))
    # Sur une base qui n'existe pas encore : rien n'est créé.
    neuve = tmp_path / "neuve.duckdb"
    (seul,) = charger_fichiers(neuve, [croissance], simuler=True)
    assert seul.status == "loaded" and not neuve.exists()


def test_load_bytes_has_the_same_rules(tmp_path, base):
    avant = dump(base)
    partiel = ali08(range(1, 6), "31/07/2023")
    with db.ouvrir_en_ecriture(base) as con:
        result = charger_octets(con, partiel, "partiel.csv")
        assert result.status == "to_confirm" and result.en_json()["apercu"]["ali"] == [PARTIEL]
        simule_sans_force = charger_octets(con, partiel, "partiel.csv", simuler=True)
        assert (simule_sans_force.status, simule_sans_force.simulation) == ("to_confirm", True)
        simule = charger_octets(con, partiel, "partiel.csv", forcer=True, simuler=True)
        assert simule.status == "loaded" and simule.simulation
    assert dump(base) == avant
    with db.ouvrir_en_ecriture(base) as con:
        assert charger_octets(con, partiel, "partiel.csv", forcer={result.jeton}).status == "loaded"
    assert query_rows(base, "SELECT count(*) FROM episodes WHERE code_ali = 'ALI08'") == [(5,)]
    assert compte_rendu.STATUTS[-1] == "to_confirm"


# ---------------------------------------------------------------- ligne de commande


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INSERTION_SEUIL_CONFIRMATION"}
    return subprocess.run(
        [sys.executable, "-m", "insertion", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )


def test_cli_holds_a_partial_file_with_exit_code_4_until_forced(tmp_path, base):
    avant = empreinte_fichier(base)
    partiel = write(tmp_path / "montreuil_juillet.csv", ali08(range(1, 6), "31/07/2023"))
    complet = write(tmp_path / "ali14_juillet.csv", ali14("31/07/2023"))

    run = cli("load", str(partiel), "--db", str(base), "--json")
    assert run.returncode == 4, run.stderr
    (report,) = json.loads(run.stdout)
    assert report["status"] == "to_confirm" and report["dry_run"] is False
    assert report["apercu"]["a_confirmer"] is True and report["apercu"]["ali"] == [PARTIEL]
    assert empreinte_fichier(base) == avant

    dry = cli("load", str(partiel), str(complet), "--db", str(base), "--dry-run")
    assert dry.returncode == 4, dry.stderr
    assert dry.stdout.startswith("Simulation (--dry-run) : rien n'a été écrit")
    assert "[à confirmer]" in dry.stdout and "[serait chargé]" in dry.stdout
    ligne_ali08 = next(x for x in dry.stdout.splitlines() if x.strip().startswith("ALI08"))
    for cellule in ("30 juin 2023 → 31 juillet 2023", "60 → 5", "48 → 4", "-91,7\u202f%"):
        assert cellule in ligne_ali08
    dry_json = cli("load", str(complet), "--db", str(base), "--dry-run", "--json")
    assert dry_json.returncode == 0, dry_json.stderr
    (simule,) = json.loads(dry_json.stdout)
    assert (simule["status"], simule["dry_run"]) == ("loaded", True)
    assert simule["apercu"]["ali"][0]["episodes_avant"] == simule["apercu"]["ali"][0]["episodes_apres"] == 8
    assert empreinte_fichier(base) == avant

    # Un envoi : le fichier dans le seuil se charge, le partiel attend ; code 4.
    batch = cli("load", str(partiel), str(complet), "--db", str(base), "--json")
    assert batch.returncode == 4
    assert [r["status"] for r in json.loads(batch.stdout)] == ["to_confirm", "loaded"]
    # Un refus l'emporte sur l'attente : code 1.
    noms = write(tmp_path / "noms.csv", b"nom;code_ali\nDupont;ALI08\n")
    assert cli("load", str(partiel), str(noms), "--db", str(base)).returncode == 1

    forced = cli("load", str(partiel), "--db", str(base), "--force")
    assert forced.returncode == 0, forced.stdout
    assert forced.stdout.startswith("[chargé]") and "60 → 5" in forced.stdout
    assert query_rows(base, "SELECT count(*) FROM episodes WHERE code_ali = 'ALI08'") == [(5,)]


# ---------------------------------------------------------------- page Importer


def test_importer_previews_a_partial_file_and_applies_it_on_confirmation(base, app_test):
    avant = dump(base)
    at = app_test(base, "pages/importer.py")
    at.session_state[qualite.CLE_DEPOT] = [("montreuil_juillet.csv", ali08(range(1, 6), "31/07/2023"))]
    at.run()
    at.button(key="importer_charger").click().run()
    assert not at.exception, [e.message for e in at.exception]

    resultats = at.dataframe[0].value.set_index("Fichier")
    assert resultats.loc["montreuil_juillet.csv", "Résultat"] == "À confirmer : rien n'a été chargé"
    assert any("1 fichier : 1 à confirmer." in c.value for c in at.caption)
    assert "ALI08 perd 91,7\u202f% de ses épisodes" in at.warning[0].value
    apercu = at.dataframe[1].value
    assert apercu.to_dict("records") == [
        {
            "ALI": "ALI08",
            "Instantané": "30 juin 2023 → 31 juillet 2023",
            "Épisodes avant → après": "60 → 5",
            "Personnes suivies avant → après": "48 → 4",
            "Écart (épisodes)": "-91,7\u202f%",
        }
    ]
    assert dump(base) == avant  # rien n'a changé
    assert any("Données au 30 juin 2023" in c.value for c in at.caption)

    at.button(key="importer_confirmer_0").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.dataframe[0].value.set_index("Fichier").loc["montreuil_juillet.csv", "Résultat"] == "Chargé"
    assert "Remplacement confirmé malgré la baisse" in at.success[0].value
    assert at.dataframe[1].value["Épisodes avant → après"].tolist() == ["60 → 5"]  # montré après, aussi
    assert not [b for b in at.button if b.key and b.key.startswith("importer_confirmer")]
    # La date commune reste celle d'ALI14 (30 juin) ; ALI08, désormais au 31 juillet, est nommée en avance.
    assert any("Données au 30 juin 2023" in c.value for c in at.caption)
    assert any("En avance : ALI08 Montreuil (31 juillet 2023)" in c.value for c in at.caption)
    assert query_rows(base, "SELECT count(*) FROM episodes WHERE code_ali = 'ALI08'") == [(5,)]
    assert query_rows(
        base,
        "SELECT episodes_avant, episodes_apres, confirme FROM chargements_remplacements WHERE date_avant IS NOT NULL",
    ) == [(60, 5, True)]


def test_importer_loads_a_file_within_the_threshold_and_shows_what_changed(base, app_test):
    at = app_test(base, "pages/importer.py")
    at.session_state[qualite.CLE_DEPOT] = [("montreuil_juillet.csv", ali08(range(1, 71), "31/07/2023"))]
    at.run()
    at.button(key="importer_charger").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.dataframe[0].value["Résultat"].tolist() == ["Chargé"]
    assert at.dataframe[1].value.to_dict("records") == [
        {
            "ALI": "ALI08",
            "Instantané": "30 juin 2023 → 31 juillet 2023",
            "Épisodes avant → après": "60 → 70",
            "Personnes suivies avant → après": "48 → 56",
            "Écart (épisodes)": "+16,7\u202f%",
        }
    ]
    assert not [b for b in at.button if b.key and b.key.startswith("importer_confirmer")]


def test_importer_declined_or_altered_file_is_never_applied(base, app_test):
    avant = dump(base)
    at = app_test(base, "pages/importer.py")
    partiel = ali08(range(1, 6), "31/07/2023")
    at.session_state[qualite.CLE_DEPOT] = [("partiel.csv", partiel), ("budget_v2.csv", budget(BUDGET_2026_ABIME))]
    at.run()
    at.button(key="importer_charger").click().run()
    assert at.dataframe[0].value["Résultat"].tolist() == ["À confirmer : rien n'a été chargé"] * 2
    budget_apercu = at.dataframe[-1].value
    assert budget_apercu.set_index("Ligne").loc["diagnostics", "Voté avant → après"] == "4\u202f100\u202f000\u202f€ → –"

    # Les octets gardés pour la confirmation ne sont plus ceux de l'aperçu : rien n'est chargé.
    attente = dict(at.session_state["importer_a_confirmer"])
    attente[0] = dict(attente[0], contenu=ali08(range(1, 4), "31/07/2023"))
    at.session_state["importer_a_confirmer"] = attente
    at.run()
    at.button(key="importer_confirmer_0").click().run()
    assert "ne correspond plus à l'aperçu" in at.error[0].value
    # Le budget : l'utilisateur renonce.
    at.button(key="importer_abandonner_1").click().run()
    assert any("Remplacement non confirmé" in c.value for c in at.caption)
    assert dump(base) == avant
