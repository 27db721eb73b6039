"""Le cœur du secret statistique par clés de cellule (insertion/protect/protection.py, docs/secret-statistique.md).

Cas calculés à la main, puis propriétés (hypothesis) du point de vue d'un attaquant qui connaît la méthode,
la table p et toutes les valeurs publiées, mais pas le sel :
- aucune valeur publiée de 1 à seuil − 1 ; même cellule, même valeur ;
- la soustraction de deux chiffres publiés ne donne jamais une seule valeur possible ;
- un programme linéaire sur un tableau et son total, ou sur une hiérarchie de totaux sous une racine
  bruitée, ne fige aucune case de 1 à seuil − 1, quel que soit le bruit tiré (même choisi par l'adversaire) ;
- sous le département exact, une hiérarchie ne fige rien avec le bruit de la table p, mais trois bruits
  extrêmes à la fois peuvent fixer une case (test de la limite) ;
- sur un tableau croisé (marges en lignes et en colonnes), la garantie n'est que probabiliste : le dernier
  test montre le cas limite, qui demande quatre bruits extrêmes à la fois.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from insertion.protect import protection as p
from insertion.protect.protection import LIBELLE_MASQUE, REGLAGE, TABLE_P_DEFAUT
from insertion.store import cles
from insertion.store.cles import MODULE

SEUIL = REGLAGE.seuil
D = TABLE_P_DEFAUT.bruit_max
SEL = b"sel-de-test-0123456789abcdef-0123456789"


def pseudonymes(graine: int, n: int) -> list[str]:
    """Des pseudonymes comme ceux du Département (hachage à clé, 16 caractères hexadécimaux)."""
    return [hashlib.sha256(f"test:{graine}:{i}".encode()).hexdigest()[:16] for i in range(n)]


# --- Clés ------------------------------------------------------------------------------------------


def test_cle_est_hmac_sha256_tronque_vecteur_rfc4231():
    # RFC 4231, cas 2 : HMAC-SHA256("Jefe", "what do ya want for nothing?") = 5bdcc146bf60754e…
    assert cles._cle(b"Jefe", "what do ya want for nothing?") == 0x5BDCC146


def test_cles_de_personne_et_d_episode_sont_separees_par_un_prefixe():
    sel = b"Jefe"
    assert cles.cle_personne("3f9ce17a0b2d4c81", sel) == cles._cle(sel, "p|3f9ce17a0b2d4c81")
    assert cles.cle_episode("3f9ce17a0b2d4c81", "ALI14", date(2023, 3, 15), sel) == cles._cle(
        sel, "e|3f9ce17a0b2d4c81|ALI14|2023-03-15"
    )
    assert cles.cle_personne("3f9ce17a0b2d4c81", sel) != cles.cle_personne("3f9ce17a0b2d4c81", b"Jeff")


@pytest.mark.parametrize("sel", [SEL, b"x" * 100])  # un sel de plus de 64 octets est d'abord haché (RFC 2104)
def test_la_meme_cle_se_calcule_en_sql(sel):
    ids = pseudonymes(1, 50) + ["b0000001", "A-b_9"]
    ipad, opad = cles.pads_hmac(sel)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id VARCHAR)")
    con.executemany("INSERT INTO t VALUES ($id)", [{"id": i} for i in ids])
    lignes = con.execute(
        "SELECT id, CAST('0x' || left(sha256($opad || unhex(sha256($ipad || encode('p|' || id)))), 8) AS UBIGINT) "
        "FROM t",
        {"ipad": ipad, "opad": opad},
    ).fetchall()
    assert {i: int(c) for i, c in lignes} == {i: cles.cle_personne(i, sel) for i in ids}


def test_cle_de_cellule_somme_modulo():
    assert cles.cle_cellule([MODULE - 1, 5]) == 4
    assert cles.cle_cellule([]) == 0
    assert cles.cle_complement(4, 5) == MODULE - 1
    assert cles.cle_complement(cles.cle_cellule([7, 9, 11]), cles.cle_cellule([9])) == cles.cle_cellule([7, 11])


def test_sel_lu_dans_l_environnement_avec_erreur_en_francais():
    with pytest.raises(ValueError, match="INSERTION_SEL_SECRET"):
        cles.sel_secret({})
    with pytest.raises(ValueError, match="trop court"):
        cles.sel_secret({"INSERTION_SEL_SECRET": "abc"})
    assert cles.sel_secret({"INSERTION_SEL_SECRET": " " + "a" * 40 + "\n"}) == b"a" * 40


# --- Table p ---------------------------------------------------------------------------------------


def test_table_p_a_la_main_d1_variance_un_demi():
    # D = 1 : variance = 2 p(1) = 0,5, donc p = (¼, ½, ¼) ; bornes à ¼ et ¾ de 2**32.
    t = p.TableP.entropie_maximale(1, 0.5)
    assert t.probabilites == pytest.approx((0.25, 0.5, 0.25))
    assert t.bornes == (2**30, 3 * 2**30, 2**32)
    assert [t.bruit(c) for c in (0, 2**30 - 1, 2**30, 3 * 2**30 - 1, 3 * 2**30, MODULE - 1)] == [-1, -1, 0, 0, 1, 1]


def test_table_p_par_defaut():
    t = TABLE_P_DEFAUT
    assert (t.bruit_max, t.variance) == (3, 1.0)
    assert sum(t.probabilites) == pytest.approx(1.0)
    assert t.probabilites == pytest.approx(t.probabilites[::-1])  # symétrique : moyenne nulle
    assert sum(q * d * d for q, d in zip(t.probabilites, range(-3, 4), strict=True)) == pytest.approx(1.0)
    assert t.probabilites[0] == pytest.approx(0.0045, abs=5e-5)  # les bruits ±3 sont rares
    for d in range(-3, 4):
        assert t.bruit(t.cle_pour(d)) == d
    assert t.bruit(0) == -3 and t.bruit(MODULE - 1) == 3
    valeurs = np.array([0, t.bornes[0] - 1, t.bornes[0], t.bornes[2], MODULE - 1, MODULE + 5], dtype=np.int64)
    assert t.bruits(valeurs).tolist() == [t.bruit(int(c)) for c in valeurs]


def test_table_p_refuse_les_parametres_impossibles():
    with pytest.raises(ValueError, match="au moins 1"):
        p.TableP.entropie_maximale(0, 0.5)
    with pytest.raises(ValueError, match="variance"):
        p.TableP.entropie_maximale(2, 2.5)  # au-delà de la loi uniforme (2)
    with pytest.raises(ValueError, match="inférieur au seuil"):
        p.Reglage(seuil=3, table=p.TableP.entropie_maximale(3, 1.0))


def test_table_lisible():
    t = p.table_lisible()
    assert list(t.columns) == ["i", "j", "p", "v", "p_lb", "p_ub"]
    assert set(t.loc[t["i"] < SEUIL, "j"]) == {LIBELLE_MASQUE}
    ligne_11 = t[t["i"] == SEUIL]
    assert ligne_11["p"].sum() == pytest.approx(1.0)
    # 11 tiré vers le bas (bruit −1, −2 ou −3) est masqué : 30 % des cas.
    assert ligne_11.loc[ligne_11["j"] == LIBELLE_MASQUE, "p"].sum() == pytest.approx(0.3009, abs=1e-4)
    assert set(t.loc[t["i"] == SEUIL + D, "j"]) == set(range(SEUIL, SEUIL + 2 * D + 1))


# --- Publication : cas à la main ---------------------------------------------------------------------


def test_publier_effectif_cas_a_la_main():
    t = TABLE_P_DEFAUT
    assert p.publier_effectif(20, t.cle_pour(-3)) == 17
    assert p.publier_effectif(20, t.cle_pour(3)) == 23
    assert p.publier_effectif(638, t.cle_pour(0)) == 638
    assert p.publier_effectif(638, t.cle_pour(1)) == 639
    assert p.publier_effectif(14, t.cle_pour(-3)) == 11
    assert p.publier_effectif(13, t.cle_pour(-3)) == LIBELLE_MASQUE  # 10 ne se publie pas
    assert p.publier_effectif(11, t.cle_pour(-1)) == LIBELLE_MASQUE
    assert p.publier_effectif(10, t.cle_pour(3)) == LIBELLE_MASQUE  # 10 + 3 = 13, mais 10 < seuil
    assert p.publier_effectif(0, 0) == LIBELLE_MASQUE  # zéro aussi, sous le département
    assert p.publier_effectif(0, 0, exempt=True) == 0
    assert p.publier_effectif(5, t.cle_pour(3), exempt=True) == 5
    with pytest.raises(ValueError, match="entier positif"):
        p.publier_effectif(-1, 0)


def test_valeurs_compatibles_a_la_main():
    assert p.valeurs_compatibles(LIBELLE_MASQUE) == range(0, 14)
    assert p.valeurs_compatibles(11) == range(11, 15)
    assert p.valeurs_compatibles(20) == range(17, 24)
    assert p.valeurs_compatibles(5, exempt=True) == range(5, 6)
    with pytest.raises(ValueError, match="jamais publiée"):
        p.valeurs_compatibles(7)


def test_taux_a_la_main():
    t = TABLE_P_DEFAUT
    cle_num, cle_den = t.cle_pour(1), t.cle_pour(-2)  # 3 002 642 963 et 19 362 559
    # Complément (100 − 30 = 70) : clé 19 362 559 − 3 002 642 963 + 2**32 = 1 311 686 892, bruit 0.
    assert cles.cle_complement(cle_den, cle_num) == 1_311_686_892
    assert t.bruit(1_311_686_892) == 0
    assert p.publier_taux(30, cle_num, 100, cle_den) == pytest.approx(31 / 98)
    assert p.publier_taux(5, cle_num, 100, cle_den) == LIBELLE_MASQUE  # numérateur sous le seuil
    assert p.publier_taux(95, cle_num, 100, cle_den) == LIBELLE_MASQUE  # complément sous le seuil
    assert p.publier_taux(0, 0, 100, cle_den) == LIBELLE_MASQUE  # 0 % dirait que le numérateur vaut 0
    assert p.publier_taux(2, 0, 10, 0, exempt=True) == LIBELLE_MASQUE
    assert p.publier_taux(2, 0, 11, 0, exempt=True) == pytest.approx(2 / 11)
    with pytest.raises(ValueError, match="plus grand"):
        p.publier_taux(12, 0, 11, 0)


def test_mediane_a_la_main():
    t = TABLE_P_DEFAUT
    assert p.publier_mediane(27.5, 40, t.cle_pour(0)) == 30  # arrondie au pas de 5 jours
    assert p.publier_mediane(22.4, 40, t.cle_pour(0)) == 20
    assert p.publier_mediane(22.5, 12, 0, exempt=True) == 25
    assert p.publier_mediane(22.5, 10, 0, exempt=True) == LIBELLE_MASQUE
    assert p.publier_mediane(30.0, 8, t.cle_pour(3)) == LIBELLE_MASQUE  # sur moins de 11 personnes
    assert p.publier_mediane(30.0, 12, t.cle_pour(-2)) == LIBELLE_MASQUE  # effectif publié masqué
    assert p.publier_mediane(float("nan"), 40, 0) == LIBELLE_MASQUE


def test_un_seul_libelle_pour_toute_case_masquee():
    masques = {
        p.publier_effectif(3, 0),
        p.publier_effectif(12, TABLE_P_DEFAUT.cle_pour(-2)),
        p.publier_taux(3, 0, 50, 0),
        p.publier_mediane(12.0, 4, 0),
        p.libelle(None),
        p.libelle(float("nan")),
        p.libelle(pd.NA),
    }
    assert masques == {LIBELLE_MASQUE}


def test_exemption_du_seul_departement_sans_filtre_de_profil_des_deux_ept_ouverts():
    # Référentiel du contrat : ALI08 (Est Ensemble) ouvre en janvier 2023, ALI10 (Est Ensemble) et ALI14
    # (Grand Paris Grand Est) en février. En janvier, le département n'est que l'ALI08.
    ouvertures = [("Est Ensemble", date(2023, 1, 1)), ("Est Ensemble", date(2023, 2, 1)),
                  ("Grand Paris Grand Est", date(2023, 2, 1)), ("Plaine Commune", date(2023, 3, 1))]  # fmt: skip
    premier = p.premier_mois_exempte(ouvertures)
    assert premier == date(2023, 2, 1)
    assert p.premier_mois_exempte([("Est Ensemble", date(2023, 1, 12)), ("Est Ensemble", date(2023, 2, 1))]) is None
    assert p.exempte("departement", depuis=date(2023, 2, 1), premier_mois=premier)
    assert p.exempte("departement", {"sexes": ()}, depuis=date(2024, 6, 30), premier_mois=premier)
    assert not p.exempte("departement", {"sexes": ("F",)}, depuis=date(2024, 6, 30), premier_mois=premier)
    # Le premier trimestre 2023 commence en janvier : protégé entier, sinon T1 − février − mars = janvier.
    assert not p.exempte("departement", depuis=date(2023, 1, 1), premier_mois=premier)
    assert not p.exempte("departement", depuis=date(2024, 6, 30), premier_mois=None)
    assert not p.exempte("ali", depuis=date(2024, 6, 30), premier_mois=premier)
    with pytest.raises(ValueError, match="Niveau inconnu"):
        p.exempte("region", depuis=date(2024, 6, 30), premier_mois=premier)


def test_questions_permises():
    assert p.question_refusee("departement", {"sexes": ["F"], "ages": ["55_plus"], "parcours": ["social"]}) == []
    assert p.question_refusee("ali", {"sexes": ["F"]}, date(2024, 1, 1), date(2024, 3, 31)) == []
    assert p.question_refusee("ali", {"sexes": ["F"], "ages": ["55_plus"]}) == [
        "Au niveau ali, on combine au plus 1 filtre(s) de profil (2 demandés)."
    ]
    assert p.question_refusee("commune", {"sexes": ["F"]}) != []
    assert p.question_refusee("ept", {"ages": ["25_34", "35_44"]}) == [
        "Un filtre de profil ne retient qu'une valeur à la fois (ages : 2)."
    ]
    assert p.question_refusee("ali", {}, date(2024, 1, 2), date(2024, 2, 28)) == [
        "Une période commence le premier jour d'un mois (pas le 2024-01-02).",
        "Une période finit le dernier jour d'un mois (pas le 2024-02-28).",
    ]
    assert p.question_refusee("ali", {}, date(2024, 2, 1), date(2024, 2, 29)) == []


# --- Propriétés --------------------------------------------------------------------------------------

_TABLES = {(dm, v): p.TableP.entropie_maximale(dm, v) for dm in (1, 2, 3, 4) for v in (0.4, 0.6)}
_TABLES.update({(3, 1.0): TABLE_P_DEFAUT, (3, 1.5): p.TableP.entropie_maximale(3, 1.5)})


@st.composite
def reglages(draw):
    seuil = draw(st.integers(2, 25))
    cle = draw(st.sampled_from(sorted(k for k in _TABLES if k[0] < seuil)))
    return p.Reglage(seuil=seuil, table=_TABLES[cle])


cles_possibles = st.integers(0, MODULE - 1)


@given(n=st.integers(0, 2_000), cle=cles_possibles, reglage=reglages())
def test_aucune_valeur_publiee_de_1_a_seuil_moins_1(n, cle, reglage):
    publie = p.publier_effectif(n, cle, reglage=reglage)
    assert publie == LIBELLE_MASQUE or publie >= reglage.seuil
    # … et l'attaquant qui connaît la méthode retrouve la vérité parmi les valeurs compatibles.
    assert n in p.valeurs_compatibles(publie, reglage=reglage)
    assert abs(publie - n) <= reglage.table.bruit_max if publie != LIBELLE_MASQUE else True


@given(n=st.lists(st.integers(0, 300), min_size=1, max_size=30), graine=st.integers(0, 10**6))
def test_colonnes_comme_cases(n, graine):
    rng = np.random.default_rng(graine)
    c = rng.integers(0, MODULE, size=len(n))
    serie = p.publier_effectifs(n, c)
    assert [p.libelle(v) for v in serie] == [p.publier_effectif(a, int(b)) for a, b in zip(n, c, strict=True)]


@given(graine=st.integers(0, 10**6), taille=st.integers(0, 40), coupe=st.integers(0, 40), sel=st.binary(min_size=8))
def test_meme_cellule_meme_valeur_quelle_que_soit_la_requete(graine, taille, coupe, sel):
    """Une cellule atteinte par deux requêtes (ordre différent, réunion de deux sous-cellules) a la même clé,
    donc la même valeur publiée."""
    ids = pseudonymes(graine, taille)
    cles_ = [cles.cle_personne(i, sel) for i in ids]
    directe = cles.cle_cellule(cles_)
    a, b = cles_[: coupe % (taille + 1)], cles_[coupe % (taille + 1) :]
    assert cles.cle_cellule(reversed(cles_)) == directe
    assert (cles.cle_cellule(a) + cles.cle_cellule(b)) % MODULE == directe
    assert p.publier_effectif(taille, directe) == p.publier_effectif(len(a) + len(b), cles.cle_cellule(b + a))


def _cellule(ids: list[str], sel: bytes) -> tuple[int, int]:
    return len(ids), cles.cle_cellule(cles.cle_personne(i, sel) for i in ids)


@given(
    graine=st.integers(0, 10**6),
    taille_b=st.integers(0, 80),
    petite=st.integers(1, SEUIL - 1),
    sel=st.binary(min_size=16, max_size=40),
    exempt=st.booleans(),
)
def test_la_soustraction_de_deux_chiffres_publies_laisse_plusieurs_valeurs(graine, taille_b, petite, sel, exempt):
    """A = B + X (une ALI et une de ses communes, tous les sexes et les hommes, une période et une période
    emboîtée), X de 1 à seuil − 1 personnes : l'attaquant connaît pub(A), pub(B), la table p et le fait que
    B ⊂ A. L'ensemble des valeurs de X = A − B compatibles avec ces deux chiffres compte toujours au moins
    deux valeurs, même quand A est le département publié exactement."""
    ids = pseudonymes(graine, taille_b + petite)
    n_a, cle_a = _cellule(ids, sel)
    n_b, cle_b = _cellule(ids[:taille_b], sel)
    pub_a = p.publier_effectif(n_a, cle_a, exempt=exempt)
    pub_b = p.publier_effectif(n_b, cle_b)
    possibles = {
        a - b for a in p.valeurs_compatibles(pub_a, exempt=exempt) for b in p.valeurs_compatibles(pub_b) if a >= b
    }
    assert petite in possibles
    assert len(possibles) >= 2


# --- Programme linéaire de l'attaquant ----------------------------------------------------------------


def bornes_lp(boites: list[range], relations: list[tuple[int, list[int]]], cases: list[int]) -> list[tuple[int, int]]:
    """Pour chaque case demandée, le plus petit et le plus grand effectif compatible avec toutes les valeurs
    publiées : chaque case dans sa boîte (valeurs_compatibles), chaque total égal à la somme de ses parties.
    Les matrices de ces tableaux (un total, une hiérarchie, un tableau croisé) sont totalement unimodulaires :
    les bornes du programme linéaire sont entières, ce sont celles de l'attaquant qui raisonne en entiers."""
    n = len(boites)
    a_eq = np.zeros((len(relations), n))
    for k, (total, parties) in enumerate(relations):
        a_eq[k, total] = -1
        a_eq[k, parties] = 1
    b_eq = np.zeros(len(relations))
    bounds = [(b.start, b.stop - 1) for b in boites]
    resultat = []
    for i in cases:
        c = np.zeros(n)
        c[i] = 1
        bas = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        haut = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert bas.status == 0 and haut.status == 0, "les vraies valeurs sont toujours une solution"
        resultat.append((math.ceil(bas.fun - 1e-6), math.floor(-haut.fun + 1e-6)))
    return resultat


