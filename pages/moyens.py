"""Moyens : référents et places des ALI, personnes suivies par référent, occupation des places, progression vers
les cibles 2026 du Département, coût par place (contrat §7.4). Mise en forme : insertion.figures.moyens."""

import pandas as pd
import streamlit as st

from insertion import formats
from insertion.contrat import ANNEE_CIBLES
from insertion.figures import moyens as fm
from insertion.indicators import libelles
from insertion.indicators.autres_systemes.moyens import CIBLES, progression
from insertion.present import app, etats_vides, ui
from insertion.store.requetes import Perimetre

VUE = "Moyens"
ctx = app.page(VUE)
f = ctx.filtres
noms = libelles.ali()
# Les moyens sont déclarés par ALI : seul le filtre ALI s'applique (insertion.indicators.autres_systemes.moyens).
perimetre = Perimetre(alis=f.perimetre.alis)
selection = bool(f.perimetre.alis)

autres_filtres = etats_vides.filtres_hors_ali(f.perimetre)
notes = [
    "Moyens déclarés par les ALI, mois par mois ; les personnes suivies sont celles des ALI qui ont déclaré leurs "
    "moyens pour le mois. Les moyens ne sont connus que par ALI : seul le filtre ALI s'applique."
]
if autres_filtres:
    notes.append("Filtres sans effet sur cette vue : " + ", ".join(autres_filtres) + ".")
st.caption(" ".join(notes))


def requete(fonction: str, groupe: str) -> pd.DataFrame:
    return ctx.requete(f"moyens.{fonction}", periode=f.periode, perimetre=perimetre, groupe=groupe)


mensuels = requete("moyens_mensuels", "departement").sort_values("mois").reset_index(drop=True)
if mensuels.empty:
    ui.etat_vide(
        "Aucun moyen déclaré pour cette période et ces ALI : chargez un fichier de moyens (page Importer) ou "
        "élargissez la période."
    )
    st.stop()

dernier = mensuels.iloc[-1]
mois_dernier = formats.mois(pd.Timestamp(dernier["mois"]).date())
il_y_a_un_an = mensuels[mensuels["mois"] == pd.Timestamp(dernier["mois"]) - pd.DateOffset(years=1)]
un_an = il_y_a_un_an.iloc[0] if not il_y_a_un_an.empty else None


def avant(colonne: str) -> float | None:
    return None if un_an is None or pd.isna(un_an[colonne]) else float(un_an[colonne])


def valeur(colonne: str) -> float | None:
    return None if pd.isna(dernier[colonne]) else float(dernier[colonne])


# --- Chiffres clés -----------------------------------------------------------------------------------------------
st.caption(f"Chiffres du dernier mois déclaré : {mois_dernier} ({fm.entier(dernier['alis_declarees'])} ALI).")
cols = st.columns(6)
with cols[0]:
    ui.kpi(
        "Référents (ETP)",
        fm.etp(dernier["referents_etp"]),
        evolution=ui.evolution_pourcentage(valeur("referents_etp"), avant("referents_etp")),
        description="sur un an",
        serie=[float(v) for v in mensuels["referents_etp"]],
        aide="Référents d'accompagnement en équivalents temps plein, déclarés par les ALI pour le mois.",
    )
with cols[1]:
    ui.kpi(
        "Places",
        fm.entier(dernier["places"]),
        evolution=ui.evolution_pourcentage(valeur("places"), avant("places")),
        description="sur un an",
        serie=[float(v) for v in mensuels["places"]],
        aide="Places d'accompagnement déclarées par les ALI pour le mois.",
    )
with cols[2]:
    ui.kpi(
        "Personnes par référent",
        fm.ecrire_rapport(dernier["personnes_par_referent"], dernier["file_active"], fm.ecrire_decimal),
        sens="off",
        aide="Personnes suivies en fin de mois par les ALI déclarantes, divisées par leurs référents (ETP).",
    )
