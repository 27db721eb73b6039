"""Qualité des données : historique des chargements, fraîcheur par ALI, lignes rejetées, complétude.

Page de l'équipe données ; le secret statistique n'y masque que la complétude, qui compte des épisodes du
périmètre filtré (justification dans insertion/present/qualite.py).
"""

import textwrap

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insertion import formats
from insertion.figures import charts, resumes
from insertion.indicators import libelles
from insertion.present import app, connexion, etats_vides, qualite, ui
from insertion.protect import acces, secret

TITRE = "Qualité des données"
# app.page() s'arrête quand la base n'a aucune extraction : c'est justement là qu'il faut voir les rejets.
ctx = app.page(TITRE) if qualite.a_des_extractions() else qualite.page_sans_extraction(TITRE)
f = ctx.filtres
donnees = qualite.avec_extraction(ctx)  # faux si aucune extraction en place : pas de date D, pas de filtres
territoire = qualite.parametres_territoire(f)
noms_ali = libelles.ali()

st.caption(
    "Page de l'équipe données : chargements et lignes rejetées décrivent des fichiers, pas des personnes, et ne "
    "sont pas masqués ; la complétude compte des épisodes du périmètre filtré et suit le secret statistique. "
    "La quarantaine ne conserve aucune valeur des fichiers."
)

# L'historique (tous les fichiers, toutes les ALI) n'est servi qu'aux administrateur·rice·s (acces.restreindre).
chargements = ctx.sql("qualite_chargements") if connexion.peut(acces.HISTORIQUE) else None
habilitation = connexion.courante()
if habilitation is not None and habilitation.droits.detail_protege == "sa_ali":
    st.info(f"Le détail de cette page est limité à votre ALI ({habilitation.ali}).", icon=":material/lock:")
rejets_tous = ctx.sql("qualite_rejets", chargement=None, **territoire)
# La référence des retards : la plus récente extraction en place, toutes ALI confondues (même filtrée).
plus_recente = app.latest(ctx.con) if donnees else None
fraicheur = qualite.fraicheur(ctx.sql("qualite_fraicheur", derniere=plus_recente, **territoire)) if donnees else None

# --- Chiffres clés ---------------------------------------------------------------------------------------
# Deux rangées : les dates et les retards, puis les fichiers (cinq cartes d'un rang se coupent à 1 280 px).
cols = [*st.columns(3), *st.columns(3)[:2]]
with cols[0]:
    ui.kpi(
        "Dernière extraction",
        plus_recente.strftime("%d/%m/%Y") if plus_recente else formats.SANS_OBJET,
        aide="La plus récente date d'extraction en place, toutes ALI confondues : une ALI dont l'extraction est "
        "plus ancienne est en retard.",
    )
with cols[1]:
    ui.kpi(
        "Date commune des données",
        f.derniere_extraction.strftime("%d/%m/%Y") if donnees else formats.SANS_OBJET,
        aide="La dernière date que toutes les ALI du territoire ayant des données en place ont fournie (la plus "
        "ancienne de leurs extractions) : la date d'observation D par défaut des vues.",
    )
with cols[2]:
    if fraicheur is not None:
        ouvertes = fraicheur[fraicheur["ouverte"]]
        n_retard = int(ouvertes["en_retard"].sum())
        ui.kpi(
            "ALI en retard",
            f"{n_retard} sur {len(ouvertes)}",
            aide="ALI ouvertes à la date de la dernière extraction dont l'extraction en place est plus ancienne, "
            "ou qui n'en ont aucune.",
        )
    else:
        ui.kpi("ALI en retard", formats.SANS_OBJET)
with cols[3]:
    ui.kpi(
        "Fichiers chargés",
        formats.entier(len(chargements)) if chargements is not None else formats.SANS_OBJET,
        aide="Extractions et fichiers budget enregistrés dans la base (les fichiers refusés n'y laissent rien).",
    )
