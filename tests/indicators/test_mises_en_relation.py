"""Mises en relation par les structures partenaires (contrat §7.2) : les trois requêtes sur un petit jeu dont
chaque chiffre se refait à la main, puis leur publication sous le secret statistique.

File active d'ALI14 au 31 décembre 2023 (D) :
- p1 orientée le 10 janvier 2023, sortie le 20 mai 2023 en emploi durable ;
- p2 orientée le 1er février 2023, sortie le 15 juin 2023 pour déménagement ;
- p3 orientée le 2 janvier 2023, toujours suivie ; p4 (seule femme) orientée le 15 janvier 2023, suivie ;
- p9 n'a aucun épisode (mise en relation sans la file active).

Mises en relation (toutes à ALI14) :
  1. p1 C2DI93       1er mars      tpe     embauche 10 mai, CDI            → contrat long
  2. p2 C2DI93       15 mars       pme     embauche 1er avril, CDD 3 mois  → court
  3. p3 SELF-INTERIM 10 avril      eti_ge  embauche 2 mai, intérim 6 mois  → long, pas en TPE/PME
  4. p3 C2DI93       20 février    tpe     refus_employeur
  5. p4 C2DI93       1er juillet   inconnue en_cours
  6. p9 SELF-INTERIM 5 mai         tpe     embauche 1er juin, création     → long
  7. p1 SELF-INTERIM 20 janvier    tpe     abandon
Sur l'année 2023 : 7 mises en relation, 5 personnes, 4 embauches (1, 2, 3, 6), 3 contrats longs (1, 3, 6),
3 embauches en TPE/PME (1, 2, 6).
Délais (première mise en relation de chaque personne dans ALI14, depuis son orientation) : p1 20 janvier − 10
janvier = 10 j, p2 42 j, p3 20 février − 2 janvier = 49 j, p4 1er juillet − 15 janvier = 167 j → médiane
(42 + 49) / 2 = 45,5 j ; p9 sans épisode. Première embauche : p1 10 mai − 10 janvier = 120 j, p2 59 j, p3 2 mai
− 2 janvier = 120 j → médiane 120 j.
Accord avec la file active (embauches au plus tard à D − 90) : 4 observées ; p1 sort en emploi 10 jours après son
embauche (oui) ; p2 sort 75 jours après, mais pour déménagement (non) ; p3 n'est pas sortie (non) ; p9 sans épisode.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import date

import pandas as pd
import pytest

from insertion import protect
from insertion.indicators.autres_systemes import mises_en_relation as mer
from insertion.store import db
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne
from tests.ingest.test_chargement_systemes import ANNUAIRE, mise

D = "2023-12-31"
PERIODE = Periode(as_of=date(2023, 12, 31), debut=date(2023, 1, 1))


def pseudo(nom: str) -> str:
    return hmac.new(b"cle-de-test-partenaires", nom.encode(), hashlib.sha256).hexdigest()


def episode(nom: str, orientation: str, **changes: str) -> dict[str, str]:
    return ligne(
        **{
            "id_beneficiaire": pseudo(nom),
            "date_orientation": orientation,
            "sexe": "M",
            "date_extraction": D,
            **changes,
        }
    )


EPISODES = [
    episode("p1", "2023-01-10", date_sortie="2023-05-20", motif_sortie="emploi_durable"),
    episode("p2", "2023-02-01", date_sortie="2023-06-15", motif_sortie="demenagement"),
    episode("p3", "2023-01-02"),
    episode("p4", "2023-01-15", sexe="F"),
]


def mise_de(nom: str, structure: str, date_mise: str, taille: str, issue: str, **changes: str) -> dict[str, str]:
    return mise(
        0,
        id_beneficiaire=pseudo(nom),
        code_structure=structure,
        date_mise_en_relation=date_mise,
        taille_entreprise=taille,
        issue=issue,
        date_extraction=D,
        **changes,
    )


def embauche(contrat: str, jour: str, duree: str = "") -> dict[str, str]:
    return {"date_embauche": jour, "type_contrat": contrat, "duree_contrat_mois": duree}


MISES = [
    mise_de("p1", "C2DI93", "2023-03-01", "tpe", "embauche", **embauche("cdi", "2023-05-10")),
    mise_de("p2", "C2DI93", "2023-03-15", "pme", "embauche", **embauche("cdd", "2023-04-01", "3")),
    mise_de("p3", "SELF-INTERIM", "2023-04-10", "eti_ge", "embauche", **embauche("interim", "2023-05-02", "6")),
    mise_de("p3", "C2DI93", "2023-02-20", "tpe", "refus_employeur"),
    mise_de("p4", "C2DI93", "2023-07-01", "inconnue", "en_cours"),
    mise_de("p9", "SELF-INTERIM", "2023-05-05", "tpe", "embauche", **embauche("creation", "2023-06-01")),
    mise_de("p1", "SELF-INTERIM", "2023-01-20", "tpe", "abandon"),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("partenaires")
    fichiers = {
        "annuaire.csv": csv_bytes(ANNUAIRE),
        "extraction.csv": csv_bytes(EPISODES),
        "mises.csv": csv_bytes(MISES),
    }
    return build_db(dossier / "base.duckdb", fichiers)


@pytest.fixture
def con(base):
    c = db.ouvrir_en_lecture(base)
    yield c
    c.close()


def ligne_de(df: pd.DataFrame, groupe: str) -> dict:
    (row,) = df[df["groupe"] == groupe].to_dict("records")
    return row


def test_volumes_embauches_contrats_longs_et_tpe_pme(con):
    dept = ligne_de(mer.mises_en_relation(con, PERIODE), "Seine-Saint-Denis")
    colonnes = ("mises_en_relation", "personnes", "embauches", "contrats_longs", "embauches_tpe_pme")
    assert [dept[c] for c in colonnes] == [7, 5, 4, 3, 3]
    assert dept["taux_embauche"] == pytest.approx(4 / 7)
    assert dept["part_contrats_longs"] == pytest.approx(3 / 4)
    assert dept["part_tpe_pme"] == pytest.approx(3 / 4)
    par_structure = mer.mises_en_relation(con, PERIODE, groupe="structure")
    c2di = ligne_de(par_structure, "C2DI93")
    assert [c2di[c] for c in ("mises_en_relation", "personnes", "embauches", "contrats_longs")] == [4, 4, 2, 1]
    self_interim = ligne_de(par_structure, "SELF-INTERIM")
    assert [self_interim[c] for c in ("mises_en_relation", "personnes", "embauches", "contrats_longs")] == [3, 3, 2, 2]
    assert self_interim["embauches_tpe_pme"] == 1


def test_la_periode_et_le_pas_mensuel(con):
    # Depuis le 1er mars : la mise en relation 7 (20 janvier) et la 4 (20 février) sortent de la période.
    mars = Periode(as_of=date(2023, 12, 31), debut=date(2023, 3, 1))
    assert ligne_de(mer.mises_en_relation(con, mars), "Seine-Saint-Denis")["mises_en_relation"] == 5
    mois = mer.mises_en_relation(con, PERIODE, pas="mois")
    par_mois = dict(zip(pd.to_datetime(mois["mois"]).dt.month, mois["mises_en_relation"], strict=True))
    assert par_mois == {1: 1, 2: 1, 3: 2, 4: 1, 5: 1, 7: 1}


def test_les_filtres_de_la_file_active_passent_par_l_episode_de_la_personne(con):
    # Le seul filtre ALI garde la mise en relation de p9, qui n'a pas d'épisode ; un filtre de profil ne garde que
    # les personnes dont un épisode d'ALI14 le passe : p4, la seule femme.
    assert (
        ligne_de(mer.mises_en_relation(con, PERIODE, Perimetre(alis=("ALI14",))), "Seine-Saint-Denis")[
            "mises_en_relation"
        ]
        == 7
    )
    femmes = mer.mises_en_relation(con, PERIODE, Perimetre(sexes=("F",)))
    assert ligne_de(femmes, "Seine-Saint-Denis")["mises_en_relation"] == 1
    assert mer.mises_en_relation(con, PERIODE, Perimetre(alis=("ALI01",))).empty


def test_delais_depuis_l_orientation(con):
    dept = ligne_de(mer.delais(con, PERIODE), "Seine-Saint-Denis")
    assert dept["personnes_mises_en_relation"] == 4
    assert dept["delai_median_mise_en_relation_j"] == pytest.approx(45.5)
    assert dept["personnes_embauchees"] == 3
    assert dept["delai_median_embauche_j"] == pytest.approx(120)
    assert dept["personnes_sans_episode"] == 1


def test_accord_des_embauches_avec_les_sorties_en_emploi(con):
    dept = ligne_de(mer.embauches_sorties(con, PERIODE), "Seine-Saint-Denis")
    assert (dept["embauches_observees"], dept["embauches_sortie_emploi"], dept["embauches_sans_episode"]) == (4, 1, 1)
    assert dept["taux_concordance"] == pytest.approx(1 / 4)
    # Une embauche de moins de 90 jours à D n'est pas encore jugée : au 30 juillet, celles du 10 mai et après
    # attendent (D − 90 = 1er mai) ; reste celle de p2 (1er avril).
    tot = Periode(as_of=date(2023, 7, 30), debut=date(2023, 1, 1))
    assert ligne_de(mer.embauches_sorties(con, tot), "Seine-Saint-Denis")["embauches_observees"] == 1


def test_regroupement_inconnu_refuse(con):
    with pytest.raises(ValueError, match="Regroupement inconnu"):
        mer.mises_en_relation(con, PERIODE, groupe="commune")
    with pytest.raises(ValueError, match="Pas inconnu"):
        mer.mises_en_relation(con, PERIODE, pas="semaine")


def test_sous_la_publication_les_petits_effectifs_sont_masques_meme_au_departement(con):
    """Les mises en relation ne viennent ici que d'ALI14 : le département n'est qu'une ALI, il n'est pas exempté."""
    with protect.publication():
        dept = mer.mises_en_relation(con, PERIODE).iloc[0]
        delais = mer.delais(con, PERIODE).iloc[0]
    assert not any(str(c).startswith("cle_") for c in dept.index)
    assert math.isnan(dept["mises_en_relation"]) and math.isnan(dept["taux_embauche"])
    assert math.isnan(delais["delai_median_mise_en_relation_j"])


@pytest.fixture(scope="module")
def grande_base(tmp_path_factory):
    """60 personnes mises en relation par C2Di 93 ; 30 embauchées, 15 en CDI et 15 en CDD de 3 mois. Un taux ne
    se publie que si son numérateur et son complément le sont : ici, 30 et 30, puis 15 et 15."""
    dossier = tmp_path_factory.mktemp("partenaires60")
    episodes = [episode(f"q{i}", "2023-01-10") for i in range(60)]
    contrats = [embauche("cdi", "2023-04-01")] * 15 + [embauche("cdd", "2023-04-01", "3")] * 15
    mises = [mise_de(f"q{i}", "C2DI93", "2023-03-01", "tpe", "embauche", **c) for i, c in enumerate(contrats)]
    mises += [mise_de(f"q{i}", "C2DI93", "2023-03-01", "tpe", "en_cours") for i in range(30, 60)]
    fichiers = {"annuaire.csv": csv_bytes(ANNUAIRE), "e.csv": csv_bytes(episodes), "m.csv": csv_bytes(mises)}
    return build_db(dossier / "base.duckdb", fichiers)


def test_les_taux_publies_sont_ceux_des_effectifs_publies(grande_base):
    con = db.ouvrir_en_lecture(grande_base)
    try:
        with protect.publication():
            dept = mer.mises_en_relation(con, PERIODE).iloc[0]
    finally:
        con.close()
    assert abs(dept["mises_en_relation"] - 60) <= 3 and abs(dept["embauches"] - 30) <= 3
    assert abs(dept["contrats_longs"] - 15) <= 3
    assert dept["taux_embauche"] == pytest.approx(dept["embauches"] / dept["mises_en_relation"])
    assert dept["part_contrats_longs"] == pytest.approx(dept["contrats_longs"] / dept["embauches"])


def test_la_cli_indicators_json_donne_les_mises_en_relation_publiees(grande_base):
    """Nouvelle clé « mises_en_relation » à côté des clés de la file active, inchangées ; valeurs publiées."""
    import json
    import subprocess
    import sys

    from tests.publie import cellule, publie

    run = subprocess.run(
        [sys.executable, "-m", "insertion", "indicators", "--db", str(grande_base), "--as-of", "2023-12-31",
         "--from", "2023-01-01", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    sortie = json.loads(run.stdout)
    assert {"file_active", "entrees", "sortie_emploi_12m"} <= set(sortie)
    params = {"as_of": date(2023, 12, 31), "debut": date(2023, 1, 1), "fin": date(2023, 12, 31), "alis": None,
              "epts": None, "communes": None, "parcours": None, "ages": None, "sexes": None}  # fmt: skip
    dept = publie(grande_base, "mises_en_relation", groupe="departement", pas="periode", **params)
    m = sortie["mises_en_relation"]
    assert m["mises_en_relation"] == cellule(dept, "mises_en_relation")
    assert m["taux_embauche"] == pytest.approx(cellule(dept, "taux_embauche"))
    assert abs(m["embauches"] - 30) <= 3
