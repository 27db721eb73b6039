"""Données directement identifiantes (contrat §3) : variantes réelles, et rien n'en reste après un refus.

Un fichier qui contient un nom, un NIR, une date de naissance, un e-mail, un téléphone ou une adresse
(par le nom d'une colonne ou par ses valeurs) est refusé entier ; aucune de ses valeurs n'est stockée,
ni dans les tables, ni dans la quarantaine, ni dans les octets du fichier de la base, ni citée dans
le message.
"""

from __future__ import annotations

import io
import shutil

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from insertion.ingest.chargement import COLONNES_FILE_ACTIVE, charger_fichiers
from tests.conftest import csv_bytes, dump, ligne, lignes, write


@pytest.fixture
def base(tmp_path, db_path):
    (result,) = charger_fichiers(db_path, [write(tmp_path / "avant.csv", csv_bytes(lignes(3)))])
    assert result.status == "loaded"
    return db_path


def load_one(tmp_path, db_path, name: str, data: bytes):
    (result,) = charger_fichiers(db_path, [write(tmp_path / name, data)])
    return result


def assert_refused_untouched(result, db_path, before, *fragments):
    assert result.status == "refused", result.message
    assert (result.rows_read, result.accepted, result.rejected) == (0, 0, 0)
    for fragment in fragments:
        assert fragment in result.message, result.message
    assert dump(db_path) == before
    assert not list(db_path.parent.glob("*.chargement*"))


def digits(value: str) -> str:
    return "".join(c for c in value if c.isalnum())


# ---------------------------------------------------------------- noms de colonnes


@pytest.mark.parametrize(
    "header",
    [
        "Nom de naissance", "Nom d'usage", "e-mail", "E-Mail", "Mél", "Courriel pro", "Tél.", "Tél. portable",
        "GSM", "Prénom(s)", "N° sécu", "N° SS", "Numéro SS", "NIR (clé)", "Numéro de sécurité sociale",
        "Né(e) le", "Date naiss.", "DDN", "Adresse postale", "first_name", "LastName", "Phone", "Birth date",
    ],
)  # fmt: skip
def test_identifying_header_variants_refuse_the_file(tmp_path, base, header):
    before = dump(base)
    rows = [dict(r, **{header: "Valeur Privée"}) for r in lignes(2)]
    result = load_one(tmp_path, base, "colonne.csv", csv_bytes(rows))
    assert_refused_untouched(result, base, before, "identifiantes")
    assert "Privée" not in result.message


@pytest.mark.parametrize(
    "header", ["nom_ali", "Nom commune", "nombre_enfants", "Adresse de l'ALI", "Code postal", "ss_categorie", "Télé"]
)
def test_lookalike_headers_are_not_identifying(tmp_path, base, header):
    # Les trois personnes de l'instantané en place : le fichier le remplace sans confirmation.
    rows = [dict(r, **{header: "Clichy"}) for r in lignes(3)]
    assert load_one(tmp_path, base, "ok.csv", csv_bytes(rows)).status == "loaded"


# ---------------------------------------------------------------- valeurs

NIR_VARIANTS = [
    "185057512345678",
    "1 85 05 75 123 456 78",
    "1.85.05.75.123.456.78",
    "1-85-05-75-123-456-78",
    "2 85 05 2A 123 456 12",
    "285052B123456",
    "NIR : 1 85 05 75 123 456 78",
    "nir=2.85.05.2b.123.456",
    "NIR:185057512345678",
    "1850575123456 78",
    "2 06 12 75 111 005 64",  # clé juste
    "réf_1\u00a085\u00a005\u00a075\u00a0123\u00a0456",
]
EMAIL_VARIANTS = ["JEANNE.DUPONT@EXAMPLE.FR", "Contact : Jeanne.Dupont@Example.Fr", "j_dupont+rsa@mail.example.org"]
PHONE_VARIANTS = [
    "+33 6 12 34 56 78", "06.12.34.56.78", "0033612345678", "tél 07-12-34-56-78", "06-12-34-56-78",
    "+33 (0)6 12 34 56 78", "tel_0612345678", "33612345678", "06\u00a012\u00a034\u00a056\u00a078",
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "label"),
    [(v, "NIR") for v in NIR_VARIANTS] + [(v, "e-mail") for v in EMAIL_VARIANTS]
    + [(v, "téléphone") for v in PHONE_VARIANTS],
)  # fmt: skip
def test_identifying_value_variants_refuse_the_file(tmp_path, base, value, label):
    before = dump(base)
    rows = [dict(r, commentaire="") for r in lignes(3)]
    rows[1]["commentaire"] = value
    result = load_one(tmp_path, base, "valeur.csv", csv_bytes(rows, sep=";"))
    assert_refused_untouched(result, base, before, label, "commentaire", "ligne 3")
    assert value not in result.message and digits(value) not in digits(result.message)


