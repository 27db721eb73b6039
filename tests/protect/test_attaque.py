"""Le test de l'attaquant (issue 12) : il voit tout ce que l'application publie et pose toutes les questions
qu'elle permet. Sur une base réelle (pseudonymes HMAC, 4 ALI de 3 EPT, une commune à 3 communes, petites cases
partout), il échoue sur :

1. une valeur publiée de 1 à 10 (sous le département, ou au département avec un filtre) ;
2. un taux ou une médiane publiés sur moins de 11 personnes, ou dont une part compte moins de 11 personnes ;
3. une case de 1 à 10 que la soustraction de deux chiffres publiés, ou un programme linéaire sur un total et
   ses parties (un territoire et ses ALI ou communes, une période et ses mois), fixe à une seule valeur.

Les questions sont tirées par hypothesis (territoire, période en mois entiers, filtre de profil, regroupement) ;
les pages, la CLI et la note sont parcourues, et chaque résultat que la couche de publication leur rend passe
par les mêmes vérifications (un espion sur `protect.diffusion.publier_requete`).
"""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insertion.outputs import cli
from insertion.protect import diffusion, protection, questions
from insertion.store.requetes import Perimetre, Periode
from tests.conftest import build_db, csv_bytes, ligne
from tests.protect.test_protection import figees
from tests.publie import publie, valeurs_vraies

pytestmark = pytest.mark.slow

SEUIL = protection.REGLAGE.seuil
D = date(2024, 12, 31)
# ALI → communes desservies (référentiel) : trois EPT, et ALI14 couvre trois communes.
ALI = {"ALI01": ["93066"], "ALI04": ["93027"], "ALI08": ["93048"], "ALI14": ["93014", "93047", "93015"]}


def pseudonyme(i: int) -> str:
    """Comme l'export d'un SI : HMAC-SHA256 hexadécimal d'un identifiant, avec la clé du Département."""
    return hmac.new(b"cle-du-departement", f"NIR-{i}".encode(), hashlib.sha256).hexdigest()


def lignes_aleatoires(graine: int = 93) -> list[dict[str, str]]:
    """Des tailles variées (de 3 à 60 par commune), des sorties de tous motifs, des diagnostics, deux tranches
    d'âge et deux sexes : des cases de 0 à 10 et d'autres juste au-dessus du seuil."""
    hasard = random.Random(graine)
    rows, i = [], 0
    for code_ali, communes in ALI.items():
        for commune in communes:
            for _ in range(hasard.choice([3, 8, 14, 25, 60])):
                i += 1
                orientation = date(2023, 3, 1) + timedelta(days=hasard.randrange(0, 640))
                row = ligne(
                    id_beneficiaire=pseudonyme(i),
                    code_ali=code_ali,
                    code_commune=commune,
                    date_orientation=orientation.isoformat(),
                    tranche_age=hasard.choice(["25_34", "45_54"]),
                    sexe=hasard.choice(["F", "M"]),
                    date_extraction=D.isoformat(),
                )
                if hasard.random() < 0.6:
                    row["date_diag_numerique"] = (orientation + timedelta(days=hasard.randrange(5, 120))).isoformat()
                sortie = orientation + timedelta(days=hasard.randrange(30, 500))
                if sortie <= D and hasard.random() < 0.5:
                    row["date_sortie"] = sortie.isoformat()
                    row["motif_sortie"] = hasard.choice(["emploi_durable", "emploi_transition", "formation", "abandon"])
                rows.append(row)
    return rows


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("attaque") / "attaque.duckdb", {"x.csv": csv_bytes(lignes_aleatoires())})


# --- 1 et 2 : chaque résultat publié ---------------------------------------------------------------------


