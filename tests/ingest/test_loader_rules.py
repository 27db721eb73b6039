"""Règles de ligne et refus de fichier du contrat §3, une règle par cas."""

from __future__ import annotations

import duckdb
import pytest

from insertion.ingest.chargement import charger_fichiers
from tests.conftest import csv_bytes, dump, ligne, lignes, write

D = "2023-06-30"  # date_extraction des petites extractions


def load_one(tmp_path, db_path, rows, name="extrait.csv", **csv_options):
    path = write(tmp_path / name, csv_bytes(rows, **csv_options))
    (result,) = charger_fichiers(db_path, [path])
    return result


def quarantine(db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT ligne, colonne, motif, detail FROM quarantaine ORDER BY ligne").fetchall()
    finally:
        con.close()


# (changement sur la ligne 3 du fichier, colonne attendue, motif attendu)
ROW_RULES = [
    ({"id_beneficiaire": ""}, "id_beneficiaire", "id_beneficiaire manquant"),
    ({"id_beneficiaire": "abc"}, "id_beneficiaire", "id_beneficiaire invalide"),
    ({"id_beneficiaire": "abc def ghi"}, "id_beneficiaire", "id_beneficiaire invalide"),
    ({"id_beneficiaire": "x" * 65}, "id_beneficiaire", "id_beneficiaire invalide"),
    ({"code_ali": ""}, "code_ali", "code_ali manquant"),
    ({"code_ali": "ALI99"}, "code_ali", "code_ali absent du référentiel des ALI"),
    ({"code_commune": ""}, "code_commune", "code_commune manquant"),
    ({"code_commune": "75056"}, "code_commune", "code_commune absent du référentiel des communes"),
    ({"date_orientation": ""}, "date_orientation", "date_orientation manquante"),
    ({"date_orientation": "31/02/2023"}, "date_orientation", "date_orientation illisible"),
    ({"date_orientation": "2023-07-01"}, "date_orientation", "date_orientation postérieure à date_extraction"),
    ({"type_parcours": ""}, "type_parcours", "type_parcours manquant"),
    ({"type_parcours": "emploi"}, "type_parcours", "type_parcours inconnu"),
    ({"date_diag_numerique": "2023-13-01"}, "date_diag_numerique", "date_diag_numerique illisible"),
    ({"date_diag_numerique": "2023-03-14"}, "date_diag_numerique", "date_diag_numerique antérieure à date_orientation"),
    ({"date_diag_numerique": "2023-07-01"}, "date_diag_numerique", "date_diag_numerique postérieure à date_extraction"),
    ({"niveau_numerique": "expert"}, "niveau_numerique", "niveau_numerique inconnu"),
    ({"date_diag_linguistique": "hier"}, "date_diag_linguistique", "date_diag_linguistique illisible"),
    (
        {"date_diag_linguistique": "2023-01-01"},
        "date_diag_linguistique",
        "date_diag_linguistique antérieure à date_orientation",
    ),
    (
        {"date_diag_linguistique": "2024-01-01"},
        "date_diag_linguistique",
        "date_diag_linguistique postérieure à date_extraction",
    ),
    ({"niveau_linguistique": "B3"}, "niveau_linguistique", "niveau_linguistique inconnu"),
    # Le contrat ne passe pas les niveaux du CECRL en minuscules : « a1 » n'est pas « A1 ».
    ({"niveau_linguistique": "a1"}, "niveau_linguistique", "niveau_linguistique inconnu"),
    ({"date_sortie": "00/00/0000", "motif_sortie": "abandon"}, "date_sortie", "date_sortie illisible"),
    (
        {"date_sortie": "2023-03-01", "motif_sortie": "abandon"},
        "date_sortie",
        "date_sortie antérieure à date_orientation",
    ),
    (
        {"date_sortie": "2023-07-15", "motif_sortie": "abandon"},
        "date_sortie",
        "date_sortie postérieure à date_extraction",
    ),
    ({"date_sortie": "2023-05-01", "motif_sortie": "retraite"}, "motif_sortie", "motif_sortie inconnu"),
    ({"motif_sortie": "abandon"}, "motif_sortie", "motif_sortie sans date_sortie"),
    ({"tranche_age": ""}, "tranche_age", "tranche_age manquante"),
    ({"tranche_age": "30_40"}, "tranche_age", "tranche_age inconnue"),
    ({"sexe": ""}, "sexe", "sexe manquant"),
    ({"sexe": "X"}, "sexe", "sexe inconnu"),
    # Le contrat compare sexe sans passer en minuscules : « f » n'est pas « F ».
    ({"sexe": "f"}, "sexe", "sexe inconnu"),
    ({"composition_foyer": "colocation"}, "composition_foyer", "composition_foyer inconnue"),
    ({"anciennete_rsa": "10_ans"}, "anciennete_rsa", "anciennete_rsa inconnue"),
]


@pytest.mark.parametrize(("change", "column", "reason"), ROW_RULES, ids=[r[2] + str(r[0]) for r in ROW_RULES])
def test_each_row_rule_rejects_with_line_and_reason(tmp_path, db_path, change, column, reason):
    rows = lignes(3)
    rows[1].update(change)  # la 2e ligne de données est la ligne 3 du fichier (l'en-tête est la ligne 1)
    result = load_one(tmp_path, db_path, rows)
    assert result.status == "loaded"
    assert (result.rows_read, result.accepted, result.rejected) == (3, 2, 1)
    assert result.accepted + result.rejected == result.rows_read
    ((motif, count),) = result.rejections.items()
    assert motif.startswith(reason) and count == 1
    ((line, col, stored, _),) = quarantine(db_path)
    assert (line, col) == (3, column)
    assert stored.startswith(reason)


def test_duplicate_episode_keeps_first_and_names_its_line(tmp_path, db_path):
    rows = lignes(2) + [ligne(id_beneficiaire="b0000001", type_parcours="professionnel")]
    result = load_one(tmp_path, db_path, rows)
    assert (result.rows_read, result.accepted, result.rejected) == (3, 2, 1)
    ((line, column, motif, detail),) = quarantine(db_path)
    assert (line, column) == (4, "id_beneficiaire")
    assert motif.startswith("doublon")
    assert detail == "première occurrence ligne 2"
    con = duckdb.connect(str(db_path), read_only=True)
    # La première occurrence (social) est gardée, pas la seconde (professionnel).
    kept = con.execute("SELECT type_parcours FROM episodes WHERE id_beneficiaire = 'b0000001'").fetchall()
    con.close()
    assert kept == [("social",)]


def test_same_person_other_date_is_not_a_duplicate(tmp_path, db_path):
    rows = [ligne(), ligne(date_orientation="2023-04-01")]
    result = load_one(tmp_path, db_path, rows)
    assert (result.accepted, result.rejected) == (2, 0)


def test_row_with_wrong_column_count_is_rejected_not_the_file(tmp_path, db_path):
    extra = ",".join(ligne(id_beneficiaire="b0000009").values()) + ",valeur en trop\n"
    data = csv_bytes(lignes(2)) + extra.encode()
    (result,) = charger_fichiers(db_path, [write(tmp_path / "x.csv", data)])
    assert (result.status, result.rows_read, result.accepted, result.rejected) == ("loaded", 3, 2, 1)
    assert result.rejections == {"nombre de colonnes incorrect": 1}
    assert quarantine(db_path)[0][0] == 4


def test_normalisations_are_accepted(tmp_path, db_path):
    rows = [
        ligne(
            type_parcours="Socio-professionnel",
            niveau_numerique="Intermédiaire",
            date_diag_numerique="01/04/2023",
            niveau_linguistique="Francophone",
            date_diag_linguistique="2023-04-02",
            date_sortie="15/05/2023",
            motif_sortie="",  # une sortie sans motif se charge en non_renseigne
            tranche_age="55 plus",
            composition_foyer="Couple avec enfants",
            anciennete_rsa="5 ans plus",
            code_ali="ali14",
        )
    ]
    # En-têtes en majuscules et entourés d'espaces : comparés sans casse après nettoyage.
    columns = [f" {c.upper()} " for c in rows[0]]
    data = csv_bytes([dict(zip(columns, r.values(), strict=True)) for r in rows], columns=columns)
    (result,) = charger_fichiers(db_path, [write(tmp_path / "x.csv", data)])
    assert (result.accepted, result.rejected) == (1, 0), result.rejections
    con = duckdb.connect(str(db_path), read_only=True)
    row = con.execute(
        "SELECT code_ali, type_parcours, niveau_numerique, niveau_linguistique, date_sortie::VARCHAR, motif_sortie,"
        " tranche_age, composition_foyer, anciennete_rsa FROM episodes"
    ).fetchone()
    con.close()
    assert row == (
        "ALI14",
        "socio_professionnel",
        "intermediaire",
        "francophone",
        "2023-05-15",
        "non_renseigne",
        "55_plus",
        "couple_avec_enfants",
        "5_ans_plus",
    )


def test_boundaries_on_extraction_date_are_accepted(tmp_path, db_path):
    rows = [ligne(date_orientation=D, date_diag_numerique=D, date_diag_linguistique=D)]
    rows.append(ligne(id_beneficiaire="b0000002", date_sortie=D, motif_sortie="formation"))
    rows.append(ligne(id_beneficiaire="b0000003", date_sortie="2023-03-15", motif_sortie="abandon"))
    result = load_one(tmp_path, db_path, rows)
    assert (result.accepted, result.rejected) == (3, 0)


# ---------------------------------------------------------------- refus du fichier entier


def assert_refused(result, *fragments):
    assert result.status == "refused"
    assert (result.accepted, result.rejected) == (0, 0)
    for fragment in fragments:
        assert fragment in result.message, result.message


@pytest.mark.parametrize(
    "column",
    ["id_beneficiaire", "code_ali", "code_commune", "date_orientation", "type_parcours", "tranche_age", "sexe"],
)
def test_missing_required_column_refuses_file(tmp_path, db_path, column):
    columns = [c for c in ligne() if c != column]
    result = load_one(tmp_path, db_path, lignes(2), columns=columns)
    assert_refused(result, "obligatoire", column)
    assert not db_path.exists() or dump(db_path)["chargements"] == []


def test_missing_date_extraction_column_refuses_file(tmp_path, db_path):
    columns = [c for c in ligne() if c != "date_extraction"]
    assert_refused(load_one(tmp_path, db_path, lignes(1), columns=columns), "date_extraction")


def test_several_extraction_dates_refuse_file(tmp_path, db_path):
    rows = lignes(2) + [ligne(id_beneficiaire="b0000009", date_extraction="2023-09-30")]
    result = load_one(tmp_path, db_path, rows)
    assert_refused(result, "plusieurs valeurs", "2023-06-30", "2023-09-30")
    assert dump(db_path)["episodes"] == []


def test_unreadable_extraction_date_refuses_file_naming_the_line(tmp_path, db_path):
    rows = lignes(2) + [ligne(id_beneficiaire="b0000009", date_extraction="demain")]
    assert_refused(load_one(tmp_path, db_path, rows), "date_extraction", "ligne 4")


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("vide.csv", b"", "vide"),
        ("entete.csv", ",".join(ligne()).encode(), "aucune ligne"),
        ("binaire.csv", bytes(range(256)) * 4, "CSV"),
        ("faux.xlsx", b"id_beneficiaire,code_ali\n", "Excel"),
        ("faux.parquet", b"id_beneficiaire,code_ali\n", "Parquet"),
        ("zip.xlsx", b"PK\x03\x04" + b"\x00" * 100, "Excel"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
        ("autre.csv", b"a;b;c\n1;2;3\n", "colonnes"),
    ],
)
def test_unreadable_or_foreign_files_are_refused(tmp_path, db_path, name, data, fragment):
    (result,) = charger_fichiers(db_path, [write(tmp_path / name, data)])
    assert_refused(result, fragment)