def test_dates_and_amounts_are_not_mistaken_for_a_nir(tmp_path, base):
    """Des dates et des montants côte à côte ne doivent pas passer pour un NIR écrit par groupes."""
    rows = [dict(r, commentaire=c) for r, c in zip(lignes(3), ["du 15/03/2024 au 16/03/2024",
            "2023-06-30 2023-07-01", "montant 1 234 567,89 €"], strict=True)]  # fmt: skip
    assert load_one(tmp_path, base, "dates.csv", csv_bytes(rows)).status == "loaded"


# Des pseudonymes comme en produit un Département (hachage à clé en hexadécimal, base64url, UUID) : des
# chiffres de suite, mais collés à des lettres ou en groupes qu'aucun numéro n'a. L'ancienne règle (des
# chiffres bornés par des non-chiffres) refusait les quatre premiers.
PSEUDONYMES = [
    "a1850575123456789b", "3f0612345678ab", "0612345678abcdef", "b1234-0612345678x",
    "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000", "Qm9uam91cl9hbGk5My0xMjM",
]  # fmt: skip


def test_pseudonyms_with_digit_runs_load(tmp_path, base):
    rows = [ligne(id_beneficiaire=p) for p in PSEUDONYMES]
    rows[0]["commentaire"] = "rendez-vous le 01.02.2023 12:00, dossier a1850575123456789b"
    result = load_one(tmp_path, base, "pseudonymes.csv", csv_bytes(rows))
    assert result.status == "loaded", result.message
    assert result.accepted == len(PSEUDONYMES)


def test_a_nir_with_a_wrong_control_key_is_refused_and_the_message_says_why(tmp_path, base):
    """Une clé fausse ne fait pas d'un NIR autre chose qu'un NIR mal saisi : refusé, et le message le dit."""
    before = dump(base)
    rows = [dict(r, commentaire="") for r in lignes(3)]
    rows[1]["commentaire"] = "NIR 2 06 12 75 111 005 65"  # clé juste : 64
    result = load_one(tmp_path, base, "cle.csv", csv_bytes(rows))
    assert_refused_untouched(result, base, before, "NIR", "clé de contrôle fausse", "ligne 3")
    assert "20612" not in digits(result.message)
    rows[1]["commentaire"] = "NIR 2 06 12 75 111 005 64"
    result = load_one(tmp_path, base, "cle.csv", csv_bytes(rows))
    assert_refused_untouched(result, base, before, "NIR", "ligne 3")
    assert "clé" not in result.message


NIR = "1 85 05 75 123 456 78"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def parquet(columns: dict[str, list]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}), out)
    return out.getvalue()


def _places() -> dict[str, tuple[str, bytes, str]]:
    """Un NIR ailleurs que dans une colonne nommée : rien n'en serait chargé, le fichier doit pourtant être refusé."""
    header = list(ligne())
    values = [list(r.values()) for r in lignes(3)]
    unnamed = csv_bytes([dict(r, **{"": ""}) for r in lignes(3)], columns=[*header, ""])
    unnamed = unnamed.replace(b"2023-06-30,\n", f"2023-06-30,{NIR}\n".encode(), 1)
    assert NIR.encode() in unnamed
    malformed = csv_bytes(lignes(3)) + (",".join(values[0]) + f",x,{NIR}\n").encode()
    beyond = xlsx([header] + [v + [None, NIR] if i == 1 else v for i, v in enumerate(values)])
    columns = {c: [r[i] for r in values] for i, c in enumerate(header)} | {"": ["", NIR, ""]}
    headerless = csv_bytes(lignes(3), columns=COLONNES_FILE_ACTIVE).split(b"\n", 1)[1]
    headerless = headerless.replace(b"b0000001", NIR.replace(" ", "").encode(), 1)
    return {
        "colonne sans nom (CSV)": ("sans_nom.csv", unnamed, "hors des colonnes nommées"),
        "ligne malformée (CSV)": ("malformee.csv", malformed, "hors des colonnes nommées"),
        "au-delà de l'en-tête (Excel)": ("au_dela.xlsx", beyond, "hors des colonnes nommées"),
        "colonne sans nom (Parquet)": ("sans_nom.parquet", parquet(columns), "hors des colonnes nommées"),
        "fichier sans en-tête": ("sans_entete.csv", headerless, "ligne d'en-tête"),
    }


