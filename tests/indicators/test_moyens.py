"""Moyens (contrat §7.4) : queries/moyens_mensuels.sql et queries/cout_par_place.sql sur un petit jeu écrit à la
main, chargé par le vrai chargeur (extraction de file active, fichier des moyens, budget), contre un calcul
indépendant en pandas et des valeurs calculées à la main ; puis leur publication (secret statistique).

Extraction au 30 juin 2023 (D). Pseudonymes : HMAC-SHA256 hexadécimaux (64 caractères).
- ALI14 (Clichy-sous-Bois) : 12 personnes orientées le 15 mars, sans sortie ; 3 orientées le 10 avril, sorties le
  20 mai ; 2 orientées le 5 mai ; plus la personne X, orientée le 20 mars → fins de mois avril 16, mai 15, juin 15.
- ALI08 (Montreuil) : 20 personnes orientées le 1er avril, dont 5 sorties le 10 juin ; plus X, orientée le 2 avril
  (suivie par les deux ALI à la fois) → avril 21, mai 21, juin 16.
- ALI04 (La Courneuve) : 4 personnes orientées le 15 mars → 4 chaque mois.
Moyens : ALI14 avril (2,5 ETP, 20 places), mai (3 ; 20), juin (3 ; 25 ; 1 CIP) ; ALI08 avril (4 ; 30), PAS de mai,
juin (4,5 ; 30 ; 2 CIP) ; ALI04 avril à juin (1 ; 10).
Département (somme des ALI déclarantes du mois) :
- avril : 3 ALI, 7,5 ETP, 60 places, 16 + 21 + 4 = 41 suivis → 41 / 7,5 = 5,467 par référent, 41 / 60 = 68,3 % ;
- mai : 2 ALI (ALI08 n'a pas déclaré : ses 21 personnes n'entrent pas), 4 ETP, 30 places, 15 + 4 = 19 suivis ;
- juin : 3 ALI, 8,5 ETP, 65 places, 3 CIP, 15 + 16 + 4 = 35 suivis (date de référence : D).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import date

import pandas as pd
import pytest

from insertion.contrat import PLACES_CIBLE_2026, PLACES_DEPART, REFERENTS_CIBLE_2026, REFERENTS_DEPART
from insertion.indicators.autres_systemes import moyens
from insertion.protect import protection
from insertion.store import db
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne
from tests.publie import publie, valeurs_vraies

D = date(2023, 6, 30)
DEP = "Seine-Saint-Denis"
COMMUNE = {"ALI14": "93014", "ALI08": "93048", "ALI04": "93027"}


def pseudo(i: int) -> str:
    return hmac.new(b"cle-de-test-moyens", str(i).encode(), hashlib.sha256).hexdigest()


def episode(i: int, ali: str, orientation: str, sortie: str = "") -> dict[str, str]:
    return ligne(
        id_beneficiaire=pseudo(i),
        code_ali=ali,
        code_commune=COMMUNE[ali],
        date_orientation=orientation,
        date_sortie=sortie,
        motif_sortie="emploi_durable" if sortie else "",
    )


EPISODES = (
    [episode(i, "ALI14", "2023-03-15") for i in range(1, 13)]
    + [episode(i, "ALI14", "2023-04-10", "2023-05-20") for i in range(13, 16)]
    + [episode(i, "ALI14", "2023-05-05") for i in range(16, 18)]
    + [episode(100, "ALI14", "2023-03-20"), episode(100, "ALI08", "2023-04-02")]  # X, suivie par deux ALI
    + [episode(i, "ALI08", "2023-04-01") for i in range(20, 35)]
    + [episode(i, "ALI08", "2023-04-01", "2023-06-10") for i in range(35, 40)]
    + [episode(i, "ALI04", "2023-03-15") for i in range(40, 44)]
)

MOYENS = [
    # code_ali, mois, referents_etp, places, cip_ecole
    ("ALI14", "2023-04", "2,5", "20", ""),
    ("ALI14", "2023-05", "3", "20", ""),
    ("ALI14", "2023-06", "3", "25", "1"),
    ("ALI08", "2023-04", "4", "30", ""),
    ("ALI08", "2023-06", "4,5", "30", "2"),
    ("ALI04", "2023-04", "1", "10", ""),
    ("ALI04", "2023-05", "1", "10", ""),
    ("ALI04", "2023-06", "1", "10", ""),
]

BUDGET = b"""annee;code_ali;ligne;montant_vote;montant_execute
2022;;formation;40000;38000
2023;ALI14;accompagnement_ali;100000;90000
2023;ALI08;accompagnement_ali;200000;180000
2023;ALI04;accompagnement_ali;30000;26000
2023;;formation;50000;40000
"""


def moyens_csv() -> bytes:
    colonnes = ["code_ali", "mois", "referents_etp", "places", "cip_ecole", "date_extraction"]
    rows = [dict(zip(colonnes, (*m, D.isoformat()), strict=True)) for m in MOYENS]
    return csv_bytes(rows, colonnes, sep=";")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("moyens")
    return build_db(
        tmp / "moyens.duckdb",
        {"extraction.csv": csv_bytes(EPISODES), "moyens.csv": moyens_csv(), "budget.csv": BUDGET},
    )


@pytest.fixture(scope="module")
def con(base):
    c = db.ouvrir_en_lecture(base)
    yield c
    c.close()


# --------------------------------------------------------------------------- calcul indépendant (pandas)


def attendu(debut: date, fin: date, groupe: str, alis: list[str] | None = None) -> pd.DataFrame:
    """Les moyens mensuels recalculés sur les lignes écrites ci-dessus : file active de chaque ALI à chaque fin de
    mois (plafonnée à D) comptée personne par personne, additionnée sur les seules ALI qui ont déclaré le mois."""
    ep = pd.DataFrame(EPISODES)
    ep["date_orientation"] = pd.to_datetime(ep["date_orientation"])
    ep["date_sortie"] = pd.to_datetime(ep["date_sortie"].replace("", None))
    mo = pd.DataFrame(MOYENS, columns=["code_ali", "mois", "referents_etp", "places", "cip_ecole"])
    mo["mois"] = pd.to_datetime(mo["mois"] + "-01")
    mo["referents_etp"] = mo["referents_etp"].str.replace(",", ".").astype(float)
    mo["places"] = mo["places"].astype(int)
    mo["cip_ecole"] = pd.to_numeric(mo["cip_ecole"].replace("", None))
    if alis is not None:
        mo = mo[mo["code_ali"].isin(alis)]
    fin_p = min(fin, D)
    mo = mo[(mo["mois"] >= pd.Timestamp(debut.year, debut.month, 1)) & (mo["mois"] <= pd.Timestamp(fin_p))]

    def file_active(ali: str, ref: pd.Timestamp) -> int:
        e = ep[ep["code_ali"] == ali]
        actifs = e[(e["date_orientation"] <= ref) & (e["date_sortie"].isna() | (e["date_sortie"] > ref))]
        return actifs["id_beneficiaire"].nunique()

    mo["date_reference"] = [min(m + pd.offsets.MonthEnd(0), pd.Timestamp(D)) for m in mo["mois"]]
    mo["file_active"] = [file_active(a, r) for a, r in zip(mo["code_ali"], mo["date_reference"], strict=True)]
    mo["groupe"] = DEP if groupe == "departement" else mo["code_ali"]
    out = (
        mo.groupby(["groupe", "mois", "date_reference"], as_index=False)
        .agg(
            alis_declarees=("code_ali", "count"),
            referents_etp=("referents_etp", "sum"),
            places=("places", "sum"),
            cip_ecole=("cip_ecole", lambda s: s.sum() if s.notna().any() else None),
            file_active=("file_active", "sum"),
        )
        .sort_values(["groupe", "mois"])
        .reset_index(drop=True)
    )
    out["personnes_par_referent"] = out["file_active"] / out["referents_etp"]
    out["taux_occupation"] = out["file_active"] / out["places"]
    return out


COLONNES = [
    "groupe", "mois", "date_reference", "alis_declarees", "referents_etp", "places", "cip_ecole", "file_active",
    "personnes_par_referent", "taux_occupation",
]  # fmt: skip


def comparer(obtenu: pd.DataFrame, voulu: pd.DataFrame) -> None:
    obtenu = obtenu[COLONNES].copy()
    for col in ("mois", "date_reference"):
        obtenu[col] = pd.to_datetime(obtenu[col])
    obtenu["cip_ecole"] = pd.to_numeric(obtenu["cip_ecole"]).astype(float)
    voulu = voulu[COLONNES].copy()
    voulu["cip_ecole"] = pd.to_numeric(voulu["cip_ecole"]).astype(float)
    pd.testing.assert_frame_equal(obtenu.reset_index(drop=True), voulu, check_dtype=False)


@pytest.mark.parametrize("groupe", ["departement", "ali"])
@pytest.mark.parametrize(
    ("debut", "fin", "alis"),
    [
        (date(2023, 1, 1), D, None),
        (date(2023, 5, 1), date(2023, 12, 31), None),  # P commence en mai ; sa fin est plafonnée à D
        (date(2023, 1, 1), date(2023, 5, 15), ["ALI08", "ALI04"]),
    ],
)
def test_moyens_mensuels_egalent_le_calcul_independant(con, groupe, debut, fin, alis):
    periode = Periode(as_of=D, debut=debut, fin=fin)
    obtenu = moyens.moyens_mensuels(con, periode, Perimetre(alis=tuple(alis or ())), groupe)
    comparer(obtenu, attendu(debut, fin, groupe, alis))


def test_departement_calcule_a_la_main(con):
    df = moyens.moyens_mensuels(con, Periode(as_of=D, debut=date(2023, 1, 1)))
    lignes = df.set_index(df["mois"].astype(str))
    avril, mai, juin = (lignes.loc[m] for m in ("2023-04-01", "2023-05-01", "2023-06-01"))
    assert (avril["alis_declarees"], avril["referents_etp"], avril["places"], avril["file_active"]) == (3, 7.5, 60, 41)
    assert math.isclose(avril["personnes_par_referent"], 41 / 7.5) and math.isclose(avril["taux_occupation"], 41 / 60)
    # Mai : ALI08 n'a pas déclaré ; ses 21 personnes suivies n'entrent pas dans le rapport.
    assert (mai["alis_declarees"], mai["referents_etp"], mai["places"], mai["file_active"]) == (2, 4.0, 30, 19)
    assert math.isclose(mai["personnes_par_referent"], 19 / 4)
    assert (juin["file_active"], juin["cip_ecole"], str(juin["date_reference"])[:10]) == (35, 3, "2023-06-30")
    # Le département n'est complet qu'en avril et en juin (toutes les ALI qui suivent des personnes ont déclaré).
    assert [pd.isna(v) for v in df["date_complete"]] == [False, True, False]


def test_filtres_de_profil_et_de_territoire_sans_effet(con, base):
    """Seul le filtre ALI s'applique : la requête ne lit pas les autres (ils ne sont pas ses paramètres)."""
    from insertion.store.requetes import noms_parametres, texte_sql

    assert noms_parametres(texte_sql("moyens_mensuels")) == ("alis", "as_of", "debut", "fin", "groupe")
    assert noms_parametres(texte_sql("cout_par_place")) == ("alis", "as_of", "groupe")
    periode = Periode(as_of=D)
    avec = moyens.moyens_mensuels(con, periode, Perimetre(sexes=("F",), epts=("Est Ensemble",)))
    pd.testing.assert_frame_equal(avec, moyens.moyens_mensuels(con, periode))