def test_duplicated_header_refuses_file(tmp_path, db_path):
    columns = list(ligne()) + ["Code ALI"]
    rows = [dict(ligne(), **{"Code ALI": "ALI04"})]
    assert_refused(load_one(tmp_path, db_path, rows, columns=columns), "deux fois", "code_ali")


def test_refused_file_leaves_database_untouched(tmp_path, db_path):
    load_one(tmp_path, db_path, lignes(3), name="bon.csv")
    before = dump(db_path)
    rows = lignes(2) + [ligne(id_beneficiaire="b0000009", date_extraction="2023-09-30")]
    assert load_one(tmp_path, db_path, rows, name="mauvais.csv").status == "refused"
    assert dump(db_path) == before


# ---------------------------------------------------------------- identifiants directs

NIR = "185057512345678"
EMAIL = "jeanne.dupont@example.fr"


@pytest.mark.parametrize(
    "header",
    [
        "nom",
        "Prénom",
        "Nom de naissance",
        "NIR",
        "numéro de sécurité sociale",
        "Date de naissance",
        "e-mail",
        "Courriel",
        "Tél.",
        "telephone_portable",
        "Adresse",
    ],
)
def test_identifying_column_refuses_file_without_echoing_values(tmp_path, db_path, header):
    rows = [dict(r, **{header: "Jeanne Dupont"}) for r in lignes(2)]
    result = load_one(tmp_path, db_path, rows)
    assert_refused(result, "identifiantes")
    assert "Dupont" not in result.message
    assert not db_path.exists() or dump(db_path)["chargements"] == []


