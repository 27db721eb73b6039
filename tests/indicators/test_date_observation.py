"""La date d'observation D par défaut d'un territoire : la dernière date que toutes ses ALI ont fournie.

Issue 11, partie 3 : une ALI qui envoie le fichier d'un mois en avance ne doit pas déplacer la date du
département, sinon les entrées et sorties du dernier mois lisent 0 pour toutes les autres.

Base de test (quatre fichiers, un par ALI, pseudonymes HMAC-SHA256 tronqués comme ceux du contrat) :
- ALI01 Saint-Denis (93066), extraction du 31 octobre 2026 : 5 orientés le 10 septembre, 3 le 5 octobre ;
  un des 5 de septembre sorti le 15 octobre (emploi durable).
- ALI04 La Courneuve (93027), 31 octobre 2026 : 4 orientés le 12 septembre, 2 le 8 octobre.
- ALI14 Clichy-sous-Bois (93014), 31 octobre 2026 : 6 orientés le 20 août, 4 le 12 octobre ; deux des 6
  d'août sortis le 25 octobre (abandon).
- ALI08 Montreuil (93048), 30 novembre 2026 : 7 orientés le 3 septembre, 2 le 20 octobre ; un des 7 sorti
  le 28 octobre (formation). Aucune entrée ni sortie en novembre.

Département : date commune = 31 octobre 2026 (D par défaut), plus récente = 30 novembre 2026.
À D = 31 octobre : entrées d'octobre 3 + 2 + 4 + 2 = 11 ; sorties d'octobre 1 + 2 + 1 = 4 ;
file active 33 orientés − 4 sortis = 29. À 30 novembre (l'ancienne règle, la plus récente extraction) :
entrées et sorties de novembre 0 et 0, d'où « −100 % sur un mois ».
ALI08 seule : D = 30 novembre 2026.
"""

from __future__ import annotations

import hmac
import json
from datetime import date
from hashlib import sha256

import pytest

from insertion import indicators
from insertion.indicators import filters
from insertion.indicators.filters import cle_widget
from insertion.outputs import cli
from insertion.store import db, requetes
from insertion.store.requetes import DatesDonnees, Perimetre
from tests.conftest import build_db, csv_bytes, ligne

OCTOBRE = date(2026, 10, 31)
NOVEMBRE = date(2026, 11, 30)
CLE = b"cle-de-test-du-departement"  # la clé du hachage : chaque département a la sienne

VUE = "pages/vue_ensemble.py"
SLUG_VUE = "vue-d-ensemble"
QUALITE = "pages/qualite.py"

CLICHY = "ALI14 Clichy-sous-Bois – Montfermeil – Coubron"


def pseudonyme(rang: str) -> str:
    """Le pseudonyme du contrat : HMAC-SHA256 d'un identifiant d'origine, tronqué à 16 caractères."""
    return hmac.new(CLE, rang.encode(), sha256).hexdigest()[:16]


def extraction(ali: str, commune: str, extraite: date, groupes: list[tuple[int, str, list[tuple[str, str]]]]):
    """groupes : (nombre, date d'orientation, [(date de sortie, motif)] pour les premiers du groupe)."""
    rows = []
    for n, orientation, sorties in groupes:
        for i in range(n):
            sortie, motif = sorties[i] if i < len(sorties) else ("", "")
            rows.append(
                ligne(
                    id_beneficiaire=pseudonyme(f"{ali}-{orientation}-{i}"),
                    code_ali=ali,
                    code_commune=commune,
                    date_orientation=orientation,
                    date_sortie=sortie,
                    motif_sortie=motif,
                    sexe="F" if i % 2 else "M",
                    date_extraction=extraite.isoformat(),
                )
            )
    return csv_bytes(rows, sep=";")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    path = tmp_path_factory.mktemp("date_observation") / "d.duckdb"
    return build_db(
        path,
        {
            "ALI01_2026-10-31.csv": extraction(
                "ALI01",
                "93066",
                OCTOBRE,
                [(5, "2026-09-10", [("2026-10-15", "emploi_durable")]), (3, "2026-10-05", [])],
            ),
            "ALI04_2026-10-31.csv": extraction(
                "ALI04", "93027", OCTOBRE, [(4, "2026-09-12", []), (2, "2026-10-08", [])]
            ),
            "ALI14_2026-10-31.csv": extraction(
                "ALI14",
                "93014",
                OCTOBRE,
                [(6, "2026-08-20", [("2026-10-25", "abandon"), ("2026-10-25", "abandon")]), (4, "2026-10-12", [])],
            ),
            # Montreuil envoie novembre avant les autres.
            "ALI08_2026-11-30.csv": extraction(
                "ALI08", "93048", NOVEMBRE, [(7, "2026-09-03", [("2026-10-28", "formation")]), (2, "2026-10-20", [])]
            ),
        },
    )