def figees(vraies: list[int], boites: list[range], relations) -> list[int]:
    """Les rangs des cases cachées de 1 à seuil − 1 que le programme linéaire fixe à une seule valeur (une case
    publiée exactement, le département sans filtre, n'est pas cachée : elle est publiée)."""
    petites = [k for k, (v, b) in enumerate(zip(vraies, boites, strict=True)) if 1 <= v < SEUIL and len(b) > 1]
    resultat = []
    for k, (bas, haut) in zip(petites, bornes_lp(boites, relations, petites), strict=True):
        assert bas <= vraies[k] <= haut
        if bas == haut:
            resultat.append(k)
    return resultat


def boite_bruitee(n: int, bruit: int, exempt: bool = False) -> range:
    publie = p.publier_effectif(n, TABLE_P_DEFAUT.cle_pour(bruit), exempt=exempt)
    return p.valeurs_compatibles(publie, exempt=exempt)


def boites_adverses(vraies: list[int], relations, tirages: list[int], exempt_racine: bool) -> list[range]:
    """Les boîtes publiées quand l'adversaire choisit le bruit de chaque cellule. Deux cases qui réunissent les
    mêmes personnes (un total dont les autres parties sont vides) sont une seule cellule : même clé, donc même
    bruit. La dernière case est la racine, exacte quand c'est le département sans filtre."""
    totaux = {total for total, _ in relations}
    ensembles: list[frozenset] = [
        frozenset({k}) if k not in totaux and v > 0 else frozenset() for k, v in enumerate(vraies)
    ]
    for total, parties in relations:  # les parties d'un total le précèdent toujours
        ensembles[total] = frozenset().union(*(ensembles[i] for i in parties))
    rang = {e: i for i, e in enumerate(dict.fromkeys(ensembles))}
    boites = [boite_bruitee(n, tirages[rang[e]]) for n, e in zip(vraies, ensembles, strict=True)]
    if exempt_racine:
        boites[-1] = boite_bruitee(vraies[-1], 0, exempt=True)
    return boites