@pytest.mark.parametrize("header", ["nom_ali", "Nom commune", "nombre_enfants"])
def test_place_names_and_lookalikes_are_not_identifying(tmp_path, db_path, header):
    rows = [dict(r, **{header: "Clichy"}) for r in lignes(2)]
    assert load_one(tmp_path, db_path, rows).status == "loaded"


@pytest.mark.parametrize(
    ("column", "value", "label"),
    [
        ("commentaire", NIR, "NIR"),
        ("commentaire", "1 85 05 75 123 456 78", "NIR"),
        ("commentaire", "2850575123456", "NIR"),
        ("commentaire", "2 85 05 2A 123 456", "NIR"),
        ("commentaire", f"écrire à {EMAIL}", "e-mail"),
        ("commentaire", "06 12 34 56 78", "téléphone"),
        ("id_beneficiaire", NIR, "NIR"),
    ],
)
def test_identifying_values_refuse_file_and_are_never_stored(tmp_path, db_path, column, value, label):
    load_one(tmp_path, db_path, lignes(1), name="avant.csv")  # une base existante, qui ne doit pas bouger
    before = dump(db_path)
    rows = [dict(r, commentaire="") for r in lignes(3)]
    rows[2][column] = value
    result = load_one(tmp_path, db_path, rows, name="fuite.csv")
    assert_refused(result, label, column, "ligne 4")
    digits = value.replace(" ", "")
    assert value not in result.message and digits not in result.message
    assert dump(db_path) == before
    con = duckdb.connect(str(db_path))
    con.execute("CHECKPOINT")
    con.close()
    raw = db_path.read_bytes()
    assert value.encode() not in raw and digits.encode() not in raw


