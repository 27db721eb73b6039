"""Chargement rapide d'un CSV régulier : exactement ce que donne la lecture ligne à ligne, ou il n'est pas pris.

- Lecture : `lecture_csv._lecture_rapide` (pyarrow, en parallèle) rend la même TableBrute que
  `lecture_csv.lecture_ligne_a_ligne` (le module csv, la référence) — mêmes colonnes, mêmes cellules (vides,
  espaces), mêmes numéros de ligne, mêmes cellules hors des colonnes nommées, mêmes refus — ou None, et
  c'est alors la lecture ligne à ligne qui lit le fichier. Vérifié sur des fichiers tirés par hypothesis
  (réguliers, et les fichiers hostiles de test_fuzz) et sur chaque cas irrégulier connu.
- Chargement : même résultat (comptes, motifs, message) et même base (épisodes, quarantaine avec ses
  numéros de ligne) que par la lecture ligne à ligne.
- Règles SQL : les valeurs distinctes normalisées une fois (insertion/ingest/sql/valider_file_active.sql) donnent
  la même table _verifie que la version ligne à ligne d'origine (tests/reference_valider_file_active.sql).
- Identifiants : la recherche sur les valeurs distinctes trouve les mêmes colonnes, natures et lignes que la
  recherche d'origine, cellule par cellule, recopiée ici comme référence.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from insertion.contrat import COLONNES_EXTRACTION
from insertion.ingest import controles, etapes, identifiants, lecture, lecture_csv
from insertion.ingest.chargement import COLONNES_FILE_ACTIVE, charger_octets
from insertion.ingest.lecture import FichierRefuse
from insertion.store import db
from insertion.store.db import ouvrir_en_ecriture
from tests.conftest import build_db, csv_bytes, ligne, lignes, write
from tests.ingest.test_fuzz import FUZZ, GOOD, HOSTILE, csv_files, headers_of, mutated_rows

ROOT = Path(__file__).resolve().parents[2]
LIMITE = 5_000_000

# ---------------------------------------------------------------- comparer deux lectures


def as_text(table: pa.Table | None) -> pa.Table | None:
    """Les mêmes cellules en texte simple : la lecture rapide garde en dictionnaire les colonnes répétitives."""
    if table is None:
        return None
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.Table.from_arrays(columns, names=table.column_names).combine_chunks()


def read(reader, data: bytes, name: str, limit: int):
    """La TableBrute lue, ou ("refus", message)."""
    try:
        return reader(data, name, limit)
    except FichierRefuse as exc:
        return ("refus", str(exc))


def assert_same_reading(fast, slow) -> None:
    if isinstance(fast, tuple) or isinstance(slow, tuple):
        assert fast == slow
        return
    assert fast.colonnes == slow.colonnes
    assert fast.table.column_names == slow.table.column_names
    assert as_text(fast.table).equals(as_text(slow.table)), (
        as_text(fast.table).slice(0, 5).to_pylist(),
        as_text(slow.table).slice(0, 5).to_pylist(),
    )
    assert fast.malformees == slow.malformees
    assert fast.format == slow.format
    assert as_text(fast.hors_colonnes).equals(as_text(slow.hors_colonnes)), (
        fast.hors_colonnes.to_pylist(),
        slow.hors_colonnes.to_pylist(),
    )
    assert fast.lignes_lues == slow.lignes_lues


def compare(data: bytes, name: str = "extrait.csv", limit: int = LIMITE) -> bool:
    """Compare les deux lectures ; vrai si la lecture rapide a été prise."""
    fast = read(lecture_csv._lecture_rapide, data, name, limit)
    slow = read(lecture_csv.lecture_ligne_a_ligne, data, name, limit)
    if fast is None:
        # Pas prise : lire_csv rend alors exactement la lecture ligne à ligne.
        assert_same_reading(read(lecture_csv.lire_csv, data, name, limit), slow)
        return False
    assert_same_reading(fast, slow)
    assert_same_reading(read(lecture_csv.lire_csv, data, name, limit), slow)
    return True


# ---------------------------------------------------------------- des fichiers réguliers

# Des cellules sans guillemet, ni séparateur, ni fin de ligne : la lecture rapide doit les prendre. Les
# blancs de str.isspace (insécables, cadratins, séparateurs d'information…) y sont, seuls ou autour d'un texte.
BLANCS = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c not in "\r\n"]
regular_cell = st.one_of(
    st.sampled_from([v for v in HOSTILE if not re.search(r'["\r\n;,\t\x00]', v)]),
    st.text(alphabet=st.characters(exclude_characters='"\r\n;,\t\x00', exclude_categories=["Cs"]), max_size=16),
    st.text(alphabet=st.sampled_from(BLANCS), min_size=1, max_size=3),
    st.builds(lambda a, b: a + b, st.sampled_from(BLANCS), st.sampled_from(["ALI14", "93014", "social"])),
    st.just(""),
)


@st.composite
def loadable_rows(draw) -> list[dict[str, str]]:
    """Des lignes qui se chargent (une seule date d'extraction), les unes acceptées, les autres rejetées."""
    rows = lignes(draw(st.integers(1, 8)))
    for r in rows:
        for column in draw(st.lists(st.sampled_from(COLONNES_FILE_ACTIVE[:-1]), max_size=3)):
            r[column] = draw(st.one_of(st.sampled_from(GOOD[column]), regular_cell))
    return rows + [dict(draw(st.sampled_from(rows))) for _ in range(draw(st.integers(0, 2)))]  # des doublons


@st.composite
def regular_files(draw, loadable: bool = False) -> tuple[str, bytes]:
    header = list(COLONNES_FILE_ACTIVE) if loadable else draw(headers_of(COLONNES_FILE_ACTIVE))
    header = [h for h in header if not re.search(r'["\r\n;,\t]', h)]
    # Des séparateurs en fin d'en-tête (export Excel), une colonne sans nom au milieu.
    header += [""] * draw(st.integers(0, 2))
    width = len(header)
    rows = draw(loadable_rows() if loadable else mutated_rows(max_rows=8))
    lines = []
    for row in rows:
        values = [row.get(c, "") for c in header]
        for position in draw(st.lists(st.integers(0, max(width - 1, 0)), max_size=3)):
            if width and not (loadable and header[position] == "date_extraction"):
                values[position] = draw(regular_cell)
        # Un fichier régulier est de l'UTF-8 valide : les demi-codets (cellules tirées par test_fuzz) n'y sont pas.
        values = [re.sub(r'["\r\n;,\t\x00\ud800-\udfff]', "", v) for v in values]
        lines.append(values)
        if draw(st.integers(0, 9)) == 0:  # une ligne vide, ou faite de séparateurs, ou de blancs
            lines.append(draw(st.sampled_from([[], [""] * width, [" "] + [""] * (width - 1)])))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(sep.join(values) for values in [header] + lines)
    if draw(st.booleans()):
        text += newline
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return "extrait.csv", data


@settings(max_examples=300, **FUZZ)
@given(case=regular_files())
def test_regular_files_read_the_same(case):
    taken = compare(case[1], case[0])
    event("rapide" if taken else "ligne à ligne")


def test_regular_files_mostly_take_the_fast_path():
    """Les fichiers réguliers tirés ci-dessus passent bien, pour l'essentiel, par la lecture rapide."""
    taken = []

    @settings(max_examples=150, **FUZZ)
    @given(case=regular_files())
    def run(case):
        taken.append(compare(case[1], case[0]))

    run()
    assert sum(taken) >= 0.8 * len(taken), f"{sum(taken)} sur {len(taken)}"


@settings(max_examples=300, **FUZZ)
@given(case=csv_files())
def test_hostile_files_read_the_same(case):
    """Les fichiers hostiles de test_fuzz : la lecture rapide, quand elle est prise, lit comme le module csv."""
    taken = compare(case[1], case[0])
    event("rapide" if taken else "ligne à ligne")


@settings(max_examples=100, **FUZZ)
@given(case=regular_files(), limit=st.integers(1, 6))
def test_row_limit_is_the_same(case, limit):
    compare(case[1], case[0], limit)


# ---------------------------------------------------------------- cas un par un

VALID = csv_bytes(lignes(3))
HEADER = ",".join(COLONNES_FILE_ACTIVE)


def row(**changes: str) -> str:
    return ",".join(ligne(**changes).values())


TAKEN = {
    "bom": b"\xef\xbb\xbf" + VALID,
    "crlf": VALID.replace(b"\n", b"\r\n"),
    "cr seul": VALID.replace(b"\n", b"\r"),
    "fins mêlées": VALID.replace(b"\n", b"\r\n", 2),
    "sans fin de ligne": VALID.rstrip(b"\n"),
    "point-virgule": csv_bytes(lignes(3), sep=";"),
    "tabulation": csv_bytes(lignes(3), sep="\t"),
    "lignes vides au milieu": VALID + b"\n\n" + row(id_beneficiaire="b0000009").encode() + b"\n\n",
    "ligne de séparateurs": VALID + b"," * 15 + b"\n" + row(id_beneficiaire="b0000009").encode() + b"\n",
    "ligne de blancs": VALID + " \u00a0,".encode() * 15 + b" \n",
    "cellules blanches": csv_bytes(lignes(2, code_commune=" ", sexe="\u00a0", niveau_numerique="\u2000\u1680\x1c")),
    "blancs autour": csv_bytes(lignes(2, code_ali=" ALI14\u00a0", sexe="F\u202f")),
    # Une colonne qui ne se répète pas (lue en texte simple, pas en dictionnaire) avec une cellule blanche.
    "pseudonyme blanc": csv_bytes(lignes(3) + [ligne(id_beneficiaire="\u00a0 \u3000")]),
    "séparateurs en bout (Excel)": (
        HEADER + ",,\n" + row() + ",,\n" + row(id_beneficiaire="b0000002") + ",,x\n"
    ).encode(),
    "colonne sans nom": "\n".join(
        [
            HEADER.replace(",code_ali", ",,code_ali"),
            row().replace(",ALI14", ",v1,ALI14"),
            row(id_beneficiaire="b0000002").replace(",ALI14", ", ,ALI14"),
            "",
        ]
    ).encode(),
    "colonne en double": csv_bytes([ligne() | {"Code ALI": "ALI04"}]),
    "en-tête seul": (HEADER + "\n").encode(),
    "caractères rares": csv_bytes(lignes(2, niveau_numerique="Débutant 🙂", composition_foyer="\u202e\u200b\ufeff")),
    "doublon et rejet": csv_bytes(lignes(3) + [ligne(), ligne(id_beneficiaire="b0000009", sexe="X")]),
}


@pytest.mark.parametrize("case", list(TAKEN))
def test_these_files_take_the_fast_path(case):
    assert compare(TAKEN[case]), "la lecture rapide n'a pas été prise"


def test_a_blank_cell_in_a_plain_text_column():
    raw = lecture_csv._lecture_rapide(TAKEN["pseudonyme blanc"], "x.csv", LIMITE)
    assert not pa.types.is_dictionary(raw.table.column("id_beneficiaire").type)
    assert raw.table.column("id_beneficiaire").to_pylist()[-1] is None


# Chaque cas irrégulier : la lecture rapide s'abstient (None), la lecture ligne à ligne lit le fichier.
IRREGULAR = {
    "Windows-1252": csv_bytes(lignes(2, niveau_numerique="Débutant"), encoding="cp1252"),
    "encodages mêlés": csv_bytes(lignes(2, niveau_numerique="Débutant"))
    + row(niveau_numerique="Débutant").encode("cp1252"),
    "ligne trop courte": VALID + b"b0000009,ALI14\n",
    "ligne trop longue": VALID + (row(id_beneficiaire="b0000009") + ",en trop\n").encode(),
    "retour à la ligne entre guillemets": VALID
    + (row(id_beneficiaire="b0000009").replace("social", '"soc\nial"') + "\n").encode(),
    "guillemets": csv_bytes(lignes(2, type_parcours='so"cial')),
    "champ entre guillemets": csv_bytes(lignes(2, type_parcours="social, en cours")),
    "caractère nul": VALID.replace(b"ALI14", b"ALI\x0014", 1),
    "ligne vide avant l'en-tête": b"\n" + VALID,
    "en-tête de séparateurs": b",,,\n" + VALID,
    "ligne de plus d'un million de caractères": VALID + b"x" * 1_000_001 + b"\n",
    "cellule au-delà de la limite du module csv": VALID + (row(id_beneficiaire="b" * 140_000)).encode() + b"\n",
    "UTF-16": VALID.decode().encode("utf-16"),
    "en-tête sans fin de ligne": HEADER.encode(),
    "vide": b"",
}


@pytest.mark.parametrize("case", list(IRREGULAR))
def test_irregular_files_fall_back(case):
    assert lecture_csv._lecture_rapide(IRREGULAR[case], "extrait.csv", LIMITE) is None
    assert not compare(IRREGULAR[case])


def test_limits_and_refusals_are_the_same_through_the_fast_path():
    data = csv_bytes(lignes(11))
    assert compare(data, limit=10) and compare(data, limit=11)
    fast = read(lecture_csv._lecture_rapide, data, "long.csv", 10)
    assert fast[0] == "refus" and "INSERTION_LIGNES_MAX" in fast[1]
    # Les lignes vides ne comptent pas dans la limite, ici comme ligne à ligne.
    assert read(lecture_csv._lecture_rapide, data.replace(b"\n", b"\n\n"), "x.csv", 11) is not None
    # Un en-tête qui porte un identifiant : même refus, sans la valeur.
    data = ("jean.dupont@exemple.fr," + HEADER + "\n" + "x," + row() + "\n").encode()
    fast = read(lecture_csv._lecture_rapide, data, "x.csv", LIMITE)
    assert fast[0] == "refus" and "dupont" not in fast[1]
    assert compare(data)


def test_whitespace_is_the_same_for_pyarrow_and_python():
    """La lecture rapide vide une cellule quand pc.utf8_is_space la dit blanche ; la lecture ligne à ligne,
    quand str.strip() la vide : les deux doivent s'accorder sur chaque caractère."""
    chars = [chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000]
    arrow = pc.utf8_is_space(lecture.tableau_textes(chars)).to_pylist()
    assert [c for c, space in zip(chars, arrow, strict=True) if space != (c.strip() == "")] == []


def test_texts_array_is_pa_array():
    values = ["a", None, "é€🙂", "", None, "x" * 70]
    built = lecture.tableau_textes(values)
    built.validate(full=True)
    assert built.equals(pa.array(values, pa.string()))
    assert lecture.tableau_textes([]).equals(pa.array([], pa.string()))


def test_a_large_regular_file_reads_the_same(monkeypatch):
    """Plusieurs blocs de pyarrow (ramenés à 1 Mo), des colonnes en dictionnaire et d'autres non."""
    monkeypatch.setattr(lecture_csv, "_BLOC", 1 << 20)
    rows = []
    for i in range(60_000):
        rows.append(
            ligne(
                id_beneficiaire=f"b{i:07d}",
                code_commune=["93014", "93027", " 93066", "75056"][i % 4],
                date_orientation=f"2023-0{1 + i % 6}-{1 + i % 28:02d}",
                sexe=["F", "M", "\u00a0", ""][i % 4],
                niveau_numerique=["", "Débutant", "autonome"][i % 3],
            )
        )
    data = csv_bytes(rows, sep=";")
    assert len(data) > 4 * lecture_csv._BLOC > 2 * lecture_csv._ECHANTILLON
    assert compare(data)
    fast = lecture_csv._lecture_rapide(data, "x.csv", LIMITE)
    assert not pa.types.is_dictionary(fast.table.column("id_beneficiaire").type)
    assert pa.types.is_dictionary(fast.table.column("code_commune").type)


# ---------------------------------------------------------------- même chargement, même base

TABLES = {
    "chargements": "SELECT id_chargement, fichier, empreinte, nature, statut, date_extraction, lignes_lues, "
    "acceptees, rejetees, ali_remplacees, ali_historique, message FROM chargements",
    "episodes": "SELECT * FROM episodes",
    "episodes_historique": "SELECT * FROM episodes_historique",
    "instantanes": "SELECT * FROM instantanes",
    "quarantaine": "SELECT * FROM quarantaine",
}


def state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Le contenu des tables, sans l'heure du chargement."""
    return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in TABLES.items()}


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    db_path = tmp_path_factory.mktemp("rapide") / "base.duckdb"
    return build_db(db_path, {"ali04.csv": csv_bytes(lignes(3, code_ali="ALI04", code_commune="93027"))})