# L'adversaire cherche les bords : petites valeurs, valeurs autour du seuil, bruits extrêmes.
petits_effectifs = st.one_of(st.integers(0, SEUIL + 2 * D), st.integers(0, 60))
bruits = st.one_of(st.sampled_from([-D, D]), st.integers(-D, D))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parties=st.lists(petits_effectifs, min_size=2, max_size=6),
    tirages=st.lists(bruits, min_size=7, max_size=7),
    exempt=st.booleans(),
)
# Deux cas que l'attaquant trouve si la méthode publiait les zéros (boîte du masque [1, 13] : la case 1 est
# fixée par le département exact), ou si elle publiait toute valeur vraie ≥ seuil (boîte du masque [0, 10] :
# 10 = 30 − 20 est fixée quand le total est tiré à +3 et la case 20 à −3).
@example(parties=[0, 1], tirages=[0] * 7, exempt=True)
@example(parties=[10, 20], tirages=[0, -3, 3, 0, 0, 0, 0], exempt=False)
def test_lp_un_tableau_et_son_total_ne_fige_aucune_petite_case_quel_que_soit_le_bruit(parties, tirages, exempt):
    """Un total (exact quand c'est le département sans filtre) et ses parties, le bruit de chaque cellule
    choisi par l'adversaire entre −D et +D (pas seulement tiré au hasard) : aucune case de 1 à seuil − 1 n'est
    fixée. Raison (doc) : une case n'est fixée qu'à un bord de sa propre boîte, et ces bords valent 0 ou
    ≥ seuil."""
    vraies = [*parties, sum(parties)]
    relations = [(len(parties), list(range(len(parties))))]
    assert figees(vraies, boites_adverses(vraies, relations, tirages, exempt), relations) == []