with cols[4]:
    total_rejets = int(rejets_tous["lignes"].sum()) if not rejets_tous.empty else 0
    ui.kpi(
        "Lignes rejetées",
        formats.entier(total_rejets),
        aide="Lignes mises en quarantaine sur l'ensemble des chargements (du territoire si un filtre est posé).",
    )

if fraicheur is not None:
    en_retard, phrase = qualite.phrase_retards(fraicheur, plus_recente)
    (st.error if en_retard else st.success)(phrase, icon="⏰" if en_retard else "✅")

# --- Historique des chargements ---------------------------------------------------------------------------
st.subheader("Historique des chargements")
st.caption(
    "Chaque fichier chargé, le plus récent d'abord. Les fichiers refusés et les rechargements à l'identique "
    "ne modifient pas la base et n'apparaissent donc pas ici : la page Importer les signale au moment de l'envoi."
)
if not connexion.peut(acces.HISTORIQUE):
    st.info("L'historique des chargements est réservé aux administrateur·rice·s des données.")
elif chargements is None or chargements.empty:
    st.info("Aucun fichier n'a encore été chargé.")
else:
    st.dataframe(qualite.historique(chargements), hide_index=True, width="stretch", height=380, key="historique")
    ui.telechargements(ctx, qualite.historique(chargements), vue="Historique des chargements", cle="historique")

# --- Fraîcheur par ALI --------------------------------------------------------------------------------------
st.subheader("Date de la dernière extraction par ALI")
st.caption(
    "Une ALI ouverte est en retard quand son extraction en place est plus ancienne que la plus récente "
    "extraction chargée (toutes ALI confondues), ou qu'elle n'en a aucune : tant qu'elle n'a pas envoyé la "
    "sienne, les vues lisent le territoire à la date commune. Les filtres de territoire choisissent les ALI "
    "montrées ; ceux de profil (parcours, âge, sexe) ne concernent pas les fichiers."
)
if fraicheur is None:
    st.info("Aucune extraction de file active en place : aucune ALI n'a encore de données.")
elif fraicheur.empty:
    st.info("Aucune ALI ne correspond au territoire choisi.")
else:
    seuil = fraicheur["seuil"].iloc[0]
    fig = go.Figure()
    symboles = {"a_jour": "circle", "en_retard": "x", "non_ouverte": "diamond-open"}
    couleurs = {"a_jour": charts.PALETTE[2], "en_retard": charts.PALETTE[5], "non_ouverte": charts.PALETTE[7]}
    avec_date = fraicheur[fraicheur["date_extraction"].notna()]
    for statut in ("a_jour", "en_retard", "non_ouverte"):
        part = avec_date[avec_date["statut"] == statut]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pd.Timestamp(d) for d in part["date_extraction"]],
                y=part["ali"],
                mode="markers",
                name=qualite.STATUTS_FRAICHEUR[statut],
                marker={"size": 14, "symbol": symboles[statut], "color": couleurs[statut], "line": {"width": 2}},
                customdata=part[["anciennete_j"]].to_numpy(),
                hovertemplate="%{y}<br>Dernière extraction : %{x|%d %B %Y}"
                "<br>%{customdata[0]:,.0f} jours avant la plus récente extraction en place<extra></extra>",
            )
        )
    fig.add_shape(
        type="line",
        x0=pd.Timestamp(seuil),
        x1=pd.Timestamp(seuil),
        y0=0,
        y1=1,
        yref="paper",
        line={"color": charts.PALETTE[5], "dash": "dash", "width": 2},
    )
    fig.add_annotation(
        x=pd.Timestamp(seuil),
        y=1,
        yref="paper",
        yanchor="bottom",
        text=f"Plus récente extraction : {formats.date_longue(seuil)}",
        showarrow=False,
        font={"color": charts.PALETTE[5]},
    )
    sans = fraicheur[fraicheur["date_extraction"].isna()]
    fig.update_layout(
        height=max(320, 28 * len(fraicheur) + 120),
        xaxis_title="Date de la dernière extraction",
        yaxis={"title": None, "autorange": "reversed", "categoryorder": "array", "categoryarray": fraicheur["ali"]},
        xaxis={"tickformat": "%b %Y", "hoverformat": "%d %B %Y"},
        legend_title_text="",
    )
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=qualite.tableau_fraicheur(fraicheur),
        definitions=[qualite.DEF_FRAICHEUR],
        cle="fraicheur",
        tableau="dernière extraction par ALI",
        vide=etats_vides.message_extractions(f) if avec_date.empty else None,
    )
    if not sans.empty:
        st.caption(
            "Sans aucune extraction (absentes du graphique) : "
            + ", ".join(f"{a} ({s.lower()})" for a, s in zip(sans["ali"], sans["statut_libelle"], strict=True))
            + "."
        )

