"""Personnes à plusieurs épisodes : les indicateurs ne dédoublonnent que les personnes marquées
plusieurs_episodes (queries/macros/perimetre.sql, insertion/store/sql/episodes_indicateurs.sql). Ces tests vérifient que
ce raccourci ne change aucun chiffre :

- cas écrits à la main (une personne suivie dans deux ALI, des intervalles chevauchants, contigus ou
  identiques, une personne marquée qu'un filtre réduit à un épisode, une ALI face au département) ;
- sur un jeu aléatoire (graine fixe) riche en personnes à plusieurs épisodes, chaque requête du banc
  d'essai (benchmarks/indicateurs.py) contre sa version pandas écrite simplement (benchmarks/reference.py),
  pour plusieurs filtres et plusieurs dates d'observation.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest

from benchmarks import indicateurs, reference
from insertion import indicators as ind
from insertion.indicators import libelles
from insertion.indicators.filters import Filtres
from insertion.store.db import ouvrir_en_ecriture, preparer_indicateurs
from insertion.store.requetes import Perimetre, Periode, executer

EXTRACTION = date(2026, 10, 31)
DEP = ind.DEPARTEMENT
COMMUNE = {"ALI01": "93066", "ALI04": "93027", "ALI08": "93048", "ALI14": "93014"}
_COLONNES = (
    "id_chargement, id_beneficiaire, code_ali, code_commune, date_orientation, type_parcours, "
    "date_diag_numerique, niveau_numerique, date_diag_linguistique, niveau_linguistique, date_sortie, "
    "motif_sortie, tranche_age, sexe, composition_foyer, anciennete_rsa, date_extraction"
)


@pytest.fixture
def con(tmp_path):
    with ouvrir_en_ecriture(tmp_path / "test.duckdb") as connexion:
        yield connexion


def inserer(con, lignes: list[dict]) -> None:
    """Insère des épisodes puis prépare les colonnes des indicateurs, comme un chargement."""
    for e in lignes:
        con.execute(
            f"INSERT INTO episodes ({_COLONNES}) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                e["id"],
                e["ali"],
                e.get("commune") or COMMUNE[e["ali"]],
                e["orientation"],
                e.get("parcours", "social"),
                e.get("diag_num"),
                e.get("niveau_num"),
                e.get("diag_ling"),
                e.get("niveau_ling"),
                e.get("sortie"),
                e.get("motif", "autre" if e.get("sortie") else None),
                e.get("age", "25_34"),
                e.get("sexe", "F"),
                e.get("foyer"),
                e.get("rsa"),
                EXTRACTION,
            ],
        )
    preparer_indicateurs(con)


def par_groupe(df: pd.DataFrame, colonne: str) -> dict:
    return dict(zip(df["groupe"], df[colonne], strict=True))


def serie(df: pd.DataFrame) -> dict:
    return {(g, pd.Timestamp(m).date()): n for g, m, n in zip(df["groupe"], df["mois"], df["file_active"], strict=True)}


# --- Cas écrits à la main ---------------------------------------------------------------------------------


def test_personne_dans_deux_ali_et_intervalles_chevauchants(con):
    # X : ALI01 du 10/01 au 05/04/2025 et ALI08 du 20/02/2025, ouvert (chevauchement février-mars) ;
    #     X est marqué (deux épisodes). Y : ALI01 seulement, ouvert depuis le 01/03/2025.
    inserer(
        con,
        [
            {
                "id": "X",
                "ali": "ALI01",
                "orientation": date(2025, 1, 10),
                "sortie": date(2025, 4, 5),
                "age": "moins_25",
            },
            {"id": "X", "ali": "ALI08", "orientation": date(2025, 2, 20), "age": "25_34"},
            {"id": "Y", "ali": "ALI01", "orientation": date(2025, 3, 1), "age": "55_plus"},
        ],
    )
    marques = "SELECT DISTINCT id_beneficiaire FROM episodes WHERE plusieurs_episodes AND episodes_simultanes"
    assert con.execute(marques).fetchall() == [("X",)]
    mars = Periode(date(2025, 3, 31))
    # File active au 31/03 : département X, Y = 2 ; ALI01 X, Y = 2 ; ALI08 X = 1.
    assert par_groupe(ind.file_active(con, mars), "file_active") == {DEP: 2}
    assert par_groupe(ind.file_active(con, mars, groupe="ali"), "file_active") == {"ALI01": 2, "ALI08": 1}
    # Une ALI retenue : X y compte une fois, son épisode de l'autre ALI est hors du périmètre.
    une_ali = Perimetre(alis=("ALI08",))
    assert par_groupe(ind.file_active(con, mars, une_ali), "file_active") == {DEP: 1}
    # Série de fin de mois : janvier X ; février X (deux épisodes, une personne) ; mars X, Y ; avril X (ALI08), Y.
    s = serie(ind.file_active_mensuelle(con, Periode(date(2025, 4, 30))))
    assert [s[(DEP, date(2025, m, 1))] for m in (1, 2, 3, 4)] == [1, 1, 2, 2]
    s_ali = serie(ind.file_active_mensuelle(con, Periode(date(2025, 4, 30)), groupe="ali"))
    assert [s_ali[("ALI01", date(2025, m, 1))] for m in (1, 2, 3, 4)] == [1, 1, 2, 1]
    assert [s_ali[("ALI08", date(2025, m, 1))] for m in (1, 2, 3, 4)] == [0, 1, 1, 1]
    # Répartition au 31/03 : X compte une fois au département, dans la modalité de son épisode le plus
    # récent (ALI08, 25_34) ; dans chaque ALI, avec l'épisode de l'ALI.
    rep = executer(
        con,
        "repartition_profil",
        as_of=date(2025, 3, 31),
        dimension="tranche_age",
        groupe="departement",
        **Perimetre().parametres(),
    )
    assert dict(zip(rep["modalite"], rep["file_active"], strict=True)) == {"25_34": 1, "55_plus": 1}
    assert set(rep["total"]) == {2}
    rep_ali = executer(
        con,
        "repartition_profil",
        as_of=date(2025, 3, 31),
        dimension="tranche_age",
        groupe="ali",
        **Perimetre().parametres(),
    )
    assert sorted(zip(rep_ali["groupe"], rep_ali["modalite"], rep_ali["file_active"], strict=True)) == [
        ("ALI01", "55_plus", 1),
        ("ALI01", "moins_25", 1),
        ("ALI08", "25_34", 1),
    ]


def test_personne_marquee_reduite_a_un_episode_par_un_filtre(con):
    # Z a deux épisodes actifs à ALI01 qui se chevauchent, l'un social, l'autre professionnel.
    inserer(
        con,
        [
            {"id": "Z", "ali": "ALI01", "orientation": date(2025, 1, 5), "parcours": "social"},
            {"id": "Z", "ali": "ALI01", "orientation": date(2025, 2, 5), "parcours": "professionnel"},
            {"id": "W", "ali": "ALI01", "orientation": date(2025, 2, 10), "parcours": "professionnel"},
        ],
    )
    d = Periode(date(2025, 3, 31))
    assert par_groupe(ind.file_active(con, d), "file_active") == {DEP: 2}
    social, pro = Perimetre(parcours=("social",)), Perimetre(parcours=("professionnel",))
    assert par_groupe(ind.file_active(con, d, social), "file_active") == {DEP: 1}
    assert par_groupe(ind.file_active(con, d, pro), "file_active") == {DEP: 2}
    s = serie(ind.file_active_mensuelle(con, d, pro))
    assert [s[(DEP, date(2025, m, 1))] for m in (2, 3)] == [2, 2]
    s = serie(ind.file_active_mensuelle(con, d))
    assert [s[(DEP, date(2025, m, 1))] for m in (1, 2, 3)] == [1, 2, 2]


def test_reorientations_successives_ne_marquent_pas_la_personne(con):
    # R : sorti d'ALI01 le 10/03/2025 et réorienté le même jour à ALI08, puis sorti le 15/05 et réorienté
    # le 16/05 à ALI01. Jamais deux épisodes actifs le même jour : R n'est pas marqué episodes_simultanes,
    # ses épisodes se comptent directement. S : deux épisodes qui se chevauchent d'un jour.
    inserer(
        con,
        [
            {"id": "R", "ali": "ALI01", "orientation": date(2025, 1, 5), "sortie": date(2025, 3, 10)},
            {"id": "R", "ali": "ALI08", "orientation": date(2025, 3, 10), "sortie": date(2025, 5, 15)},
            {"id": "R", "ali": "ALI01", "orientation": date(2025, 5, 16)},
            {"id": "S", "ali": "ALI04", "orientation": date(2025, 1, 5), "sortie": date(2025, 3, 11)},
            {"id": "S", "ali": "ALI14", "orientation": date(2025, 3, 10)},
        ],
    )
    marques = con.execute(
        "SELECT id_beneficiaire, bool_and(plusieurs_episodes), bool_and(episodes_simultanes) FROM episodes "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert marques == [("R", True, False), ("S", True, True)]
    # Au 10/03 : R actif à ALI08 seulement (sorti d'ALI01 ce jour-là) ; S actif à ALI04 et ALI14 -> 2 personnes.
    assert par_groupe(ind.file_active(con, Periode(date(2025, 3, 10))), "file_active") == {DEP: 2}
    # Fins de mois de janvier à juin : R et S chaque mois (S compté une fois en mars malgré ses deux épisodes).
    s = serie(ind.file_active_mensuelle(con, Periode(date(2025, 6, 30))))
    assert [s[(DEP, date(2025, m, 1))] for m in range(1, 7)] == [2, 2, 2, 2, 2, 2]
    # Un nouvel instantané d'ALI14 sans l'épisode de S : S n'a plus qu'un épisode, plus marqué.
    con.execute("DELETE FROM episodes WHERE code_ali = 'ALI14'")
    preparer_indicateurs(con)
    assert con.execute(
        "SELECT bool_or(plusieurs_episodes OR episodes_simultanes) FROM episodes WHERE id_beneficiaire = 'S'"
    ).fetchall() == [(False,)]


def test_intervalles_contigus_identiques_et_sortie_le_mois_meme(con):
    # V (marqué) : un épisode sorti dans son mois d'orientation (actif à aucune fin de mois), deux épisodes
    # identiques en mois (janvier-février), un troisième contigu (actif fin mars et fin avril).
    inserer(
        con,
        [
            {"id": "V", "ali": "ALI14", "orientation": date(2024, 12, 2), "sortie": date(2024, 12, 20)},
            {"id": "V", "ali": "ALI14", "orientation": date(2025, 1, 3), "sortie": date(2025, 3, 1)},
            {"id": "V", "ali": "ALI14", "orientation": date(2025, 1, 4), "sortie": date(2025, 3, 2)},
            {"id": "V", "ali": "ALI14", "orientation": date(2025, 3, 15), "sortie": date(2025, 5, 2)},
        ],
    )
    df = ind.file_active_mensuelle(con, Periode(date(2025, 6, 30)))
    # De décembre 2024 (première orientation) à juin 2025.
    assert df["file_active"].to_list() == [0, 1, 1, 1, 1, 0, 0]
    assert par_groupe(ind.file_active(con, Periode(date(2025, 2, 15))), "file_active") == {DEP: 1}
    # Entrées et sorties comptent des épisodes, pas des personnes.
    es = ind.entrees_sorties(con, Periode(date(2025, 6, 30), debut=date(2025, 1, 1)))
    assert (es["entrees"][0], es["sorties"][0]) == (3, 3)


def test_groupe_du_perimetre_sans_personne_active_vaut_zero(con):
    # ALI04 n'a qu'un épisode sorti avant D, ALI01 une personne active : ALI04 figure avec 0.
    inserer(
        con,
        [
            {"id": "A", "ali": "ALI04", "orientation": date(2025, 1, 5), "sortie": date(2025, 2, 1)},
            {"id": "B", "ali": "ALI01", "orientation": date(2025, 1, 5)},
        ],
    )
    df = ind.file_active(con, Periode(date(2025, 6, 30)), groupe="ali")
    assert par_groupe(df, "file_active") == {"ALI01": 1, "ALI04": 0}
    assert df["file_active"].dtype == "int64"


def test_mediane_du_delai_paire_impaire_et_par_cohorte(con):
    # Délais (jours) des diagnostics numériques datés <= D : 3, 10, 10, 40 (janvier) et 7 (février).
    inserer(
        con,
        [
            {"id": "a", "ali": "ALI01", "orientation": date(2025, 1, 1), "diag_num": date(2025, 1, 4)},
            {"id": "b", "ali": "ALI01", "orientation": date(2025, 1, 1), "diag_num": date(2025, 1, 11)},
            {"id": "c", "ali": "ALI01", "orientation": date(2025, 1, 2), "diag_num": date(2025, 1, 12)},
            {"id": "d", "ali": "ALI01", "orientation": date(2025, 1, 3), "diag_num": date(2025, 2, 12)},
            {"id": "e", "ali": "ALI08", "orientation": date(2025, 2, 1), "diag_num": date(2025, 2, 8)},
            {"id": "f", "ali": "ALI08", "orientation": date(2025, 2, 1), "diag_num": date(2026, 1, 1)},  # après D
        ],
    )
    d = Periode(date(2025, 6, 30))
    # Département : 3, 7, 10, 10, 40 -> 10 ; ALI01 : 3, 10, 10, 40 -> (10 + 10) / 2 ; ALI08 : 7.
    assert par_groupe(ind.taux_diagnostic(con, d), "delai_median_j") == {DEP: 10.0}
    assert par_groupe(ind.taux_diagnostic(con, d, groupe="ali"), "delai_median_j") == {"ALI01": 10.0, "ALI08": 7.0}
    cohortes = executer(
        con,
        "taux_diagnostic_cohortes",
        diagnostic="numerique",
        groupe="departement",
        **d.parametres(),
        **Perimetre().parametres(),
    )
    assert dict(zip(cohortes["cohorte"].dt.month, cohortes["delai_median_j"], strict=True)) == {1: 10.0, 2: 7.0}
    # Sans diagnostic daté <= D : pas de médiane.
    assert pd.isna(ind.taux_diagnostic(con, Periode(date(2025, 1, 3)))["delai_median_j"][0])


# --- Jeu aléatoire : chaque requête contre sa référence pandas ------------------------------------------------


def _jeu_aleatoire(con, graine: int) -> None:
    """~2 500 épisodes de 1 200 personnes : un tiers ont 2 à 5 épisodes, dans une ou plusieurs ALI, souvent
    chevauchants ; sorties le jour même, en fin de mois, le 1er du mois, sans motif ; diagnostics avant ou
    après D ; champs facultatifs vides ; attributs qui changent d'un épisode à l'autre."""
    rnd = random.Random(graine)
    alis = con.execute(
        "SELECT code_ali, list(code_commune ORDER BY code_commune) FROM ref_ali_communes GROUP BY 1"
    ).fetchall()
    motifs = [m for (m,) in con.execute("SELECT motif_sortie FROM ref_motifs_sortie ORDER BY 1").fetchall()]
    debut, fin = date(2022, 6, 1), EXTRACTION

    def jour(a: date, b: date) -> date:
        return a + timedelta(days=rnd.randrange((b - a).days + 1))

    lignes = []
    for p in range(1200):
        n = 1 if rnd.random() < 0.67 else rnd.randint(2, 5)
        siennes = rnd.sample(alis, rnd.choice([1, 1, 2, 3]))
        sexe, age = rnd.choice("FM"), rnd.choice(list(libelles.TRANCHES_AGE))
        for _ in range(n):
            ali, communes = rnd.choice(siennes)
            orientation = jour(debut, fin)
            t = rnd.random()
            if t < 0.3:
                sortie = None
            elif t < 0.4:
                sortie = orientation
            elif t < 0.5:
                sortie = (orientation + timedelta(days=rnd.randrange(400))).replace(day=1) + timedelta(days=31)
                sortie = sortie.replace(day=1) - timedelta(days=1)  # un dernier jour de mois
            else:
                sortie = orientation + timedelta(days=rnd.randrange(600))
            if sortie is not None and sortie > fin:
                sortie = None
            lignes.append(
                {
                    "id": f"p{p:04d}",
                    "ali": ali,
                    "commune": rnd.choice(communes),
                    "orientation": orientation,
                    "parcours": rnd.choice(list(libelles.PARCOURS)),
                    "diag_num": orientation + timedelta(days=rnd.randrange(200)) if rnd.random() < 0.7 else None,
                    "niveau_num": rnd.choice([None, *libelles.NIVEAUX_NUMERIQUES]),
                    "diag_ling": orientation + timedelta(days=rnd.randrange(200)) if rnd.random() < 0.4 else None,
                    "niveau_ling": rnd.choice([None, *libelles.NIVEAUX_LINGUISTIQUES]),
                    "sortie": sortie,
                    "motif": None if sortie is None or rnd.random() < 0.05 else rnd.choice(motifs),
                    "age": age if rnd.random() < 0.9 else rnd.choice(list(libelles.TRANCHES_AGE)),
                    "sexe": sexe if rnd.random() < 0.95 else rnd.choice("FM"),
                    "foyer": rnd.choice([None, *libelles.COMPOSITIONS_FOYER]),
                    "rsa": rnd.choice([None, *libelles.ANCIENNETES_RSA]),
                }
            )
    inserer(con, lignes)
    for annee in (2023, 2024, 2025, 2026):
        for ali, _ in alis[:5]:
            con.execute(
                "INSERT INTO budget VALUES (1, ?, ?, 'accompagnement_ali', ?, ?)",
                [annee, ali, 100_000 + annee, None if annee == 2026 else 90_000],
            )
        con.execute("INSERT INTO budget VALUES (1, ?, NULL, 'pilotage', 50000, 45000)", [annee])


@pytest.fixture(scope="module")
def base_aleatoire(tmp_path_factory):
    with ouvrir_en_ecriture(tmp_path_factory.mktemp("aleatoire") / "test.duckdb") as connexion:
        _jeu_aleatoire(connexion, 93)
        ((multiples, simultanees),) = connexion.execute(
            "SELECT count(DISTINCT id_beneficiaire) FILTER (WHERE plusieurs_episodes), "
            "count(DISTINCT id_beneficiaire) FILTER (WHERE episodes_simultanes) FROM episodes"
        ).fetchall()
        assert multiples > 300 and 150 < simultanees < multiples  # les deux cas sont bien représentés
        donnees = reference.Donnees.lire(connexion)
        e = donnees.episodes
        if "ept" not in e.columns:
            # Donnees.lire rejoint l'EPT du référentiel alors que les épisodes portent déjà une colonne ept
            # (préparée au chargement) : pandas en fait ept_x et ept_y, identiques.
            assert e["ept_x"].equals(e["ept_y"])
            donnees.episodes = e.drop(columns=["ept_y"]).rename(columns={"ept_x": "ept"})
        yield connexion, donnees


FILTRES = {
    "defaut": (EXTRACTION, date(2023, 1, 1), Perimetre()),
    "une_ali": (EXTRACTION, date(2023, 1, 1), Perimetre(alis=("ALI14",))),
    "ept_sexe": (EXTRACTION, date(2023, 1, 1), Perimetre(epts=("Plaine Commune",), sexes=("F",))),
    "parcours_age": (EXTRACTION, date(2022, 1, 1), Perimetre(parcours=("social", "professionnel"), ages=("25_34",))),
    "D_milieu_de_mois": (date(2025, 6, 15), date(2024, 2, 20), Perimetre()),
    "D_milieu_communes": (date(2025, 9, 17), date(2023, 1, 1), Perimetre(communes=("93066", "93014", "93048"))),
}


@pytest.mark.parametrize("filtre", list(FILTRES))
def test_chaque_requete_egale_sa_reference_pandas(base_aleatoire, filtre):
    con, donnees = base_aleatoire
    d, debut, perimetre = FILTRES[filtre]
    f = Filtres(Periode(as_of=d, debut=debut, fin=d), perimetre, EXTRACTION)
    verifiees = 0
    for cas in indicateurs.tous_les_cas():
        if not cas.episodes:
            continue
        sql, ref = cas.sql(con, f), cas.ref(donnees, f)
        reference.egal(sql, ref, f"{cas.nom} ({filtre})")
        verifiees += 1
    assert verifiees >= 20
