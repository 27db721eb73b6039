"""Formats et encodages, instantanés par ALI, rechargements, transaction, budget."""

from __future__ import annotations

import io

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from insertion.ingest import chargement, chargement_extraits
from insertion.ingest.chargement import charger_fichiers
from tests.conftest import csv_bytes, dump, ligne, lignes, query_rows, write


def french_dates(row: dict[str, str]) -> dict[str, str]:
    out = {}
    for key, value in row.items():
        if key.startswith("date") and len(value) == 10 and value[4] == "-":
            value = f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
        out[key] = value
    return out


# Huit lignes dont deux fautives, avec accents, sortie, diagnostics : le même contenu dans quatre formats.
CONTENU = [
    ligne(id_beneficiaire="b0000001", date_diag_numerique="2023-04-01", niveau_numerique="Débutant"),
    ligne(id_beneficiaire="b0000002", type_parcours="Socio-professionnel", sexe="M"),
    ligne(id_beneficiaire="b0000003", date_sortie="2023-05-31", motif_sortie="emploi_durable"),
    ligne(id_beneficiaire="b0000004", code_ali="ALI04", code_commune="93027", date_orientation="2023-06-01"),
    ligne(id_beneficiaire="b0000005", niveau_linguistique="A2", date_diag_linguistique="2023-06-30"),
    ligne(id_beneficiaire="b0000006", composition_foyer="Seul avec enfants", anciennete_rsa="2-5 ans"),
    ligne(id_beneficiaire="b0000007", code_commune="99999"),
    ligne(id_beneficiaire="b0000008", date_sortie="2023-02-01", motif_sortie="abandon"),
]


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    from datetime import date

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    columns = list(rows[0])
    sheet.append(columns)
    for row in rows:
        # Excel stocke les dates comme des dates : le chargeur doit les relire comme telles.
        sheet.append([date.fromisoformat(v) if c.startswith("date") and v else (v or None) for c, v in row.items()])
    workbook.create_sheet("Notes").append(["cette feuille est ignorée"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def parquet_bytes(rows: list[dict[str, str]]) -> bytes:
    from datetime import date

    columns = {}
    for c in rows[0]:
        values = [r[c] or None for r in rows]
        if c.startswith("date"):
            columns[c] = pa.array([date.fromisoformat(v) if v else None for v in values], type=pa.date32())
        else:
            columns[c] = pa.array(values, type=pa.string())
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


def episodes_and_quarantine(db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        episodes = con.execute("SELECT * EXCLUDE (id_chargement) FROM episodes ORDER BY id_beneficiaire").fetchall()
        rejects = con.execute("SELECT ligne, colonne, motif FROM quarantaine ORDER BY ligne").fetchall()
    finally:
        con.close()
    return episodes, rejects


def test_same_content_in_four_formats_loads_identically(tmp_path):
    files = {
        "cp1252_pointvirgule.csv": csv_bytes([french_dates(r) for r in CONTENU], sep=";", encoding="cp1252"),
        "utf8_bom_virgule.csv": csv_bytes(CONTENU, sep=",", bom=True),
        "classeur.xlsx": xlsx_bytes(CONTENU),
        "table.parquet": parquet_bytes(CONTENU),
    }
    assert "é".encode("cp1252") in files["cp1252_pointvirgule.csv"]  # vraiment du Windows-1252
    outcomes = {}
    for name, data in files.items():
        db_path = tmp_path / f"{name}.duckdb"
        (result,) = charger_fichiers(db_path, [write(tmp_path / name, data)])
        assert (result.status, result.rows_read, result.accepted, result.rejected) == ("loaded", 8, 6, 2), name
        outcomes[name] = episodes_and_quarantine(db_path)
    reference = outcomes.pop("utf8_bom_virgule.csv")
    assert len(reference[0]) == 6 and [line for line, *_ in reference[1]] == [8, 9]
    for name, outcome in outcomes.items():
        assert outcome == reference, name


# ---------------------------------------------------------------- instantanés


def current(db_path) -> dict[str, tuple]:
    rows = query_rows(
        db_path, "SELECT code_ali, count(*), min(date_extraction)::VARCHAR FROM episodes GROUP BY 1 ORDER BY 1"
    )
    return {ali: (n, d) for ali, n, d in rows}


def snapshot(ali_counts: dict[str, int], as_of: str) -> bytes:
    communes = {"ALI14": "93014", "ALI04": "93027"}
    rows = []
    for ali, n in ali_counts.items():
        rows += [
            ligne(id_beneficiaire=f"{ali}x{i:04d}", code_ali=ali, code_commune=communes[ali], date_extraction=as_of)
            for i in range(n)
        ]
    return csv_bytes(rows)


def test_snapshot_replaces_only_the_alis_it_contains(tmp_path, db_path):
    first = write(tmp_path / "t2.csv", snapshot({"ALI14": 3, "ALI04": 2}, "2023-06-30"))
    second = write(tmp_path / "t3.csv", snapshot({"ALI14": 5}, "2023-09-30"))
    r1, r2 = charger_fichiers(db_path, [first, second])
    assert (r1.status, r2.status) == ("loaded", "loaded")
    assert r2.ali_remplacees == ["ALI14"]
    # ALI14 vient du second fichier, ALI04 garde son instantané du premier.
    assert current(db_path) == {"ALI04": (2, "2023-06-30"), "ALI14": (5, "2023-09-30")}


def test_reloading_the_same_file_changes_nothing_and_says_so(tmp_path, db_path):
    path = write(tmp_path / "t2.csv", snapshot({"ALI14": 3}, "2023-06-30"))
    charger_fichiers(db_path, [path])
    before = dump(db_path)
    renamed = write(tmp_path / "copie.csv", path.read_bytes())  # même contenu, autre nom
    (again,) = charger_fichiers(db_path, [renamed])
    assert again.status == "already_loaded"
    assert "déjà été chargé" in again.message and "t2.csv" in again.message
    assert dump(db_path) == before


def test_older_snapshot_goes_to_history_only(tmp_path, db_path):
    newer = write(tmp_path / "t3.csv", snapshot({"ALI14": 5}, "2023-09-30"))
    older = write(tmp_path / "t2.csv", snapshot({"ALI14": 3}, "2023-06-30"))
    charger_fichiers(db_path, [newer])
    before_current = current(db_path)
    (result,) = charger_fichiers(db_path, [older])
    assert result.status == "older_snapshot"
    assert "plus ancienne" in result.message and "30 septembre 2023" in result.message
    assert current(db_path) == before_current == {"ALI14": (5, "2023-09-30")}
    con = duckdb.connect(str(db_path), read_only=True)
    history = con.execute(
        "SELECT date_extraction::VARCHAR, count(*) FROM episodes_historique GROUP BY 1 ORDER BY 1"
    ).fetchall()
    snapshots = con.execute(
        "SELECT date_extraction::VARCHAR, courant FROM instantanes WHERE code_ali = 'ALI14' ORDER BY 1"
    ).fetchall()
    con.close()
    assert history == [("2023-06-30", 3), ("2023-09-30", 5)]
    assert snapshots == [("2023-06-30", False), ("2023-09-30", True)]


def test_mixed_file_replaces_newer_alis_and_keeps_older_in_history(tmp_path, db_path):
    charger_fichiers(db_path, [write(tmp_path / "a.csv", snapshot({"ALI14": 2}, "2023-12-31"))])
    (result,) = charger_fichiers(db_path, [write(tmp_path / "b.csv", snapshot({"ALI14": 4, "ALI04": 1}, "2023-09-30"))])
    assert result.status == "loaded"
    assert (result.ali_remplacees, result.ali_historique) == (["ALI04"], ["ALI14"])
    assert current(db_path) == {"ALI04": (1, "2023-09-30"), "ALI14": (2, "2023-12-31")}


def test_load_history_records_every_load(tmp_path, db_path):
    rows = lignes(3)
    rows[2]["sexe"] = "?"
    charger_fichiers(db_path, [write(tmp_path / "t.csv", csv_bytes(rows))])
    con = duckdb.connect(str(db_path), read_only=True)
    ((name, digest, as_of, read, accepted, rejected, replaced, when),) = con.execute(
        "SELECT fichier, empreinte, date_extraction::VARCHAR, lignes_lues, acceptees, rejetees, ali_remplacees,"
        " charge_le FROM chargements"
    ).fetchall()
    con.close()
    assert (name, as_of, read, accepted, rejected, replaced) == ("t.csv", "2023-06-30", 3, 2, 1, ["ALI14"])
    assert len(digest) == 64 and when is not None


def test_interrupted_load_leaves_database_exactly_as_before(tmp_path, db_path, monkeypatch):
    charger_fichiers(db_path, [write(tmp_path / "t2.csv", snapshot({"ALI14": 3, "ALI04": 2}, "2023-06-30"))])
    before = dump(db_path)

    def crash(*args, **kwargs):
        raise RuntimeError("coupure au milieu du chargement")

    # Au moment de la panne, l'historique, la quarantaine et les instantanés sont déjà écrits.
    monkeypatch.setattr(chargement_extraits, "remplacer_episodes_courants", crash)
    rows = [dict(r) for r in lignes(4, date_extraction="2023-09-30")]
    rows[3]["sexe"] = "?"
    (result,) = charger_fichiers(db_path, [write(tmp_path / "t3.csv", csv_bytes(rows))])
    assert result.status == "refused" and "inchangée" in result.message
    assert "coupure" not in result.message
    assert dump(db_path) == before
    monkeypatch.undo()
    (retry,) = charger_fichiers(db_path, [tmp_path / "t3.csv"])  # rien n'a été retenu du fichier : il se recharge
    assert retry.status == "loaded"


# ---------------------------------------------------------------- budget


def budget_bytes(rows: list[str]) -> bytes:
    return ("annee;code_ali;ligne;montant_vote;montant_execute\n" + "\n".join(rows) + "\n").encode("cp1252")


def budget_rows(db_path):
    return query_rows(
        db_path,
        "SELECT annee, coalesce(code_ali, '-'), ligne, montant_vote::DOUBLE, montant_execute::DOUBLE"
        " FROM budget ORDER BY 1, 2, 3",
    )


def test_budget_file_with_french_amounts(tmp_path, db_path):
    data = budget_bytes(
        [
            '2021;;accompagnement_ali;"12 500 000,50";12 000 000',
            "2021;;Garde d'enfants;500000;",
            "2023;ALI14;accompagnement_ali;1\u00a0200\u00a0000;1 100 000,25",
            "2023;ALI99;formation;100;100",
            "2023;;formation;-5;",
            "2023;;formation;beaucoup;",
            "2021;;accompagnement_ali;1;1",
        ]
    )
    data = data.replace("\u00a0".encode("cp1252"), b"\xa0")
    (result,) = charger_fichiers(db_path, [write(tmp_path / "budget.csv", data)])
    assert (result.status, result.rows_read, result.accepted, result.rejected) == ("loaded", 7, 3, 4)
    assert set(result.rejections) == {
        "code_ali absent du référentiel des ALI",
        "montant_vote négatif",
        "montant_vote illisible (attendu un montant en euros)",
        "doublon (même annee, code_ali et ligne qu'une ligne précédente)",
    }
    assert budget_rows(db_path) == [
        (2021, "-", "accompagnement_ali", 12_500_000.50, 12_000_000.0),
        (2021, "-", "garde_d_enfants", 500_000.0, None),
        (2023, "ALI14", "accompagnement_ali", 1_200_000.0, 1_100_000.25),
    ]


def test_budget_file_replaces_only_its_years(tmp_path, db_path):
    charger_fichiers(db_path, [write(tmp_path / "b1.csv", budget_bytes(["2021;;iae;100;90", "2022;;iae;200;180"]))])
    b2 = write(tmp_path / "b2.csv", budget_bytes(["2022;;iae;250;"]))
    # 2022 exécuté 180 → vide : une baisse, appliquée seulement sur confirmation
    # (tests/ingest/test_apercu_remplacement.py).
    assert [r.status for r in charger_fichiers(db_path, [b2])] == ["to_confirm"]
    (result,) = charger_fichiers(db_path, [b2], forcer=True)
    assert "2022" in result.message
    assert budget_rows(db_path) == [(2021, "-", "iae", 100.0, 90.0), (2022, "-", "iae", 250.0, None)]


@pytest.mark.parametrize("missing", ["annee", "ligne", "montant_vote"])
def test_budget_missing_required_column_is_refused(tmp_path, db_path, missing):
    columns = [c for c in ["annee", "code_ali", "ligne", "montant_vote", "montant_execute"] if c != missing]
    data = (";".join(columns) + "\n" + ";".join(["2021"] * len(columns)) + "\n").encode()
    (result,) = charger_fichiers(db_path, [write(tmp_path / "b.csv", data)])
    assert result.status == "refused" and missing in result.message


def test_load_while_a_reader_holds_the_database(tmp_path, db_path):
    """L'application garde une connexion en lecture : le chargement passe, elle voit l'ancienne version
    jusqu'à ce qu'elle rouvre le fichier, qui porte alors la nouvelle."""
    charger_fichiers(db_path, [write(tmp_path / "t2.csv", snapshot({"ALI14": 3}, "2023-06-30"))])
    reader = duckdb.connect(str(db_path), read_only=True)
    try:
        (result,) = charger_fichiers(db_path, [write(tmp_path / "t3.csv", snapshot({"ALI14": 5}, "2023-09-30"))])
        assert result.status == "loaded"
        assert reader.execute("SELECT count(*) FROM episodes").fetchall() == [(3,)]
    finally:
        reader.close()
    assert current(db_path) == {"ALI14": (5, "2023-09-30")}
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(db_path.name)) == [
        db_path.name,
        db_path.name + ".verrou",
    ]  # aucune copie de travail ne traîne


def test_nothing_loaded_leaves_the_file_itself_untouched(tmp_path, db_path):
    path = write(tmp_path / "t2.csv", snapshot({"ALI14": 3}, "2023-06-30"))
    charger_fichiers(db_path, [path])
    stamp = db_path.stat().st_mtime_ns
    charger_fichiers(db_path, [path, write(tmp_path / "noms.csv", b"nom;prenom\nA;B\n")])  # déjà chargé, refusé
    assert db_path.stat().st_mtime_ns == stamp


# ---------------------------------------------------------------- table préparée pour les indicateurs


def prepared(db_path) -> dict[str, tuple]:
    """Les colonnes préparées pour les indicateurs, par ALI."""
    rows = query_rows(
        db_path,
        "SELECT code_ali, count(*), count(*) FILTER (WHERE plusieurs_episodes), any_value(ept) "
        "FROM episodes GROUP BY 1 ORDER BY 1",
    )
    return {ali: [n, multiples, ept] for ali, n, multiples, ept in rows}


def test_prepared_table_follows_every_snapshot_replacement(tmp_path, db_path):
    first = snapshot({"ALI14": 3, "ALI04": 2}, "2023-06-30")
    # La même personne suivie à ALI14 et ALI04 : marquée « plusieurs épisodes » dans les deux ALI.
    first += csv_bytes([ligne(id_beneficiaire="ALI14x0000", code_ali="ALI04", code_commune="93027",
                              date_extraction="2023-06-30")]).split(b"\n", 1)[1]  # fmt: skip
    charger_fichiers(db_path, [write(tmp_path / "t2.csv", first)])
    assert {k: v[:2] for k, v in prepared(db_path).items()} == {"ALI04": [3, 1], "ALI14": [3, 1]}
    # Le nouvel instantané d'ALI14 n'a plus cette personne : la table suit, plus personne n'est marqué.
    renewed = snapshot({"ALI14": 5}, "2023-09-30").replace(b"ALI14x", b"ALI14y")
    charger_fichiers(db_path, [write(tmp_path / "t3.csv", renewed)])
    assert {k: v[:2] for k, v in prepared(db_path).items()} == {"ALI04": [3, 0], "ALI14": [5, 0]}


def markers(db_path) -> list[tuple]:
    """Les épisodes des personnes marquées à épisodes multiples ou simultanés."""
    return query_rows(
        db_path,
        "SELECT code_ali, id_beneficiaire, plusieurs_episodes, episodes_simultanes FROM episodes "
        "WHERE plusieurs_episodes OR episodes_simultanes ORDER BY 1, 2",
    )


def test_markers_span_the_files_of_one_batch_and_are_computed_once(tmp_path, db_path, monkeypatch):
    from insertion.store import db

    # Une personne suivie à ALI14 (fichier 1) puis, sans être sortie, à ALI04 (fichier 2) : deux épisodes
    # actifs le même jour, dans deux fichiers du même envoi. Un troisième fichier, budget, ne change rien.
    ali14 = snapshot({"ALI14": 2}, "2023-06-30")
    ali04 = snapshot({"ALI04": 2}, "2023-06-30").replace(b"ALI04x0001", b"ALI14x0001")
    budget = budget_bytes(["2023;;accompagnement_ali;100;90"])
    with db.ouvrir_en_ecriture(db_path):  # une base neuve se prépare à sa création : on compte après
        pass
    calls = []
    real = db.preparer_indicateurs
    monkeypatch.setattr(db, "preparer_indicateurs", lambda con: (calls.append(1), real(con)))
    files = [write(tmp_path / n, b) for n, b in [("a.csv", ali14), ("b.csv", ali04), ("budget.csv", budget)]]
    results = charger_fichiers(db_path, files)
    assert [r.status for r in results] == ["loaded"] * 3
    assert len(calls) == 1  # une fois pour l'envoi, après le dernier fichier
    assert markers(db_path) == [("ALI04", "ALI14x0001", True, True), ("ALI14", "ALI14x0001", True, True)]


def test_load_bytes_alone_keeps_the_markers_true(tmp_path, db_path):
    from insertion.store import db

    # charger_octets (un fichier, sans charger_fichiers) met les marqueurs à jour lui-même.
    with db.ouvrir_en_ecriture(db_path) as con:
        chargement.charger_octets(con, snapshot({"ALI14": 2}, "2023-06-30"), "a.csv")
        chargement.charger_octets(
            con, snapshot({"ALI04": 1}, "2023-06-30").replace(b"ALI04x0000", b"ALI14x0000"), "b.csv"
        )
    assert markers(db_path) == [("ALI04", "ALI14x0000", True, True), ("ALI14", "ALI14x0000", True, True)]


def test_database_from_an_earlier_version_is_upgraded_when_opened(tmp_path, db_path):
    from insertion import indicators
    from insertion.store import db
    from insertion.store.requetes import Periode

    charger_fichiers(db_path, [write(tmp_path / "t2.csv", snapshot({"ALI14": 3, "ALI04": 2}, "2023-06-30"))])
    # Une base écrite avant les colonnes préparées : ni ces colonnes ni la version du schéma.
    con = duckdb.connect(str(db_path))
    con.execute("ALTER TABLE episodes DROP COLUMN ept")
    con.execute("ALTER TABLE episodes DROP COLUMN m_orientation")
    con.execute("ALTER TABLE episodes DROP COLUMN m_sortie")
    con.execute("ALTER TABLE episodes DROP COLUMN sortie_emploi")
    con.execute("ALTER TABLE episodes DROP COLUMN emploi_durable")
    con.execute("ALTER TABLE episodes DROP COLUMN plusieurs_episodes")
    con.execute("ALTER TABLE episodes DROP COLUMN episodes_simultanes")
    con.execute("DELETE FROM meta WHERE cle = 'version_schema'")
    con.close()
    reader = db.ouvrir_en_lecture(db_path)
    try:
        assert db.version(reader) == db.VERSION_SCHEMA
        fa = indicators.file_active(reader, Periode(as_of=indicators.date(2023, 6, 30)), groupe="ali")
        assert dict(zip(fa["groupe"], fa["file_active"], strict=True)) == {"ALI04": 2, "ALI14": 3}
    finally:
        reader.close()
    assert not list(tmp_path.glob("*.chargement*"))