def test_regroupement_hors_liste_refuse(con):
    with pytest.raises(ValueError, match="Regroupement inconnu"):
        moyens.moyens_mensuels(con, Periode(as_of=D), groupe="commune")


def test_cout_par_place(con):
    # Places mensuelles du département : avril 60, mai 30, juin 65 → moyenne 155 / 3 ; exécuté 2023 :
    # 90 000 + 180 000 + 26 000 + 40 000 = 336 000 €. 2022 : aucune place déclarée → coût NULL.
    dep = moyens.cout_par_place(con, Periode(as_of=D)).set_index("annee")
    assert dep.loc[2022, "mois_declares"] == 0 and pd.isna(dep.loc[2022, "cout_par_place"])
    assert dep.loc[2023, "mois_declares"] == 3 and math.isclose(dep.loc[2023, "places_moyennes"], 155 / 3)
    assert math.isclose(dep.loc[2023, "cout_par_place"], 336_000 / (155 / 3))
    # Par ALI : ALI14 20, 20, 25 places → 90 000 / (65 / 3) ; ALI08 deux mois déclarés (30, 30) → 6 000 €.
    par_ali = moyens.cout_par_place(con, Periode(as_of=D), groupe="ali").set_index("groupe")
    assert math.isclose(par_ali.loc["ALI14", "cout_par_place"], 90_000 / (65 / 3))
    assert (par_ali.loc["ALI08", "mois_declares"], par_ali.loc["ALI08", "cout_par_place"]) == (2, 6_000)
    # Une sélection d'ALI : ses seuls crédits ventilés (pas la formation non ventilée).
    selection = moyens.cout_par_place(con, Periode(as_of=D), Perimetre(alis=("ALI14",)))
    assert selection["annee"].tolist() == [2023]
    assert math.isclose(selection["cout_par_place"].iloc[0], 90_000 / (65 / 3))
    # Le mois de D borne les mois comptés : au 31 mai, juin n'entre pas.
    mai = moyens.cout_par_place(con, Periode(as_of=date(2023, 5, 31))).set_index("annee")
    assert mai.loc[2023, "mois_declares"] == 2 and math.isclose(mai.loc[2023, "places_moyennes"], 45)


