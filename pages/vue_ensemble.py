"""Vue d'ensemble : les chiffres clés du périmètre à la date D, avec leur évolution et leur petite courbe."""

import plotly.graph_objects as go
import streamlit as st

from insertion import formats
from insertion.figures import resumes
from insertion.indicators import autres_systemes, synthese
from insertion.present import app, etats_vides, ui
from insertion.protect import secret

TITRE = "Vue d'ensemble"
ctx = app.page(TITRE)
f = ctx.filtres
s = synthese.chiffres_cles(ctx.con, f.periode, f.perimetre, requete=ctx.requete, sql=ctx.sql)


def carte(c: synthese.ChiffreCle) -> None:
    variation = c.variation()
    evolution, aide = None, c.aide
    if c.stable():
        aide += f" Stable {c.comparaison} (écart arrondi nul)."
    elif variation:
        texte = ui.evolution_points(*variation) if c.nature == synthese.TAUX else ui.evolution_pourcentage(*variation)
        evolution = f"{texte} {c.comparaison}" if texte else None
    ui.kpi(c.libelle_carte, c.actuel.texte, evolution=evolution, sens=c.sens, serie=c.courbe(), aide=aide)


ouvertes = "ALI ouverte" if s.ali_ouvertes <= 1 else "ALI ouvertes"
st.markdown(
    f"**Situation au {formats.date_longue(f.as_of)}** · {f.territoire} · "
    f"**{s.ali_ouvertes} {ouvertes}** sur {s.ali_total}" + (" dans le territoire retenu" if f.sous_departement else "")
)
if s.file_active.actuel.valeur == 0:
    ui.etat_vide(etats_vides.message("suivies", f))

st.subheader("Personnes suivies")
st.caption(
    f"File active au {formats.date_longue(f.as_of)} ; entrées et sorties de {formats.mois(s.entrees.actuel.date)}, "
    "dernier mois complet. Évolution sur un mois ; courbe sur douze mois."
)
colonnes = st.columns(4)
for colonne, c in zip(colonnes, (s.file_active, s.entrees, s.sorties), strict=False):
    with colonne:
        carte(c)
with colonnes[3]:
    ui.kpi(
        "ALI ouvertes",
        f"{s.ali_ouvertes} sur {s.ali_total}",
        aide="Agences du territoire retenu ouvertes à la date d'observation (mois d'ouverture du référentiel).",
    )

st.subheader("Diagnostics à 90 jours et sorties en emploi à 12 mois")
st.caption(
    f"Personnes orientées du {formats.date_longue(f.periode.params()['debut'])} au {formats.date_longue(f.as_of)} "
    "(période des filtres). Évolution : le même taux lu à la fin du mois précédent."
)
for colonne, c in zip(
    st.columns(4), (s.diag_numerique, s.diag_linguistique, s.sortie_emploi, s.emploi_durable), strict=True
):
    with colonne:
        carte(c)

st.subheader("Budget de l'insertion")
colonnes = st.columns(4)
for colonne, c in zip(colonnes, (s.budget_vote, s.budget_execute), strict=False):
    with colonne:
        carte(c)
with colonnes[2]:
    taux_execution = s.budget_execute.extra.get("taux_execution")
    ui.kpi(
        f"Taux d'exécution {s.budget_execute.actuel.date.year}",
        formats.pourcentage(taux_execution),
        aide="Crédits exécutés / crédits votés de la même année.",
    )
with colonnes[3]:
    st.caption(
        (
            "Budget : crédits ventilés aux ALI retenues."
            if f.perimetre.alis
            else "Budget : tous les crédits d'insertion du Département."
        )
        + (
            " Le budget n'est ventilé que par ALI : les filtres d'EPT, de commune, de parcours, d'âge et de sexe "
            "ne s'y appliquent pas."
            if s.budget_filtres_ignores
            else ""
        )
    )

# Une ligne par autre système du territoire (contrat §7) qui a des données : partenaires, actions collectives,
# moyens, freins ; valeurs publiées par la couche de publication.
autres = autres_systemes.lignes_synthese(ctx.con, f.periode, f.perimetre)
if autres:
    st.subheader("Partenaires, actions collectives, moyens et freins")
    for colonne, ligne in zip(st.columns(4), autres, strict=False):
        with colonne:
            ui.kpi(ligne.libelle, ligne.valeur, aide=ligne.aide)

ui.note_secret(
    any(c.actuel.masque or (c.precedent is not None and c.precedent.masque) for c in s.cartes())
    or any(ligne.valeur == secret.LIBELLE_MASQUE for ligne in autres)
)
ui.methode(
    [
        "file_active",
        "entrees_sorties",
        "diag_numerique",
        "diag_linguistique",
        "sortie_emploi_12m",
        synthese.DEFINITION_TAUX_MENSUELS,
        "budget",
        synthese.DEFINITION_ALI_OUVERTES,
    ]
)

# --- Évolution de la file active sur la période ------------------------------------------------------
st.subheader("Évolution de la file active")
serie = ctx.requete("file_active_mensuelle", periode=f.periode, perimetre=f.perimetre)
prot = secret.proteger(serie, effectifs=["file_active"], departement=secret.departement_exempte(f.perimetre))
affiche = prot.affichage({"file_active": formats.entier})
fig = go.Figure(
    go.Scatter(
        x=prot.donnees["mois"],
        y=prot.donnees["file_active"],
        mode="lines+markers",
        name="File active",
        customdata=affiche[["file_active"]],
        hovertemplate="%{x|%B %Y} : %{customdata[0]} personnes suivies<extra></extra>",
    )
)
# L'objectif du Département (12 600 places d'accompagnement en 2026) n'a de sens que pour tout le département.
sans_filtre = secret.departement_exempte(f.perimetre)
if sans_filtre:
    fig.add_hline(
        y=synthese.OBJECTIF_PLACES_2026,
        line_dash="dash",
        annotation_text=f"Objectif 2026 : {formats.entier(synthese.OBJECTIF_PLACES_2026)} places",
        annotation_position="top left",
    )
fig.update_layout(
    xaxis_title="Mois (fin de mois ; le dernier point est pris à la date d'observation)",
    yaxis_title="Personnes suivies",
    yaxis_tickformat=",.0f",
    yaxis_rangemode="tozero",
    showlegend=False,
    height=420,
)
table = affiche.assign(mois=[formats.mois(m) for m in serie["mois"]])[["mois", "file_active"]]
table.columns = ["Mois", "File active (fin de mois)"]
ui.graphique(
    ctx,
    fig,
    vue=TITRE,
    table=table,
    definitions=["file_active_mensuelle"],
    masque=prot.a_masque,
    cle="vue_file_active",
    tableau="évolution de la file active",
    vide=etats_vides.message("suivies_periode", f) if etats_vides.est_vide(serie, ["file_active"]) else None,
    resume=resumes.evolution(
        resumes.points(table["Mois"], prot.donnees["file_active"], prot.masque["file_active"]),
        sujet="La file active",
        unite="personnes",
    ),
)