# --- Lignes rejetées ---------------------------------------------------------------------------------------
st.subheader("Lignes rejetées")
if chargements is not None:
    avec_rejets = chargements[chargements["rejetees"] > 0] if not chargements.empty else chargements
else:  # sans l'historique : les chargements dont ce rôle voit des lignes rejetées, comptées sur ce qu'il voit
    avec_rejets = (
        rejets_tous.groupby(["id_chargement", "fichier"], as_index=False)["lignes"]
        .sum()
        .rename(columns={"lignes": "rejetees"})
        .sort_values("id_chargement", ascending=False)
    )
TOUS = 0  # les numéros de chargement commencent à 1 ; None ferait afficher « Choose an option »
choix = [TOUS] + [int(i) for i in avec_rejets["id_chargement"]]
libelles_chargement = {int(r["id_chargement"]): qualite.libelle_chargement(r) for _, r in avec_rejets.iterrows()}
if "qualite_chargement" not in st.session_state:
    # Un lien peut viser un chargement : ?chargement=12 (la page Importer ne l'impose pas).
    demande = st.query_params.get("chargement")
    st.session_state["qualite_chargement"] = int(demande) if demande and demande.isdigit() else TOUS
if st.session_state["qualite_chargement"] not in choix:
    st.session_state["qualite_chargement"] = TOUS
chargement = st.selectbox(
    "Chargement",
    choix,
    format_func=lambda i: "Tous les chargements" if i == TOUS else libelles_chargement[i],
    key="qualite_chargement",
    help="Les chargements qui ont des lignes rejetées, le plus récent d'abord.",
)
if chargement == TOUS:
    st.query_params.pop("chargement", None)
else:
    st.query_params["chargement"] = str(chargement)

rejets = rejets_tous if chargement == TOUS else ctx.sql("qualite_rejets", chargement=chargement, **territoire)
if rejets.empty:
    st.success("Aucune ligne rejetée" + (" pour ce territoire." if f.sous_departement else "."), icon="✅")
