"""insertion.figures.cohortes et les requêtes des vues Diagnostics et Sorties vers l'emploi, sur une petite base.

La base `fixture_rows()` est partagée avec les tests des pages (test_page_diagnostics, test_page_sorties) ;
ses chiffres clés sont calculés à la main ci-dessous, une fois pour toutes.

Extraction unique au 30/06/2024 = D ; période par défaut du tableau de bord : 01/01/2023 → D.
D − 90 jours = 01/04/2024 ; D − 365 jours = 01/07/2023 (2024 est bissextile).

Groupe A — ALI14 (commune 93014), 30 épisodes a01..a30 orientés le 15/03/2023 :
  - diagnostic numérique le 14/04/2023 (30 jours) pour les 30 : niveau « debutant » pour a01..a10,
    « autonome » pour a11..a30 ;
  - diagnostic linguistique le 14/05/2023 (60 jours) pour a01..a22 : « B1 » pour a01..a11, « francophone »
    pour a12..a22 ;
  - sorties : a01..a06 emploi_durable le 15/09/2023, a07..a10 creation_entreprise le 01/10/2023,
    a11..a18 emploi_transition le 01/12/2023, a19..a21 formation le 10/01/2024, a22..a26 abandon le
    01/08/2023, a27 emploi_durable le 01/04/2024 (après le 14/03/2024 = orientation + 365 jours : hors des
    12 mois, mais bien une sortie de la période) ; a28..a30 toujours suivis.
Groupe B — ALI14, 20 épisodes b01..b20 orientés le 15/01/2024 :
  - diagnostic numérique le 25/01/2024 (10 jours) pour b01..b12, niveau « intermediaire » ;
    le 15/05/2024 (121 jours, au-delà de 90) pour b13..b15, niveau « non_evalue » ; b16..b20 sans.
Groupe C — ALI04 (commune 93027), 4 épisodes c01..c04 orientés le 15/01/2024 :
  - diagnostic numérique le 20/01/2024 (5 jours), niveau « intermediaire ».

Diagnostic numérique à 90 jours (tous les épisodes sont orientés avant le 01/04/2024) :
  - ALI14 : dénominateur 50, numérateur 30 + 12 = 42 → 84,0 % ; diagnostics datés 45 (30 + 15) ;
    délais triés 12×10, 30×30, 3×121 j : la 23e valeur sur 45 → 30 jours.
  - ALI04 : dénominateur 4 (« secret » sous le département), taux non diffusé (« secret »).
  - Département : 54, 46 → 85,185… % = 85,2 % ; 49 diagnostics, délais 4×5, 12×10, 30×30, 3×121 :
    la 25e valeur → 30 jours.
  - Cohortes mensuelles : mars 2023 : ALI14 30/30 = 100 % ; janvier 2024 : ALI14 12/20 = 60 % (délai médian
    des 15 diagnostics : 12×10, 3×121 → 10 jours), ALI04 4/4 masqué, département 16/24 = 66,7 %.
Diagnostic linguistique : département 22/54 = 40,7 %, délai médian 60 jours (22 diagnostics).
Niveaux numériques, département : débutant 10, intermédiaire 16, autonome 20, non évalué 3 (total 49) ;
  ALI14 : débutant 10 et non évalué 3 masqués, intermédiaire 12, autonome 20.
Sorties à 12 mois (cohorte : orientés au plus tard le 01/07/2023, soit le seul groupe A, 30 épisodes) :
  emploi 6 + 4 + 8 = 18 → 60,0 % ; emploi durable 6 + 4 = 10 → 33,3 %.
Sorties de la période : 27 (7 emploi durable, 4 création, 8 transition, 3 formation, 5 abandon) ;
  en emploi 7 + 4 + 8 = 19 → 70,4 % ; groupes : emploi durable 11, transition 8, formation 3, autres 5.
Parcours de la cohorte T1 2023 : orientés 30, numérique 30 (100 %), linguistique 22 (73,3 %), sortis dans
  les 12 mois 26 (86,7 %), en emploi 18 (60,0 %), en emploi durable 10 (33,3 %).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from insertion import formats, indicators
from insertion.figures import cohortes, diagnostics, sorties_figures
from insertion.store.db import ouvrir_en_lecture
from insertion.store.requetes import Perimetre, Periode, executer
from tests.conftest import build_db, csv_bytes, ligne

D = date(2024, 6, 30)
DEP = indicators.DEPARTEMENT


def fixture_rows() -> list[dict[str, str]]:
    rows = []
    extraction = D.isoformat()
    for i in range(1, 31):
        r = ligne(
            id_beneficiaire=f"a{i:07d}",
            code_ali="ALI14",
            code_commune="93014",
            date_orientation="2023-03-15",
            date_diag_numerique="2023-04-14",
            niveau_numerique="debutant" if i <= 10 else "autonome",
            date_extraction=extraction,
        )
        if i <= 22:
            r.update(date_diag_linguistique="2023-05-14", niveau_linguistique="B1" if i <= 11 else "francophone")
        sortie = (
            ("2023-09-15", "emploi_durable")
            if i <= 6
            else ("2023-10-01", "creation_entreprise")
            if i <= 10
            else ("2023-12-01", "emploi_transition")
            if i <= 18
            else ("2024-01-10", "formation")
            if i <= 21
            else ("2023-08-01", "abandon")
            if i <= 26
            else ("2024-04-01", "emploi_durable")
            if i == 27
            else ("", "")
        )
        r.update(date_sortie=sortie[0], motif_sortie=sortie[1])
        rows.append(r)
    for i in range(1, 21):
        r = ligne(
            id_beneficiaire=f"b{i:07d}",
            code_ali="ALI14",
            code_commune="93014",
            date_orientation="2024-01-15",
            date_extraction=extraction,
        )
        if i <= 12:
            r.update(date_diag_numerique="2024-01-25", niveau_numerique="intermediaire")
        elif i <= 15:
            r.update(date_diag_numerique="2024-05-15", niveau_numerique="non_evalue")
        rows.append(r)
    for i in range(1, 5):
        rows.append(
            ligne(
                id_beneficiaire=f"c{i:07d}",
                code_ali="ALI04",
                code_commune="93027",
                date_orientation="2024-01-15",
                date_diag_numerique="2024-01-20",
                niveau_numerique="intermediaire",
                date_extraction=extraction,
            )
        )
    return rows


def fixture_db(tmp_path):
    return build_db(tmp_path / "cohortes.duckdb", {"extraction.csv": csv_bytes(fixture_rows())})


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = fixture_db(tmp_path_factory.mktemp("cohortes"))
    connexion = ouvrir_en_lecture(str(path))
    yield connexion
    connexion.close()


PERIODE = Periode(as_of=D, debut=date(2023, 1, 1), fin=D)


def q(con, nom: str, perimetre: Perimetre = Perimetre(), **extra) -> pd.DataFrame:
    return executer(con, nom, **cohortes.parametres(PERIODE, perimetre, **extra))


# --- Requêtes --------------------------------------------------------------------------------------


def test_diagnostic_cohorts_match_the_hand_computation(con):
    df = q(con, "taux_diagnostic_cohortes", groupe="ali", diagnostic="numerique")
    rows = {(g, c.date()): r for g, c, r in zip(df["groupe"], df["cohorte"], df.to_dict("records"), strict=True)}
    mars, janvier = rows[("ALI14", date(2023, 3, 1))], rows[("ALI14", date(2024, 1, 1))]
    assert (mars["denominateur"], mars["numerateur"], mars["taux_90j"]) == (30, 30, 1.0)
    assert (janvier["denominateur"], janvier["numerateur"], janvier["taux_90j"]) == (20, 12, 0.6)
    # 15 diagnostics datés en janvier 2024 : 12 à 10 jours, 3 à 121 jours → médiane 10.
    assert (janvier["diagnostics"], janvier["delai_median_j"]) == (15, 10.0)
    assert rows[("ALI04", date(2024, 1, 1))]["denominateur"] == 4
    # Fin janvier 2024 <= D - 90 = 01/04/2024 : cohortes au recul complet.
    assert df["recul_complet"].all()


def test_both_diagnostics_within_90_days_match_the_hand_computation(con):
    """« Les deux » : les deux diagnostics datés, le second au plus tard 90 jours après l'orientation. ALI14 : 30
    orientés en mars 2023 (numérique à 30 jours, linguistique à 60 jours pour 22 d'entre eux) et 20 en janvier
    2024 (numérique seulement) → 22 sur 50, délai médian jusqu'au second diagnostic 60 jours (22 datés) ;
    ALI04 : 4 orientés, aucun diagnostic linguistique → 0 sur 4, pas de délai."""
    df = q(con, "taux_diagnostic_90j", groupe="ali", diagnostic="les_deux").set_index("groupe")
    ali14, ali04 = df.loc["ALI14"], df.loc["ALI04"]
    assert (ali14["denominateur"], ali14["numerateur"], ali14["diagnostics"]) == (50, 22, 22)
    assert ali14["taux_90j"] == pytest.approx(0.44) and ali14["delai_median_j"] == 60
    assert (ali04["denominateur"], ali04["numerateur"], ali04["diagnostics"]) == (4, 0, 0)
    assert pd.isna(ali04["delai_median_j"])
    # Par cohorte, même définition : mars 2023 22 / 30, janvier 2024 0 / 20.
    coh = q(con, "taux_diagnostic_cohortes", groupe="ali", diagnostic="les_deux")
    lignes = {
        (g, c.date()): (d, n)
        for g, c, d, n in coh[["groupe", "cohorte", "denominateur", "numerateur"]].itertuples(index=False)
    }
    assert lignes[("ALI14", date(2023, 3, 1))] == (30, 22) and lignes[("ALI14", date(2024, 1, 1))] == (20, 0)


def test_cohort_counts_add_up_to_the_period_indicators(con):
    """Même définition : la somme des cohortes redonne taux_diagnostic et taux_sortie_emploi."""
    for diagnostic in ("numerique", "linguistique"):
        coh = q(con, "taux_diagnostic_cohortes", groupe="ali", diagnostic=diagnostic)
        ind = indicators.taux_diagnostic(con, PERIODE, groupe="ali", diagnostic=diagnostic).set_index("groupe")
        somme = coh.groupby("groupe")[["denominateur", "numerateur"]].sum()
        assert somme.equals(ind[["denominateur", "numerateur"]].loc[somme.index])
    for pas in ("mois", "trimestre", "periode"):
        coh = q(con, "taux_sortie_emploi_cohortes", groupe="departement", pas=pas)
        ind = indicators.taux_sortie_emploi(con, PERIODE)
        assert coh["denominateur"].sum() == ind["denominateur"].iloc[0] == 30
        assert coh["n_sortie_emploi"].sum() == ind["n_sortie_emploi"].iloc[0] == 18
        assert coh["n_emploi_durable"].sum() == ind["n_emploi_durable"].iloc[0] == 10


def test_exit_cohorts_by_quarter(con):
    df = q(con, "taux_sortie_emploi_cohortes", groupe="departement", pas="trimestre")
    premier = df.iloc[0]
    # T1 2023 : fin le 31/03/2023 <= D - 365 = 01/07/2023 → recul complet ; 18/30 et 10/30.
    assert (premier["cohorte"].date(), premier["fin_cohorte"].date()) == (date(2023, 1, 1), date(2023, 3, 31))
    assert bool(premier["recul_complet"]) and premier["taux_sortie_emploi"] == pytest.approx(0.6)
    assert premier["taux_emploi_durable"] == pytest.approx(1 / 3)
    # T1 2024 (groupes B et C, 24 orientations) : aucune n'a un an de recul.
    dernier = df.iloc[-1]
    assert (dernier["orientations"], dernier["denominateur"], bool(dernier["recul_complet"])) == (24, 0, False)


def test_pathway_of_the_first_quarter(con):
    df = q(con, "parcours_cohorte", groupe="departement", pas="trimestre")
    assert len(df) == 1  # seules les orientations d'au moins un an comptent : le groupe A
    etapes = sorties_figures.etapes_parcours(df.iloc[0])
    assert list(etapes["effectif"]) == [30, 30, 22, 26, 18, 10]
    assert list(etapes["part"].round(3)) == [1.0, 1.0, 0.733, 0.867, 0.6, 0.333]
    assert list(etapes["libelle"])[0] == "Orientés"


def test_levels_found(con):
    df = diagnostics.niveaux(q(con, "niveaux_diagnostic", groupe="departement", diagnostic="numerique"), "numerique")
    assert list(df["niveau"]) == ["debutant", "intermediaire", "autonome", "non_evalue"]  # ordre de l'échelle
    assert list(df["episodes"]) == [10, 16, 20, 3] and set(df["total"]) == {49}
    ling = q(con, "niveaux_diagnostic", groupe="ali", diagnostic="linguistique")
    assert sorted(zip(ling["niveau"], ling["episodes"], strict=True)) == [("B1", 11), ("francophone", 11)]


def test_median_delay_gets_its_count_from_the_cohorts(con):
    ind = indicators.taux_diagnostic(con, PERIODE, groupe="ali", diagnostic="numerique")
    coh = q(con, "taux_diagnostic_cohortes", groupe="ali", diagnostic="numerique")
    df = diagnostics.avec_diagnostics(ind, coh).set_index("groupe")
    assert df.loc["ALI14", "diagnostics"] == 45 and df.loc["ALI14", "delai_median_j"] == 30
    assert df.loc["ALI04", "diagnostics"] == 4
    prot = diagnostics.proteger_diagnostic(df.reset_index(), departement=False)
    aff = prot.affichage({"taux_90j": str, "delai_median_j": str, "denominateur": str}).set_index("groupe")
    # ALI04 : 4 orientations, 4 diagnostics → effectif « secret », taux et délai non diffusés.
    assert list(aff.loc["ALI04", ["denominateur", "taux_90j", "delai_median_j"]]) == ["secret", "secret", "secret"]
    # ALI14 : 42 diagnostiquées sur 50, donc 8 non diagnostiquées : complément de 1 à 10, taux non diffusé
    # (84 % de 50 redonnerait 8) ; le délai médian sur 45 diagnostics (30 jours, multiple de 5) est diffusé.
    ali14 = prot.donnees.set_index("groupe").loc["ALI14"]
    assert pd.isna(ali14["taux_90j"]) and ali14["delai_median_j"] == 30


# --- Secret statistique cohérent entre motifs et groupes ---------------------------------------------


def motifs_table(groupe: str, **effectifs: int) -> pd.DataFrame:
    flags = {
        "emploi_durable": (True, True, True),
        "creation_entreprise": (True, True, True),
        "emploi_transition": (False, True, True),
        "formation": (False, False, True),
        "abandon": (False, False, False),
        "reorientation": (False, False, False),
    }
    return pd.DataFrame(
        [
            {
                "groupe": groupe,
                "motif_sortie": m,
                "libelle": m,
                "emploi_durable": flags[m][0],
                "sortie_emploi": flags[m][1],
                "sortie_dynamique": flags[m][2],
                "sorties": n,
            }
            for m, n in effectifs.items()
        ]
    )


def test_a_masked_motif_masks_its_neighbour_in_the_group_not_the_group():
    m = motifs_table("ALI14", emploi_durable=50, creation_entreprise=4, emploi_transition=30, formation=12, abandon=20)
    groupes = cohortes.sorties_par_groupe(m)
    d = groupes.donnees.set_index("groupe_sortie")
    # Groupes : durable 54, transition 30, formation 12, autres 20 ; aucun de 1 à 10 → tous montrés.
    assert list(d["sorties"]) == [54, 30, 12, 20] and not groupes.a_masque
    assert d.loc["emploi_durable", "part"] == pytest.approx(54 / 116)
    motifs = cohortes.proteger_motifs(m)
    masque = dict(zip(m["motif_sortie"], motifs.masque["sorties"], strict=True))
    # Création (4) masquée ; l'emploi durable (50) reste montré. Dans l'application, motifs et groupes sont
    # des cases publiées chacune avec le bruit de sa clé (insertion/protect) : 54 ± 3 moins 50 ± 3 ne redonne
    # pas la création. Sans cette couche (valeurs brutes, comme ici), on ne publie pas ces tableaux.
    assert masque == {
        "emploi_durable": False,
        "creation_entreprise": True,
        "emploi_transition": False,
        "formation": False,
        "abandon": False,
    }


def test_a_masked_group_masks_all_its_motifs():
    m = motifs_table("ALI14", emploi_durable=40, emploi_transition=30, formation=5, abandon=15, reorientation=12)
    groupes = cohortes.sorties_par_groupe(m)
    d = groupes.donnees.set_index("groupe_sortie")
    # Formation (5) masquée ; seule masquée du territoire → la plus petite suivante, autres (27), aussi ;
    # les parts de ces deux groupes aussi.
    assert d["sorties"].isna().to_dict() == {
        "emploi_durable": False,
        "emploi_transition": False,
        "formation": True,
        "autres": True,
    }
    assert d["part"].isna().to_dict() == d["sorties"].isna().to_dict()
    affichage = groupes.affichage({"sorties": str, "part": str}).set_index("groupe_sortie")
    assert affichage.loc["autres", "sorties"] == "secret" and affichage.loc["autres", "part"] == "secret"
    motifs = cohortes.proteger_motifs(m)
    masque = dict(zip(m["motif_sortie"], motifs.masque["sorties"], strict=True))
    # Chaque motif n'est masqué que pour lui-même : abandon (15) et réorientation (12) restent montrés ; publiés
    # par la couche avec leur bruit, leur somme ne redonne pas le groupe « autres » (sa propre case).
    assert masque == {
        "emploi_durable": False,
        "emploi_transition": False,
        "formation": True,
        "abandon": False,
        "reorientation": False,
    }
    assert sorties_figures.part_emploi(groupes) == (70.0, pytest.approx(70 / 102))


def test_department_rows_are_never_masked_but_territories_are():
    dep = motifs_table(DEP, emploi_durable=4, emploi_transition=30)
    ali = motifs_table("ALI14", emploi_durable=4, emploi_transition=30)
    table, niveau = cohortes.empiler(dep, ali)
    groupes = cohortes.sorties_par_groupe(table, niveau)
    d = groupes.donnees
    assert list(d["groupe"]) == [DEP, DEP, "ALI14", "ALI14"]  # le département reste en tête
    assert list(d["sorties"].isna()) == [False, False, True, True]
    assert sorties_figures.part_emploi(cohortes.sorties_par_groupe(ali)) == (None, None)


def test_shares_follow_their_masked_counts():
    df = pd.DataFrame({"groupe": ["ALI14"] * 3, "episodes": [4, 30, 20]})
    df["total"] = 54
    df["part"] = df["episodes"] / df["total"]
    prot = cohortes.proteger_parts(
        df, effectif="episodes", part="part", total="total", ventilation=["groupe"], departement=False
    )
    # 4 masqué, seul → 20 aussi (masquage secondaire) ; leurs parts aussi ; 30 et 55,6 % montrés.
    assert list(prot.donnees["episodes"].isna()) == [True, False, True]
    assert list(prot.donnees["part"].isna()) == [True, False, True]
    assert prot.affichage({"part": str})["part"].iloc[0] == "secret"


def test_pathway_shares_are_masked_with_small_counts_and_small_cohorts():
    etapes = sorties_figures.etapes_parcours(dict(zip(cohortes.ETAPES_PARCOURS, [30, 30, 22, 26, 18, 4], strict=True)))
    prot = sorties_figures.proteger_parcours(etapes, departement=False)
    assert list(prot.donnees["effectif"].isna()) == [False] * 5 + [True]
    # Parts de 30 : 22 (complément 8) et 26 (complément 4) ne sont pas diffusées : la règle des taux vaut
    # pour les parts ; 18 (complément 12) l'est.
    assert list(prot.donnees["part"].isna()) == [False, False, True, True, False, True]
    petite = sorties_figures.proteger_parcours(
        sorties_figures.etapes_parcours(dict.fromkeys(cohortes.ETAPES_PARCOURS, 8)), True
    )
    # Au département les effectifs restent, mais une part sur 8 personnes n'est pas diffusée.
    assert not petite.donnees["effectif"].isna().any() and petite.donnees["part"].isna().all()


# --- Mise en forme -----------------------------------------------------------------------------------


def test_labels_and_grid():
    assert cohortes.libelle_cohorte(pd.Timestamp("2024-04-01"), "trimestre") == "T2 2024"
    assert cohortes.libelle_cohorte(date(2024, 1, 1), "mois") == "janvier 2024"
    assert cohortes.libelle_groupe("ALI14", court=True) == "ALI14 · Clichy-sous-Bois"
    assert formats.jours(30.0) == "30 jours" and formats.jours(1) == "1 jour" and formats.jours(32.5) == "32,5 jours"
    df = pd.DataFrame(
        {
            "groupe": ["ALI14", DEP, "ALI14"],
            "cohorte": pd.to_datetime(["2024-01-01", "2023-03-01", "2023-03-01"]),
            "taux": [0.6, 1.0, 1.0],
        }
    )
    g = cohortes.grille(df, "taux", [DEP, "ALI04", "ALI14"])
    assert list(g.index) == [DEP, "ALI14"]  # ALI04 sans donnée : omise
    assert [c.date() for c in g.columns] == [date(2023, 3, 1), date(2024, 1, 1)]
    assert pd.isna(g.loc[DEP, pd.Timestamp("2024-01-01")]) and g.loc["ALI14", pd.Timestamp("2024-01-01")] == 0.6


def test_department_reference_keeps_profile_filters_only():
    p = Perimetre(alis=("ALI14",), epts=("Est Ensemble",), communes=("93014",), sexes=("F",), ages=("25_34",))
    assert cohortes.perimetre_departement(p) == Perimetre(sexes=("F",), ages=("25_34",))


def test_a_rate_is_masked_with_its_small_numerator(con):
    df = indicators.taux_sortie_emploi(con, PERIODE, groupe="ali")
    prot = sorties_figures.proteger_sortie(df, departement=False)
    aff = prot.affichage(
        {c: str for c in ("n_sortie_emploi", "taux_sortie_emploi", "n_emploi_durable", "taux_emploi_durable")}
    )
    ali14 = aff.set_index("groupe").loc["ALI14"]
    # 18 sorties en emploi sur 30 : montrées (60 %) ; 10 en emploi durable : masquées, et leur taux aussi,
    # sinon 33,3 % × 30 orientations affichées redonnerait 10.
    assert ali14["n_sortie_emploi"] == "18.0" and ali14["taux_sortie_emploi"] == "0.6"
    assert (ali14["n_emploi_durable"], ali14["taux_emploi_durable"]) == ("secret", "secret")
    # Au département sans filtre, les effectifs restent ; le taux suit la règle des taux à tout niveau :
    # 18 et 12 → 60 % diffusé, 10 en emploi durable → 33,3 % non diffusé.
    dep = sorties_figures.proteger_sortie(indicators.taux_sortie_emploi(con, PERIODE), departement=True)
    assert dep.donnees["n_emploi_durable"].iloc[0] == 10
    assert dep.donnees["taux_sortie_emploi"].iloc[0] == pytest.approx(0.6)
    assert pd.isna(dep.donnees["taux_emploi_durable"].iloc[0])