@pytest.fixture
def con(base):
    connexion = db.ouvrir_en_lecture(base)
    yield connexion
    connexion.close()


# --- La règle, une seule fonction --------------------------------------------------------------------------


def test_date_par_defaut_du_departement_et_des_territoires(con):
    assert requetes.date_derniere_extraction(con) == NOVEMBRE  # la plus récente extraction, référence des retards
    assert requetes.date_observation(con) == OCTOBRE  # le département : la date que toutes ont fournie
    assert requetes.date_observation(con, Perimetre(alis=("ALI08",))) == NOVEMBRE  # une ALI garde la sienne
    assert requetes.date_observation(con, Perimetre(alis=("ALI01",))) == OCTOBRE
    assert requetes.date_observation(con, Perimetre(alis=("ALI01", "ALI08"))) == OCTOBRE
    assert requetes.date_observation(con, Perimetre(epts=("Est Ensemble",))) == NOVEMBRE  # Montreuil
    assert requetes.date_observation(con, Perimetre(epts=("Plaine Commune",))) == OCTOBRE  # Saint-Denis, La Courneuve
    assert requetes.date_observation(con, Perimetre(communes=("93048",))) == NOVEMBRE
    assert requetes.date_observation(con, Perimetre(sexes=("F",))) == OCTOBRE  # le profil ne change pas la date
    dates = requetes.dates_donnees(con)
    assert dates == DatesDonnees(
        OCTOBRE, NOVEMBRE, (("ALI01", OCTOBRE), ("ALI04", OCTOBRE), ("ALI08", NOVEMBRE), ("ALI14", OCTOBRE))
    )
    assert dates.en_avance(OCTOBRE) == (("ALI08", NOVEMBRE),)
    # Une ALI sans données en place (ALI22) n'a rien à dater : elle prend la date du département.
    seule = requetes.dates_donnees(con, Perimetre(alis=("ALI22",)))
    assert (seule.commune, seule.plus_recente, seule.par_ali) == (OCTOBRE, NOVEMBRE, ())


