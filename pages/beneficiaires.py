"""Bénéficiaires suivis : file active mensuelle par territoire, entrées et sorties, classement des ALI, profil."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insertion import formats
from insertion.figures import charts, resumes
from insertion.indicators import synthese
from insertion.present import app, etats_vides, ui
from insertion.protect import secret

TITRE = "Bénéficiaires suivis"
ctx = app.page(TITRE)
f = ctx.filtres
au_d = formats.date_longue(f.as_of)
periode = f"du {formats.date_longue(f.periode.params()['debut'])} au {au_d}"

# --- File active mensuelle par ALI ou par EPT ---------------------------------------------------------
st.subheader("File active mensuelle par territoire")
choix1, choix2 = st.columns(2)
groupe = choix1.segmented_control(
    "Regrouper par",
    ["ali", "ept"],
    format_func={"ali": "ALI", "ept": "EPT"}.get,
    default="ali",
    required=True,
    key="regroupement",
    bind="query-params",
)
representation = choix2.segmented_control(
    "Représentation",
    ["courbes", "aires"],
    format_func={"courbes": "Courbes", "aires": "Aires empilées"}.get,
    default="courbes",
    required=True,
    key="representation",
    bind="query-params",
)
serie = ctx.requete("file_active_mensuelle", periode=f.periode, perimetre=f.perimetre, groupe=groupe)
noms = synthese.libelles_territoires(groupe)
# Sous le département ; les aires empilées montrent un total : secret secondaire mois par mois.
prot = secret.proteger(serie, effectifs=["file_active"], ventilation=["mois"], departement=False)
affiche = prot.affichage({"file_active": formats.entier})
if etats_vides.est_vide(serie, ["file_active"]):
    ui.etat_vide(etats_vides.message("suivies_periode", f))
else:
    dernier_mois = prot.donnees["mois"] == prot.donnees["mois"].max()
    derniers = prot.donnees[dernier_mois]
    ordre = derniers.sort_values(["file_active", "groupe"], ascending=[False, True], na_position="last")["groupe"]
    fig = go.Figure()
    for code in ordre:
        lignes = prot.donnees["groupe"] == code
        fig.add_trace(
            go.Scatter(
                x=prot.donnees.loc[lignes, "mois"],
                y=prot.donnees.loc[lignes, "file_active"],
                name=noms.get(code, code),
                mode="lines",
                stackgroup="file_active" if representation == "aires" else None,
                customdata=affiche.loc[lignes, ["file_active"]],
                hovertemplate="%{fullData.name}<br>%{x|%B %Y} : %{customdata[0]} personnes<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis_title="Mois (fin de mois ; le dernier point est pris à la date d'observation)",
        yaxis_title="Personnes suivies",
        yaxis_tickformat=",.0f",
        yaxis_rangemode="tozero",
        legend_title_text="ALI" if groupe == "ali" else "EPT",
        height=560 if groupe == "ali" else 460,
        hovermode="closest",
    )
    fig = charts.series_nombreuses(fig)  # 22 ALI : petits multiples ou aires nommées, pas de couleur réutilisée
    table = affiche.assign(
        territoire=[noms.get(c, c) for c in serie["groupe"]], mois=[formats.mois(m) for m in serie["mois"]]
    )
    table = table.pivot(index="mois", columns="territoire", values="file_active")
    table = table.reindex(index=list(dict.fromkeys(formats.mois(m) for m in serie["mois"])))
    table = table[[noms.get(c, c) for c in ordre]].rename_axis(columns=None).reset_index()
    table = table.rename(columns={"mois": "Mois"})
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=table,
        definitions=["file_active_mensuelle"],
        masque=prot.a_masque,
        cle="benef_file_active_territoires",
        tableau="file active mensuelle par territoire",
        resume=resumes.extremes(
            resumes.points(
                [noms.get(c, c) for c in derniers["groupe"]],
                derniers["file_active"],
                prot.masque.loc[dernier_mois, "file_active"],
            ),
            mesure=f"Personnes suivies au {au_d}, par {'ALI' if groupe == 'ali' else 'EPT'}",
            categorie="ALI" if groupe == "ali" else "EPT",
        ),
    )

# --- Entrées et sorties par mois -------------------------------------------------------------------------
st.subheader("Entrées et sorties par mois")
es = ctx.requete("entrees_sorties_mensuelles", periode=f.periode, perimetre=f.perimetre)
prot_es = secret.proteger(es, effectifs=["entrees", "sorties"], departement=secret.departement_exempte(f.perimetre))
affiche_es = prot_es.affichage({"entrees": formats.entier, "sorties": formats.entier})
fig = go.Figure()
for colonne, nom, couleur in (("entrees", "Entrées", charts.PALETTE[0]), ("sorties", "Sorties", charts.PALETTE[1])):
    fig.add_trace(
        go.Bar(
            x=prot_es.donnees["mois"],
            y=prot_es.donnees[colonne],
            name=nom,
            marker_color=couleur,
            customdata=affiche_es[[colonne]],
            hovertemplate=f"{nom}<br>%{{x|%B %Y}} : %{{customdata[0]}} épisodes<extra></extra>",
        )
    )
fig.update_layout(
    barmode="group",
    xaxis_title="Mois",
    yaxis_title="Épisodes",
    yaxis_tickformat=",.0f",
    height=420,
)
table_es = affiche_es.assign(mois=[formats.mois(m) for m in es["mois"]])[["mois", "entrees", "sorties"]]
table_es.columns = ["Mois", "Entrées (orientations)", "Sorties"]
st.caption(f"Période {periode} ; le premier et le dernier mois peuvent être partiels.")
ui.graphique(
    ctx,
    fig,
    vue=TITRE,
    table=table_es,
    definitions=["entrees_sorties"],
    masque=prot_es.a_masque,
    cle="benef_entrees_sorties",
    tableau="entrées et sorties par mois",
    vide=etats_vides.message("entrees_sorties", f) if etats_vides.est_vide(es, ["entrees", "sorties"]) else None,
    resume=resumes.totaux(
        {
            nom: resumes.points(table_es["Mois"], prot_es.donnees[colonne], prot_es.masque[colonne])
            for colonne, nom in (("entrees", "entrées"), ("sorties", "sorties"))
        },
        periode=f"Période {periode}",
    ),
)

# --- Classement des ALI à D ------------------------------------------------------------------------------
st.subheader(f"Classement des ALI au {au_d}")
classement = synthese.classement_ali(
    ctx.requete("file_active", periode=f.periode, perimetre=f.perimetre, groupe="ali"),
    ctx.requete("entrees_sorties", periode=f.periode, perimetre=f.perimetre, groupe="ali"),
)
# Chaque ALI est une case de la file active du département (montrée en Vue d'ensemble).
prot_cl = secret.proteger(
    classement, effectifs=["file_active", "entrees", "sorties"], ventilation=[], departement=False
)
trie = synthese.ordre_classement(prot_cl.donnees)
affiche_cl = prot_cl.affichage({c: formats.entier for c in ("file_active", "entrees", "sorties")}).loc[trie.index]
table_cl = pd.DataFrame(
    {
        "Rang": ["–" if r is None else str(r) for r in trie["rang"]],
        "ALI": trie["libelle"],
        f"Personnes suivies au {au_d}": affiche_cl["file_active"],
        "Entrées sur la période": affiche_cl["entrees"],
        "Sorties sur la période": affiche_cl["sorties"],
    }
)
if etats_vides.est_vide(classement, ["file_active", "entrees", "sorties"]):
    ui.etat_vide(etats_vides.message("suivies", f))
else:
    onglet_graphique, onglet_tableau = st.tabs(["Graphique", "Tableau"])
    with onglet_graphique:
        plus_grande = trie["file_active"].max()
        fig = go.Figure(
            go.Bar(
                y=trie["libelle"],
                x=trie["file_active"].fillna(0),
                orientation="h",
                marker_color=charts.PALETTE[0],
                text=affiche_cl["file_active"],
                textposition="outside",
                cliponaxis=False,
                customdata=affiche_cl[["file_active"]],
                hovertemplate="%{y}<br>%{customdata[0]} personnes suivies<extra></extra>",
            )
        )
        fig.update_layout(
            xaxis_title=f"Personnes suivies au {au_d}",
            xaxis_tickformat=",.0f",
            xaxis_range=[0, (0.0 if pd.isna(plus_grande) else float(plus_grande)) * 1.12 + 15],
            yaxis_autorange="reversed",
            yaxis_title=None,
            height=max(260, 30 * len(trie) + 120),
            showlegend=False,
        )
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=table_cl,
            definitions=["file_active", "entrees_sorties"],
            masque=prot_cl.a_masque,
            cle="benef_classement",
            tableau="classement des ALI",
            resume=resumes.extremes(
                resumes.points(trie["libelle"], trie["file_active"], prot_cl.masque.loc[trie.index, "file_active"]),
                mesure=f"Personnes suivies au {au_d}",
            ),
        )
    with onglet_tableau:
        st.dataframe(table_cl, hide_index=True, width="stretch", height=min(35 * len(table_cl) + 38, 820))
        ui.note_secret(prot_cl.a_masque)

# --- Profil des personnes suivies à D --------------------------------------------------------------------
st.subheader(f"Profil des personnes suivies au {au_d}")
dimension = st.segmented_control(
    "Caractéristique",
    list(synthese.DIMENSIONS),
    format_func=lambda d: synthese.DIMENSIONS[d][0],
    default="tranche_age",
    required=True,
    key="profil",
    bind="query-params",
)
repartition = synthese.repartition_complete(
    ctx.sql("repartition_profil", as_of=f.as_of, dimension=dimension, groupe="departement", **f.perimetre.params()),
    dimension,
    exempte=secret.departement_exempte(f.perimetre),
)
total = float(repartition["total"].iloc[0]) if len(repartition) else 0
# Les modalités sont les cases d'un total montré (la file active du périmètre).
# Les parts sont des taux : même règle que les autres taux (synthese.proteger_repartition).
prot_p = synthese.proteger_repartition(repartition, departement=secret.departement_exempte(f.perimetre))
parts = prot_p.donnees["part"]
affiche_p = prot_p.affichage({"file_active": formats.entier, "total": formats.entier})
textes_parts = [synthese.texte_part(p) for p in parts]
total_texte = affiche_p["total"].iloc[0] if len(affiche_p) else formats.entier(total)
if total == 0:
    ui.etat_vide(etats_vides.message("suivies", f))
else:
    libelle_dimension = synthese.DIMENSIONS[dimension][0]
    fig = go.Figure(
        go.Bar(
            y=prot_p.donnees["libelle"],
            x=parts.fillna(0),
            orientation="h",
            marker_color=charts.PALETTE[2],
            text=[
                t if m else f"{p} ({n})"
                for t, m, p, n in zip(
                    affiche_p["file_active"],
                    prot_p.masque["file_active"],
                    textes_parts,
                    affiche_p["file_active"],
                    strict=True,
                )
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(affiche_p["file_active"], textes_parts, strict=True)),
            hovertemplate="%{y}<br>%{customdata[0]} personnes (%{customdata[1]})<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis_title="Part des personnes suivies",
        xaxis_tickformat=".0%",
        yaxis_autorange="reversed",
        yaxis_title=libelle_dimension,
        height=max(260, 50 * len(repartition) + 120),
        showlegend=False,
    )
    plus_grande = parts.max()
    fig.update_xaxes(range=[0, min(1.0, (0.0 if pd.isna(plus_grande) else float(plus_grande)) * 1.25 + 0.05)])
    st.caption(f"Sur {total_texte} personnes suivies au {au_d}, chacune comptée une fois.")
    table_p = pd.DataFrame(
        {
            libelle_dimension: prot_p.donnees["libelle"],
            "Personnes suivies": affiche_p["file_active"],
            "Part": textes_parts,
        }
    )
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=table_p,
        definitions=[synthese.DEFINITION_PROFIL],
        masque=prot_p.a_masque,
        cle="benef_profil",
        tableau="profil des personnes suivies",
        resume=resumes.repartition(
            resumes.points(prot_p.donnees["libelle"], parts, prot_p.masque["part"]), sujet=libelle_dimension
        ),
    )