else:
    par_motif = qualite.rejets_par_motif(rejets)
    par_ali = qualite.rejets_par_ali(rejets)
    fig = go.Figure(
        go.Bar(
            x=par_motif["lignes"],
            y=[qualite.motif_court(m) for m in par_motif["motif"]],
            orientation="h",
            marker_color=charts.PALETTE[0],
            text=[formats.entier(v) for v in par_motif["lignes"]],
            textposition="outside",
            customdata=par_motif[["motif", "colonne"]].fillna("–").to_numpy(),
            hovertemplate="%{customdata[0]}<br>Colonne : %{customdata[1]}<br>%{x:,.0f} lignes rejetées<extra></extra>",
        )
    )
    fig.update_layout(
        title="Lignes rejetées par motif",
        height=max(280, 36 * len(par_motif) + 130),
        xaxis={"title": "Lignes rejetées", "tickformat": ",d", "rangemode": "tozero"},
        yaxis={"title": None, "autorange": "reversed", "automargin": True},
    )
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=pd.DataFrame(
            {
                "Motif": par_motif["motif"],
                "Colonne": par_motif["colonne"].fillna("–"),
                "Lignes rejetées": [formats.entier(v) for v in par_motif["lignes"]],
            }
        ),
        definitions=[qualite.DEF_REJETS],
        cle="rejets_motif",
        tableau="lignes rejetées par motif",
        resume=resumes.extremes(
            resumes.points([qualite.motif_court(m) for m in par_motif["motif"]], par_motif["lignes"]),
            mesure=f"{formats.entier(int(par_motif['lignes'].sum()))} lignes rejetées, par motif",
            categorie="motif",
            plus="le plus fréquent",
            moins="le moins fréquent",
        ),
    )
    fig = go.Figure(
        go.Bar(
            x=par_ali["lignes"],
            y=par_ali["ali"],
            orientation="h",
            marker_color=charts.PALETTE[1],
            text=[formats.entier(v) for v in par_ali["lignes"]],
            textposition="outside",
            hovertemplate="%{y}<br>%{x:,.0f} lignes rejetées<extra></extra>",
        )
    )
    fig.update_layout(
        title="Lignes rejetées par ALI",
        height=max(280, 36 * len(par_ali) + 130),
        xaxis={"title": "Lignes rejetées", "tickformat": ",d", "rangemode": "tozero"},
        yaxis={"title": None, "autorange": "reversed", "automargin": True},
    )
    ui.graphique(
        ctx,
        fig,
        vue=TITRE,
        table=pd.DataFrame({"ALI": par_ali["ali"], "Lignes rejetées": [formats.entier(v) for v in par_ali["lignes"]]}),
        definitions=[qualite.DEF_REJETS],
        cle="rejets_ali",
        tableau="lignes rejetées par ALI",
        resume=resumes.extremes(
            resumes.points(par_ali["ali"], par_ali["lignes"]),
            mesure="Lignes rejetées par ALI",
            plus="le plus de lignes",
            moins="le moins",
        ),
    )
    detail = ctx.sql(
        "qualite_quarantaine",
        chargement=None if chargement == TOUS else chargement,
        limite=qualite.LIMITE_QUARANTAINE,
        **territoire,
    )
    st.markdown("**Quarantaine** — une ligne par ligne rejetée (numéro de ligne : l'en-tête est la ligne 1).")
    if int(rejets["lignes"].sum()) > len(detail):
        st.caption(
            f"Seules les {formats.entier(len(detail))} lignes les plus récentes sont affichées : choisissez un "
            "chargement pour voir toutes les siennes."
        )
    st.dataframe(qualite.tableau_quarantaine(detail), hide_index=True, width="stretch", key="quarantaine")
    ui.telechargements(ctx, qualite.tableau_quarantaine(detail), vue="Lignes rejetées", cle="quarantaine")

# --- Complétude ------------------------------------------------------------------------------------------
st.subheader("Complétude des champs facultatifs")
if not donnees:
    st.info("Aucun épisode courant : la complétude sera calculée après le premier chargement réussi.")