def test_indicateurs_de_la_cli_a_la_meme_date(base, capsys):
    assert cli.main(["indicators", "--db", str(base), "--json"]) == 0
    departement = json.loads(capsys.readouterr().out)
    assert departement["as_of"] == "2026-10-31"
    assert departement["file_active"] == 29  # 33 orientés, 4 sortis en octobre
    assert cli.main(["indicators", "--db", str(base), "--ali", "ALI08", "--json"]) == 0
    montreuil = json.loads(capsys.readouterr().out)
    # 8 personnes suivies dans une ALI : la CLI imprime la valeur protégée (secret statistique).
    assert (montreuil["as_of"], montreuil["file_active"]) == ("2026-11-30", "secret")
    assert cli.main(["indicators", "--db", str(base), "--as-of", "2026-11-30", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-11-30"  # choisie : gardée telle quelle


def test_filtres_de_la_note_a_la_meme_date(con):
    # `briefing` construit ses filtres par filters.pour_base : même D par défaut que l'application.
    departement = filters.pour_base(con)
    assert (departement.as_of, departement.derniere_extraction, departement.date_max) == (OCTOBRE, OCTOBRE, NOVEMBRE)
    assert filters.pour_base(con, ali=["ALI08"]).as_of == NOVEMBRE
    assert filters.pour_base(con, ept=["Plaine Commune"]).as_of == OCTOBRE
    assert filters.pour_base(con, fin=NOVEMBRE).as_of == NOVEMBRE  # une date choisie, jusqu'à la plus récente
    assert filters.pour_base(con, fin=date(2027, 1, 31)).as_of == NOVEMBRE  # jamais au-delà
    assert filters.pour_base(con, ali=["ALI01"], fin=NOVEMBRE).as_of == OCTOBRE  # Saint-Denis s'arrête en octobre
    assert indicators.calculer(con)["as_of"] == departement.as_of.isoformat()


def test_avis_nomme_les_ali_en_avance_et_en_retard(con):
    assert filters.pour_base(con).avis_dates() == (
        "Date commune des données : 31 octobre 2026. En avance : ALI08 Montreuil (30 novembre 2026)."
    )
    assert filters.pour_base(con, fin=NOVEMBRE).avis_dates() == (
        "Date commune des données : 31 octobre 2026. Pas encore de données au 30 novembre 2026 (chiffres "
        f"incomplets) : ALI01 Saint-Denis, ALI04 La Courneuve, {CLICHY} (31 octobre 2026)."
    )
    assert filters.pour_base(con, fin=date(2026, 9, 30)).avis_dates() is None  # toutes ont leurs données à D
    assert filters.pour_base(con, ali=["ALI08"]).avis_dates() is None  # une ALI seule est à sa propre date
    # Au-delà de cinq ALI, les codes seuls (les noms sont sur la page Qualité).
    six = DatesDonnees(OCTOBRE, NOVEMBRE, tuple((f"ALI{i:02d}", OCTOBRE) for i in range(1, 7)) + (("ALI08", NOVEMBRE),))
    assert filters.pour(six, fin=NOVEMBRE).avis_dates() == (
        "Date commune des données : 31 octobre 2026. Pas encore de données au 30 novembre 2026 (chiffres "
        "incomplets) : ALI01, ALI02, ALI03, ALI04, ALI05, ALI06 (31 octobre 2026)."
    )


# --- Les vues ----------------------------------------------------------------------------------------------


def metriques(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_vue_d_ensemble_du_departement_a_la_date_commune(base, app_test):
    at = app_test(base, VUE)
    m = metriques(at)
    # Entrées et sorties d'octobre, le dernier mois que toutes les ALI ont fourni : pas 0 et 0 (novembre).
    assert (m["File active"], m["Entrées"], m["Sorties"]) == ("29", "11", "4")
    assert any("entrées et sorties de octobre 2026" in c.value for c in at.caption)
    captions = [c.value for c in at.caption]
    assert "Données au 31 octobre 2026 · Seine-Saint-Denis" in captions
    assert "Date commune des données : 31 octobre 2026. En avance : ALI08 Montreuil (30 novembre 2026)." in captions
    fin = at.date_input(key=cle_widget("fin", SLUG_VUE))
    assert (fin.value, fin.max) == (OCTOBRE, NOVEMBRE)  # D par défaut ; on peut choisir jusqu'au 30 novembre
    assert at.sidebar.caption[-1].value == "Date d'observation : 31 octobre 2026"


def test_la_date_suit_le_territoire_choisi(base, app_test):
    at = app_test(base, VUE)
    at.multiselect(key=cle_widget("ali", SLUG_VUE)).select("ALI08").run()
    assert not at.exception
    assert at.date_input(key=cle_widget("fin", SLUG_VUE)).value == NOVEMBRE  # Montreuil seule : sa date
    captions = [c.value for c in at.caption]
    assert "Données au 30 novembre 2026 · ALI08 · Montreuil" in captions
    assert not any(c.startswith("Date commune des données") for c in captions)
    assert "fin" not in at.query_params  # D par défaut : rien dans le lien
    at.multiselect(key=cle_widget("ali", SLUG_VUE)).unselect("ALI08").run()
    assert at.date_input(key=cle_widget("fin", SLUG_VUE)).value == OCTOBRE  # retour au département


def test_une_date_choisie_apres_la_date_commune_est_signalee(base, app_test):
    at = app_test(base, VUE, query_params={"fin": "2026-11-30"})
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("Date commune des données : 31 octobre 2026. Pas encore de données au 30 novembre")
        for c in captions
    )
    assert at.query_params["fin"] in ("2026-11-30", ["2026-11-30"])  # un choix : gardé dans le lien
    at = app_test(base, VUE, query_params={"fin": "2027-03-31", "ali": ["ALI01"]})
    assert at.date_input(key=cle_widget("fin", SLUG_VUE)).value == OCTOBRE  # plafonnée à Saint-Denis


def test_page_qualite_signale_les_ali_derriere_la_plus_recente_extraction(base, app_test):
    at = app_test(base, QUALITE)
    m = metriques(at)
    assert (m["Dernière extraction"], m["Date commune des données"]) == ("30/11/2026", "31/10/2026")
    # Au 30 novembre 2026 les 22 ALI sont ouvertes : 3 derrière Montreuil, 18 sans aucune extraction.
    assert m["ALI en retard"] == "21 sur 22"
    t = next(df.value for df in at.dataframe if "Dernière extraction" in df.value.columns).set_index("ALI")
    for ali in ("ALI01 · Saint-Denis", "ALI04 · La Courneuve", "ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"):
        assert t.loc[ali, "Statut"] == "En retard"
        assert t.loc[ali, "Jours avant la dernière extraction en place"] == "30"
    assert t.loc["ALI08 · Montreuil", "Statut"] == "À jour"
    alerte = at.error[0].value.split("\n")
    assert alerte[1] == (
        "- dernière extraction du 31 octobre 2026 (30 jours avant la dernière en place) : ALI01 · Saint-Denis, "
        "ALI04 · La Courneuve, ALI14 · Clichy-sous-Bois – Montfermeil – Coubron"
    )
    assert "Date commune des données : 31 octobre 2026. En avance : ALI08 Montreuil (30 novembre 2026)." in [
        c.value for c in at.caption
    ]