def test_progression_vers_les_cibles():
    assert (REFERENTS_DEPART, REFERENTS_CIBLE_2026, PLACES_DEPART, PLACES_CIBLE_2026) == (170, 340, 6_300, 12_600)
    # (255 − 170) / (340 − 170) = 0,5 ; (12 600 − 6 300) / 6 300 = 1 ; sous le départ : négatif.
    assert moyens.progression(255, "referents_etp") == 0.5
    assert moyens.progression(12_600, "places") == 1.0
    assert moyens.progression(0, "referents_etp") == -1.0
    assert moyens.progression(None, "places") is None and moyens.progression(float("nan"), "places") is None


# --------------------------------------------------------------------------- publication


def params(groupe: str, alis: list[str] | None = None) -> dict:
    return {"as_of": D, "debut": date(2023, 1, 1), "fin": D, "groupe": groupe, "alis": alis}


def test_publication_par_ali_rapports_sur_la_file_active_publiee(base):
    vrai = valeurs_vraies(base, "moyens_mensuels", params("ali"))
    pub = publie(base, "moyens_mensuels", **params("ali"))
    assert not [c for c in pub.columns if c.startswith("cle_")]  # les clés ne sortent jamais
    attendu_publie = protection.publier_effectifs(vrai["file_active"], vrai["cle_file_active"])
    assert pub["file_active"].isna().tolist() == attendu_publie.isna().tolist()
    assert pub["file_active"].dropna().tolist() == attendu_publie.dropna().astype(float).tolist()
    # ALI04 suit 4 personnes : masquée, et ses rapports aussi (4 / 1 ETP redonnerait l'effectif).
    ali04 = pub[pub["groupe"] == "ALI04"]
    assert ali04["file_active"].isna().all() and ali04["personnes_par_referent"].isna().all()
    assert ali04["taux_occupation"].isna().all()
    # Ailleurs : personnes par référent = file active PUBLIÉE / ETP, pas la vraie.
    visibles = pub[pub["file_active"].notna()]
    assert len(visibles) >= 3
    pd.testing.assert_series_equal(
        visibles["personnes_par_referent"], visibles["file_active"] / visibles["referents_etp"], check_names=False
    )
    pd.testing.assert_series_equal(
        visibles["taux_occupation"], visibles["file_active"] / visibles["places"], check_names=False
    )
    # Référents et places sont des grandeurs publiques : publiés tels quels.
    assert pub["referents_etp"].tolist() == vrai["referents_etp"].tolist()
    assert pub["places"].tolist() == vrai["places"].tolist()