def test_rejected_rows_keep_no_raw_value(tmp_path, db_path):
    rows = lignes(2)
    rows[1]["type_parcours"] = "Mme Martin"  # une saisie erronée ne doit pas finir en quarantaine
    load_one(tmp_path, db_path, rows)
    con = duckdb.connect(str(db_path), read_only=True)
    stored = con.execute("SELECT * FROM quarantaine").fetchall()
    con.close()
    assert len(stored) == 1
    assert "Martin" not in repr(stored)


# ---------------------------------------------------------------- exports réels, désordonnés


def test_messy_export_quirks_are_tolerated(tmp_path, db_path):
    """Tabulations, cellules finales omises, séparateurs en trop, espaces insécables, dates avec heure."""
    header = "\t".join(ligne())
    full = ligne(type_parcours="social\u00a0", date_orientation="2023-03-15T00:00:00", sexe=" M ")
    short = ligne(id_beneficiaire="b0000002", date_extraction="2023-06-30")
    lines = [
        header,
        "\t".join(full.values()) + "\t\t",  # deux séparateurs en trop, vides
        # les cellules finales vides omises : la ligne s'arrête à sexe… et perd date_extraction
        "\t".join(list(short.values())[:13]),
        "\t".join(ligne(id_beneficiaire="b0000003").values()),
    ]
    path = write(tmp_path / "export.txt", ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    (result,) = charger_fichiers(db_path, [path])
    # La ligne raccourcie n'a plus de date_extraction : le fichier serait ambigu, il est refusé en le disant.
    assert result.status == "refused" and "ligne 3" in result.message
    lines[2] = "\t".join(list(short.values())[:13] + ["", "", "2023-06-30"])
    (result,) = charger_fichiers(db_path, [write(tmp_path / "export2.txt", "\n".join(lines).encode())])
    assert (result.status, result.accepted, result.rejected) == ("loaded", 3, 0), result.rejections


def test_short_row_is_padded_then_judged_by_the_rules(tmp_path, db_path):
    columns = [c for c in ligne() if c != "date_extraction"] + ["date_extraction"]
    columns.remove("sexe")
    columns.append("sexe")  # sexe en dernier : une ligne qui s'arrête avant n'a pas de sexe
    rows = [{c: ligne()[c] for c in columns}, {c: ligne(id_beneficiaire="b0000002")[c] for c in columns}]
    data = csv_bytes(rows, columns=columns).rstrip(b"\n").rsplit(b",", 1)[0] + b"\n"
    (result,) = charger_fichiers(db_path, [write(tmp_path / "court.csv", data)])
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.rejections == {"sexe manquant": 1}