def hierarchie(familles: list[list[int]]) -> tuple[list[int], list[tuple[int, list[int]]]]:
    """Trois niveaux emboîtés : chaque famille de feuilles suivie de son total, puis la racine (dernière case)."""
    vraies, relations, enfants_racine = [], [], []
    for famille in familles:
        feuilles = list(range(len(vraies), len(vraies) + len(famille)))
        vraies.extend(famille)
        vraies.append(sum(famille))
        relations.append((len(vraies) - 1, feuilles))
        enfants_racine.append(len(vraies) - 1)
    vraies.append(sum(vraies[i] for i in enfants_racine))
    relations.append((len(vraies) - 1, enfants_racine))
    return vraies, relations


familles_hierarchie = st.lists(st.lists(petits_effectifs, min_size=2, max_size=3), min_size=2, max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(familles=familles_hierarchie, tirages=st.lists(bruits, min_size=13, max_size=13))
def test_lp_une_hierarchie_bruitee_ne_fige_aucune_petite_case_quel_que_soit_le_bruit(familles, tirages):
    """Trois niveaux emboîtés (communes ⊂ ALI ⊂ EPT ; mois ⊂ trimestre ⊂ année), chaque nœud ayant au moins
    deux enfants, racine bruitée comme le reste, bruits choisis par l'adversaire : aucune case de 1 à
    seuil − 1 fixée."""
    vraies, relations = hierarchie(familles)
    assert figees(vraies, boites_adverses(vraies, relations, tirages, False), relations) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(familles=familles_hierarchie, graine=st.integers(0, 10**6), sel=st.binary(min_size=16, max_size=40))
def test_lp_une_hierarchie_sous_le_departement_exact_ne_fige_pas_ses_petites_cases(familles, graine, sel):
    """Même hiérarchie sous le département publié exact (sans filtre). Ici le bruit est celui de la table p,
    lu aux clés de vrais pseudonymes : la garantie est probabiliste (le test suivant montre la limite)."""
    vraies, relations = hierarchie(familles)
    ids = pseudonymes(graine, vraies[-1])
    cles_ = [cles.cle_personne(i, sel) for i in ids]
    feuilles = sorted(set(range(len(vraies))) - {total for total, _ in relations})
    debut = np.concatenate([[0], np.cumsum([vraies[k] for k in feuilles])])
    cles_cases: dict[int, int] = {k: cles.cle_cellule(cles_[debut[r] : debut[r + 1]]) for r, k in enumerate(feuilles)}
    for total, parties in relations:  # les parties d'un total le précèdent toujours
        cles_cases[total] = cles.cle_cellule(cles_cases[i] for i in parties)
    boites = [p.valeurs_compatibles(p.publier_effectif(n, cles_cases[k])) for k, n in enumerate(vraies)]
    boites[-1] = p.valeurs_compatibles(
        p.publier_effectif(vraies[-1], cles_cases[len(vraies) - 1], exempt=True), exempt=True
    )
    assert figees(vraies, boites, relations) == []


def test_limite_une_hierarchie_sous_le_departement_exact_avec_trois_bruits_extremes():
    """La limite documentée (trouvée par hypothesis) : département exact 27 = EPT A (26 = 13 + 13) + EPT B
    (1 = 0 + 1). Les deux ALI de 13 tirées à −3 (« secret », donc au plus 13 chacune) et l'EPT A tiré à +3
    (publié 29, donc au moins 26) fixent l'EPT A à 26, donc l'EPT B à 27 − 26 = 1. Même chose avec les trois
    signes inversés. Il faut les trois bruits extrêmes à la fois, ≈ (0,0045)³ ≈ 9·10⁻⁸ ; ramener un seul
    d'entre eux à 0 libère la case, et la même hiérarchie sous une racine bruitée ne fige rien."""
    vraies, relations = hierarchie([[13, 13], [0, 1]])  # [13, 13, 26, 0, 1, 1, 27]
    for extremes in ({0: -3, 1: -3, 2: 3}, {0: 3, 1: 3, 2: -3}):
        boites = [boite_bruitee(n, extremes.get(k, 0)) for k, n in enumerate(vraies)]
        boites[-1] = boite_bruitee(vraies[-1], 0, exempt=True)
        assert figees(vraies, boites, relations) == [5]  # l'EPT B, qui vaut 1 (ses ALI restent 0 ou 1)
        for k in extremes:
            adouci = [boite_bruitee(n, 0 if j == k else extremes.get(j, 0)) for j, n in enumerate(vraies)]
            adouci[-1] = boites[-1]
            assert figees(vraies, adouci, relations) == []
        bruitee = [boite_bruitee(n, extremes.get(k, 0)) for k, n in enumerate(vraies)]
        assert figees(vraies, bruitee, relations) == []


def tableau_croise(cases: np.ndarray) -> tuple[list[int], list[tuple[int, list[int]]]]:
    """Les cases d'un tableau r × c, puis ses totaux de lignes, de colonnes et le total général."""
    r, c = cases.shape
    vraies = [int(v) for v in cases.flatten()]
    relations = []
    for i in range(r):
        vraies.append(int(cases[i].sum()))
        relations.append((len(vraies) - 1, [i * c + j for j in range(c)]))
    for j in range(c):
        vraies.append(int(cases[:, j].sum()))
        relations.append((len(vraies) - 1, [i * c + j for i in range(r)]))
    vraies.append(int(cases.sum()))
    relations.append((len(vraies) - 1, list(range(r * c))))
    return vraies, relations


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    graine=st.integers(0, 10**6),
    forme=st.tuples(st.integers(2, 3), st.integers(2, 3)),
    sel=st.binary(min_size=16, max_size=40),
)
def test_lp_un_tableau_croise_publie_ne_fige_pas_ses_petites_cases(graine, forme, sel):
    """Tableau croisé (ALI × sexe, commune × mois…) dont chaque case, marge et total est une cellule de vrais
    pseudonymes, publiée avec sa clé. Ici le bruit est celui de la table p, pas celui d'un adversaire : la
    garantie est probabiliste (le test suivant montre la limite)."""
    rng = np.random.default_rng(graine)
    cases = rng.choice([0, 1, 2, 3, 5, 8, 10, 11, 12, 13, 14, 15, 20, 40], size=forme)
    ids = pseudonymes(graine, int(cases.sum()))
    cles_ = np.array([cles.cle_personne(i, sel) for i in ids], dtype=np.int64)
    debut = np.concatenate([[0], np.cumsum(cases.flatten())])
    cles_cases = [cles.cle_cellule(cles_[debut[k] : debut[k + 1]]) for k in range(cases.size)]
    vraies, relations = tableau_croise(cases)
    cles_toutes = cles_cases + [cles.cle_cellule(cles_cases[i] for i in parties) for _, parties in relations]
    boites = [p.valeurs_compatibles(p.publier_effectif(n, c)) for n, c in zip(vraies, cles_toutes, strict=True)]
    assert figees(vraies, boites, relations) == []


def test_limite_un_tableau_croise_peut_fixer_une_case_avec_quatre_bruits_extremes():
    """La limite documentée : dans un tableau croisé 2 × 2, quatre cellules tirées à ±3 en même temps
    (probabilité 0,0045 chacune, soit ≈ 4·10⁻¹⁰) fixent la case qui vaut 1 (et le total de sa colonne, qui
    réunit les mêmes personnes). Ramener un seul de ces bruits à 0 suffit à la libérer : il faut les quatre."""
    cases = np.array([[15, 1], [13, 0]])
    vraies, relations = tableau_croise(cases)  # cases, lignes (16, 13), colonnes (28, 1), total 29
    extremes = {0: -3, 4: 3, 6: 3, 8: -3}  # case 15, ligne 16, colonne 28, total 29
    boites = [boite_bruitee(n, extremes.get(k, 0)) for k, n in enumerate(vraies)]
    assert figees(vraies, boites, relations) == [1, 7]  # case (1, 2) et colonne 2
    for k in extremes:
        adouci = [boite_bruitee(n, 0 if j == k else extremes.get(j, 0)) for j, n in enumerate(vraies)]
        assert figees(vraies, adouci, relations) == []
