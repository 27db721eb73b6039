"""Actions collectives (contrat §7.3, issue 14) : queries/actions_collectives.sql et
queries/ateliers_apres_diagnostic.sql contre un calcul indépendant (pandas sur les lignes écrites ici, ou à la main)
sur un petit jeu chargé par le vrai chargeur ; puis leur publication (secret statistique :
insertion/protect/diffusion.py).

Le jeu : des ateliers numériques d'ALI14 à Clichy-sous-Bois et Montfermeil, une information collective d'ALI14 et
une d'ALI01 (Saint-Denis, un autre EPT), trois « Jeudis de l'insertion » du réseau de Pantin dans deux quartiers, et
une séance avant la période. D = 30 juin 2023, P = [1er janvier 2023, D].
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insertion import protect
from insertion.indicators.autres_systemes import actions_collectives as ac
from insertion.protect import diffusion, protection
from insertion.store import db, requetes
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne

D = "2023-06-30"
PERIODE = Periode(as_of=date(2023, 6, 30), debut=date(2023, 1, 1))


def pseudo(i: int) -> str:
    return hmac.new(b"cle-de-test-actions-collectives", str(i).encode(), hashlib.sha256).hexdigest()


def structure(code: str, commune: str, type_: str = "association") -> dict[str, str]:
    return {
        "code_structure": code,
        "nom_structure": f"Structure {code}",
        "type": type_,
        "code_commune": commune,
        "domaines": "emploi",
        "reseaux": "",
        "site_web": "",
    }


ANNUAIRE = [
    structure("ALI14", "93014", "ali"),
    structure("ALI01", "93066", "ali"),
    structure("PANTIN-RESEAU", "93055"),
]


def seance(id_action: str, type_action: str, structure_: str, ali: str, commune: str, quartier: str, jour: str,
           places: str, participants: str, rdv: str = "", remob: str = "") -> dict[str, str]:  # fmt: skip
    return {
        "id_action": id_action,
        "type_action": type_action,
        "code_structure": structure_,
        "code_ali": ali,
        "code_commune": commune,
        "quartier": quartier,
        "date_action": jour,
        "places": places,
        "participants": participants,
        "rendez_vous_pris": rdv,
        "personnes_remobilisees": remob,
        "date_extraction": D,
    }


SEANCES = [
    seance("ATN-1", "atelier_numerique", "ALI14", "ALI14", "93014", "", "2023-03-07", "8", "7"),
    seance("ATN-2", "atelier_numerique", "ALI14", "ALI14", "93014", "", "2023-03-10", "8", "6"),
    seance("ATN-3", "atelier_numerique", "ALI14", "ALI14", "93047", "", "2023-04-04", "8", "8"),
    seance("IC-14", "information_collective", "ALI14", "ALI14", "93014", "", "2023-04-10", "20", "15", "6"),
    seance("IC-01", "information_collective", "ALI01", "ALI01", "93066", "", "2023-05-10", "20", "12", "4"),
    seance("JDI-QC", "aller_vers", "PANTIN-RESEAU", "", "93055", "Quatre-Chemins", "2023-06-01", "", "40", "12", "5"),
    seance("JDI-CO", "aller_vers", "PANTIN-RESEAU", "", "93055", "Courtillières", "2023-06-08", "", "31", "9", "7"),
    seance("JDI-QC2", "aller_vers", "PANTIN-RESEAU", "", "93055", "Quatre-Chemins", "2023-06-15", "50", "22", "7", "3"),
    seance("ATN-0", "atelier_numerique", "ALI14", "ALI14", "93014", "", "2022-12-16", "8", "5"),  # avant P
]  # fmt: skip

# Épisodes d'ALI14 diagnostiqués en numérique (D − 60 jours = 1er mai 2023) et leurs ateliers.
# (personne, commune, date du diagnostic, niveau, séances suivies, compte au dénominateur, atelier à 60 jours)
DIAGNOSTICS = [
    (1, "93014", "2023-03-01", "debutant", ["ATN-1"], True, True),  # 6 jours après
    (2, "93014", "2023-03-01", "debutant", ["ATN-3"], True, True),  # 34 jours après
    (3, "93014", "2023-01-05", "debutant", ["ATN-1"], True, False),  # 61 jours après : trop tard
    (4, "93014", "2023-03-07", "debutant", ["ATN-1"], True, True),  # le jour même
    (5, "93014", "2023-03-11", "debutant", ["ATN-2"], True, False),  # la veille du diagnostic
    (6, "93014", "2023-03-01", "debutant", ["IC-14"], True, False),  # une information collective, pas un atelier
    (7, "93014", "2023-05-10", "debutant", [], False, False),  # diagnostiqué après D − 60 jours
    (8, "93014", "2023-03-01", "intermediaire", ["ATN-1"], False, False),  # pas débutant
    (9, "93047", "2023-03-06", "debutant", ["ATN-1"], True, True),  # Montfermeil, le lendemain
    (10, "93047", "2023-03-06", "debutant", [], True, False),  # aucune participation
    (11, "93014", "2022-12-20", "debutant", ["ATN-0"], False, False),  # diagnostiqué avant P
]


def episodes() -> list[dict[str, str]]:
    return [
        ligne(
            id_beneficiaire=pseudo(i),
            code_commune=commune,
            date_orientation="2022-11-15",
            date_diag_numerique=jour,
            niveau_numerique=niveau,
            date_extraction=D,
        )
        for i, commune, jour, niveau, *_ in DIAGNOSTICS
    ]


def participations() -> list[dict[str, str]]:
    return [
        {"id_beneficiaire": pseudo(i), "id_action": a, "date_extraction": D}
        for i, _c, _j, _n, seances, *_ in DIAGNOSTICS
        for a in seances
    ]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    chemin = tmp_path_factory.mktemp("actions") / "base.duckdb"
    return build_db(
        chemin,
        {
            "annuaire.csv": csv_bytes(ANNUAIRE),
            "extraction_ALI14_2023-06-30.csv": csv_bytes(episodes()),
            "actions.csv": csv_bytes(SEANCES),
            "participations.csv": csv_bytes(participations()),
        },
    )


@pytest.fixture(scope="module")
def con(base):
    c = db.ouvrir_en_lecture(base)
    yield c
    c.close()


# --------------------------------------------------------------------------- calcul indépendant (pandas)

EPT = {"93014": "Grand Paris Grand Est", "93047": "Grand Paris Grand Est", "93066": "Plaine Commune",
       "93055": "Est Ensemble"}  # fmt: skip


def attendu(groupe: str, pas: str = "periode", filtre=lambda s: True) -> pd.DataFrame:
    s = pd.DataFrame(SEANCES)
    s = s[(s["date_action"] >= "2023-01-01") & (s["date_action"] <= D)]
    s = s[[filtre(r) for r in s.to_dict("records")]].copy()
    for c in ("places", "participants", "rendez_vous_pris", "personnes_remobilisees"):
        s[c] = pd.to_numeric(s[c].replace("", np.nan))
    colonne = {"departement": None, "type_action": "type_action", "commune": "code_commune", "quartier": "quartier",
               "structure": "code_structure", "ali": "code_ali"}[groupe]  # fmt: skip
    s["g"] = "Seine-Saint-Denis" if colonne is None else s[colonne].mask(s[colonne] == "")
    s["c"] = s["code_commune"] if groupe in ("commune", "quartier") else None
    s["m"] = s["date_action"].str[:7] if pas == "mois" else None
    s["pp"] = s["participants"].where(s["places"].notna(), 0)
    lignes = []
    for (g, c, m), part in s.groupby(["g", "c", "m"], dropna=False):
        lignes.append(
            {
                "groupe": None if pd.isna(g) else g,
                "code_commune": None if pd.isna(c) else c,
                "mois": None if pd.isna(m) else m,
                "seances": len(part),
                "places": part["places"].sum(min_count=1),
                "participants": part["participants"].sum(),
                "participants_places": part["pp"].sum(),
                "rendez_vous_pris": part["rendez_vous_pris"].fillna(0).sum(),
                "personnes_remobilisees": part["personnes_remobilisees"].fillna(0).sum(),
                "seances_rendez_vous": part["rendez_vous_pris"].notna().sum(),
                "seances_remobilisees": part["personnes_remobilisees"].notna().sum(),
            }
        )
    return pd.DataFrame(lignes)


def comme_dicts(df: pd.DataFrame) -> list[dict]:
    out = []
    for r in df.to_dict("records"):
        d = {}
        for k, v in r.items():
            if not isinstance(v, str) and pd.isna(v):
                v = None
            elif isinstance(v, pd.Timestamp | date):
                v = pd.Timestamp(v).strftime("%Y-%m")
            elif isinstance(v, np.integer | np.floating):
                v = float(v)
            elif isinstance(v, int):
                v = float(v)
            d[k] = v
        out.append(d)
    return sorted(out, key=repr)


COLONNES = ["groupe", "code_commune", "mois", "seances", "places", "participants", "participants_places",
            "rendez_vous_pris", "personnes_remobilisees", "seances_rendez_vous", "seances_remobilisees"]  # fmt: skip


@pytest.mark.parametrize("groupe", ac.GROUPES_ACTIONS)
@pytest.mark.parametrize("pas", ac.PAS)
def test_seances_contre_pandas(con, groupe, pas):
    brut = ac.seances(con, PERIODE, groupe=groupe, pas=pas)
    assert comme_dicts(brut[COLONNES]) == comme_dicts(attendu(groupe, pas))
    # Les rapports de la requête brute : sur les effectifs exacts.
    places = pd.to_numeric(brut["places"])
    assert np.allclose(
        brut["taux_remplissage"].astype(float), (brut["participants_places"] / places).astype(float), equal_nan=True
    )
    assert np.allclose(brut["rendez_vous_par_seance"], brut["rendez_vous_pris"] / brut["seances"])


def test_seances_a_la_main(con):
    """Quelques cases calculées à la main, pour ne pas dépendre du seul calcul pandas."""
    dep = ac.seances(con, PERIODE).iloc[0]
    # 8 séances dans P (ATN-0 est de décembre 2022) ; places connues : 8+8+8+20+20+50 = 114.
    assert (dep["seances"], dep["places"], dep["participants"]) == (8, 114, 141)
    # Participants des séances à places connues : 7+6+8+15+12+22 = 70 ; taux 70 / 114.
    assert dep["participants_places"] == 70 and dep["taux_remplissage"] == pytest.approx(70 / 114)
    assert (dep["rendez_vous_pris"], dep["personnes_remobilisees"]) == (38, 15)
    # Rendez-vous renseignés : les deux informations collectives et les trois Jeudis ; remobilisées : les Jeudis.
    assert (dep["seances_rendez_vous"], dep["seances_remobilisees"]) == (5, 3)
    assert dep["rendez_vous_par_seance"] == pytest.approx(38 / 8)
    quartiers = ac.seances(con, PERIODE, groupe="quartier").set_index("groupe")
    assert quartiers.loc["Quatre-Chemins", ["seances", "participants", "code_commune"]].tolist() == [2, 62, "93055"]
    assert quartiers.loc["Courtillières", "places"] is None or pd.isna(quartiers.loc["Courtillières", "places"])
    mois = ac.seances(con, PERIODE, groupe="type_action", pas="mois")
    juin = mois[(mois["groupe"] == "aller_vers")]
    assert [(pd.Timestamp(m).date(), n) for m, n in zip(juin["mois"], juin["participants"], strict=True)] == [
        (date(2023, 6, 1), 93)
    ]


def test_seances_filtres(con):
    # Filtre ALI : la séance porte l'ALI ; les Jeudis de Pantin (sans ALI) sortent.
    ali14 = ac.seances(con, PERIODE, Perimetre(alis=("ALI14",)), groupe="commune")
    assert comme_dicts(ali14[COLONNES]) == comme_dicts(attendu("commune", filtre=lambda r: r["code_ali"] == "ALI14"))
    # Filtre EPT : par la commune de la séance (Clichy-sous-Bois et Montfermeil : Grand Paris Grand Est).
    gpge = ac.seances(con, PERIODE, Perimetre(epts=("Grand Paris Grand Est",)))
    assert comme_dicts(gpge[COLONNES]) == comme_dicts(
        attendu("departement", filtre=lambda r: EPT[r["code_commune"]] == "Grand Paris Grand Est")
    )
    assert gpge["seances"].tolist() == [4]
    # Filtre commune et types.
    pantin = ac.seances(con, PERIODE, Perimetre(communes=("93055",)), groupe="quartier", types=("aller_vers",))
    assert sorted(pantin["groupe"]) == ["Courtillières", "Quatre-Chemins"]
    types = ac.seances(con, PERIODE, groupe="type_action", types=("atelier_numerique", "information_collective"))
    assert comme_dicts(types[COLONNES]) == comme_dicts(
        attendu("type_action", filtre=lambda r: r["type_action"] in ("atelier_numerique", "information_collective"))
    )
    # Les filtres de profil ne s'appliquent pas aux séances.
    assert ac.seances(con, PERIODE, Perimetre(sexes=("M",)))["seances"].tolist() == [8]


def test_seances_valeurs_refusees(con):
    with pytest.raises(ValueError, match="Regroupement"):
        ac.seances(con, PERIODE, groupe="ept")
    with pytest.raises(ValueError, match="Pas"):
        ac.seances(con, PERIODE, pas="trimestre")
    with pytest.raises(ValueError, match="Type d'action"):
        ac.seances(con, PERIODE, types=("atelier_cuisine",))


def test_ateliers_apres_diagnostic_a_la_main(con):
    dep = ac.ateliers_apres_diagnostic(con, PERIODE).iloc[0]
    denominateur = sum(d[5] for d in DIAGNOSTICS)
    numerateur = sum(d[6] for d in DIAGNOSTICS)
    assert (denominateur, numerateur) == (8, 4)  # compté à la main : personnes 1 à 6, 9, 10 ; 1, 2, 4, 9
    assert (dep["debutants"], dep["debutants_atelier"]) == (8, 4)
    assert dep["taux_atelier_60j"] == pytest.approx(0.5)
    communes = ac.ateliers_apres_diagnostic(con, PERIODE, groupe="commune").set_index("groupe")
    assert communes.loc["93014", ["debutants", "debutants_atelier"]].tolist() == [6, 3]
    assert communes.loc["93047", ["debutants", "debutants_atelier"]].tolist() == [2, 1]
    # Un filtre de profil s'applique aux épisodes.
    assert ac.ateliers_apres_diagnostic(con, PERIODE, Perimetre(sexes=("M",))).empty
    with pytest.raises(ValueError, match="Regroupement"):
        ac.ateliers_apres_diagnostic(con, PERIODE, groupe="quartier")


# --------------------------------------------------------------------------- publication


def test_publication_masque_cache_les_cles_et_recalcule_les_rapports(con):
    reglage = protection.REGLAGE
    brut = ac.seances(con, PERIODE, groupe="quartier")
    with protect.publication():
        publie = ac.seances(con, PERIODE, groupe="quartier")
    assert not [c for c in publie.columns if c.startswith("cle_")]
    # Les séances sans quartier de Clichy-sous-Bois (ateliers, information collective) n'ont remobilisé personne.
    sans = brut.index[brut["groupe"].isna() & (brut["code_commune"] == "93014")][0]
    # Une case sous 11 est masquée, zéro compris : les personnes remobilisées de ces séances (0) et de Courtillières
    # (7).
    co = brut.index[brut["groupe"] == "Courtillières"][0]
    assert brut.at[co, "personnes_remobilisees"] == 7
    assert np.isnan(publie.at[co, "personnes_remobilisees"])
    assert np.isnan(publie.at[sans, "personnes_remobilisees"])
    # Un effectif publié reste dans la boîte du bruit (−3 à +3) et ne vaut jamais moins que le seuil.
    for i in brut.index:
        v, vrai = publie.at[i, "participants"], brut.at[i, "participants"]
        if not np.isnan(v):
            assert abs(v - vrai) <= reglage.table.bruit_max and v >= reglage.seuil
    # Les rapports sont calculés sur l'effectif publié et la grandeur publique (places, séances) exacte.
    for i in brut.index:
        assert publie.at[i, "seances"] == brut.at[i, "seances"]
        pp, places = publie.at[i, "participants_places"], brut.at[i, "places"]
        if places is not None and not pd.isna(places) and not np.isnan(pp):
            assert publie.at[i, "taux_remplissage"] == pytest.approx(pp / float(places))
        else:
            assert np.isnan(publie.at[i, "taux_remplissage"])
        r = publie.at[i, "rendez_vous_pris"]
        attendu_r = r / brut.at[i, "seances"] if not np.isnan(r) else np.nan
        assert publie.at[i, "rendez_vous_par_seance"] == pytest.approx(attendu_r, nan_ok=True)


def test_rapport_sur_l_effectif_publie_pas_sur_l_exact(con):
    """Le taux de remplissage exact × places redonnerait l'effectif exact : il est recalculé sur l'effectif
    publié. On fixe le bruit de la case (clé choisie) pour le voir."""
    brut = ac.seances(con, PERIODE, groupe="type_action")
    avec_cles = requetes.executer(
        con, "actions_collectives", avec_cles=True, **PERIODE.parametres(), alis=None, epts=None, communes=None,
        groupe="type_action", pas="periode", types=None,
    )  # fmt: skip
    table = protection.REGLAGE.table
    avec_cles["cle_participants_places"] = table.cle_pour(2)
    publie = diffusion.publier_requete("actions_collectives", {"groupe": "type_action"}, avec_cles)
    ic = brut.index[brut["groupe"] == "information_collective"][0]
    # 27 participants sur 40 places ; publié 27 + 2 = 29, taux 29 / 40 (et non 27 / 40).
    assert (brut.at[ic, "participants_places"], brut.at[ic, "places"]) == (27, 40)
    assert publie.at[ic, "participants_places"] == 29
    assert publie.at[ic, "taux_remplissage"] == pytest.approx(29 / 40)


def test_deux_colonnes_d_une_cellule_n_ont_pas_la_meme_cle(base):
    from tests.publie import valeurs_vraies

    params = {**PERIODE.parametres(), "alis": None, "epts": None, "communes": None, "groupe": "departement",
              "pas": "mois", "types": None}  # fmt: skip
    df = valeurs_vraies(base, "actions_collectives", params)
    juin = df[pd.to_datetime(df["mois"]) == pd.Timestamp("2023-06-01")].iloc[0]
    cles = [juin[c] for c in ("cle_participants", "cle_rendez_vous_pris", "cle_personnes_remobilisees")]
    assert len(set(cles)) == 3
    # En juin, une des trois séances a des places : participants et participants_places n'ont pas les mêmes membres.
    assert juin["cle_participants_places"] != juin["cle_participants"]
    # Une séance où participants = rendez-vous = remobilisées garderait trois clés différentes : la clé de chaque
    # colonne est tirée de la clé de séance par une empreinte propre à la colonne.
    mars = df[pd.to_datetime(df["mois"]) == pd.Timestamp("2023-03-01")].iloc[0]
    # En mars, toutes les séances ont leurs places : mêmes participants, même cellule, même clé (même valeur publiée).
    assert mars["cle_participants_places"] == mars["cle_participants"]
    # La clé d'une cellule est la somme, modulo 2^32, des clés de colonne × effectif de ses séances : celle de la
    # période est la somme de celles de ses mois.
    tout = valeurs_vraies(base, "actions_collectives", {**params, "pas": "periode"}).iloc[0]
    somme = sum(int(v) for v in df["cle_participants"]) % 2**32
    assert int(tout["cle_participants"]) == somme


def test_ateliers_publication(con):
    with protect.publication():
        publie = ac.ateliers_apres_diagnostic(con, PERIODE, groupe="commune")
    assert not [c for c in publie.columns if c.startswith("cle_")]
    # 6 et 2 débutants, 3 et 1 venus à un atelier : tous sous 11, masqués, et les taux avec eux.
    assert publie["debutants"].isna().all() and publie["debutants_atelier"].isna().all()
    assert publie["taux_atelier_60j"].isna().all()


@pytest.mark.parametrize("pas", ac.PAS)
def test_aucun_effectif_publie_sous_le_seuil(con, pas):
    """Aucun regroupement, département compris (jamais exempté), ne publie un effectif de 1 à 10."""
    seuil = protection.REGLAGE.seuil
    with protect.publication():
        for groupe in ac.GROUPES_ACTIONS:
            publie = ac.seances(con, PERIODE, groupe=groupe, pas=pas)
            for colonne in ("participants", "participants_places", "rendez_vous_pris", "personnes_remobilisees"):
                v = pd.to_numeric(publie[colonne], errors="coerce")
                assert not ((v >= 1) & (v < seuil)).any(), (groupe, colonne, list(v))
                assert not (v == 0).any(), (groupe, colonne)  # zéro compris : masqué, jamais « 0 »


def test_le_departement_n_est_jamais_exempte():
    """Les séances ne viennent souvent que de quelques structures : leur « département » n'est jamais exact, même
    sans aucun filtre et sur une période récente (où un indicateur de la file active le serait)."""
    params = {**PERIODE.parametres(), "debut": date(2024, 1, 1), "as_of": date(2024, 12, 31), "fin": date(2024, 12, 31),
              "groupe": "departement"}  # fmt: skip
    une_ligne = pd.DataFrame({"groupe": ["Seine-Saint-Denis"]})
    assert diffusion.exemptions(diffusion.DECLARATIONS["entrees_sorties"], params, une_ligne).all()
    for nom in ("actions_collectives", "ateliers_apres_diagnostic"):
        assert not diffusion.exemptions(diffusion.DECLARATIONS[nom], params, une_ligne).any()