with cols[3]:
    ui.kpi(
        "Taux d'occupation",
        fm.ecrire_rapport(dernier["taux_occupation"], dernier["file_active"], fm.pct),
        sens="off",
        aide="Personnes suivies en fin de mois par les ALI déclarantes, divisées par leurs places.",
    )
for col, mesure, quoi in ((cols[4], "referents_etp", "référents"), (cols[5], "places", "places")):
    depart, cible = CIBLES[mesure]
    with col:
        ui.kpi(
            f"Cible {quoi} {ANNEE_CIBLES}",
            formats.SANS_OBJET if selection else fm.pct(progression(valeur(mesure), mesure)),
            aide=(
                f"Progression vers la cible du Département : (valeur du dernier mois − {formats.entier(depart)}) / "
                f"({formats.entier(cible)} − {formats.entier(depart)}). "
                + ("Cible départementale : sans objet pour une sélection d'ALI." if selection else "")
            ).strip(),
        )
ui.note_secret(bool(fm.masques(mensuels).iloc[-1]))

# --- Progression vers les cibles 2026 ----------------------------------------------------------------------------
st.subheader(f"Référents et places vers les cibles {ANNEE_CIBLES}")
if selection:
    st.caption("Les cibles sont celles du Département entier : une sélection d'ALI n'a pas à les atteindre seule.")
ui.graphique(
    ctx,
    fm.figure_cibles(mensuels),
    vue=VUE,
    table=fm.table_cibles(mensuels, avec_progression=not selection),
    definitions=["moyens_referents_places"],
    cle="moyens_cibles",
    tableau=f"référents et places vers les cibles {ANNEE_CIBLES}",
    resume=fm.resume_cibles(mensuels),
)

# --- Par ALI -----------------------------------------------------------------------------------------------------
st.subheader("Personnes suivies par référent et occupation des places, par ALI")
par_ali = requete("moyens_mensuels", "ali")
if par_ali.empty:
    ui.etat_vide("Aucune ALI n'a déclaré de moyens pour cette période.")
else:
    derniers = (
        par_ali.sort_values("mois").groupby("groupe", as_index=False).tail(1).sort_values("groupe", ascending=False)
    )
    derniers = derniers.reset_index(drop=True)
    libelles_ali = [noms.get(g, g) for g in derniers["groupe"]]
    st.caption(
        "Dernier mois déclaré par chaque ALI. Personnes suivies publiées avec le secret statistique : les rapports "
        "sont calculés sur la valeur publiée."
    )
    caches = fm.masques(derniers)
    ui.graphique(
        ctx,
        fm.figure_par_ali(derniers, libelles_ali),
        vue=VUE,
        table=fm.table_par_ali(derniers, libelles_ali).iloc[::-1],
        definitions=["personnes_par_referent", "taux_occupation"],
        masque=bool(caches.any()),
        cle="moyens_ali",
        tableau="personnes par référent et occupation par ALI",
        resume=fm.resume_par_ali(derniers, libelles_ali, "au dernier mois déclaré"),
    )

# --- Coût par place ----------------------------------------------------------------------------------------------
st.subheader("Coût par place")
cout = requete("cout_par_place", "departement")
cout = cout[cout["mois_declares"] > 0].reset_index(drop=True)
if cout.empty:
    ui.etat_vide("Pas de coût par place : aucune année budgétaire n'a de places déclarées pour ces ALI.")
else:
    st.caption(
        "Montant exécuté de l'année (budget) divisé par la moyenne des places déclarées des mois de l'année. "
        + (
            "Crédits ventilés aux ALI retenues seulement."
            if selection
            else "Tous les crédits de l'insertion, ventilés par ALI ou non."
        )
    )
    ui.graphique(
        ctx,
        fm.figure_cout(cout),
        vue=VUE,
        table=fm.table_cout(cout),
        definitions=["cout_par_place", "budget"],
        cle="moyens_cout",
        tableau="coût par place",
        resume=fm.resume_cout(cout),
    )
