"""Indicateurs du contrat §5 sur de petites bases construites à la main.

Chaque attendu est calculé dans un commentaire à partir des lignes insérées ; la série mensuelle de
file active est en plus comparée à un comptage direct en Python, fin de mois par fin de mois, sur
un jeu aléatoire (graine fixe) où une même personne a des épisodes qui se chevauchent.
"""

from __future__ import annotations

import calendar
import json
import random
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from insertion import formats
from insertion import indicators as ind
from insertion.store.db import ouvrir_en_ecriture, preparer_indicateurs
from insertion.store.requetes import Perimetre, Periode, executer

EXTRACTION = date(2026, 10, 31)
DEP = ind.DEPARTEMENT

# Une commune par ALI, et l'EPT de chaque commune (référentiel livré dans data/).
COMMUNE = {"ALI01": "93066", "ALI04": "93027", "ALI08": "93048", "ALI14": "93014"}
EPT = {
    "93066": "Plaine Commune",
    "93027": "Plaine Commune",
    "93059": "Plaine Commune",
    "93079": "Plaine Commune",
    "93048": "Est Ensemble",
    "93014": "Grand Paris Grand Est",
    "93047": "Grand Paris Grand Est",
    "93015": "Grand Paris Grand Est",
}

_COLONNES = (
    "id_chargement, id_beneficiaire, code_ali, code_commune, date_orientation, type_parcours, "
    "date_diag_numerique, date_diag_linguistique, date_sortie, motif_sortie, tranche_age, sexe, date_extraction"
)


@pytest.fixture
def con(tmp_path):
    with ouvrir_en_ecriture(tmp_path / "test.duckdb") as connexion:
        yield connexion


def ajoute(
    con,
    ident: str,
    ali: str,
    orientation: date,
    *,
    sortie: date | None = None,
    motif: str | None = None,
    diag_num: date | None = None,
    diag_ling: date | None = None,
    commune: str | None = None,
    parcours: str = "social",
    age: str = "25_34",
    sexe: str = "F",
    extraction: date = EXTRACTION,
    preparer: bool = True,
) -> None:
    if sortie is not None and motif is None:
        motif = "autre"
    con.execute(
        f"INSERT INTO episodes ({_COLONNES}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            1,
            f"benef_{ident}",
            ali,
            commune or COMMUNE[ali],
            orientation,
            parcours,
            diag_num,
            diag_ling,
            sortie,
            motif,
            age,
            sexe,
            extraction,
        ],
    )
    # Comme le chargeur : l'instantané courant de l'ALI porte la date de ses épisodes (date D par défaut).
    con.execute("DELETE FROM instantanes WHERE code_ali = $ali", {"ali": ali})
    con.execute(
        "INSERT INTO instantanes SELECT code_ali, max(date_extraction), 1, count(*), true FROM episodes "
        "WHERE code_ali = $ali GROUP BY code_ali",
        {"ali": ali},
    )
    # Comme après un chargement : les indicateurs lisent les colonnes préparées des épisodes.
    if preparer:
        preparer_indicateurs(con)


def budget(con, annee: int, code_ali: str | None, ligne: str, vote: float, execute: float | None) -> None:
    con.execute("INSERT INTO budget VALUES (1, ?, ?, ?, ?, ?)", [annee, code_ali, ligne, vote, execute])


def par_groupe(df: pd.DataFrame, colonne: str) -> dict:
    return dict(zip(df["groupe"], df[colonne], strict=True))


