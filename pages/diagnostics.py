"""Diagnostics : les diagnostics numérique et linguistique sont-ils faits dans les 90 jours, et où ?"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insertion import app, cohortes, formats, ui
from insertion.cohortes import DEFINITIONS as DEF
from insertion.cohortes import DIAGNOSTICS
from insertion.indicators import DEPARTEMENT

TITRE = "Diagnostics"
ctx = app.page(TITRE)
f = ctx.filtres
au_departement = not f.sous_departement
reference = cohortes.perimetre_departement(f.perimetre)
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
        ref = cohortes.proteger_diagnostic(indicateur(diag, reference)[0], True).donnees
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
prot = cohortes.proteger_diagnostic(table, niveau)
aff = prot.affichage(FORMATS)
aff.insert(0, "territoire", [cohortes.libelle_groupe(g) for g in table["groupe"]])
alis = ~niveau.to_numpy()
noms = [cohortes.libelle_groupe(g, court=True) for g in table["groupe"][alis]]
ref_taux, ref_delai = cohortes.valeur(prot.donnees, "taux_90j"), cohortes.valeur(prot.donnees, "delai_median_j")
tableau_ali = aff.rename(
    columns={
        "territoire": "Territoire",
        "denominateur": "Orientations avec 90 jours de recul",
        "numerateur": "Diagnostiquées à 90 jours",
        "taux_90j": "Taux à 90 jours",
        "diagnostics": "Diagnostics datés",
        "delai_median_j": "Délai médian",
    }
)[["Territoire", "Orientations avec 90 jours de recul", "Diagnostiquées à 90 jours", "Taux à 90 jours",
   "Diagnostics datés", "Délai médian"]]  # fmt: skip
if not alis.any():
    st.info("Aucune orientation dans le périmètre et la période choisis.")
else:
    gauche, droite = st.columns(2)
    with gauche:
        survol = [
            f"<b>{t}</b><br>Taux à 90 jours : {r}<br>Orientations avec 90 jours de recul : {n}"
            for t, r, n in zip(aff["territoire"][alis], aff["taux_90j"][alis], aff["denominateur"][alis], strict=True)
        ]
        fig = cohortes.barres_territoires(
            noms,
            list(prot.donnees["taux_90j"][alis]),
            survol,
            titre_axe=f"Part des orientations diagnostiquées ({nom}) à 90 jours",
            pourcentage=True,
            reference=ref_taux,
            libelle_reference=f"{DEPARTEMENT} : {formats.pourcentage(ref_taux)}",
            masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque["taux_90j"][alis]],
        )
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=tableau_ali,
            definitions=[CLES_DEF[diag]],
            masque=prot.a_masque,
            cle=f"taux_ali_{diag}",
        )
    with droite:
        survol = [
            f"<b>{t}</b><br>Délai médian : {d}<br>Diagnostics datés : {n}"
            for t, d, n in zip(
                aff["territoire"][alis], aff["delai_median_j"][alis], aff["diagnostics"][alis], strict=True
            )
        ]
        fig = cohortes.barres_territoires(
            noms,
            list(prot.donnees["delai_median_j"][alis]),
            survol,
            titre_axe=f"Délai médian du diagnostic {nom} (jours)",
            pourcentage=False,
            reference=ref_delai,
            libelle_reference=f"{DEPARTEMENT} : {cohortes.jours(ref_delai)}",
            masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque["delai_median_j"][alis]],
        )
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=tableau_ali,
            definitions=[DEF["delai_median"]],
            masque=prot.a_masque,
            cle=f"delai_ali_{diag}",
        )

# --- Par cohorte mensuelle d'orientation ---------------------------------------------------------------
st.subheader(f"Diagnostic {nom} par mois d'orientation")
MESURES = {"taux_90j": "Taux à 90 jours", "delai_median_j": "Délai médian"}
mesure = st.segmented_control(
    "Mesure", list(MESURES), format_func=MESURES.get, default="taux_90j", required=True, key="mesure_diag"
)
mois_ref = cohortes.cohortes_completes(ref_mois)
mois_ali = cohortes.cohortes_completes(ali_mois)
table, niveau = cohortes.empiler(mois_ref, mois_ali)
prot = cohortes.proteger_diagnostic(table, niveau)
aff = prot.affichage(FORMATS)
aff["territoire"] = [cohortes.libelle_groupe(g) for g in table["groupe"]]
aff["mois"] = [cohortes.libelle_cohorte(c, "mois") for c in table["cohorte"]]
if table.empty:
    st.info("Aucune cohorte mensuelle n'a encore 90 jours de recul dans la période choisie.")
else:
    aff["survol"] = [
        f"<b>{t}</b><br>Orientés en {m}<br>Taux à 90 jours : {r}<br>Orientations : {n}<br>Délai médian : {d}"
        for t, m, r, n, d in zip(
            aff["territoire"], aff["mois"], aff["taux_90j"], aff["denominateur"], aff["delai_median_j"], strict=True
        )
    ]
    ordre = [DEPARTEMENT] + sorted(set(mois_ali["groupe"]))
    donnees = prot.donnees.assign(survol=aff["survol"])
    z = cohortes.grille(donnees, mesure, ordre)
    survols = donnees.pivot(index="groupe", columns="cohorte", values="survol")
    fig = cohortes.carte_chaleur(
        z,
        survols,
        [cohortes.libelle_groupe(g, court=True) for g in z.index],
        titre_echelle="Taux" if mesure == "taux_90j" else "Jours",
        pourcentage=mesure == "taux_90j",
    )
    tableau = aff[["territoire", "mois", "denominateur", "numerateur", "taux_90j", "diagnostics", "delai_median_j"]]
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=tableau.rename(
            columns={
                "territoire": "Territoire",
                "mois": "Mois d'orientation",
                "denominateur": "Orientations",
                "numerateur": "Diagnostiquées à 90 jours",
                "taux_90j": "Taux à 90 jours",
                "diagnostics": "Diagnostics datés",
                "delai_median_j": "Délai médian",
            }
        ),
        definitions=[DEF["diag_cohortes"]],
        masque=prot.a_masque,
        cle=f"cohortes_{diag}_{mesure}",
    )
    st.caption(
        "Première ligne : le département (mêmes filtres de profil). Une case blanche : aucune orientation ce "
        "mois-là, ou valeur non diffusée (moins de 11 orientations ou diagnostics, ou de 1 à 10 personnes "
        "diagnostiquées : le taux redonnerait l'effectif masqué). Les mois orientés depuis "
        "moins de 90 jours ne figurent pas."
    )

# --- Niveaux constatés ---------------------------------------------------------------------------------
st.subheader(f"Niveaux constatés au diagnostic {nom}")
couleurs = cohortes.couleurs_niveaux(diag)
FORMATS_NIVEAUX = {"episodes": formats.entier, "part": formats.pourcentage, "total": formats.entier}
ici = cohortes.niveaux(
    ctx.sql("niveaux_diagnostic", **cohortes.params(f.periode, f.perimetre, groupe="departement", diagnostic=diag)),
    diag,
)
prot = cohortes.proteger_parts(
    ici, effectif="episodes", part="part", total="total", ventilation=["groupe"], departement=au_departement
)
aff = prot.affichage(FORMATS_NIVEAUX)
gauche, droite = st.columns(2)
with gauche:
    if ici.empty:
        st.info("Aucun diagnostic daté dans le périmètre et la période choisis.")
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
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=aff[["libelle", "episodes", "part"]].rename(
                columns={"libelle": "Niveau", "episodes": "Diagnostics", "part": "Part"}
            ),
            definitions=[DEF["niveaux"]],
            masque=prot.a_masque,
            cle=f"niveaux_{diag}",
        )
with droite:
    niv_ref = ctx.sql(
        "niveaux_diagnostic", **cohortes.params(f.periode, reference, groupe="departement", diagnostic=diag)
    )
    niv_ali = ctx.sql("niveaux_diagnostic", **cohortes.params(f.periode, f.perimetre, groupe="ali", diagnostic=diag))
    niv_ali = niv_ali.sort_values("groupe", kind="stable")
    table, niveau = cohortes.empiler(cohortes.niveaux(niv_ref, diag), cohortes.niveaux(niv_ali, diag))
    if not niveau.eq(False).any():
        st.info("Aucun diagnostic daté dans les ALI du périmètre.")
    else:
        prot = cohortes.proteger_parts(
            table, effectif="episodes", part="part", total="total", ventilation=["groupe"], departement=niveau
        )
        aff = prot.affichage(FORMATS_NIVEAUX)
        aff["territoire"] = [cohortes.libelle_groupe(g) for g in table["groupe"]]
        ordre = list(dict.fromkeys(table["groupe"]))
        noms = {g: cohortes.libelle_groupe(g, court=True) for g in ordre}
        fig = go.Figure()
        for code in cohortes.ORDRE_NIVEAUX[diag]:
            lignes = table["niveau"] == code
            if not lignes.any():
                continue
            fig.add_trace(
                go.Bar(
                    y=[noms[g] for g in table["groupe"][lignes]],
                    x=list(prot.donnees["part"][lignes]),
                    name=cohortes.LIBELLES_NIVEAUX[diag][code],
                    orientation="h",
                    marker_color=couleurs[code],
                    marker_pattern_shape=cohortes.hachure_niveau(code),
                    customdata=list(
                        zip(aff["territoire"][lignes], aff["part"][lignes], aff["episodes"][lignes], strict=True)
                    ),
                    hovertemplate="<b>%{customdata[0]}</b><br>"
                    + cohortes.LIBELLES_NIVEAUX[diag][code]
                    + " : %{customdata[1]} (%{customdata[2]})<extra></extra>",
                )
            )
        fig.update_layout(
            barmode="stack",
            title="Répartition par ALI, en part des diagnostics datés",
            height=cohortes.hauteur(len(ordre)),
            yaxis={
                "autorange": "reversed",
                "title": None,
                "categoryorder": "array",
                "categoryarray": list(noms.values()),
            },
            xaxis={"tickformat": ".0%", "title": None, "range": [0, 1]},
            legend={"traceorder": "normal"},
        )
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=aff[["territoire", "libelle", "episodes", "part"]].rename(
                columns={"territoire": "Territoire", "libelle": "Niveau", "episodes": "Diagnostics", "part": "Part"}
            ),
            definitions=[DEF["niveaux"]],
            masque=prot.a_masque,
            cle=f"niveaux_ali_{diag}",
        )