def fautes(nom: str, params: dict, brut: pd.DataFrame, publie_: pd.DataFrame) -> list[str]:
    """Les fautes d'un résultat publié, vérifiées contre les valeurs vraies (que l'attaquant n'a pas)."""
    decl = diffusion.DECLARATIONS.get(nom)
    if decl is None or publie_.empty:
        return []
    brut = brut.reset_index(drop=True)
    exempt = diffusion.exemptions(decl, params, brut)
    erreurs = []
    comptes = [c.removeprefix("cle_") for c in brut.columns if c.startswith("cle_")]
    for colonne in comptes:
        v = pd.to_numeric(publie_[colonne], errors="coerce").to_numpy(dtype="float64")
        petites = ~exempt & (v >= 1) & (v < SEUIL)
        if petites.any():
            erreurs.append(f"{nom}.{colonne} : valeur publiée de 1 à {SEUIL - 1} ({v[petites][:3]})")
    for taux, (num, den) in decl.taux.items():
        t = pd.to_numeric(publie_[taux], errors="coerce").notna().to_numpy()
        n, d = brut[num].to_numpy(dtype="float64"), brut[den].to_numpy(dtype="float64")
        sous = ~exempt & t & ((n < SEUIL) | (d - n < SEUIL))
        sous |= exempt & t & (d < SEUIL)
        if sous.any():
            erreurs.append(f"{nom}.{taux} : taux publié sur une part de moins de {SEUIL} personnes")
    for mediane, effectif in decl.medianes.items():
        m = pd.to_numeric(publie_[mediane], errors="coerce").notna().to_numpy()
        if (m & (brut[effectif].to_numpy(dtype="float64") < SEUIL)).any():
            erreurs.append(f"{nom}.{mediane} : médiane publiée sur moins de {SEUIL} personnes")
    return erreurs


@pytest.fixture
def espion(monkeypatch):
    """Chaque résultat que la couche de publication rend, avec ses fautes."""
    vus: list[tuple[str, list[str]]] = []
    original = diffusion.publier_requete

    def publier(nom, params, brut):
        sortie = original(nom, params, brut)
        vus.append((nom, fautes(nom, dict(params), brut, sortie)))
        return sortie

    monkeypatch.setattr(diffusion, "publier_requete", publier)
    return vus


def st_cache_data_clear() -> None:
    import streamlit

    streamlit.cache_data.clear()


def toutes_les_fautes(vus) -> list[str]:
    return [f for _, liste in vus for f in liste]


def test_les_verifications_voient_une_fuite(base):
    """Le garde-fou mord : les valeurs brutes d'ALI par commune, publiées telles quelles, sont des fautes."""
    params = {
        **Periode(as_of=D, debut=date(2024, 1, 1), fin=D).parametres(),
        **Perimetre().parametres(),
        "groupe": "commune",
    }
    brut = valeurs_vraies(base, "entrees_sorties", params)
    assert ((brut["entrees"] >= 1) & (brut["entrees"] < SEUIL)).any(), "la base doit avoir de petites cases"
    assert fautes("entrees_sorties", params, brut, brut.drop(columns=["cle_entrees", "cle_sorties"]))
    assert not fautes("entrees_sorties", params, brut, publie(base, "entrees_sorties", **params))


# Questions que la barre latérale permet : un territoire, une période en mois entiers, au plus un filtre de
# profil sous l'EPT (questions.refus).
territoires = st.sampled_from(
    [{}, {"ali": ["ALI14"]}, {"ali": ["ALI04"]}, {"ept": ["Est Ensemble"]}, {"commune": ["93047"]}]
)
profils = st.sampled_from([{}, {"sexe": ["F"]}, {"age": ["45_54"]}])
debuts = st.sampled_from(["2023-01-01", "2023-03-01", "2024-01-01", "2024-06-01"])


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    territoire=territoires,
    profil=profils,
    debut=debuts,
    page=st.sampled_from(["vue_ensemble", "beneficiaires", "diagnostics", "sorties", "comparer", "qualite", "budget"]),
)
def test_les_pages_ne_publient_rien_de_petit(base, app_test, espion, territoire, profil, debut, page):
    espion.clear()
    st_cache_data_clear()  # sinon une question déjà posée sort du cache, sans repasser par l'espion
    at = app_test(base, f"pages/{page}.py", query_params={**territoire, **profil, "debut": debut})
    assert not at.exception
    assert espion, "la page n'a rien lu par la couche de publication"
    assert toutes_les_fautes(espion) == []


def test_la_cli_et_la_note_ne_publient_rien_de_petit(base, espion, tmp_path, capsys):
    for ali in ALI:
        assert cli.main(["indicators", "--db", str(base), "--ali", ali, "--from", "2024-01-01", "--json"]) == 0
        assert cli.main(["briefing", "--db", str(base), "--ali", ali, "--out", str(tmp_path / f"{ali}.pdf")]) == 0
    assert {nom for nom, _ in espion} >= {"file_active", "entrees_sorties", "sorties_par_groupe"}
    assert toutes_les_fautes(espion) == []


# --- 3 : soustraction et programme linéaire sur un total et ses parties -----------------------------------