@pytest.fixture
def two_bases(base_db, tmp_path):
    """Deux copies de la même base : l'une charge par la lecture rapide, l'autre ligne à ligne."""
    paths = [tmp_path / "rapide.duckdb", tmp_path / "ligne.duckdb"]
    for path in paths:
        shutil.copyfile(base_db, path)
    with ouvrir_en_ecriture(paths[0]) as fast, ouvrir_en_ecriture(paths[1]) as slow:
        yield fast, slow


def load_both(fast_con, slow_con, data: bytes, name: str, monkeypatch) -> tuple:
    fast = charger_octets(fast_con, data, name)
    with monkeypatch.context() as patch:
        patch.setattr(lecture_csv, "_lecture_rapide", lambda *args: None)
        slow = charger_octets(slow_con, data, name)
    assert fast == slow, (fast, slow)
    assert state(fast_con) == state(slow_con)
    return fast, slow


@pytest.mark.slow
@settings(max_examples=80, **FUZZ)
@given(case=st.one_of(regular_files(loadable=True), regular_files(), csv_files()))
def test_loads_are_the_same(two_bases, monkeypatch, case):
    fast, _ = load_both(*two_bases, case[1], case[0], monkeypatch)
    event(fast.status)


@pytest.mark.parametrize("case", list(TAKEN) + list(IRREGULAR))
def test_each_case_loads_the_same(two_bases, monkeypatch, case):
    data = TAKEN.get(case, IRREGULAR.get(case))
    load_both(*two_bases, data, f"{case}.csv", monkeypatch)