else:
    periode = f.periode.params()
    params = {**f.perimetre.params(), "debut": periode["debut"], "fin": periode["fin"]}
    # Effectifs d'épisodes du périmètre filtré : protégés (secret statistique), l'ensemble exempté
    # seulement sans aucun filtre.
    prot_ensemble = qualite.proteger_completude(
        qualite.completude(ctx.sql("qualite_completude", groupe="departement", **params)),
        departement=secret.departement_exempte(f.perimetre),
    )
    prot_ali_c = qualite.proteger_completude(
        qualite.completude(ctx.sql("qualite_completude", groupe="ali", **params)), departement=False
    )
    ensemble, par_ali_c = prot_ensemble.donnees, prot_ali_c.donnees
    textes_ensemble = prot_ensemble.affichage(
        {"taux": formats.pourcentage, "renseignes": formats.entier, "denominateur": formats.entier}
    )
    if ensemble.empty:
        ui.etat_vide(etats_vides.message("episodes", f))
    else:
        st.caption(
            "Part des épisodes courants orientés pendant la période dont le champ est renseigné (pour le motif de "
            "sortie : part des sorties). Une date de diagnostic vide peut simplement signifier que le diagnostic "
            "n'a pas encore eu lieu."
        )
        fig = go.Figure(
            go.Bar(
                x=ensemble["taux"],
                y=ensemble["libelle"],
                orientation="h",
                marker_color=charts.PALETTE[0],
                customdata=textes_ensemble[["taux", "renseignes", "denominateur"]].to_numpy(),
                hovertemplate="%{y}<br>%{customdata[0]} renseigné<br>%{customdata[1]} sur %{customdata[2]}"
                "<extra></extra>",
                text=list(textes_ensemble["taux"]),
                textposition="auto",
            )
        )
        fig.update_layout(
            title=f"Ensemble du périmètre : {f.territoire}",
            height=380,
            xaxis={"title": "Part renseignée", "tickformat": ".0%", "range": [0, 1]},
            yaxis={"title": None, "autorange": "reversed", "automargin": True},
        )
        ui.graphique(
            ctx,
            fig,
            vue=TITRE,
            table=qualite.tableau_completude(prot_ensemble, lambda _: f.territoire),
            definitions=[qualite.DEF_COMPLETUDE],
            masque=prot_ensemble.a_masque,
            cle="completude_ensemble",
            tableau="complétude des champs facultatifs",
            resume=resumes.extremes(
                resumes.points(ensemble["libelle"], ensemble["taux"], prot_ensemble.masque["taux"]),
                mesure="Part des épisodes où le champ est renseigné",
                ecrire=formats.pourcentage,
                categorie="champ",
            ),
        )
        if not par_ali_c.empty:
            champs = [libelle for _, libelle, _ in qualite.CHAMPS_FACULTATIFS]
            etiquettes = [
                "<br>".join(textwrap.wrap(c, 12, break_long_words=False)) for c in qualite.CHAMPS_COURTS
            ]  # lisibles à 1 280 px
            groupes = sorted(par_ali_c["groupe"].unique())
            grille = par_ali_c.pivot(index="groupe", columns="libelle", values="taux").reindex(
                index=groupes, columns=champs
            )
            textes_ali = prot_ali_c.affichage({"taux": formats.pourcentage})
            textes = (
                textes_ali.pivot(index="groupe", columns="libelle", values="taux")
                .reindex(index=groupes, columns=champs)
                .fillna("–")
                .to_numpy()
                .tolist()
            )
            fig = go.Figure(
                go.Heatmap(
                    z=grille.to_numpy(),
                    x=etiquettes,
                    y=[noms_ali.get(g, g) for g in groupes],
                    zmin=0,
                    zmax=1,
                    colorscale=charts.ECHELLE_CONTINUE,
                    text=textes,
                    texttemplate="%{text}",
                    colorbar={
                        "title": {"text": "Part renseignée", "side": "top"},
                        "tickformat": ".0%",
                        "orientation": "h",
                        "y": -0.02,
                        "yanchor": "top",
                        "len": 0.6,
                        "thickness": 14,
                    },
                    customdata=[[[c, t] for c, t in zip(champs, ligne, strict=True)] for ligne in textes],
                    hovertemplate="%{y}<br>%{customdata[0]} : %{customdata[1]}<extra></extra>",
                    xgap=2,
                    ygap=2,
                )
            )
            fig.update_layout(
                title="Par ALI",
                height=max(360, 30 * len(groupes) + 260),
                xaxis={"title": None, "side": "top", "tickangle": 0, "automargin": True, "tickfont": {"size": 12}},
                yaxis={"title": None, "autorange": "reversed", "automargin": True},
            )
            ui.graphique(
                ctx,
                fig,
                vue=TITRE,
                table=qualite.tableau_completude(prot_ali_c, lambda g: noms_ali.get(g, g)),
                definitions=[qualite.DEF_COMPLETUDE],
                masque=prot_ali_c.a_masque,
                cle="completude_ali",
                tableau="complétude par ALI",
            )
