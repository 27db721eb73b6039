"""Diagnostics : les diagnostics numérique et linguistique sont-ils faits dans les 90 jours, et où ?"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insertion import formats
from insertion.figures import cohortes, resumes
from insertion.figures.cohortes import DEFINITIONS as DEF
from insertion.figures.cohortes import DIAGNOSTICS
from insertion.indicators import DEPARTEMENT
from insertion.indicators.definitions import Definition
from insertion.present import app, etats_vides, ui
from insertion.protect import secret

TITRE = "Diagnostics"
ctx = app.page(TITRE)
f = ctx.filtres
# Exemptés du secret : le département sans AUCUN filtre (ni territoire, ni profil), et lui seul.
au_departement = secret.departement_exempte(f.perimetre)
reference = cohortes.perimetre_departement(f.perimetre)
reference_exempte = secret.departement_exempte(reference)
CLES_DEF = {"numerique": "diag_numerique", "linguistique": "diag_linguistique"}


def indicateur(diagnostic: str, perimetre, groupe: str = "departement") -> tuple[pd.DataFrame, pd.DataFrame]:
    """taux_diagnostic (avec le nombre de diagnostics datés) et ses cohortes mensuelles."""
    par_periode = ctx.requete(
        "taux_diagnostic", periode=f.periode, perimetre=perimetre, groupe=groupe, diagnostic=diagnostic
    )
    par_mois = ctx.sql(
        "taux_diagnostic_cohortes", **cohortes.params(f.periode, perimetre, groupe=groupe, diagnostic=diagnostic)
    )
    return cohortes.avec_diagnostics(par_periode, par_mois), par_mois


FORMATS = {
    "denominateur": formats.entier,
    "numerateur": formats.entier,
    "taux_90j": formats.pourcentage,
    "diagnostics": formats.entier,
    "delai_median_j": cohortes.jours,
}

# --- Chiffres clés -------------------------------------------------------------------------------------
st.caption(
    f"Épisodes orientés du {formats.date_longue(f.periode.debut)} au {formats.date_longue(f.as_of)} ; "
    "taux calculés sur ceux qui ont au moins 90 jours de recul à la date d'observation."
)
cartes = st.columns(4)
for i, (diag, nom) in enumerate(DIAGNOSTICS.items()):
    ici, ici_mois = indicateur(diag, f.perimetre)
    prot = cohortes.proteger_diagnostic(ici, au_departement)
    aff = prot.affichage(FORMATS)
    mois = cohortes.proteger_diagnostic(cohortes.cohortes_completes(ici_mois), au_departement).donnees
    ecart_taux = ecart_delai = None
    if f.sous_departement:
        ref = cohortes.proteger_diagnostic(indicateur(diag, reference)[0], reference_exempte).donnees
        ecart_taux = ui.evolution_points(cohortes.valeur(prot.donnees, "taux_90j"), cohortes.valeur(ref, "taux_90j"))
        d_ici, d_ref = cohortes.valeur(prot.donnees, "delai_median_j"), cohortes.valeur(ref, "delai_median_j")
        if d_ici is not None and d_ref is not None and d_ici != d_ref:
            ecart_delai = ("+" if d_ici >= d_ref else "") + cohortes.jours(d_ici - d_ref)
    with cartes[2 * i]:
        ui.kpi(
            f"Diagnostic {nom.lower()} à 90 jours",
            cohortes.texte(aff, "taux_90j"),
            evolution=None if ecart_taux is None else f"{ecart_taux} vs département",
            serie=cohortes.serie(mois, "taux_90j", 100),
            aide=f"Sur {cohortes.texte(aff, 'denominateur')} orientations ayant 90 jours de recul ; "
            "courbe : taux par mois d'orientation.",
        )
    with cartes[2 * i + 1]:
        ui.kpi(
            f"Délai médian, diagnostic {nom.lower()}",
            cohortes.texte(aff, "delai_median_j"),
            evolution=None if ecart_delai is None else f"{ecart_delai} vs département",
            sens="inverse",
            serie=cohortes.serie(mois, "delai_median_j"),
            aide=f"Parmi {cohortes.texte(aff, 'diagnostics')} diagnostics datés ; "
            "courbe : délai médian par mois d'orientation.",
        )

diag = st.segmented_control(
    "Diagnostic",
    list(DIAGNOSTICS),
    format_func=DIAGNOSTICS.get,
    default="numerique",
    required=True,
    key="diagnostic",
    bind="query-params",
)
nom = DIAGNOSTICS[diag].lower()

# --- Par ALI -------------------------------------------------------------------------------------------
st.subheader(f"Diagnostic {nom} par agence locale d'insertion")
ref_periode, ref_mois = indicateur(diag, reference)
ali_periode, ali_mois = indicateur(diag, f.perimetre, "ali")
ali_periode = ali_periode.sort_values("groupe").reset_index(drop=True)
table, niveau = cohortes.empiler(ref_periode, ali_periode)
prot, aff = cohortes.proteger_territoires(
    table, niveau, cohortes.proteger_diagnostic, FORMATS, exempte=reference_exempte
)
alis = ~niveau.to_numpy()
noms = [cohortes.libelle_groupe(g, court=True) for g in table["groupe"][alis]]
# Les en-têtes du tableau nomment aussi les valeurs dans les survols des barres.
# Ils nomment le diagnostic : un export (CSV, Excel) dit lui-même ce qu'il contient.
COLONNES_ALI = {
    "territoire": "Territoire",
    "denominateur": "Orientations avec 90 jours de recul",
    "numerateur": f"Diagnostiquées ({nom}) à 90 jours",
    "taux_90j": f"Taux de diagnostic {nom} à 90 jours",
    "diagnostics": f"Diagnostics {nom}s datés",
    "delai_median_j": f"Délai médian du diagnostic {nom}",
}
tableau_ali = aff[list(COLONNES_ALI)].rename(columns=COLONNES_ALI)


def barres_ali(
    colonne: str, effectif: str, titre_axe: str, definition: str | Definition, cle: str, nom_tableau: str
) -> None:
    """Une barre par ALI pour `colonne` de la table par ALI ci-dessus (survol : la valeur et son effectif),
    la valeur du département en repère."""
    survols = [
        f"<b>{t}</b><br>{COLONNES_ALI[colonne]} : {v}<br>{COLONNES_ALI[effectif]} : {n}"
        for t, v, n in zip(aff["territoire"][alis], aff[colonne][alis], aff[effectif][alis], strict=True)
    ]
    ref = cohortes.valeur(prot.donnees, colonne)
    fig = cohortes.barres_territoires(
        noms,
        list(prot.donnees[colonne][alis]),
        survols,
        titre_axe=titre_axe,
        pourcentage=colonne == "taux_90j",
        reference=ref,
        libelle_reference=f"{DEPARTEMENT} : {FORMATS[colonne](ref)}",
        masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque[colonne][alis]],
    )
    delai = colonne == "delai_median_j"
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=tableau_ali,
        definitions=[definition],
        masque=prot.a_masque,
        cle=cle,
        tableau=nom_tableau,
        resume=resumes.extremes(
            resumes.points(noms, prot.donnees[colonne][alis], prot.masque[colonne][alis]),
            mesure=COLONNES_ALI[colonne],
            ecrire=FORMATS[colonne],
            plus="le plus long" if delai else "la plus élevée",
            moins="le plus court" if delai else "la plus faible",
        ),
    )


if not alis.any():
    ui.etat_vide(etats_vides.message("orientees", f))
else:
    gauche, droite = st.columns(2)
    with gauche:
        titre = f"Part des orientations diagnostiquées ({nom}) à 90 jours"
        barres_ali("taux_90j", "denominateur", titre, CLES_DEF[diag], f"taux_ali_{diag}", f"taux {nom} par ALI")
    with droite:
        titre = f"Délai médian du diagnostic {nom} (jours)"
        barres_ali(
            "delai_median_j", "diagnostics", titre, DEF["delai_median"], f"delai_ali_{diag}", f"délai {nom} par ALI"
        )

# --- Par cohorte mensuelle d'orientation ---------------------------------------------------------------
st.subheader(f"Diagnostic {nom} par mois d'orientation")
MESURES = {"taux_90j": "Taux à 90 jours", "delai_median_j": "Délai médian"}
mesure = st.segmented_control(
    "Mesure", list(MESURES), format_func=MESURES.get, default="taux_90j", required=True, key="mesure_diag"
)
table, niveau = cohortes.empiler(cohortes.cohortes_completes(ref_mois), cohortes.cohortes_completes(ali_mois))
prot, aff = cohortes.proteger_territoires(
    table, niveau, cohortes.proteger_diagnostic, FORMATS, "mois", exempte=reference_exempte
)
if table.empty:
    ui.etat_vide(etats_vides.message("cohortes_90j", f))
else:
    survols = [
        f"<b>{t}</b><br>Orientés en {m}<br>Taux à 90 jours : {r}<br>Orientations : {n}<br>Délai médian : {d}"
        for t, m, r, n, d in zip(
            aff["territoire"],
            aff["cohorte_libelle"],
            aff["taux_90j"],
            aff["denominateur"],
            aff["delai_median_j"],
            strict=True,
        )
    ]
    fig = cohortes.carte_territoires(
        prot,
        mesure,
        survols,
        titre_echelle="Taux" if mesure == "taux_90j" else "Jours",
        pourcentage=mesure == "taux_90j",
    )
    colonnes = {
        "territoire": "Territoire",
        "cohorte_libelle": "Mois d'orientation",
        "denominateur": "Orientations",
        "numerateur": COLONNES_ALI["numerateur"],
        "taux_90j": COLONNES_ALI["taux_90j"],
        "diagnostics": COLONNES_ALI["diagnostics"],
        "delai_median_j": COLONNES_ALI["delai_median_j"],
    }
    tableau = aff[list(colonnes)].rename(columns=colonnes)
    cle = f"cohortes_{diag}_{mesure}"
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=tableau,
        definitions=[DEF["diag_cohortes"]],
        masque=prot.a_masque,
        cle=cle,
        tableau=f"{nom} par mois d'orientation",
        resume=resumes.evolution(
            resumes.points(aff["cohorte_libelle"][niveau], prot.donnees[mesure][niveau], prot.masque[mesure][niveau]),
            sujet=f"En {DEPARTEMENT}, le {MESURES[mesure].lower()} du diagnostic {nom} des personnes orientées",
            ecrire=FORMATS[mesure],
            variation="points" if mesure == "taux_90j" else None,
        ),
    )
    st.caption(
        "Première ligne : le département (mêmes filtres de profil). Une case blanche : aucune orientation ce "
        f"mois-là, ou valeur non diffusée (moins de {secret.SEUIL_SECRET} orientations ou diagnostics, ou de 1 à "
        f"{secret.SEUIL_SECRET - 1} personnes diagnostiquées ou non diagnostiquées : le taux redonnerait "
        "l'effectif masqué). Les mois orientés depuis "
        "moins de 90 jours ne figurent pas."
    )

# --- Niveaux constatés ---------------------------------------------------------------------------------
st.subheader(f"Niveaux constatés au diagnostic {nom}")
couleurs = cohortes.couleurs_niveaux(diag)
FORMATS_NIVEAUX = {"episodes": formats.entier, "part": formats.pourcentage, "total": formats.entier}
COLONNES_NIVEAUX = {"libelle": f"Niveau {nom}", "episodes": f"Diagnostics {nom}s", "part": "Part"}
ici = cohortes.niveaux(
    ctx.sql("niveaux_diagnostic", **cohortes.params(f.periode, f.perimetre, groupe="departement", diagnostic=diag)),
    diag,
)
prot = cohortes.proteger_niveaux(ici, au_departement)
aff = prot.affichage(FORMATS_NIVEAUX)
gauche, droite = st.columns(2)
with gauche:
    if ici.empty:
        ui.etat_vide(etats_vides.message("diagnostics", f))
    else:
        fig = go.Figure(
            go.Bar(
                x=list(ici["libelle"]),
                y=list(prot.donnees["episodes"]),
                marker_color=[couleurs.get(n, cohortes.COULEUR_BARRE) for n in ici["niveau"]],
                marker_pattern_shape=[cohortes.hachure_niveau(n) for n in ici["niveau"]],
                text=list(aff["part"]),
                textposition="outside",
                customdata=list(zip(aff["episodes"], aff["part"], strict=True)),
                hovertemplate="<b>%{x}</b><br>Diagnostics : %{customdata[0]}<br>Part : %{customdata[1]}<extra></extra>",
            )
        )
        masques = [t if m else None for t, m in zip(aff["episodes"], prot.masque["episodes"], strict=True)]
        cohortes.annoter_masques(fig, list(ici["libelle"]), masques, vertical=True)
        fig.update_layout(
            title=f"{f.territoire} : {cohortes.texte(aff, 'total')} diagnostics datés",
            yaxis_title="Diagnostics",
            xaxis_title=None,
            showlegend=False,
            height=420,
        )
        fig.update_yaxes(tickformat=",.0f")
        tableau = aff[list(COLONNES_NIVEAUX)].rename(columns=COLONNES_NIVEAUX)
        cle = f"niveaux_{diag}"
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=tableau,
            definitions=[DEF["niveaux"]],
            masque=prot.a_masque,
            cle=cle,
            tableau=f"niveaux {nom}",
            resume=resumes.repartition(
                resumes.points(ici["libelle"], prot.donnees["part"], prot.masque["part"]),
                sujet=f"Niveaux constatés au diagnostic {nom}",
                categorie="niveau",
            ),
        )
with droite:
    niv_ref = ctx.sql(
        "niveaux_diagnostic", **cohortes.params(f.periode, reference, groupe="departement", diagnostic=diag)
    )
    niv_ali = ctx.sql("niveaux_diagnostic", **cohortes.params(f.periode, f.perimetre, groupe="ali", diagnostic=diag))
    niv_ali = niv_ali.sort_values("groupe", kind="stable")
    if niv_ali.empty:
        ui.etat_vide(etats_vides.message("diagnostics", f))
    else:
        fig, tableau, masque = cohortes.parts_par_territoire(
            cohortes.niveaux(niv_ref, diag),
            cohortes.niveaux(niv_ali, diag),
            cohortes.proteger_niveaux,
            FORMATS_NIVEAUX,
            categorie="niveau",
            categories={code: cohortes.LIBELLES_NIVEAUX[diag][code] for code in cohortes.ORDRE_NIVEAUX[diag]},
            couleurs=couleurs,
            effectif="episodes",
            titre="Répartition par ALI, en part des diagnostics datés",
            colonnes={"territoire": "Territoire"} | COLONNES_NIVEAUX,
            hachures=True,
            exempte=reference_exempte,
        )
        cle = f"niveaux_ali_{diag}"
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=tableau,
            definitions=[DEF["niveaux"]],
            masque=masque,
            cle=cle,
            tableau=f"niveaux {nom} par ALI",
        )
