"""L'écriture des extractions de démonstration : une table par ALI et par date d'extraction (ce qui était connu à
cette date), dans le format d'un vrai export (CSV UTF-8, CSV Windows-1252 à la française, CSV avec BOM, .xlsx,
Parquet), avec les freins périphériques et, dans une poignée de fichiers, quelques lignes fautives.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from insertion.contrat import COLONNES_DATES, COLONNES_FREINS
from insertion.demo.calendrier import FIN
from insertion.demo.simulation import CALAGES

# Libellés « à la française » de certains exports (normalisés par le chargeur, contrat §3).
_LIBELLES_FR = {
    "social": "Social", "socio_professionnel": "Socio-professionnel", "professionnel": "Professionnel",
    "autonome": "Autonome", "intermediaire": "Intermédiaire", "debutant": "Débutant", "non_evalue": "Non évalué",
    "francophone": "Francophone",
    "emploi_durable": "Emploi durable", "creation_entreprise": "Création entreprise",
    "emploi_transition": "Emploi transition", "formation": "Formation", "reorientation": "Réorientation",
    "demenagement": "Déménagement", "fin_droits": "Fin droits", "abandon": "Abandon", "autre": "Autre",
    "moins_25": "Moins 25", "25_34": "25-34", "35_44": "35-44", "45_54": "45-54", "55_plus": "55 plus",
    "seul": "Seul", "seul_avec_enfants": "Seul avec enfants", "couple": "Couple",
    "couple_avec_enfants": "Couple avec enfants",
    "moins_1_an": "Moins 1 an", "1_2_ans": "1-2 ans", "2_5_ans": "2-5 ans", "5_ans_plus": "5 ans plus",
}  # fmt: skip


_COLONNES_ENUM = [
    "type_parcours", "niveau_numerique", "niveau_linguistique", "motif_sortie", "tranche_age",
    "composition_foyer", "anciennete_rsa",
]  # fmt: skip


def textes_dates(ep: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Les dates déjà mises en texte, ISO et françaises, une fois pour toutes."""
    out = {}
    for col in COLONNES_DATES:
        iso = np.datetime_as_string(ep[col].to_numpy().astype("datetime64[D]"), unit="D").astype(object)
        iso[iso == "NaT"] = ""
        fr = np.array([f"{s[8:10]}/{s[5:7]}/{s[0:4]}" if s else "" for s in iso], dtype=object)
        out[col] = {"iso": iso, "fr": fr}
    return out


def _ecrit_xlsx(table: pd.DataFrame, path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("file_active")
    ws.append(list(table.columns))
    dates = {i for i, col in enumerate(table.columns) if col.startswith("date_")}
    for row in table.itertuples(index=False):
        ws.append([None if not v else date.fromisoformat(v) if i in dates else v for i, v in enumerate(row)])
    tampon = io.BytesIO()
    wb.save(tampon)
    # openpyxl date le classeur du moment de l'enregistrement : on fige ces dates pour des octets stables.
    fige = datetime(FIN.year, FIN.month, FIN.day).strftime("%Y-%m-%dT%H:%M:%SZ")
    sortie = io.BytesIO()
    with zipfile.ZipFile(tampon) as zin, zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", fige.encode(), data)
            zinfo = zipfile.ZipInfo(info.filename, date_time=(FIN.year, FIN.month, FIN.day, 0, 0, 0))
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zinfo, data)
    path.write_bytes(sortie.getvalue())