def quarantine_lines(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT ligne, colonne, motif FROM quarantaine ORDER BY ligne").fetchall()


def test_line_numbers_after_a_multiline_record_and_blank_lines(two_bases, monkeypatch):
    """Un champ sur deux lignes physiques (lecture ligne à ligne) puis des lignes vides (lecture rapide) : les
    lignes rejetées gardent leur numéro de ligne physique, en-tête = ligne 1."""
    fast_con, slow_con = two_bases
    quoted = row(id_beneficiaire="b0000005").replace("social", '"soc\nial"')
    data = "\n".join(
        [HEADER, row(), quoted, row(id_beneficiaire="b0000006", sexe="X"), ""]
    ).encode()  # ligne 5 : sexe inconnu (le champ sur deux lignes occupe les lignes 3 et 4)
    assert lecture_csv._lecture_rapide(data, "x.csv", LIMITE) is None
    load_both(fast_con, slow_con, data, "multiligne.csv", monkeypatch)
    assert [line for line, _, _ in quarantine_lines(fast_con)][-2:] == [3, 5]
    data = "\n".join([HEADER, row(), "", "", row(id_beneficiaire="b0000007", sexe="X"), ""]).encode()
    assert lecture_csv._lecture_rapide(data, "x.csv", LIMITE) is not None
    result, _ = load_both(fast_con, slow_con, data, "vides.csv", monkeypatch)
    assert (result.rows_read, result.rejected) == (2, 1)
    assert quarantine_lines(fast_con)[-1] == (5, "sexe", "sexe inconnu (attendu F ou M)")


def test_load_does_not_import_pandas(tmp_path):
    """pyarrow importe pandas (0,3 s) au premier pa.array d'une liste Python : le chargement d'un CSV régulier
    n'en fait aucun, ni n'importe le tableau de bord."""
    csv_path = write(tmp_path / "extrait.csv", csv_bytes(lignes(50)))
    code = (
        "import sys; from insertion.outputs import cli; "
        f"code = cli.main(['load', {str(csv_path)!r}, '--db', {str(tmp_path / 'b.duckdb')!r}]); "
        "assert code == 0, code; "
        "loaded = sorted(m for m in ('pandas', 'plotly', 'streamlit', 'openpyxl') if m in sys.modules); "
        "assert not loaded, loaded"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr + run.stdout


# ---------------------------------------------------------------- règles SQL : la version ligne à ligne d'origine

REFERENCE_SQL = (Path(__file__).resolve().parents[1] / "reference_valider_file_active.sql").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sql_con():
    con = duckdb.connect()
    con.begin()
    db.assurer_schema(con)
    con.commit()
    con.execute(etapes.texte_sql("macros"))
    yield con
    con.close()


sql_cell = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(sorted({v for values in GOOD.values() for v in values})),
    st.sampled_from([" ", "\u00a0social ", "ALI14 ", "2023-03-15 00:00:00", "15/03/2023 10:30", "a1", "F ", "93 014"]),
    # Les freins (contrat §7.1) : oui, non, avec casse et blancs.
    st.sampled_from(["oui", "non", " Oui", "NON ", "peut-être"]),
    st.text(max_size=10),
    st.none(),
)


@st.composite
def brut_tables(draw) -> list[dict]:
    rows = [dict(r) for r in lignes(draw(st.integers(1, 8)))]
    for r in rows:
        for column in draw(st.lists(st.sampled_from(COLONNES_EXTRACTION[:-1]), max_size=4)):
            r[column] = draw(sql_cell)
    # Des doublons exacts ou presque (blancs, casse) de lignes déjà tirées.
    for _ in range(draw(st.integers(0, 4))):
        copy = dict(draw(st.sampled_from(rows)))
        if draw(st.booleans()):
            copy["code_ali"] = f" {(copy['code_ali'] or '').lower()} "
        rows.append(copy)
    return [{c: (r.get(c, "") if r.get(c, "") != "" else None) for c in COLONNES_EXTRACTION} for r in rows]


def brut_table(rows: list[dict], dictionary: bool, chunks: int) -> pa.Table:
    """La table _brut telle que la lecture la donne : en texte, ou en dictionnaire, en un ou plusieurs morceaux."""
    size = -(-len(rows) // chunks)
    columns = []
    for c in COLONNES_EXTRACTION:
        parts = [pa.array([r[c] for r in rows[i : i + size]], pa.string()) for i in range(0, len(rows), size)]
        if dictionary:
            parts = [p.dictionary_encode() for p in parts]
        columns.append(pa.chunked_array(parts))
    lines = pa.array(range(2, len(rows) + 2), pa.int64())
    return pa.Table.from_arrays(columns + [pa.chunked_array([lines])], names=COLONNES_EXTRACTION + ["_ligne"])


@pytest.mark.slow
@settings(max_examples=250, **FUZZ)
@given(
    rows=brut_tables(),
    dictionary=st.booleans(),
    chunks=st.integers(1, 3),
    as_of=st.sampled_from(["2023-06-30", "2023-03-15"]),
)
def test_validation_sql_matches_the_row_by_row_reference(sql_con, rows, dictionary, chunks, as_of):
    sql_con.register("_brut", brut_table(rows, dictionary, chunks))
    try:
        sql_con.execute(REFERENCE_SQL, {"date_extraction": as_of})
        etapes.executer_sql(sql_con, "valider_file_active", {"date_extraction": as_of})
    finally:
        sql_con.unregister("_brut")
    expected = sql_con.execute("SELECT * FROM _reference ORDER BY _ligne").fetchall()
    got = sql_con.execute("SELECT * FROM _verifie ORDER BY _ligne").fetchall()
    assert got == expected
    kinds = sql_con.execute("SELECT column_name, column_type FROM (DESCRIBE _verifie)").fetchall()
    assert kinds == sql_con.execute("SELECT column_name, column_type FROM (DESCRIBE _reference)").fetchall()
    motif = [name for name, _ in kinds].index("motif_rejet")
    event("doublon" if any("doublon" in (r[motif] or "") for r in got) else "sans doublon")


# ---------------------------------------------------------------- identifiants : la recherche d'origine


def reference_identifying_values(table: pa.Table, max_lines: int = 5) -> list[tuple[str, str, list[int]]]:
    """La recherche, cellule par cellule, sur des colonnes de texte : chaque motif sur chaque cellule, sans
    valeurs distinctes ni passe de tri préalable."""
    found = []
    lines = table.column("_ligne")
    for name in table.column_names:
        if name == "_ligne":
            continue
        column = table.column(name)
        if column.null_count == len(column):
            continue
        compact = pc.replace_substring_regex(column, identifiants._SEPARATORS, "")
        for label, (whole, texts) in identifiants._PATTERNS.items():
            masks = [pc.match_substring_regex(column, text) for text in texts]
            if whole:
                masks.append(pc.match_substring_regex(compact, f"^(?:{whole})$"))
            hits = pc.fill_null(functools.reduce(pc.or_, masks), False)
            if pc.any(hits).as_py():
                cited = pc.filter(column, hits).to_pylist()[:max_lines]
                found.append((name, identifiants.nature(label, cited), pc.filter(lines, hits).to_pylist()[:max_lines]))
    return found


LOOKALIKES = [
    "1 85 05 75 123 456 78", "185057512345678", "2A12345678901", "1850575123456", "x1850575123456y",
    "+33612345678", "06 12 34 56 78", "tél 07-12-34-56-78", "0033612345678", "06/12/34/56/78", "0612345678",
    "a@b.fr", "jean.dupont@exemple.fr", "nom@domaine", "2023-06-30 2023-07-01", "1 234 567 890 123",
    "46 000 000,50", "e1dc383c0e5b0ca0", "2023-03-15", "93014", "B-000_0009",
    # Pseudonymes dont les chiffres ne forment pas un jeton, NIR à clé juste ou fausse, autres écritures.
    "a1850575123456789b", "3f0612345678ab", "123e4567-e89b-12d3-a456-426614174000", "NIR:185057512345678",
    "1850575123456 78", "206127511100564", "+33 (0)6 12 34 56 78", "06\u00a012\u00a034\u00a056\u00a078",
    "tel_0612345678", "33612345678", "01.02.2023 12:00",
]  # fmt: skip
id_value = st.one_of(
    st.sampled_from(LOOKALIKES),
    st.text(alphabet="0123456789 .-_/+()@AaBbx\u00a0", max_size=20),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=3), st.sampled_from(LOOKALIKES), st.text(max_size=3)),
    st.none(),
)


