"""Données de démonstration : déterminisme, format des fichiers et calage sur les chiffres publiés.

Les indicateurs sont recalculés à la main (pandas) sur les fichiers relus directement, sans le
chargeur ; seul le dernier test passe par le chargeur et la base.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import re
import time
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from insertion import contrat
from insertion.contrat import COLONNES_FILE_ACTIVE as COLONNES
from insertion.demo import generer
from insertion.demo import systemes as demo_systemes
from insertion.demo.calendrier import FIN
from insertion.store.referentiel import charger_referentiel

EMPLOI = {"emploi_durable", "creation_entreprise", "emploi_transition"}
ENUMS = ("type_parcours", "niveau_numerique", "motif_sortie", "tranche_age", "composition_foyer", "anciennete_rsa")
NOM = re.compile(r"^extraction_(ALI\d{2})_(\d{4}-\d{2}-\d{2})\.(csv|xlsx|parquet)$")


@functools.cache
def _norm(value: object) -> object:
    """Normalisation des énumérations du contrat §3 : minuscules, sans accents, « _ »."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _dates(column: pd.Series) -> pd.Series:
    """Dates ISO ou françaises (CSV), cellules date (Excel) ou date32 (Parquet) ; illisible → NaT."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.to_datetime(column)
    text = column.astype(object).where(column.notna(), "").astype(str).str.strip()
    text = text.str.replace(r"^(\d{2})/(\d{2})/(\d{4})$", r"\3-\2-\1", regex=True)  # 15/03/2024
    text = text.str.replace(r" 00:00:00$", "", regex=True)  # cellule date lue d'un classeur
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def read_extract(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    elif path.suffix == ".xlsx":
        df = pd.read_excel(path, dtype=object)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        header = text.splitlines()[0]
        sep = ";" if header.count(";") >= header.count(",") else ","
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    for col in df.columns:
        if col.startswith("date_"):
            df[col] = _dates(df[col])
    for col in ENUMS:
        df[col] = df[col].map(_norm)
    return df


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    paths = generer(out)
    elapsed = time.perf_counter() - start
    extracts = {p: read_extract(p) for p in paths if p.name.startswith("extraction_")}
    latest: dict[str, Path] = {}
    for p in extracts:
        ali, day = NOM.match(p.name).group(1, 2)
        if ali not in latest or day > NOM.match(latest[ali].name).group(2):
            latest[ali] = p
    current = pd.concat([extracts[p] for p in latest.values()], ignore_index=True)
    return {"dir": out, "paths": paths, "elapsed": elapsed, "extracts": extracts, "current": current}


def file_active(episodes: pd.DataFrame, day: str, ali: str | None = None) -> int:
    d = pd.Timestamp(day)
    if ali:
        episodes = episodes[episodes["code_ali"] == ali]
    active = (episodes["date_orientation"] <= d) & (episodes["date_sortie"].isna() | (episodes["date_sortie"] > d))
    return episodes.loc[active, "id_beneficiaire"].nunique()


# --------------------------------------------------------------------------- déterminisme


@pytest.mark.slow
def test_same_seed_same_bytes_other_seed_differs(demo, tmp_path):
    again = generer(tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in demo["paths"]]
    for a, b in zip(demo["paths"], again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = {p.name: p.read_bytes() for p in generer(tmp_path / "other", seed=94)}
    differing = [p.name for p in demo["paths"] if other.get(p.name) != p.read_bytes()]
    assert len(differing) > len(demo["paths"]) // 2


def test_generation_is_fast(demo):
    assert demo["elapsed"] < 30


def test_regenerating_replaces_previous_demo_files(tmp_path):
    stale = tmp_path / "extraction_ALI03_2024-03-31.xlsx"
    stale.write_bytes(b"ancien")
    other = tmp_path / "notes.txt"
    other.write_text("à garder")
    paths = generer(tmp_path)
    assert not stale.exists() or stale in paths
    assert other.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p != other) == sorted(p.name for p in paths)


# --------------------------------------------------------------------------- fichiers


def _quarter_ends(opening: date) -> list[date]:
    ends = [
        date(y, m, d)
        for y in range(opening.year, 2027)
        for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
        if opening <= date(y, m, d) < date(2026, 10, 31)
    ]
    return ends + [date(2026, 10, 31)]


def test_one_snapshot_per_ali_per_quarter_then_budget_then_the_contract_v2_files(demo):
    # Les fichiers du §7 (issue 14) viennent après le budget, dans l'ordre où le chargeur doit les lire.
    systemes = len(demo_systemes.NOMS)
    paths = demo["paths"][:-systemes]
    assert [p.name for p in demo["paths"][-systemes:]] == list(demo_systemes.NOMS)
    assert paths[-1].name == "budget.csv"
    names = [NOM.match(p.name) for p in paths[:-1]]
    assert all(names)
    got = sorted((m.group(1), date.fromisoformat(m.group(2))) for m in names)
    expected = sorted((a["code_ali"], d) for a in charger_referentiel().ali for d in _quarter_ends(a["ouverture"]))
    assert got == expected
    days = [m.group(2) for m in names]
    assert days == sorted(days), "extractions dans l'ordre chronologique"
    assert FIN == date(2026, 10, 31)


def test_formats_vary_but_csv_dominates(demo):
    paths = [p for p in demo["paths"] if NOM.match(p.name)]
    by_ext = pd.Series([p.suffix for p in paths]).value_counts().to_dict()
    assert by_ext.get(".xlsx", 0) in (1, 2) and by_ext.get(".parquet", 0) in (1, 2)
    assert by_ext[".csv"] >= 0.95 * len(paths)
    raw = [p.read_bytes() for p in paths if p.suffix == ".csv"]
    windows = [r for r in raw if not _is_utf8(r)]
    assert windows and all(b";" in r.split(b"\r\n")[0] for r in windows)
    assert any(b"Socio-professionnel" in r for r in windows)
    assert any("Intermédiaire".encode("cp1252") in r for r in windows)
    assert any(re.search(rb";\d{2}/\d{2}/\d{4}\r\n", r) for r in windows), "dates françaises"
    assert any(r.startswith(b"\xef\xbb\xbf") for r in raw), "UTF-8 avec BOM"
    # Les extractions datées de 2025 et après portent aussi les freins (contrat §7.1), avant date_extraction.
    for path, df in demo["extracts"].items():
        jour = date.fromisoformat(NOM.match(path.name).group(2))
        attendues = COLONNES[:-1] + contrat.COLONNES_FREINS + COLONNES[-1:] if jour >= date(2025, 1, 1) else COLONNES
        assert list(df.columns) == attendues, path.name


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_every_snapshot_knows_only_its_past(demo):
    ref = charger_referentiel()
    for path, df in demo["extracts"].items():
        ali, day = NOM.match(path.name).group(1, 2)
        d = pd.Timestamp(day)
        assert (df["date_extraction"] == d).all(), path.name
        assert (df["code_ali"] == ali).all(), path.name
        assert df["date_orientation"].notna().all() and (df["date_orientation"] <= d).all(), path.name
        for col in ("date_diag_numerique", "date_diag_linguistique", "date_sortie"):
            assert not (df[col] > d).any(), (path.name, col)
        assert df["date_orientation"].min() >= pd.Timestamp(
            next(a["ouverture"] for a in ref.ali if a["code_ali"] == ali)
        )
        assert df["id_beneficiaire"].str.fullmatch(r"[0-9a-f]{16}").all(), path.name


def test_pseudonyms_are_plain_keyed_hashes(demo):
    """Ce que le Département enverra : HMAC-SHA256 du rang sous une clé, tronqué à 16 caractères, sans tri.
    Jusqu'à l'issue 11, la démonstration écartait les valeurs à cinq chiffres de suite, et cachait ainsi
    que le chargeur prenait de vrais pseudonymes pour des NIR ; elles y sont, et se chargent."""
    ids = set(demo["current"]["id_beneficiaire"])
    cle = b"ali93-demo:93"
    attendus = {hmac.new(cle, str(i).encode(), hashlib.sha256).hexdigest()[:16] for i in range(len(demo["current"]))}
    assert ids <= attendus
    assert sum(bool(re.search(r"[0-9]{5}", i)) for i in ids) > 0.3 * len(ids)
    assert sum(bool(re.search(r"[0-9]{10}", i)) for i in ids) > 100


def test_later_snapshots_extend_earlier_ones(demo):
    files = sorted((p for p in demo["extracts"] if "ALI14" in p.name), key=lambda p: p.name)
    previous = None
    for path in files:
        keys = set(
            zip(demo["extracts"][path]["id_beneficiaire"], demo["extracts"][path]["date_orientation"], strict=True)
        )
        if previous is not None:
            assert previous <= keys, path.name
        previous = keys


def test_a_few_bad_rows_in_a_handful_of_files(demo):
    ref = charger_referentiel()
    communes = set(ref.codes_communes)
    with_issues = []
    kinds = set()
    for path, df in demo["extracts"].items():
        found = set()
        if (~df["code_commune"].astype(str).isin(communes)).any():
            found.add("commune")
        if (df["date_sortie"] < df["date_orientation"]).any():
            found.add("sortie_avant_orientation")
        if (~df["type_parcours"].isin(["social", "socio_professionnel", "professionnel"])).any():
            found.add("parcours")
        if df.duplicated(["id_beneficiaire", "code_ali", "date_orientation"]).any():
            found.add("doublon")
        if (df["sexe"].fillna("") == "").any():
            found.add("sexe")
        if path.suffix == ".csv" and re.search(rb"31/02/\d{4}|\d{4}-02-31", path.read_bytes()):
            found.add("date_impossible")
        if found:
            with_issues.append(path)
            kinds |= found
    assert 3 <= len(with_issues) <= 12
    assert kinds == {"commune", "sortie_avant_orientation", "parcours", "doublon", "sexe", "date_impossible"}
    assert not any("ALI14" in p.name or "ALI04" in p.name for p in with_issues)


# --------------------------------------------------------------------------- calage


def test_published_caseloads(demo):
    current = demo["current"]
    assert abs(file_active(current, "2023-06-30", "ALI14") - 638) <= 0.01 * 638
    assert abs(file_active(current, "2023-10-31", "ALI04") - 389) <= 0.05 * 389
    assert 200 <= file_active(current, "2023-06-30", "ALI01") <= 300
    assert abs(file_active(current, "2026-10-31") - 12_600) <= 0.05 * 12_600


def test_diagnostic_numerique_rate_at_90_days_per_ali(demo):
    current = demo["current"]
    d = pd.Timestamp(FIN)
    cohort = current[current["date_orientation"] <= d - pd.Timedelta(days=90)]
    for col in ("date_diag_numerique", "date_diag_linguistique"):
        done = cohort[col] <= cohort["date_orientation"] + pd.Timedelta(days=90)
        rates = done.groupby(cohort["code_ali"]).mean()
        assert len(rates) == 22
        if col == "date_diag_numerique":
            assert rates.between(0.55, 0.85).all(), rates.round(3).to_dict()
        assert rates.max() - rates.min() > 0.05, "le taux varie selon l'ALI"
    late = cohort["date_diag_numerique"] > cohort["date_orientation"] + pd.Timedelta(days=90)
    never = cohort["date_diag_numerique"].isna()
    assert late.mean() > 0.03 and never.mean() > 0.05


def test_sortie_en_emploi_at_12_months(demo):
    current = demo["current"]
    d = pd.Timestamp(FIN)
    cohort = current[current["date_orientation"] <= d - pd.Timedelta(days=365)]
    success = (cohort["date_sortie"] <= cohort["date_orientation"] + pd.Timedelta(days=365)) & cohort[
        "motif_sortie"
    ].isin(EMPLOI)
    by_ali = success.groupby(cohort["code_ali"]).agg(["mean", "size"])
    large = by_ali[by_ali["size"] >= 200]
    assert len(large) >= 20
    assert large["mean"].between(0.08, 0.20).all(), large["mean"].round(3).to_dict()
    assert 0.12 <= success.mean() <= 0.15
    exits = current[current["date_sortie"].notna()]
    blank = (exits["motif_sortie"].fillna("") == "").mean()
    assert 0 < blank < 0.05, "quelques sorties sans motif"


def test_profiles_and_movers(demo):
    current = demo["current"]
    assert 0.52 <= (current["sexe"] == "F").mean() <= 0.58
    assert set(current["type_parcours"]) >= {"social", "socio_professionnel", "professionnel"}
    assert set(current["tranche_age"]) == {"moins_25", "25_34", "35_44", "45_54", "55_plus"}
    assert (current["composition_foyer"].fillna("") == "").mean() > 0.01
    ep = current.dropna(subset=["date_orientation"]).sort_values("date_orientation")
    alis = ep.groupby("id_beneficiaire")["code_ali"].nunique()
    movers = alis[alis > 1].index
    persons = ep["id_beneficiaire"].nunique()
    assert 0.01 * persons <= len(movers) <= 0.02 * persons
    for _, episodes in ep[ep["id_beneficiaire"].isin(movers)].groupby("id_beneficiaire"):
        first, second = episodes.iloc[0], episodes.iloc[1]
        assert first["motif_sortie"] in ("demenagement", "reorientation")
        assert first["date_sortie"] < second["date_orientation"], "jamais deux épisodes en même temps"
        assert first["code_ali"] != second["code_ali"]


# --------------------------------------------------------------------------- budget


def test_budget(demo):
    (path,) = [p for p in demo["paths"] if p.name == "budget.csv"]
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "annee;code_ali;ligne;montant_vote;montant_execute"
    assert re.search(r";\d{1,3}(?: \d{3})+,\d{2}", text), "des montants avec espaces de milliers"
    budget = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)

    def euros(col: pd.Series) -> pd.Series:
        return pd.to_numeric(col.str.replace(" ", "").str.replace(",", "."), errors="coerce")

    budget["vote"], budget["execute"] = euros(budget["montant_vote"]), euros(budget["montant_execute"])
    budget["annee"] = budget["annee"].astype(int)
    voted = budget.groupby("annee")["vote"].sum().round(2).to_dict()
    assert voted == {2021: 23e6, 2022: 33e6, 2023: 46e6, 2024: 46e6, 2025: 47e6, 2026: 48e6}
    closed = budget[budget["annee"] < 2026]
    assert closed["execute"].notna().all()
    ratio = closed["execute"] / closed["vote"]
    assert ratio.between(0.92, 0.99).all()
    assert budget.loc[budget["annee"] == 2026, "montant_execute"].eq("").all()
    assert set(budget["ligne"]) == {
        "accompagnement_ali", "diagnostics", "formation", "iae", "mobilite", "garde_enfants", "autre",
    }  # fmt: skip
    per_ali = budget[budget["code_ali"] != ""]
    assert per_ali["annee"].min() == 2023 and set(per_ali["ligne"]) == {"accompagnement_ali"}
    openings = {a["code_ali"]: a["ouverture"] for a in charger_referentiel().ali}
    for year, rows in per_ali.groupby("annee"):
        assert set(rows["code_ali"]) == {c for c, o in openings.items() if o.year <= year}
    assert not (
        (budget["annee"] >= 2023) & (budget["code_ali"] == "") & (budget["ligne"] == "accompagnement_ali")
    ).any()


# --------------------------------------------------------------------------- chargement


@pytest.mark.slow
def test_construire_demo_loads_everything(demo_build):
    db_path, results, seen = demo_build
    assert [r.status for r in results] == ["loaded"] * len(results), [
        (r.file, r.status, r.message) for r in results if r.status != "loaded"
    ]
    assert (db_path.parent / "demo_extraits" / "budget.csv").exists()
    assert [s[0] for s in seen] == list(range(len(results))) and seen[-1][2] == demo_systemes.NOMS[-1]
    assert all(r.accepted + r.rejected == r.rows_read for r in results)
    assert 0 < sum(r.rejected for r in results) < 50
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        ((active,),) = con.execute(
            "SELECT count(DISTINCT id_beneficiaire) FROM episodes WHERE code_ali = 'ALI14' "
            "AND date_orientation <= $d AND (date_sortie IS NULL OR date_sortie > $d)",
            {"d": date(2023, 6, 30)},
        ).fetchall()
    finally:
        con.close()
    assert abs(active - 638) <= 0.05 * 638