def _ecrit_parquet(table: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for col in table.columns:
        values = table[col]
        if col in COLONNES_DATES or col == "date_extraction":
            arrays[col] = pa.array([date.fromisoformat(v) if v else None for v in values], type=pa.date32())
        else:
            arrays[col] = pa.array([v if v else None for v in values], type=pa.string())
    pq.write_table(pa.table(arrays), path, compression="snappy")


def styles(fichiers: list[tuple[str, date]], seed: int) -> list[str]:
    """Le format de chaque fichier : CSV pour l'essentiel, deux .xlsx, deux Parquet."""
    rng = np.random.default_rng([seed, 1])
    styles = []
    for _ in fichiers:
        u = rng.random()
        styles.append("csv_fr" if u < 0.12 else "csv_bom" if u < 0.20 else "csv")
    # Les ALI calées sur les chiffres publiés restent en CSV ; les autres formats sur des instantanés intermédiaires.
    candidats = [i for i, (code, d) in enumerate(fichiers) if code not in CALAGES and d != FIN]
    choisis = rng.choice(candidats, size=min(4, len(candidats)), replace=False)
    for k, i in enumerate(sorted(choisis)):
        styles[i] = "xlsx" if k % 2 == 0 else "parquet"
    return styles


_DEFAUTS = ["commune_inconnue", "date_impossible", "sortie_avant_orientation", "parcours_inconnu",
            "doublon", "sexe_manquant", "diag_avant_orientation"]  # fmt: skip


def fichiers_fautifs(fichiers: list[tuple[str, date]], styles: list[str], seed: int) -> dict[int, list[str]]:
    """Une poignée de fichiers CSV reçoit deux ou trois lignes fautives ; tous les défauts figurent."""
    rng = np.random.default_rng([seed, 2])
    csv_hors_calage = [i for i, (code, _) in enumerate(fichiers) if styles[i].startswith("csv") and code not in CALAGES]
    derniers = [i for i in csv_hors_calage if fichiers[i][1] == FIN]
    anciens = [i for i in csv_hors_calage if fichiers[i][1] != FIN]
    choisis = list(rng.choice(derniers, size=min(3, len(derniers)), replace=False))
    choisis += list(rng.choice(anciens, size=min(5, len(anciens)), replace=False))
    sac = list(_DEFAUTS) * 3
    out = {}
    for k, i in enumerate(sorted(int(x) for x in choisis)):
        out[i] = [sac[(2 * k + j) % len(sac)] for j in range(2 + k % 2)]
    return out


def abime(table: pd.DataFrame, defauts: list[str], rng: np.random.Generator, francais: bool, d: date) -> pd.DataFrame:
    table = table.copy()
    lignes = rng.choice(len(table), size=min(len(defauts), len(table)), replace=False)
    doublons = []
    for defaut, i in zip(defauts, lignes, strict=False):
        orientation = date.fromisoformat(_iso(table.iat[i, 3]))
        if defaut == "commune_inconnue":
            table.iat[i, 2] = "93999"
        elif defaut == "date_impossible":
            annee = d.year if d.month >= 3 else d.year - 1
            table.iat[i, 5] = f"31/02/{annee}" if francais else f"{annee}-02-31"
        elif defaut == "sortie_avant_orientation":
            avant = np.datetime64(orientation.isoformat()) - 12
            table.iat[i, 9] = _formater_date(str(avant), francais)
            if not table.iat[i, 10]:
                table.iat[i, 10] = _LIBELLES_FR["abandon"] if francais else "abandon"
        elif defaut == "parcours_inconnu":
            table.iat[i, 4] = "Insertion" if francais else "insertion"
        elif defaut == "doublon":
            doublons.append(i)
        elif defaut == "sexe_manquant":
            table.iat[i, 12] = ""
        elif defaut == "diag_avant_orientation":
            avant = np.datetime64(orientation.isoformat()) - 5
            table.iat[i, 7] = _formater_date(str(avant), francais)
            if not table.iat[i, 8]:
                table.iat[i, 8] = "B1"
    if doublons:
        ordre = np.concatenate([np.arange(len(table)), np.array(doublons)])
        table = table.iloc[np.sort(ordre, kind="stable")].reset_index(drop=True)
    return table


def _iso(texte: str) -> str:
    return f"{texte[6:10]}-{texte[3:5]}-{texte[0:2]}" if "/" in texte else texte


def _formater_date(iso: str, francais: bool) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if francais else iso


def ajoute_freins(table: pd.DataFrame, freins: pd.DataFrame, debut: int, fin_idx: int, francais: bool) -> None:
    """Les colonnes frein_* (contrat §7.1) avant date_extraction ; « Oui »/« Non » dans un export à la française."""
    for colonne in COLONNES_FREINS:
        valeurs = freins[colonne].to_numpy()[debut:fin_idx]
        if francais:
            valeurs = np.array([v.capitalize() for v in valeurs], dtype=object)
        table.insert(table.columns.get_loc("date_extraction"), colonne, valeurs)


def table_fichier(ep: pd.DataFrame, textes: dict, debut: int, fin_idx: int, d: date, style: str) -> pd.DataFrame:
    sub = ep.iloc[debut:fin_idx]
    quand = np.datetime64(d.isoformat())
    francais = style == "csv_fr"
    forme = "fr" if francais else "iso"
    out = {}
    inconnu = {}
    for col in COLONNES_DATES:
        valeurs = textes[col][forme][debut:fin_idx].copy()
        dates = sub[col].to_numpy()
        inconnu[col] = ~(dates <= quand)  # NaT ou postérieur à l'extraction
        valeurs[inconnu[col]] = ""
        out[col] = valeurs
    table = pd.DataFrame({
        "id_beneficiaire": sub["id_beneficiaire"].to_numpy(),
        "code_ali": sub["code_ali"].to_numpy(),
        "code_commune": sub["code_commune"].to_numpy(),
        "date_orientation": out["date_orientation"],
        "type_parcours": sub["type_parcours"].to_numpy(),
        "date_diag_numerique": out["date_diag_numerique"],
        "niveau_numerique": np.where(inconnu["date_diag_numerique"], "", sub["niveau_numerique"].to_numpy()),
        "date_diag_linguistique": out["date_diag_linguistique"],
        "niveau_linguistique": np.where(inconnu["date_diag_linguistique"], "", sub["niveau_linguistique"].to_numpy()),
        "date_sortie": out["date_sortie"],
        "motif_sortie": np.where(inconnu["date_sortie"], "", sub["motif_sortie"].to_numpy()),
        "tranche_age": sub["tranche_age"].to_numpy(),
        "sexe": sub["sexe"].to_numpy(),
        "composition_foyer": sub["composition_foyer"].to_numpy(),
        "anciennete_rsa": sub["anciennete_rsa"].to_numpy(),
        "date_extraction": _formater_date(d.isoformat(), francais),
    }, dtype=object)  # fmt: skip
    if francais:
        for col in _COLONNES_ENUM:
            table[col] = table[col].map(lambda v: _LIBELLES_FR.get(v, v))
    return table


def ecrit(table: pd.DataFrame, path: Path, style: str) -> None:
    if style == "xlsx":
        _ecrit_xlsx(table, path)
    elif style == "parquet":
        _ecrit_parquet(table, path)
    elif style == "csv_fr":  # export Windows : cp1252, « ; », en-têtes en majuscules, fins de ligne CRLF
        table = table.rename(columns=str.upper)
        table.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    elif style == "csv_bom":
        table.to_csv(path, sep=";", index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        table.to_csv(path, sep=",", index=False, encoding="utf-8", lineterminator="\n")