@settings(max_examples=300, **FUZZ)
@given(values=st.lists(id_value, min_size=1, max_size=14), chunks=st.integers(1, 3))
def test_identifier_search_matches_the_cell_by_cell_reference(values, chunks):
    size = -(-len(values) // chunks)
    parts = [pa.array(values[i : i + size], pa.string()) for i in range(0, len(values), size)]
    lines = pa.chunked_array([pa.array(range(2, len(values) + 2), pa.int64())])
    text = pa.Table.from_arrays([pa.chunked_array(parts), lines], names=["valeur", "_ligne"])
    expected = reference_identifying_values(text)
    assert identifiants.valeurs_identifiantes(text) == expected
    encoded = pa.chunked_array([p.dictionary_encode() for p in parts])
    assert identifiants.valeurs_identifiantes(text.set_column(0, "valeur", encoded)) == expected
    unified = pa.Table.from_arrays([encoded, lines], names=["valeur", "_ligne"]).unify_dictionaries()
    assert identifiants.valeurs_identifiantes(unified) == expected
    event("identifiant" if expected else "rien")


def test_identifying_values_are_found_through_the_fast_path(tmp_path):
    """Un NIR dans une colonne en dictionnaire, un e-mail dans le pseudonyme : refus, colonnes et lignes citées."""
    rows = lignes(40)
    rows[7]["motif_sortie"] = "1 85 05 75 123 456 78"
    rows[30]["id_beneficiaire"] = "jean.dupont@exemple.fr"
    data = csv_bytes(rows)
    raw = lecture_csv._lecture_rapide(data, "x.csv", LIMITE)
    assert raw is not None and pa.types.is_dictionary(raw.table.column("motif_sortie").type)
    with pytest.raises(FichierRefuse) as refused:
        controles.verifier_identifiants(raw, "x.csv")
    message = str(refused.value)
    assert "colonne id_beneficiaire : une adresse e-mail, ligne 32" in message
    # La clé de ce NIR (78) est fausse : il est refusé, et le message dit pourquoi une clé fausse n'y change rien.
    assert "colonne motif_sortie : un numéro de sécurité sociale (NIR, même à clé de contrôle fausse" in message
    assert "donnée personnelle), ligne 9" in message
    assert "dupont" not in message and "185" not in message
    with pytest.raises(FichierRefuse) as slow:
        controles.verifier_identifiants(lecture_csv.lecture_ligne_a_ligne(data, "x.csv", LIMITE), "x.csv")
    assert str(slow.value) == message


def test_csv_writer_quoting_is_not_taken():
    """Ce que csv.writer écrit d'une cellule qui contient le séparateur : des guillemets, donc ligne à ligne."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([COLONNES_FILE_ACTIVE, list(ligne(type_parcours="a,b").values())])
    assert lecture_csv._lecture_rapide(out.getvalue().encode(), "x.csv", LIMITE) is None