def boites(publies: pd.Series, exempt: np.ndarray) -> list[range]:
    """Ce que l'attaquant sait de chaque case : les effectifs vrais compatibles avec sa valeur publiée."""
    return [
        protection.valeurs_compatibles(protection.libelle(None if pd.isna(v) else int(v)), exempt=bool(e))
        for v, e in zip(publies, exempt, strict=True)
    ]


def attaque(
    base, nom_total: str, params_total: dict, nom_parties: str, params_parties: dict, colonne: str
) -> list[int]:
    """Les parties de 1 à 10 qu'un total publié et ses parties publiées fixent (soustraction comprise : un total
    et toutes ses parties sauf une, c'est une soustraction)."""
    total, parties = publie(base, nom_total, **params_total), publie(base, nom_parties, **params_parties)
    brut_total, brut_parties = (
        valeurs_vraies(base, nom_total, params_total),
        valeurs_vraies(base, nom_parties, params_parties),
    )
    ex_total = diffusion.exemptions(diffusion.DECLARATIONS[nom_total], params_total, brut_total)
    ex_parties = diffusion.exemptions(diffusion.DECLARATIONS[nom_parties], params_parties, brut_parties)
    vraies = [*brut_parties[colonne].astype(int), int(brut_total[colonne].sum())]
    assert vraies[-1] == sum(vraies[:-1]), "les parties se partagent exactement le total"
    b = boites(parties[colonne], ex_parties) + boites(pd.Series([total[colonne].iloc[0]]), ex_total[:1])
    return figees(vraies, b, [(len(vraies) - 1, list(range(len(vraies) - 1)))])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    territoire=st.sampled_from(
        [("alis", ("ALI14",), "commune"), ("epts", (), "ali"), ("epts", ("Est Ensemble",), "ali")]
    ),
    profil=st.sampled_from([Perimetre(), Perimetre(sexes=("F",)), Perimetre(ages=("45_54",))]),
    mois_debut=st.integers(0, 21),
    longueur=st.integers(1, 22),
    colonne=st.sampled_from(["entrees", "sorties"]),
)
def test_un_total_et_ses_parties_ne_fixent_aucune_petite_case(base, territoire, profil, mois_debut, longueur, colonne):
    champ, valeurs, parties = territoire
    debut = questions.decale_mois(date(2023, 3, 1), mois_debut)  # de mars 2023 à décembre 2024
    fin = min(questions.fin_de_mois(questions.decale_mois(debut, longueur - 1)), D)
    perimetre = Perimetre(**{**profil.__dict__, champ: valeurs})
    commun = {**Periode(as_of=D, debut=debut, fin=fin).parametres(), **perimetre.parametres()}
    total = {**commun, "groupe": "departement"}
    # Un territoire et ses ALI (ou ses communes) : les épisodes se partagent exactement entre elles.
    parts = {**commun, "groupe": parties}
    assert attaque(base, "entrees_sorties", total, "entrees_sorties", parts, colonne) == []
    # Une période et ses mois.
    assert attaque(base, "entrees_sorties", total, "entrees_sorties_mensuelles", total, colonne) == []


def test_deux_fenetres_emboitees_ne_redonnent_pas_le_mois_d_ecart(base):
    """176 − 167 = 9 : deux périodes qui ne diffèrent que d'un mois, chacune publiée avec son bruit."""
    for mois in range(1, 12):
        debut, debut_suivant = date(2024, mois, 1), date(2024, mois + 1, 1)
        commun = {"as_of": D, "fin": D, "groupe": "ali", **Perimetre().parametres()}
        longue = valeurs_vraies(base, "entrees_sorties", {**commun, "debut": debut})
        courte = valeurs_vraies(base, "entrees_sorties", {**commun, "debut": debut_suivant})
        pl = publie(base, "entrees_sorties", **commun, debut=debut)
        pc = publie(base, "entrees_sorties", **commun, debut=debut_suivant)
        for i in range(len(longue)):
            ecart = int(longue.at[i, "entrees"] - courte.at[i, "entrees"])
            if not 1 <= ecart < SEUIL or pd.isna(pl.at[i, "entrees"]) or pd.isna(pc.at[i, "entrees"]):
                continue
            # L'attaquant : écart publié ± 2 × 3 ; il ne tombe jamais sur une seule valeur.
            b_long = protection.valeurs_compatibles(int(pl.at[i, "entrees"]))
            b_court = protection.valeurs_compatibles(int(pc.at[i, "entrees"]))
            possibles = {x - y for x in b_long for y in b_court if x - y >= 0}
            assert len(possibles) > 1 and ecart in possibles