def fin_de_mois(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def mois_suivant(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def en_dates(serie: pd.Series) -> list[date]:
    return [pd.Timestamp(x).date() for x in serie]


# --- Base vide, forme du résultat ------------------------------------------------------------------


def test_base_sans_episode_leve_une_erreur_en_francais(con):
    with pytest.raises(ValueError, match="aucun épisode"):
        ind.calculer(con)
    with pytest.raises(ValueError, match="aucun épisode"):
        ind.calculer(con, as_of=date(2026, 1, 1))


def test_compute_forme_exacte_et_json(con):
    # Un épisode ouvert le 2026-01-05, D par défaut = date d'extraction 2026-10-31.
    ajoute(con, "a1", "ALI01", date(2026, 1, 5))
    r = ind.calculer(con)
    assert list(r) == [
        "as_of",
        "file_active",
        "entrees",
        "sorties",
        "sorties_par_motif",
        "sorties_par_groupe",
        "diag_numerique",
        "diag_linguistique",
        "sortie_emploi_12m",
        "emploi_durable_12m",
    ]
    assert r["as_of"] == "2026-10-31"
    assert (r["file_active"], r["entrees"], r["sorties"], r["sorties_par_motif"]) == (1, 1, 0, {})
    assert r["sorties_par_groupe"] == {}  # aucune sortie : aucun groupe
    # Orienté le 2026-01-05 <= D - 90 = 2026-08-02 : dans la cohorte, pas de diagnostic -> taux 0, pas de médiane.
    assert r["diag_numerique"] == {"taux_90j": 0.0, "delai_median_j": None, "denominateur": 1}
    assert set(r["diag_linguistique"]) == {"taux_90j", "delai_median_j", "denominateur"}
    # Orienté après D - 365 = 2025-10-31 : cohorte à 12 mois vide -> None.
    assert r["sortie_emploi_12m"] == {"taux": None, "denominateur": 0}
    assert r["emploi_durable_12m"] == {"taux": None, "denominateur": 0}
    assert json.loads(json.dumps(r)) == r
    assert all(type(r[k]) is int for k in ("file_active", "entrees", "sorties"))


def test_as_of_par_defaut_est_la_date_commune_du_territoire(con):
    # Deux ALI extraites à des dates différentes : D par défaut = la dernière date que les deux ont fournie
    # (la plus ancienne), pas celle de l'ALI en avance ; une ALI seule, ou son EPT, garde la sienne.
    ajoute(con, "a1", "ALI01", date(2026, 1, 5), extraction=date(2026, 9, 30))
    ajoute(con, "a2", "ALI08", date(2026, 1, 5), extraction=date(2026, 10, 15))
    assert ind.calculer(con)["as_of"] == "2026-09-30"
    assert ind.calculer(con, perimetre=Perimetre(alis=("ALI08",)))["as_of"] == "2026-10-15"
    assert ind.calculer(con, perimetre=Perimetre(epts=("Est Ensemble",)))["as_of"] == "2026-10-15"
    assert ind.calculer(con, perimetre=Perimetre(epts=("Plaine Commune",)))["as_of"] == "2026-09-30"
    assert ind.calculer(con, perimetre=Perimetre(sexes=("M",)))["as_of"] == "2026-09-30"  # le profil ne date rien
    assert ind.calculer(con, as_of="2026-03-01")["as_of"] == "2026-03-01"


def test_periode_inversee_refusee(con):
    ajoute(con, "a1", "ALI01", date(2026, 1, 5))
    with pytest.raises(ValueError, match="Période vide"):
        ind.calculer(con, debut=date(2026, 5, 1), fin=date(2026, 4, 1))


def test_regroupement_et_diagnostic_en_liste_blanche(con):
    ajoute(con, "a1", "ALI01", date(2026, 1, 5))
    periode = Periode(EXTRACTION)
    with pytest.raises(ValueError, match="Regroupement inconnu"):
        ind.file_active(con, periode, groupe="code_ali; DROP TABLE episodes")
    with pytest.raises(ValueError, match="Diagnostic inconnu"):
        ind.taux_diagnostic(con, periode, diagnostic="auditif")
    with pytest.raises(ValueError, match="Regroupement inconnu"):
        ind.budget_annuel(con, groupe="commune")
    # Le SQL se protège aussi quand on l'appelle directement.
    with pytest.raises(duckdb.Error, match="Regroupement inconnu"):
        executer(con, "file_active", as_of=EXTRACTION, groupe="sexe", **Perimetre().parametres())


# --- File active ------------------------------------------------------------------------------------


def test_file_active_sortie_le_jour_D_et_le_lendemain(con):
    d = date(2026, 10, 30)  # D la veille de l'extraction, pour pouvoir sortir le lendemain de D
    ajoute(con, "ouvert", "ALI01", date(2026, 1, 10))  # actif
    ajoute(con, "sorti_le_jour_D", "ALI01", date(2026, 2, 1), sortie=d)  # sortie = D : plus actif
    ajoute(con, "sorti_le_lendemain", "ALI01", date(2026, 3, 1), sortie=d + timedelta(days=1))  # actif à D
    ajoute(con, "oriente_le_jour_D", "ALI01", d)  # orientation = D : actif
    ajoute(con, "oriente_le_lendemain", "ALI01", d + timedelta(days=1))  # pas encore orienté à D
    ajoute(con, "sorti_avant", "ALI01", date(2025, 1, 1), sortie=date(2025, 6, 1))  # sorti
    # Actifs à D : ouvert, sorti_le_lendemain, oriente_le_jour_D = 3.
    assert ind.calculer(con, as_of=d)["file_active"] == 3
    # Le lendemain (= extraction) : sorti_le_lendemain sort ce jour-là, oriente_le_lendemain entre : 3 encore,
    # mais pas les mêmes.
    assert ind.calculer(con, as_of=d + timedelta(days=1))["file_active"] == 3
    # Au 2026-02-15 : ouvert et sorti_le_jour_D (pas encore sorti) = 2.
    assert ind.calculer(con, as_of=date(2026, 2, 15))["file_active"] == 2


def test_personne_dans_deux_ali_comptee_une_fois_au_departement(con):
    # X suivi à ALI01 (Plaine Commune) et à ALI08 (Est Ensemble), avec en plus deux épisodes qui se
    # chevauchent à ALI01 ; Y suivi à ALI01 seulement ; Z sorti.
    ajoute(con, "X", "ALI01", date(2025, 3, 1))
    ajoute(con, "X", "ALI01", date(2025, 9, 1))
    ajoute(con, "X", "ALI08", date(2025, 5, 1))
    ajoute(con, "Y", "ALI01", date(2025, 4, 1))
    ajoute(con, "Z", "ALI08", date(2025, 4, 1), sortie=date(2025, 12, 1))
    periode = Periode(EXTRACTION)
    # Département : X, Y = 2 personnes (4 épisodes actifs).
    assert par_groupe(ind.file_active(con, periode), "file_active") == {DEP: 2}
    # Par ALI : ALI01 = X, Y ; ALI08 = X (Z est sorti). X compte dans chacune.
    assert par_groupe(ind.file_active(con, periode, groupe="ali"), "file_active") == {"ALI01": 2, "ALI08": 1}
    assert par_groupe(ind.file_active(con, periode, groupe="ept"), "file_active") == {
        "Est Ensemble": 1,
        "Plaine Commune": 2,
    }
    assert par_groupe(ind.file_active(con, periode, groupe="commune"), "file_active") == {"93048": 1, "93066": 2}
    # Au 2025-06-30, Z est encore suivi à ALI08 : ALI08 = X, Z.
    juin = Periode(date(2025, 6, 30))
    assert par_groupe(ind.file_active(con, juin, groupe="ali"), "file_active") == {"ALI01": 2, "ALI08": 2}


def test_filtres_du_perimetre(con):
    # Quatre personnes actives, d'attributs différents.
    ajoute(con, "f_ali01", "ALI01", date(2025, 1, 1), sexe="F", age="moins_25", parcours="social")
    ajoute(con, "m_ali04", "ALI04", date(2025, 1, 1), sexe="M", age="25_34", parcours="professionnel")
    ajoute(con, "f_ali08", "ALI08", date(2025, 1, 1), sexe="F", age="55_plus", parcours="socio_professionnel")
    ajoute(con, "m_ali14", "ALI14", date(2025, 1, 1), sexe="M", age="55_plus", parcours="social")

    def fa(**filtres) -> int:
        return ind.calculer(con, perimetre=Perimetre(**filtres))["file_active"]

    assert fa() == 4
    assert fa(alis=("ALI01",)) == 1
    assert fa(alis=("ALI01", "ALI14")) == 2
    assert fa(epts=("Plaine Commune",)) == 2  # ALI01 (93066) et ALI04 (93027)
    assert fa(communes=("93027",)) == 1
    assert fa(sexes=("F",)) == 2
    assert fa(ages=("55_plus",)) == 2
    assert fa(parcours=("social",)) == 2
    assert fa(epts=("Plaine Commune",), sexes=("M",)) == 1  # m_ali04 seulement
    assert fa(alis=("ALI22",)) == 0  # périmètre vide : 0, pas d'erreur
    vide = ind.calculer(con, perimetre=Perimetre(alis=("ALI22",)))
    assert vide["diag_numerique"] == {"taux_90j": None, "delai_median_j": None, "denominateur": 0}
    assert vide["sorties_par_motif"] == {}


# --- Entrées, sorties ---------------------------------------------------------------------------------


def test_entrees_sorties_periode_plafonnee_a_D(con):
    d = date(2026, 6, 30)
    ajoute(con, "e1", "ALI01", date(2026, 1, 15), sortie=date(2026, 6, 30))  # entre et sort dans P
    ajoute(con, "e2", "ALI01", date(2025, 12, 31), sortie=date(2026, 1, 1))  # entre avant P, sort dans P
    ajoute(con, "e3", "ALI01", date(2026, 6, 30), sortie=date(2026, 7, 1))  # entre le jour D ; sort après D
    ajoute(con, "e4", "ALI01", date(2026, 7, 15))  # entre après D
    # P = [2026-01-01, 2026-12-31] plafonnée à D = 2026-06-30.
    # Entrées : e1, e3 = 2 (e2 avant P, e4 après D) ; sorties : e1, e2 = 2 (e3 sort après D).
    r = ind.calculer(con, as_of=d, debut=date(2026, 1, 1), fin=date(2026, 12, 31))
    assert (r["entrees"], r["sorties"]) == (2, 2)
    # Même résultat qu'une fin ouverte ; sans plafond on aurait compté e4 et la sortie de e3.
    assert ind.calculer(con, as_of=d, debut=date(2026, 1, 1)) == r
    # Toutes périodes : entrées e1, e2, e3 = 3.
    assert ind.calculer(con, as_of=d)["entrees"] == 3
    # Le SQL plafonne lui-même : appelé directement avec une fin après D, il ne compte ni e4 ni la sortie de e3.
    for requete in ("entrees_sorties", "entrees_sorties_mensuelles"):
        df = executer(
            con,
            requete,
            as_of=d,
            debut=date(2026, 1, 1),
            fin=date(2026, 12, 31),
            groupe="departement",
            **Perimetre().parametres(),
        )
        assert (df["entrees"].sum(), df["sorties"].sum()) == (2, 2)


def test_entrees_sorties_mensuelles(con):
    ajoute(con, "a", "ALI01", date(2026, 1, 31), sortie=date(2026, 3, 1))
    ajoute(con, "b", "ALI01", date(2026, 1, 1), sortie=date(2026, 1, 20))
    ajoute(con, "c", "ALI08", date(2026, 3, 15), sortie=date(2026, 3, 31))
    ajoute(con, "d", "ALI08", date(2026, 4, 10))
    d = date(2026, 4, 30)
    df = ind.entrees_sorties_mensuelles(con, Periode(d), groupe="ali")
    lignes = list(zip(df["groupe"], en_dates(df["mois"]), df["entrees"], df["sorties"], strict=True))
    # Série de janvier (première orientation) à avril (mois de D), chaque mois présent même vide.
    # ALI01 : janvier 2 entrées (a, b) 1 sortie (b) ; février rien ; mars 1 sortie (a) ; avril rien.
    # ALI08 : mars 1 entrée 1 sortie (c) ; avril 1 entrée (d).
    assert lignes == [
        ("ALI01", date(2026, 1, 1), 2, 1),
        ("ALI01", date(2026, 2, 1), 0, 0),
        ("ALI01", date(2026, 3, 1), 0, 1),
        ("ALI01", date(2026, 4, 1), 0, 0),
        ("ALI08", date(2026, 1, 1), 0, 0),
        ("ALI08", date(2026, 2, 1), 0, 0),
        ("ALI08", date(2026, 3, 1), 1, 1),
        ("ALI08", date(2026, 4, 1), 1, 0),
    ]
    # Période commençant le 2026-01-15 : l'entrée de b (01-01) ne compte plus, sa sortie (01-20) si.
    dep = ind.entrees_sorties_mensuelles(con, Periode(d, debut=date(2026, 1, 15)))
    assert list(zip(dep["entrees"], dep["sorties"], strict=True)) == [(1, 1), (0, 0), (1, 2), (1, 0)]
    # La somme des mois égale le total de la période.
    total = ind.entrees_sorties(con, Periode(d, debut=date(2026, 1, 15)))
    assert (total["entrees"][0], total["sorties"][0]) == (dep["entrees"].sum(), dep["sorties"].sum())


# --- Diagnostics ------------------------------------------------------------------------------------


def _fixture_diagnostics(con):
    # D = 2026-10-31, D - 90 = 2026-08-02. Jour 90 après le 2026-01-01 = 2026-04-01 (31 + 28 + 31 jours).
    ajoute(con, "jour90", "ALI01", date(2026, 1, 1), diag_num=date(2026, 4, 1))  # délai 90 : compte
    ajoute(con, "jour91", "ALI01", date(2026, 1, 1), diag_num=date(2026, 4, 2))  # délai 91 : ne compte pas
    ajoute(con, "limite", "ALI08", date(2026, 8, 2))  # orienté à D - 90 : dans la cohorte, sans diagnostic
    ajoute(con, "recent", "ALI08", date(2026, 8, 3), diag_num=date(2026, 8, 13))  # D - 89 : hors cohorte ; délai 10
    ajoute(con, "rapide", "ALI01", date(2026, 2, 1), diag_num=date(2026, 2, 21), diag_ling=date(2026, 2, 6))


def test_diagnostic_numerique_90_jours_et_mediane_paire(con):
    _fixture_diagnostics(con)
    r = ind.calculer(con)["diag_numerique"]
    # Cohorte : jour90, jour91, limite, rapide = 4 (recent orienté après D - 90).
    # Numérateur : jour90 (délai 90), rapide (20) = 2 -> 0,5.
    # Délais des diagnostics datés <= D (cohorte ou non) : 90, 91, 10, 20 -> triés 10, 20, 90, 91 ;
    # médiane = (20 + 90) / 2 = 55.
    assert r == {"taux_90j": 0.5, "delai_median_j": 55.0, "denominateur": 4}


def test_diagnostic_linguistique_lit_sa_propre_colonne(con):
    _fixture_diagnostics(con)
    r = ind.calculer(con)["diag_linguistique"]
    # Seul « rapide » a un diagnostic linguistique, à 5 jours : 1 / 4, médiane 5.
    assert r == {"taux_90j": 0.25, "delai_median_j": 5.0, "denominateur": 4}


def test_diagnostic_par_ali(con):
    _fixture_diagnostics(con)
    df = ind.taux_diagnostic(con, Periode(EXTRACTION), groupe="ali")
    # ALI01 : jour90, jour91, rapide -> 2 / 3 ; délais 90, 91, 20 -> médiane 90.
    # ALI08 : limite -> 0 / 1 ; délai de recent 10.
    assert par_groupe(df, "denominateur") == {"ALI01": 3, "ALI08": 1}
    assert par_groupe(df, "numerateur") == {"ALI01": 2, "ALI08": 0}
    assert par_groupe(df, "taux_90j") == pytest.approx({"ALI01": 2 / 3, "ALI08": 0.0})
    assert par_groupe(df, "delai_median_j") == {"ALI01": 90.0, "ALI08": 10.0}


def test_diagnostic_date_apres_D_ignore_pour_la_mediane(con):
    _fixture_diagnostics(con)
    r = ind.calculer(con, as_of=date(2026, 4, 1))["diag_numerique"]
    # D = 2026-04-01, D - 90 = 2026-01-01 : cohorte jour90, jour91 ; jour90 diagnostiqué le jour 90 (= D) -> 1/2.
    # Médiane sur les diagnostics datés <= D : jour90 (90), rapide (20) -> 55 ; compter le diagnostic
    # de jour91 (2026-04-02, après D) donnerait 90.
    assert r == {"taux_90j": 0.5, "delai_median_j": 55.0, "denominateur": 2}


def test_diagnostic_cohorte_vide(con):
    _fixture_diagnostics(con)
    # P à partir du 2026-08-03 : seul « recent », orienté après D - 90 -> dénominateur 0, taux None ;
    # son diagnostic (délai 10) est daté <= D, la médiane existe.
    r = ind.calculer(con, debut=date(2026, 8, 3))["diag_numerique"]
    assert r == {"taux_90j": None, "delai_median_j": 10.0, "denominateur": 0}
    # P sans aucune orientation : tout est vide.
    r = ind.calculer(con, debut=date(2026, 9, 1))["diag_numerique"]
    assert r == {"taux_90j": None, "delai_median_j": None, "denominateur": 0}


# --- Sorties en emploi, sorties par motif -------------------------------------------------------------


def _fixture_sorties(con):
    # D = 2026-10-31, D - 365 = 2025-10-31. Jour 365 après le 2025-01-01 = 2026-01-01.
    o = date(2025, 1, 1)
    ajoute(con, "s1", "ALI01", o, sortie=date(2026, 1, 1), motif="emploi_durable")  # jour 365 : compte
    ajoute(con, "s2", "ALI01", o, sortie=date(2026, 1, 2), motif="emploi_durable")  # jour 366 : ne compte pas
    ajoute(con, "s3", "ALI01", o, sortie=date(2025, 6, 1), motif="creation_entreprise")  # emploi et durable
    ajoute(con, "s4", "ALI08", o, sortie=date(2025, 6, 1), motif="emploi_transition")  # emploi, pas durable
    ajoute(con, "s5", "ALI08", o, sortie=date(2025, 6, 1), motif="formation")  # ni l'un ni l'autre
    ajoute(con, "s6", "ALI08", o)  # pas sorti
    ajoute(con, "s7", "ALI08", date(2025, 11, 1), sortie=date(2026, 3, 1), motif="emploi_durable")  # hors cohorte
    ajoute(con, "s8", "ALI08", date(2025, 10, 31), sortie=date(2026, 2, 1), motif="emploi_transition")  # D - 365
    con.execute(  # une sortie sans motif (le chargeur la range en non_renseigne ; ici on teste le SQL seul)
        f"INSERT INTO episodes ({_COLONNES}) VALUES (1, 'benef_s9', 'ALI01', '93066', DATE '2026-02-01', "
        "'social', NULL, NULL, DATE '2026-03-01', NULL, '25_34', 'F', ?)",
        [EXTRACTION],
    )
    preparer_indicateurs(con)


def test_sortie_emploi_12_mois(con):
    _fixture_sorties(con)
    r = ind.calculer(con)
    # Cohorte : s1..s6 et s8 = 7 (s7 et s9 orientés après D - 365).
    # Sortie en emploi : s1, s3, s4, s8 = 4 ; emploi durable : s1, s3 = 2.
    assert r["sortie_emploi_12m"] == {"taux": pytest.approx(4 / 7), "denominateur": 7}
    assert r["emploi_durable_12m"] == {"taux": pytest.approx(2 / 7), "denominateur": 7}
    df = ind.taux_sortie_emploi(con, Periode(EXTRACTION), groupe="ali")
    # ALI01 : s1, s2, s3 -> emploi 2 (s1, s3), durable 2. ALI08 : s4, s5, s6, s8 -> emploi 2 (s4, s8), durable 0.
    assert par_groupe(df, "denominateur") == {"ALI01": 3, "ALI08": 4}
    assert par_groupe(df, "n_sortie_emploi") == {"ALI01": 2, "ALI08": 2}
    assert par_groupe(df, "n_emploi_durable") == {"ALI01": 2, "ALI08": 0}
    assert par_groupe(df, "taux_emploi_durable") == {"ALI01": pytest.approx(2 / 3), "ALI08": 0.0}


def test_sorties_par_motif(con):
    _fixture_sorties(con)
    r = ind.calculer(con)
    # Toutes les sorties datées <= D : s1, s2, s7 emploi_durable ; s4, s8 emploi_transition ; s3 création ;
    # s5 formation ; s9 sans motif -> non_renseigne. 8 au total = les sorties de la période.
    assert r["sorties_par_motif"] == {
        "emploi_durable": 3,
        "emploi_transition": 2,
        "creation_entreprise": 1,
        "formation": 1,
        "non_renseigne": 1,
    }
    assert sum(r["sorties_par_motif"].values()) == r["sorties"] == 8
    df = ind.sorties_par_motif(con, Periode(EXTRACTION))
    # Par groupe de motifs : emploi durable 3 + 1 = 4 ; sortie en emploi 4 + 2 = 6 ; dynamique 6 + 1 = 7.
    assert df.loc[df["emploi_durable"], "sorties"].sum() == 4
    assert df.loc[df["sortie_emploi"], "sorties"].sum() == 6
    assert df.loc[df["sortie_dynamique"], "sorties"].sum() == 7
    assert dict(zip(df["motif_sortie"], df["libelle"], strict=True))["formation"].startswith("Formation")
    # Sur janvier 2026 : s1 (01-01) et s2 (01-02) seulement.
    janvier = ind.calculer(con, debut=date(2026, 1, 1), fin=date(2026, 1, 31))
    assert janvier["sorties_par_motif"] == {"emploi_durable": 2}
    # Par ALI : ALI01 a s1, s2 (durable), s3, s9 ; ALI08 a s7 (durable), s4, s8, s5.
    par_ali = ind.sorties_par_motif(con, Periode(EXTRACTION), groupe="ali")
    assert par_ali.groupby("groupe")["sorties"].sum().to_dict() == {"ALI01": 4, "ALI08": 4}


# --- File active mensuelle : formulation par événements contre comptage direct -----------------------


def _jeu_aleatoire(graine: int) -> list[dict]:
    """~300 épisodes de 60 personnes ; une personne a 1 à 8 épisodes dans 1 ou 2 ALI, souvent chevauchants,
    avec des sorties le jour même, en fin de mois, le 1er du mois suivant, et des épisodes ouverts."""
    rnd = random.Random(graine)
    communes = {"ALI01": ["93066"], "ALI02": ["93059", "93079"], "ALI08": ["93048"], "ALI14": ["93014", "93047"]}
    debut, fin = date(2023, 1, 1), EXTRACTION
    episodes = []
    for p in range(60):
        alis = rnd.sample(sorted(communes), rnd.choice([1, 1, 2]))
        sexe = rnd.choice("FM")
        commune_de = {a: rnd.choice(communes[a]) for a in alis}
        for _ in range(rnd.randint(1, 8)):
            ali = rnd.choice(alis)
            orientation = debut + timedelta(days=rnd.randrange((fin - debut).days + 1))
            tirage = rnd.random()
            if tirage < 0.25:
                sortie = None
            elif tirage < 0.35:
                sortie = orientation  # sortie le jour même
            elif tirage < 0.5:
                sortie = fin_de_mois(orientation + timedelta(days=rnd.randrange(0, 400)))  # un dernier jour de mois
            elif tirage < 0.6:
                sortie = mois_suivant(orientation + timedelta(days=rnd.randrange(0, 400)))  # un 1er du mois
            else:
                sortie = orientation + timedelta(days=rnd.randrange(0, 500))
            if sortie is not None and sortie > fin:
                sortie = None
            episode = {
                "id": f"p{p:03d}",
                "ali": ali,
                "commune": commune_de[ali],
                "orientation": orientation,
                "sortie": sortie,
                "sexe": sexe,
            }
            episodes.append(episode)
            if rnd.random() < 0.1 and orientation.day > 1 and (sortie is None or sortie.day > 1):
                # Un jumeau : mêmes mois d'orientation et de sortie, donc le même intervalle de fins de mois.
                jumeau = dict(episode, orientation=orientation - timedelta(days=1))
                jumeau["sortie"] = sortie and max(sortie - timedelta(days=1), jumeau["orientation"])
                episodes.append(jumeau)
    return episodes


def _cle(e: dict, groupe: str) -> str:
    return {"departement": DEP, "ali": e["ali"], "ept": EPT[e["commune"]], "commune": e["commune"]}[groupe]


def _serie_directe(episodes, d, debut, fin, groupe):
    """La définition, fin de mois par fin de mois (le mois de D pris à D)."""
    connus = [e for e in episodes if e["orientation"] <= d]
    if not connus:
        return []
    dernier = min(fin or d, d).replace(day=1)
    mois = max((debut or date(1900, 1, 1)).replace(day=1), min(e["orientation"] for e in connus).replace(day=1))
    lignes = []
    groupes = sorted({_cle(e, groupe) for e in connus})
    while mois <= dernier:
        ref = min(fin_de_mois(mois), d)
        for g in groupes:
            actifs = {
                e["id"]
                for e in connus
                if _cle(e, groupe) == g and e["orientation"] <= ref and (e["sortie"] is None or e["sortie"] > ref)
            }
            lignes.append((g, mois, ref, len(actifs)))
        mois = mois_suivant(mois)
    return sorted(lignes)


@pytest.fixture(scope="module")
def con_aleatoire(tmp_path_factory):
    """Une base pour tout le fichier (300 insertions une à une : 2 à 5 s ; 20 tests la lisent sans l'écrire)."""
    episodes = _jeu_aleatoire(20241)
    with ouvrir_en_ecriture(tmp_path_factory.mktemp("aleatoire") / "test.duckdb") as con:
        for e in episodes:
            ajoute(
                con, e["id"], e["ali"], e["orientation"], sortie=e["sortie"], commune=e["commune"], sexe=e["sexe"],
                preparer=False,
            )  # fmt: skip
        preparer_indicateurs(con)  # une fois pour les 300 épisodes, comme un chargement
        yield con, episodes


def test_jeu_aleatoire_est_exigeant(con_aleatoire):
    # Le jeu contient bien ce que la formulation par événements doit traiter.
    _, episodes = con_aleatoire
    assert 200 <= len(episodes) <= 400
    par_personne: dict[tuple, list] = {}
    for e in episodes:
        par_personne.setdefault((e["id"], e["ali"]), []).append(e)
    chevauchements = sum(
        1
        for eps in par_personne.values()
        for a in eps
        for b in eps
        if a is not b
        and a["orientation"] <= b["orientation"]
        and (a["sortie"] is None or a["sortie"] > b["orientation"])
    )
    assert chevauchements > 50
    assert sum(e["sortie"] is None for e in episodes) > 30
    assert sum(e["sortie"] == e["orientation"] for e in episodes) > 5
    assert len({e["id"] for e in episodes if len({x["ali"] for x in episodes if x["id"] == e["id"]}) > 1}) > 5
    mois = {
        (e["id"], e["ali"], e["orientation"].replace(day=1), e["sortie"] and e["sortie"].replace(day=1))
        for e in episodes
    }
    assert len(episodes) - len(mois) > 5  # intervalles identiques d'une même personne


@pytest.mark.parametrize("groupe", ind.GROUPES)
@pytest.mark.parametrize(
    ("d", "debut", "fin"),
    [
        (EXTRACTION, None, None),  # toute l'histoire, D en fin de mois
        (date(2025, 6, 15), None, None),  # D en milieu de mois, avant des orientations et des sorties connues
        (date(2026, 3, 10), date(2024, 2, 20), date(2025, 11, 5)),  # fenêtre ; épisodes antérieurs reportés
        (date(2025, 1, 31), date(2024, 7, 1), date(2027, 1, 1)),  # fin plafonnée à D
    ],
)
def test_file_active_mensuelle_egale_le_comptage_direct(con_aleatoire, groupe, d, debut, fin):
    con, episodes = con_aleatoire
    df = ind.file_active_mensuelle(con, Periode(d, debut, fin), groupe=groupe)
    obtenu = sorted(
        zip(df["groupe"], en_dates(df["mois"]), en_dates(df["date_reference"]), df["file_active"], strict=True)
    )
    attendu = _serie_directe(episodes, d, debut, fin, groupe)
    assert len(attendu) >= 7 and len({ligne[3] for ligne in attendu}) > 2  # une vraie série, pas des zéros
    assert obtenu == attendu


@pytest.mark.parametrize(
    "perimetre",
    [Perimetre(sexes=("F",)), Perimetre(alis=("ALI01", "ALI14")), Perimetre(epts=("Plaine Commune",))],
)
def test_file_active_mensuelle_filtree_egale_le_comptage_direct(con_aleatoire, perimetre):
    con, episodes = con_aleatoire
    retenus = [
        e
        for e in episodes
        if (not perimetre.sexes or e["sexe"] in perimetre.sexes)
        and (not perimetre.alis or e["ali"] in perimetre.alis)
        and (not perimetre.epts or EPT[e["commune"]] in perimetre.epts)
    ]
    assert 0 < len(retenus) < len(episodes)
    for groupe in ("departement", "ali"):
        df = ind.file_active_mensuelle(con, Periode(EXTRACTION), perimetre, groupe=groupe)
        obtenu = sorted(
            zip(df["groupe"], en_dates(df["mois"]), en_dates(df["date_reference"]), df["file_active"], strict=True)
        )
        assert obtenu == _serie_directe(retenus, EXTRACTION, None, None, groupe)


def test_file_active_mensuelle_intervalles_identiques_et_contigus(con):
    # X à ALI01 : deux épisodes actifs fin janvier et fin février (intervalles identiques), puis un
    # troisième actif fin mars et fin avril (contigu) ; sorti le 2025-05-02. Y actif fin février seulement.
    ajoute(con, "X", "ALI01", date(2025, 1, 10), sortie=date(2025, 3, 5))
    ajoute(con, "X", "ALI01", date(2025, 1, 20), sortie=date(2025, 3, 10))
    ajoute(con, "X", "ALI01", date(2025, 3, 15), sortie=date(2025, 5, 2))
    ajoute(con, "Y", "ALI01", date(2025, 2, 1), sortie=date(2025, 3, 1))
    df = ind.file_active_mensuelle(con, Periode(date(2025, 6, 30)))
    # Fins de janvier à juin : X ; X et Y ; X ; X ; personne ; personne.
    assert df["file_active"].to_list() == [1, 2, 1, 1, 0, 0]


def test_file_active_mensuelle_a_grande_echelle_contre_une_jointure_directe(con):
    # 30 000 épisodes de 6 000 personnes (beaucoup d'intervalles identiques ou chevauchants), sur
    # plusieurs fils : la formulation par événements doit égaler, mois par mois et commune par commune,
    # le comptage direct (jointure sur un calendrier, lente mais évidente, écrite ici pour le test).
    con.execute("SET threads = 4")
    con.execute(
        f"""INSERT INTO episodes ({_COLONNES})
        SELECT 1, 'benef_' || (i % 6000), a.code_ali, a.code_commune,
               DATE '2023-01-01' + CAST(hash(i) % 1400 AS INTEGER), 'social', NULL, NULL,
               CASE WHEN hash(i * 7) % 3 = 0 THEN NULL
                    ELSE least(DATE '2026-10-31', DATE '2023-01-01' + CAST(hash(i) % 1400 AS INTEGER)
                               + CAST(hash(i * 3) % 200 AS INTEGER)) END,
               'autre', '25_34', 'F', DATE '2026-10-31'
        FROM range(30000) AS t(i)
        JOIN (SELECT row_number() OVER (ORDER BY code_commune) - 1 AS k, code_ali, code_commune
              FROM ref_ali_communes) AS a ON a.k = (i // 6000 + i) % 3"""
    )
    preparer_indicateurs(con)
    direct = con.execute(
        """WITH mois AS (
            SELECT CAST(m AS DATE) AS mois, least(last_day(CAST(m AS DATE)), DATE '2026-10-31') AS ref
            FROM range(DATE '2023-01-01', DATE '2026-11-01', INTERVAL 1 MONTH) AS t(m))
        SELECT code_commune, mois, count(DISTINCT id_beneficiaire) FILTER (
                   WHERE date_orientation <= ref AND (date_sortie IS NULL OR date_sortie > ref))
        FROM mois, episodes GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    df = ind.file_active_mensuelle(con, Periode(EXTRACTION), groupe="commune")
    obtenu = list(zip(df["groupe"], en_dates(df["mois"]), df["file_active"], strict=True))
    assert len(direct) == 3 * 46 and max(n for _, _, n in direct) > 100
    assert obtenu == direct


def test_dernier_point_mensuel_egale_la_file_active_a_D(con_aleatoire):
    con, _ = con_aleatoire
    d = date(2025, 6, 15)
    df = ind.file_active_mensuelle(con, Periode(d), groupe="ali")
    dernier = df[df["mois"] == pd.Timestamp(2025, 6, 1)]
    assert set(en_dates(dernier["date_reference"])) == {d}
    assert par_groupe(dernier, "file_active") == par_groupe(
        ind.file_active(con, Periode(d), groupe="ali"), "file_active"
    )


def test_entrees_sorties_mensuelles_egalent_le_comptage_direct(con_aleatoire):
    con, episodes = con_aleatoire
    d, debut = date(2026, 3, 10), date(2024, 2, 20)
    df = ind.entrees_sorties_mensuelles(con, Periode(d, debut), groupe="ept")
    obtenu = {
        (g, m): (n_e, n_s)
        for g, m, n_e, n_s in zip(df["groupe"], en_dates(df["mois"]), df["entrees"], df["sorties"], strict=True)
    }
    attendu: dict[tuple, list[int]] = {}
    for e in episodes:
        g = EPT[e["commune"]]
        if debut <= e["orientation"] <= d:
            attendu.setdefault((g, e["orientation"].replace(day=1)), [0, 0])[0] += 1
        if e["sortie"] and debut <= e["sortie"] <= d:
            attendu.setdefault((g, e["sortie"].replace(day=1)), [0, 0])[1] += 1
    # Les mois non nuls égalent le comptage direct ; tous les mois de février 2024 à mars 2026 figurent.
    assert {k: v for k, v in obtenu.items() if v != (0, 0)} == {k: tuple(v) for k, v in attendu.items()}
    assert len(obtenu) == len({g for g, _ in obtenu}) * 26


# --- Budget et coût par personne ------------------------------------------------------------------


def _fixture_budget(con):
    # Crédits d'insertion publiés : 23 M€ (2021) -> 33 M€ (2022) -> 46 M€ (2023).
    budget(con, 2021, None, "accompagnement_ali", 20e6, 19e6)
    budget(con, 2021, "ALI01", "diagnostics", 3e6, 2.4e6)
    budget(con, 2022, None, "accompagnement_ali", 30e6, 27e6)
    budget(con, 2022, "ALI01", "diagnostics", 3e6, 3e6)
    budget(con, 2023, None, "accompagnement_ali", 40e6, None)  # exercice ouvert
    budget(con, 2023, "ALI01", "diagnostics", 6e6, 5e6)


def test_budget_annuel_taux_execution_et_indice_2021(con):
    _fixture_budget(con)
    df = ind.budget_annuel(con)
    total = df[df["ligne"] == "total"].set_index("annee")
    assert total["montant_vote"].to_dict() == {2021: 23e6, 2022: 33e6, 2023: 46e6}
    # Exécuté 2021 = 19 + 2,4 = 21,4 M€ -> taux 21,4 / 23 ; 2023 a une ligne ouverte : exécuté inconnu.
    assert total.loc[2021, "montant_execute"] == pytest.approx(21.4e6)
    assert total.loc[2021, "taux_execution"] == pytest.approx(21.4 / 23)
    assert pd.isna(total.loc[2023, "montant_execute"]) and pd.isna(total.loc[2023, "taux_execution"])
    # Indice voté : 100, 33/23 = 143,48, 46/23 = 200.
    assert total["indice_vote_2021"].to_list() == pytest.approx([100, 100 * 33 / 23, 200])
    # Par ligne : accompagnement 20 -> 30 -> 40 : indices 100, 150, 200 ; exécuté 19 -> 27 : 100, 142,1.
    acc = df[df["ligne"] == "accompagnement_ali"].set_index("annee")
    assert acc["indice_vote_2021"].to_list() == pytest.approx([100, 150, 200])
    assert acc.loc[2022, "indice_execute_2021"] == pytest.approx(100 * 27 / 19)
    # Chaque année : les lignes puis le total.
    assert df[df["annee"] == 2021]["ligne"].to_list() == ["accompagnement_ali", "diagnostics", "total"]


def test_budget_par_ali_et_filtre_ali(con):
    _fixture_budget(con)
    par_ali = ind.budget_annuel(con, groupe="ali")
    ali01 = par_ali[(par_ali["groupe"] == "ALI01") & (par_ali["ligne"] == "total")].set_index("annee")
    # ALI01 : 3 -> 3 -> 6 M€ votés ; 2023 exécuté 5 sur 6.
    assert ali01["indice_vote_2021"].to_list() == pytest.approx([100, 100, 200])
    assert ali01.loc[2023, "taux_execution"] == pytest.approx(5 / 6)
    assert set(par_ali["groupe"]) == {"ALI01", "non_reparti"}
    # Filtre ALI01 au niveau département : le non-ventilé ne peut pas être attribué, il sort.
    filtre = ind.budget_annuel(con, Perimetre(alis=("ALI01",)))
    assert filtre[filtre["ligne"] == "total"]["montant_vote"].to_list() == [3e6, 3e6, 6e6]


def test_cout_par_personne(con):
    # 2025 : ALI01 exécute 120 000 €, ALI08 60 000 € ; 2026 est ouvert ; 2027 est après D.
    budget(con, 2025, "ALI01", "accompagnement_ali", 150_000, 120_000)
    budget(con, 2025, "ALI08", "accompagnement_ali", 100_000, 60_000)
    budget(con, 2026, "ALI01", "accompagnement_ali", 150_000, None)
    budget(con, 2027, "ALI01", "accompagnement_ali", 150_000, 1)
    # ALI01 : p1 actif toute l'année 2025 ; p2 actif aux fins de mois de juillet à décembre.
    #   Fins de mois 2025 : 1 x 6 (janv.-juin) + 2 x 6 (juil.-déc.) -> moyenne 1,5 -> 120 000 / 1,5 = 80 000.
    ajoute(con, "p1", "ALI01", date(2024, 6, 10), sexe="F")
    ajoute(con, "p2", "ALI01", date(2025, 7, 5), sortie=date(2026, 2, 1), sexe="M")
    # ALI08 : p3 actif fin janvier, février, mars ; sorti le 30 avril, donc pas actif fin avril.
    #   Moyenne 3 / 12 = 0,25 (les mois sans personne comptent pour 0) -> 60 000 / 0,25 = 240 000.
    ajoute(con, "p3", "ALI08", date(2025, 1, 15), sortie=date(2025, 4, 30), sexe="F")
    periode = Periode(date(2026, 10, 31))
    par_ali = ind.cout_par_personne(con, periode, groupe="ali").set_index(["groupe", "annee"])
    assert par_ali.loc[("ALI01", 2025), "file_active_moyenne"] == pytest.approx(1.5)
    assert par_ali.loc[("ALI01", 2025), "cout_par_personne"] == pytest.approx(80_000)
    assert par_ali.loc[("ALI08", 2025), "file_active_moyenne"] == pytest.approx(0.25)
    assert par_ali.loc[("ALI08", 2025), "cout_par_personne"] == pytest.approx(240_000)
    # 2026 ouvert : exécuté inconnu, coût inconnu ; 10 mois observés (janvier à octobre, D = 31/10).
    assert pd.isna(par_ali.loc[("ALI01", 2026), "cout_par_personne"])
    assert par_ali.loc[("ALI01", 2026), "mois_observes"] == 10
    # 2027 : aucun mois <= D -> pas de moyenne, pas de coût.
    assert par_ali.loc[("ALI01", 2027), "mois_observes"] == 0
    assert pd.isna(par_ali.loc[("ALI01", 2027), "cout_par_personne"])
    # Département 2025 : 180 000 € / (18 + 3) / 12 = 1,75 personne en moyenne.
    dep = ind.cout_par_personne(con, periode).set_index("annee")
    assert dep.loc[2025, "cout_par_personne"] == pytest.approx(180_000 / 1.75)
    # Le budget n'est ventilé que par ALI : un filtre par sexe n'est pas appliqué (sinon 120 000 / 1 pour ALI01).
    assert ind.cout_par_personne(con, periode, Perimetre(sexes=("F",))).equals(ind.cout_par_personne(con, periode))
    # Filtre ALI01 : son budget et sa file active seulement.
    ali01 = ind.cout_par_personne(con, periode, Perimetre(alis=("ALI01",))).set_index("annee")
    assert ali01.loc[2025, "cout_par_personne"] == pytest.approx(80_000)


def test_cout_par_personne_D_en_cours_d_annee(con):
    budget(con, 2025, "ALI01", "accompagnement_ali", 150_000, 90_000)
    ajoute(con, "p1", "ALI01", date(2024, 6, 10))
    ajoute(con, "p2", "ALI01", date(2025, 2, 10), sortie=date(2025, 3, 20))
    # D = 2025-03-15 : fins de janvier (p1) = 1, février (p1, p2) = 2, mars pris à D (p1, p2) = 2.
    # Moyenne 5 / 3 -> 90 000 / (5/3) = 54 000.
    r = ind.cout_par_personne(con, Periode(date(2025, 3, 15))).iloc[0]
    assert r["mois_observes"] == 3
    assert r["file_active_moyenne"] == pytest.approx(5 / 3)
    assert r["cout_par_personne"] == pytest.approx(54_000)


def test_cout_par_personne_ali_ouverte_en_cours_d_annee(con):
    # ALI22 ouvre en 2025 : première orientation le 2025-07-05, active aux fins de juillet à décembre.
    # Les mois de janvier à juin comptent pour 0 : moyenne 6 / 12 = 0,5 -> 30 000 / 0,5 = 60 000
    # (et non 30 000 / 1 si la moyenne ne portait que sur les mois depuis l'ouverture).
    budget(con, 2025, "ALI22", "accompagnement_ali", 50_000, 30_000)
    ajoute(con, "p1", "ALI22", date(2025, 7, 5), commune="93007")
    r = ind.cout_par_personne(con, Periode(date(2026, 10, 31))).iloc[0]
    assert (r["annee"], r["mois_observes"]) == (2025, 12)
    assert r["file_active_moyenne"] == pytest.approx(0.5)
    assert r["cout_par_personne"] == pytest.approx(60_000)


# --- Texte en français ----------------------------------------------------------------------------


def test_format_text_en_francais():
    resultat = {
        "as_of": "2026-10-31",
        "file_active": 12600,
        "entrees": 1234,
        "sorties": 1,
        "sorties_par_motif": {"emploi_durable": 1},
        "diag_numerique": {"taux_90j": 0.385, "delai_median_j": 23.5, "denominateur": 1000},
        "diag_linguistique": {"taux_90j": None, "delai_median_j": None, "denominateur": 0},
        "sortie_emploi_12m": {"taux": 0.2, "denominateur": 800},
        "emploi_durable_12m": {"taux": None, "denominateur": 0},
    }
    texte = ind.mettre_en_texte(resultat)
    assert "Indicateurs au 31 octobre 2026" in texte
    assert "File active : 12\u202f600 personnes" in texte
    assert "Entrées sur la période : 1\u202f234 épisodes" in texte
    assert "Sorties sur la période : 1 épisode\n" in texte
    # Le motif seul et le groupe (contrat §3), chacun sous son libellé, jamais sous le code.
    assert "Motif emploi durable (CDI, CDD ≥ 6 mois) : 1\n" in texte
    assert "Emploi durable (y compris création d'entreprise) : 1\n" in texte
    assert "38,5\u202f% (sur 1\u202f000 orientations)" in texte
    assert "délai médian : 23,5 jours" in texte
    assert "Diagnostic linguistique à 90 jours : non calculable" in texte
    assert "Sortie en emploi à 12 mois : 20,0\u202f%" in texte
    assert "Sortie en emploi durable à 12 mois : non calculable" in texte
    assert formats.date_longue(date(2026, 11, 1)) == "1er novembre 2026"
    assert formats.date_longue(date(2024, 8, 15)) == "15 août 2024"


def test_format_text_du_resultat_reel(con):
    _fixture_diagnostics(con)
    texte = ind.mettre_en_texte(ind.calculer(con))
    # 5 personnes, aucune sortie ; diagnostic numérique 50 % sur 4, médiane 55 jours.
    assert "File active : 5 personnes" in texte
    assert "50,0\u202f% (sur 4 orientations) ; délai médian : 55 jours" in texte
    assert "Sorties par motif" not in texte
