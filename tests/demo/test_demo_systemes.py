"""Démonstration des fichiers du contrat §7 (issue 14) : les histoires y sont, cohérentes avec la file active.

Les fichiers sont relus directement (pandas), sans le chargeur : chaque histoire est vérifiée sur ce qui est écrit.
Le dernier test passe par la démonstration chargée (fixture demo_build, lente).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from insertion import contrat
from insertion.demo import generer
from insertion.demo import systemes as demo_systemes
from tests.demo.test_demo import NOM, read_extract

EMPLOI = {"emploi_durable", "creation_entreprise", "emploi_transition"}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("demo_systemes")
    paths = generer(out)
    fichiers = {p.name: _csv(p) for p in paths if p.name in demo_systemes.NOMS}
    ali14 = sorted((p for p in paths if (m := NOM.match(p.name)) and m.group(1) == "ALI14"), key=lambda p: p.name)
    return {"paths": paths, "fichiers": fichiers, "ali14": ali14, "ali14_fin": read_extract(ali14[-1])}


def test_l_annuaire_compte_une_cinquantaine_de_structures_a_pantin_marquees_demonstration(demo):
    annuaire = demo["fichiers"]["structures.csv"]
    assert list(annuaire.columns) == contrat.COLONNES_STRUCTURES
    reseaux = annuaire["reseaux"].str.split("|")
    # Toutes marquées données de démonstration, aucun détail inventé au-delà du nom et du type.
    assert reseaux.map(lambda r: demo_systemes.RESEAU_DEMO in r).all()
    assert (annuaire["site_web"] == "").all()
    assert annuaire["code_structure"].is_unique
    pantin = annuaire[(annuaire["code_commune"] == "93055") & reseaux.map(lambda r: "reseau_pantin" in r)]
    assert 45 <= len(pantin) <= 55
    # Les types et les membres que cite l'histoire : mission locale, relais solidaires, FACE, Emmaüs Connect,
    # université, une EBE de Territoires zéro chômeur de longue durée.
    assert {"mission_locale", "ebe", "universite", "association", "france_travail"} <= set(pantin["type"])
    noms = " ".join(pantin["nom_structure"])
    for nom in ("Mission locale", "Relais solidaire", "FACE", "Emmaüs Connect", "Université", "zéro chômeur"):
        assert nom in noms, nom
    # Des structures qui couvrent chaque frein (le croisement freins × annuaire du §7.5).
    domaines = set("|".join(pantin["domaines"]).split("|"))
    assert domaines == set(contrat.DOMAINES)
    assert set(annuaire["type"]) <= set(contrat.TYPES_STRUCTURE)


def test_c2di93_self_interim_et_energie_travaillent_avec_ali14(demo):
    annuaire = demo["fichiers"]["structures.csv"].set_index("code_structure")
    assert annuaire.loc[list(demo_systemes.PARTENAIRES_ALI14), "nom_structure"].tolist() == [
        "C2Di 93",
        "Self Interim",
        "Energie",
    ]
    mer = demo["fichiers"]["mises_en_relation_2026-10-31.csv"]
    assert set(mer["code_ali"]) == {"ALI14"}
    assert set(mer["code_structure"]) == set(demo_systemes.PARTENAIRES_ALI14)
    embauches = mer[mer["issue"] == "embauche"]
    # Vers les petites entreprises du territoire : TPE et PME en majorité, des contrats longs.
    assert embauches["taille_entreprise"].isin(["tpe", "pme"]).mean() > 0.7
    duree = pd.to_numeric(embauches["duree_contrat_mois"], errors="coerce")
    longs = embauches["type_contrat"].isin(["cdi", "creation"]) | (duree >= 6)
    assert 0.4 < longs.mean() < 0.9


def test_les_mises_en_relation_concernent_des_personnes_suivies_et_s_accordent_avec_leurs_sorties(demo):
    """Mêmes pseudonymes que la file active ; une embauche en contrat long (ou d'au moins 3 mois) est suivie, dans
    les 90 jours, d'une sortie en emploi ; une mission courte ne l'est pas, la personne reste suivie : la part
    d'accord de la vue « Partenaires et emploi » n'est ni 0 ni 100 %."""
    mer = demo["fichiers"]["mises_en_relation_2026-10-31.csv"]
    episodes = demo["ali14_fin"]
    par_personne = episodes.groupby("id_beneficiaire")
    assert set(mer["id_beneficiaire"]) <= set(episodes["id_beneficiaire"])
    accords = []
    for row in mer.itertuples(index=False):
        eps = par_personne.get_group(row.id_beneficiaire)
        jour = pd.Timestamp(row.date_mise_en_relation)
        suivi = eps[(eps["date_orientation"] <= jour) & (eps["date_sortie"].isna() | (eps["date_sortie"] >= jour))]
        assert len(suivi) >= 1, row
        if row.issue == "embauche":
            embauche = pd.Timestamp(row.date_embauche)
            sortie = suivi["date_sortie"].iloc[0]
            accord = suivi["motif_sortie"].iloc[0] in EMPLOI and embauche <= sortie <= embauche + pd.Timedelta(days=90)
            courte = row.type_contrat in ("interim", "cdd") and str(row.duree_contrat_mois) in ("1", "2", "3")
            assert accord or courte, row
            accords.append(accord)
    assert 0.6 < sum(accords) / len(accords) < 0.95


def test_ateliers_numeriques_mardi_et_vendredi_a_ali14_depuis_fevrier_2023_environ_7_personnes(demo):
    actions = demo["fichiers"]["actions_collectives_2026-10-31.csv"]
    ateliers = actions[actions["type_action"] == "atelier_numerique"]
    assert set(ateliers["code_structure"]) == {"ALI14"} and set(ateliers["code_ali"]) == {"ALI14"}
    jours = pd.to_datetime(ateliers["date_action"])
    assert set(jours.dt.day_of_week) == {1, 4}  # mardi, vendredi
    assert jours.min() == pd.Timestamp("2023-02-07")
    # Chaque mardi et chaque vendredi, hors août et fin d'année.
    attendus, d = set(), date(2023, 2, 7)
    while d <= date(2026, 10, 31):
        vacances = d.month == 8 or (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day <= 2)
        if d.weekday() in (1, 4) and not vacances:
            attendus.add(pd.Timestamp(d))
        d += timedelta(days=1)
    assert set(jours) == attendus
    participants = ateliers["participants"].astype(int)
    assert 6 <= participants.mean() <= 8 and participants.max() <= 8
    assert (participants <= ateliers["places"].astype(int)).all()


def test_les_participants_des_ateliers_sont_des_personnes_suivies_par_ali14(demo):
    actions = demo["fichiers"]["actions_collectives_2026-10-31.csv"].set_index("id_action")
    part = demo["fichiers"]["participations_2026-10-31.csv"]
    # Autant de lignes de participation que de participants déclarés pour chaque atelier.
    ateliers = actions[actions["type_action"] == "atelier_numerique"]
    comptes = part.groupby("id_action").size().reindex(ateliers.index, fill_value=0)
    assert (comptes == ateliers["participants"].astype(int)).all()
    assert not part.duplicated(["id_beneficiaire", "id_action"]).any()
    episodes = demo["ali14_fin"]
    jours = pd.to_datetime(actions.loc[part["id_action"], "date_action"]).to_numpy()
    fusion = part.assign(jour=jours).merge(episodes, on="id_beneficiaire")
    suivi = (fusion["date_orientation"] <= fusion["jour"]) & (
        fusion["date_sortie"].isna() | (fusion["date_sortie"] > fusion["jour"])
    )
    assert fusion[suivi][["id_beneficiaire", "id_action"]].drop_duplicates().shape[0] == len(part)
    # Les débutants au numérique sont nombreux à y venir dans les 60 jours de leur diagnostic.
    debutants = fusion[suivi & (fusion["niveau_numerique"] == "debutant")]
    delai = (debutants["jour"] - debutants["date_diag_numerique"]).dt.days
    assert ((delai >= 0) & (delai <= 60)).sum() > 0.3 * len(part)


def test_les_jeudis_de_l_insertion_dans_chaque_quartier_de_pantin_en_juin_2023(demo):
    actions = demo["fichiers"]["actions_collectives_2026-10-31.csv"]
    journees = actions[actions["type_action"] == "aller_vers"]
    assert set(journees["code_commune"]) == {"93055"}
    assert sorted(journees["quartier"]) == sorted(demo_systemes.QUARTIERS_PANTIN)
    jours = pd.to_datetime(journees["date_action"])
    assert (jours.dt.year == 2023).all() and (jours.dt.month == 6).all() and (jours.dt.day_of_week == 3).all()
    participants = journees["participants"].astype(int)
    assert (journees["rendez_vous_pris"].astype(int) <= participants).all()
    remobilisees = journees["personnes_remobilisees"].astype(int)
    assert (remobilisees > 0).all() and (remobilisees <= participants).all()


def test_referents_et_places_montent_vers_les_cibles_2026(demo):
    moyens = demo["fichiers"]["moyens_2026-10-31.csv"]
    moyens = moyens.assign(
        etp=moyens["referents_etp"].str.replace(",", ".").astype(float), places_=moyens["places"].astype(int)
    )
    total = moyens.groupby("mois")[["etp", "places_"]].sum()
    assert total.index[0] == "2023-01" and total.index[-1] == "2026-10"
    assert total["etp"].is_monotonic_increasing and total["places_"].is_monotonic_increasing
    (ref_debut, ref_cible), (places_debut, places_cible) = contrat.CIBLES_2026.values()
    fin = total.loc["2026-10"]
    assert 0.9 * ref_cible <= fin["etp"] <= ref_cible
    assert 0.95 * places_cible <= fin["places_"] <= 1.02 * places_cible
    assert total.loc["2023-06", "etp"] < ref_debut and total.loc["2023-06", "places_"] < places_debut
    # Une ligne par ALI et par mois depuis son ouverture ; École des CIP à partir de septembre 2024.
    assert not moyens.duplicated(["code_ali", "mois"]).any()
    assert (moyens.loc[moyens["mois"] < "2024-09", "cip_ecole"] == "").all()
    assert (moyens.loc[moyens["mois"] >= "2024-09", "cip_ecole"] != "").all()


def test_les_freins_arrivent_dans_les_extractions_de_2025_et_restent_ceux_de_l_entree(demo):
    avant, apres = [], []
    for path in demo["ali14"]:
        jour = date.fromisoformat(NOM.match(path.name).group(2))
        (apres if jour >= demo_systemes.DEBUT_FREINS else avant).append(path)
    assert avant and apres
    assert not any(c in read_extract(avant[-1]).columns for c in contrat.COLONNES_FREINS)
    premiere, derniere = read_extract(apres[0]), demo["ali14_fin"]
    for table in (premiere, derniere):
        for colonne in contrat.COLONNES_FREINS:
            assert set(table[colonne].str.lower()) <= {"oui", "non", ""}
    cles = ["id_beneficiaire", "date_orientation"]
    commun = premiere.merge(derniere, on=cles, suffixes=("_a", "_b"))
    assert len(commun) == len(premiere)
    for colonne in contrat.COLONNES_FREINS:
        assert (commun[f"{colonne}_a"].str.lower() == commun[f"{colonne}_b"].str.lower()).all(), colonne
    connus = derniere[derniere["frein_logement"] != ""]
    assert 0.8 < len(connus) / len(derniere) < 0.95
    # La garde d'enfants pèse sur les foyers avec enfants.
    avec = connus["composition_foyer"].isin(["seul_avec_enfants", "couple_avec_enfants"])
    assert (connus.loc[avec, "frein_garde_enfants"] == "oui").mean() > 2 * (
        connus.loc[~avec, "frein_garde_enfants"] == "oui"
    ).mean()


@pytest.mark.slow
def test_la_demonstration_charge_chaque_fichier_du_contrat_7_sans_rejet(demo_build):
    base, resultats, _ = demo_build
    par_nom = {r.file: r for r in resultats}
    for nom in demo_systemes.NOMS:
        r = par_nom[nom]
        assert (r.status, r.rejected) == ("loaded", 0), (nom, r.message)
    con = duckdb.connect(str(base), read_only=True)
    try:
        comptes = {
            t: len(con.table(t))
            for t in ("structures", "mises_en_relation", "actions_collectives", "participations", "moyens")
        }
        assert comptes == {r.nature: r.accepted for r in resultats if r.file in demo_systemes.NOMS}
        # Les freins des épisodes courants (extractions du 31 octobre 2026) sont chargés.
        ((connus, total),) = con.execute("SELECT count(frein_logement), count(*) FROM episodes").fetchall()
        assert 0.8 * total < connus < total
        # Les participants et les personnes mises en relation sont des personnes de la file active.
        ((orphelins,),) = con.execute(
            "SELECT count(*) FROM (SELECT id_beneficiaire FROM participations UNION SELECT id_beneficiaire "
            "FROM mises_en_relation) WHERE id_beneficiaire NOT IN (SELECT id_beneficiaire FROM episodes)"
        ).fetchall()
        assert orphelins == 0
    finally:
        con.close()