def test_publication_departement_exact_seulement_les_mois_complets(base):
    vrai = valeurs_vraies(base, "moyens_mensuels", params("departement"))
    pub = publie(base, "moyens_mensuels", **params("departement"))
    # Avril et juin (complets) : exacts, comme la file active du département ; 41 / 7,5 exactement.
    assert pub["file_active"].tolist()[0] == 41 and pub["file_active"].tolist()[2] == 35
    assert math.isclose(pub["personnes_par_referent"].iloc[0], 41 / 7.5)
    # Mai (ALI08 absente) : publié par sa clé comme une case quelconque, sinon 41 − 19 redonnerait ALI08.
    mai = protection.publier_effectifs(vrai["file_active"].iloc[[1]], vrai["cle_file_active"].iloc[[1]])
    attendu_mai = mai.iloc[0]
    if pd.isna(attendu_mai):
        assert pd.isna(pub["file_active"].iloc[1]) and pd.isna(pub["personnes_par_referent"].iloc[1])
    else:
        assert pub["file_active"].iloc[1] == attendu_mai
        assert math.isclose(pub["personnes_par_referent"].iloc[1], attendu_mai / 4)
    # Avec un filtre ALI, plus rien n'est exact : ALI04 seule est masquée.
    seule = publie(base, "moyens_mensuels", **params("departement", ["ALI04"]))
    assert seule["file_active"].isna().all() and seule["personnes_par_referent"].isna().all()


def test_cout_par_place_sans_cle_passe_tel_quel(base):
    vrai = valeurs_vraies(base, "cout_par_place", {"as_of": D, "groupe": "departement", "alis": None})
    pub = publie(base, "cout_par_place", as_of=D, groupe="departement", alis=None)
    pd.testing.assert_frame_equal(pub, vrai)