@pytest.mark.parametrize("place", list(_places()))
def test_identifying_values_outside_named_columns_refuse_the_file(tmp_path, base, place):
    name, data, fragment = _places()[place]
    before = dump(base)
    result = load_one(tmp_path, base, name, data)
    assert_refused_untouched(result, base, before, "NIR", fragment)
    assert digits(NIR) not in digits(result.message)


# ---------------------------------------------------------------- rien ne reste d'un fichier refusé


def database_bytes(db_path) -> bytes:
    """Le fichier de la base après CHECKPOINT (et son journal s'il en reste un) : ce qu'un disque garderait."""
    con = duckdb.connect(str(db_path))
    con.execute("CHECKPOINT")
    con.close()
    wal = db_path.with_name(db_path.name + ".wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def stored_text(db_path) -> str:
    """Toutes les valeurs de texte de toutes les tables (quarantaine et messages compris)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return "\n".join(repr(con.table(t).fetchall()) for t in tables)
    finally:
        con.close()


def leaky_rows() -> list[dict[str, str]]:
    """Des lignes valides aux valeurs uniques, plus un commentaire ; la 3e porte les identifiants."""
    rows = []
    for i in range(1, 5):
        row = ligne(id_beneficiaire=f"zqxv{i:04d}kw") | {
            "commentaire": f"suivi renforcé n°{i} chez Oksana Wierzbicka-Lemaire"
        }
        rows.append(row)
    rows[2]["commentaire"] = f"NIR {NIR}, écrire à oksana.wierzbicka@example.fr ou au 06 98 76 54 32"
    return rows


def file_in(fmt: str, rows: list[dict[str, str]]) -> tuple[str, bytes]:
    columns = list(rows[0])
    if fmt == "csv":
        return "fuite.csv", csv_bytes(rows, columns=columns, sep=";")
    if fmt == "xlsx":
        return "fuite.xlsx", xlsx([columns] + [[r[c] or None for c in columns] for r in rows])
    return "fuite.parquet", parquet({c: [r[c] or None for r in rows] for c in columns})


def own_values(rows: list[dict[str, str]], base_rows: list[dict[str, str]]) -> set[str]:
    """Chaque valeur du fichier refusé qui n'était pas déjà dans la base (ALI14, « social »… y sont déjà)."""
    known = {v for r in base_rows for v in r.values()} | set(COLONNES_FILE_ACTIVE)
    values = {v for r in rows for v in r.values() if v and v not in known}
    parts = {p for v in values for p in (NIR, NIR.replace(" ", ""), "oksana.wierzbicka@example.fr") if p in v}
    return values | parts | {"0698765432", "06 98 76 54 32"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_nothing_of_a_refused_file_reaches_the_database_file(tmp_path, base, fmt):
    base_rows = lignes(3)
    rows = leaky_rows()
    values = own_values(rows, base_rows)
    assert len(values) >= 10

    # Témoin : le même fichier sans ses identifiants se charge, et ses valeurs se retrouvent bien dans les
    # octets de la base. La recherche dans les octets est donc capable de les voir.
    control = tmp_path / "temoin" / "base.duckdb"
    control.parent.mkdir()
    shutil.copyfile(base, control)
    clean = [dict(r, commentaire="rien à signaler") for r in rows]
    name, data = file_in(fmt, clean)
    assert load_one(tmp_path, control, name, data).status == "loaded"
    assert b"zqxv0001kw" in database_bytes(control)

    before = dump(base)
    name, data = file_in(fmt, rows)
    result = load_one(tmp_path, base, name, data)
    assert_refused_untouched(result, base, before, "identifiants directs", "ligne 4")
    raw = database_bytes(base)
    text = stored_text(base)
    for value in values:
        assert value not in result.message, value
        assert value.encode() not in raw, value
        assert value not in text, value
    assert b"commentaire" not in raw and "commentaire" not in text  # pas même le nom de la colonne
    assert digits(NIR) not in digits(result.message)
    con = duckdb.connect(str(base), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM quarantaine").fetchall() == [(0,)]
        assert [f for (f,) in con.execute("SELECT fichier FROM chargements").fetchall()] == ["avant.csv"]
    finally:
        con.close()
    leftovers = [p.name for p in base.parent.iterdir() if p.name.startswith(base.name) and p != base]
    assert set(leftovers) <= {base.name + ".verrou"}, leftovers
