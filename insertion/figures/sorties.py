"""La vue « Sorties vers l'emploi » : chiffres clés, figures, tableaux et résumés, prêts à placer par
pages/sorties.py.

`VueSorties` lit les indicateurs par les deux fonctions de requête de la page (`ctx.requete`, `ctx.sql`, en
cache) et rend des objets prêts : arguments des cartes KPI, `graphique.Graphique` (figure, tableau protégé,
définitions, résumé), ou None quand les filtres ne laissent rien à montrer (la page écrit alors l'état vide).
Ni Streamlit ni SQL ici ; le secret passe toujours par insertion.figures.cohortes (donc `secret.proteger`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.figures import charts, cohortes, resumes
from insertion.figures.cohortes import COULEURS_GROUPES, GROUPES_SORTIE, PAS, PERIODE
from insertion.figures.graphique import Graphique
from insertion.indicators import DEPARTEMENT, libelles
from insertion.indicators.definitions import DEFINITIONS as DEF
from insertion.protect import secret

COULEUR_EMPLOI = COULEURS_GROUPES["emploi_transition"]
COULEUR_DURABLE = COULEURS_GROUPES["emploi_durable"]
FORMATS = {
    "denominateur": formats.entier,
    "n_sortie_emploi": formats.entier,
    "taux_sortie_emploi": formats.pourcentage,
    "n_emploi_durable": formats.entier,
    "taux_emploi_durable": formats.pourcentage,
}
COLONNES = {
    "territoire": "Territoire",
    "cohorte_libelle": "Cohorte d'orientation",
    "denominateur": "Orientations avec 12 mois de recul",
    "n_sortie_emploi": "Sorties en emploi à 12 mois",
    "taux_sortie_emploi": "Taux de sortie en emploi à 12 mois",
    "n_emploi_durable": "Sorties en emploi durable à 12 mois",
    "taux_emploi_durable": "Taux de sortie en emploi durable à 12 mois",
}
MOTIFS_COURTS = libelles.MOTIFS_COURTS
COULEURS_ETAPES = {
    "orientes": charts.PALETTE[0],
    "diag_numerique_90j": charts.PALETTE[3],
    "diag_linguistique_90j": charts.PALETTE[3],
    "sortis_12m": charts.PALETTE[1],
    "sortis_emploi_12m": COULEURS_GROUPES["emploi_transition"],
    "sortis_emploi_durable_12m": COULEURS_GROUPES["emploi_durable"],
}
INDICATEURS = {"taux_sortie_emploi": "Sortie en emploi", "taux_emploi_durable": "Emploi durable"}
LEGENDE_CARTE = (
    "Première ligne : le département (mêmes filtres de profil). Une case blanche : aucune orientation dans "
    f"la cohorte, ou taux non diffusé (moins de {secret.SEUIL_SECRET} orientations, ou de 1 à "
    f"{secret.SEUIL_SECRET - 1} personnes sorties ou non sorties : le taux redonnerait l'effectif). "
    "Les cohortes de moins d'un an ne figurent pas."
)
LEGENDE_PARCOURS = (
    "Les deux diagnostics se recouvrent en partie ; les sorties sont comptées quel que soit le diagnostic. "
    "Chaque part se lit sur l'ensemble des orientés de la cohorte."
)


# --- Secret statistique de la vue ----------------------------------------------------------------------


def proteger_sortie(df: pd.DataFrame, departement: bool | pd.Series) -> secret.Protege:
    """Taux de sortie en emploi et en emploi durable à 12 mois, sur leur dénominateur ; le taux d'un
    numérateur masqué (de 1 à seuil − 1 hors exemption) est masqué aussi."""
    prot = secret.proteger(
        df,
        effectifs=["denominateur", "n_sortie_emploi", "n_emploi_durable"],
        taux={"taux_sortie_emploi": "denominateur", "taux_emploi_durable": "denominateur"},
        numerateurs={"taux_sortie_emploi": "n_sortie_emploi", "taux_emploi_durable": "n_emploi_durable"},
        departement=departement,
    )
    cohortes.ou_masque(prot, "taux_sortie_emploi", prot.masque["n_sortie_emploi"])
    cohortes.ou_masque(prot, "taux_emploi_durable", prot.masque["n_emploi_durable"])
    return prot


def etapes_parcours(ligne: pd.Series | dict) -> pd.DataFrame:
    """Les étapes d'une cohorte (une ligne de parcours_cohorte.sql) : etape, libelle, effectif, orientes,
    part (de la cohorte)."""
    # Valeurs publiées : une case masquée reste NaN (jamais 0), et sa part aussi.
    orientes = float(ligne["orientes"])
    rows = [
        {"etape": cle, "libelle": nom, "effectif": float(ligne[cle]), "orientes": orientes}
        for cle, nom in cohortes.ETAPES_PARCOURS.items()
    ]
    out = pd.DataFrame(rows)
    out["part"] = out["effectif"] / orientes if orientes else float("nan")
    return out


def proteger_parcours(etapes: pd.DataFrame, departement: bool) -> secret.Protege:
    """Les étapes se recouvrent (ce n'est pas une ventilation) : pas de masquage secondaire ; une part est
    masquée avec son effectif, et toutes quand la cohorte compte moins de personnes que le seuil."""
    return cohortes.proteger_parts(
        etapes, effectif="effectif", part="part", total="orientes", ventilation=None, departement=departement
    )


def texte_part_emploi(part: float | None, n_emploi: float | None, a_masque: bool) -> str:
    """La valeur de la carte « Part des sorties en emploi » : la part, sinon « secret » quand un effectif est
    masqué ou que la part seule ne se diffuse pas (n_emploi connu), sinon « – » (aucune sortie)."""
    if part is not None:
        return formats.pourcentage(part)
    return secret.LIBELLE_MASQUE if a_masque or n_emploi is not None else formats.SANS_OBJET


def survols_ali(aff: pd.DataFrame) -> list[str]:
    """Le survol des barres par ALI : les deux taux et leur dénominateur, tels qu'affichés (« secret » compris)."""
    return [
        f"<b>{t}</b><br>Sortie en emploi : {e}<br>dont emploi durable : {d}<br>Orientations avec un an de recul : {n}"
        for t, e, d, n in zip(
            aff["territoire"], aff["taux_sortie_emploi"], aff["taux_emploi_durable"], aff["denominateur"], strict=True
        )
    ]


def survols_cohortes(aff: pd.DataFrame) -> list[str]:
    """Le survol des courbes par cohorte (colonnes territoire et cohorte_libelle déjà posées)."""
    return [
        f"<b>{t}</b><br>Orientés : {c}<br>Sortie en emploi : {e}<br>dont emploi durable : {d}<br>Orientations : {n}"
        for t, c, e, d, n in zip(
            aff["territoire"],
            aff["cohorte_libelle"],
            aff["taux_sortie_emploi"],
            aff["taux_emploi_durable"],
            aff["denominateur"],
            strict=True,
        )
    ]


def figure_motifs(m_ici: pd.DataFrame, prot: secret.Protege, aff: pd.DataFrame, territoire: str) -> go.Figure:
    """Sorties par motif en barres horizontales, une trace par groupe de sortie (motifs de `motifs_ordonnes`) ;
    « secret » au pied d'une barre masquée."""
    fig = go.Figure()
    for code, nom in GROUPES_SORTIE.items():
        lignes = (m_ici["groupe_sortie"] == code).to_numpy()
        if not lignes.any():
            continue
        fig.add_trace(
            go.Bar(
                y=list(aff["court"][lignes]),
                x=list(prot.donnees["sorties"][lignes]),
                name=nom,
                orientation="h",
                marker_color=COULEURS_GROUPES[code],
                text=list(aff["sorties"][lignes]),
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(aff["libelle"][lignes], aff["sorties"][lignes], strict=True)),
                hovertemplate="<b>%{customdata[0]}</b><br>Sorties : %{customdata[1]}<extra></extra>",
            )
        )
    cohortes.annoter_masques(
        fig, list(aff["court"]), [secret.libelle_masque() if m else None for m in prot.masque["sorties"]]
    )
    fig.update_layout(
        title=f"{territoire} : sorties par motif",
        height=cohortes.hauteur(len(m_ici), 34),
        yaxis={"autorange": "reversed", "title": None, "categoryorder": "array", "categoryarray": list(aff["court"])},
        xaxis={"title": None, "tickformat": ",.0f"},
        margin={"r": 60},
    )
    return fig


def textes_parcours(aff: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Le texte de chaque étape de l'entonnoir (l'effectif, puis « effectif (part) ») et son survol."""
    textes = [e if i == 0 else f"{e} ({p})" for i, (e, p) in enumerate(zip(aff["effectif"], aff["part"], strict=True))]
    survols = [
        f"<b>{lib}</b><br>Personnes : {e}<br>Part de la cohorte : {p}"
        for lib, e, p in zip(aff["libelle"], aff["effectif"], aff["part"], strict=True)
    ]
    return textes, survols


def motifs_ordonnes(motifs: pd.DataFrame) -> pd.DataFrame:
    """Les motifs d'un territoire rangés par groupe de sortie puis par effectif décroissant, avec leur groupe
    et un libellé court pour l'axe du graphique."""
    out = motifs.reset_index(drop=True)
    out = out.assign(groupe_sortie=cohortes.groupe_sortie(out).to_numpy() if len(out) else [])
    out["court"] = [MOTIFS_COURTS.get(m, lib) for m, lib in zip(out["motif_sortie"], out["libelle"], strict=True)]
    rang = out["groupe_sortie"].map({g: i for i, g in enumerate(GROUPES_SORTIE)})
    out = out.assign(_rang=rang).sort_values(["_rang", "sorties"], ascending=[True, False], kind="stable")
    return out.drop(columns="_rang").reset_index(drop=True)


def part_emploi(groupes: secret.Protege) -> tuple[float | None, float | None]:
    """Sorties en emploi (emploi durable + transition) d'un seul territoire et leur part de ses sorties ;
    (None, None) sans sortie, ou quand l'un des deux groupes ou sa part est masqué."""
    d = groupes.donnees
    if d.empty:
        return None, None
    emploi = d[d["groupe_sortie"].isin(["emploi_durable", "emploi_transition"])]
    if emploi.empty:  # aucune sortie en emploi : 0, et une part nulle si les parts sont diffusées
        return 0.0, (None if d["part"].isna().all() else 0.0)
    if emploi[["sorties", "part"]].isna().to_numpy().any():
        return None, None
    n = float(emploi["sorties"].sum())
    # La part est un taux : règle des taux sur (sorties en emploi, toutes les sorties du territoire).
    if not secret.taux_publiable(n, d["total"].iloc[0], groupes.seuil):
        return n, None
    return n, float(emploi["part"].sum())


def barres_superposees(
    noms: list[str],
    series: list[tuple[str, list[float | None], list[str], str]],
    references: list[tuple[float | None, str, str]],
    *,
    titre: str,
    masques: list[str | None] | None = None,
) -> go.Figure:
    """Taux par territoire en barres horizontales superposées (la seconde série, incluse dans la première,
    plus étroite par-dessus) ; une ligne verticale par valeur de référence (valeur, libellé, style de trait).
    series : (nom, valeurs, textes de survol, couleur)."""
    fig = go.Figure()
    for i, (nom, valeurs, survols, couleur) in enumerate(series):
        fig.add_trace(
            go.Bar(
                x=[None if v is None or pd.isna(v) else v for v in valeurs],
                y=noms,
                name=nom,
                orientation="h",
                marker_color=couleur,
                width=0.8 if i == 0 else 0.45,
                customdata=survols,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    # Les valeurs en colonne dans la marge droite, une ligne par territoire (« 14,1 % · 7,9 % ») : au bout des
    # barres, elles croisaient les lignes du département, et la barre étroite n'a pas la place d'un texte.
    textes = [
        " · ".join(
            cohortes.texte_barre(None if v is None or pd.isna(v) else v, True) or formats.SANS_OBJET for v in ligne
        )
        for ligne in zip(*(valeurs for _, valeurs, _, _ in series), strict=True)
    ]
    en_tete = "<br>".join(("" if i == 0 else "· ") + nom for i, (nom, _, _, _) in enumerate(series))
    for nom, texte in zip(noms, textes, strict=True):
        if texte.strip(" ·" + formats.SANS_OBJET):
            fig.add_annotation(
                x=1, xref="paper", xanchor="left", xshift=8, y=nom, yref="y", text=texte, showarrow=False,
                font={"size": 12},
            )  # fmt: skip
    fig.add_annotation(
        x=1, xref="paper", xanchor="left", xshift=8, y=1, yref="paper", yanchor="bottom", text=en_tete,
        showarrow=False, font={"size": 11},
    )  # fmt: skip
    for valeur_ref, libelle, trait in references:
        if valeur_ref is None:
            continue
        fig.add_vline(x=valeur_ref, line_dash=trait, line_color=cohortes.COULEUR_REFERENCE, line_width=2)
        # La ligne verticale n'a pas d'entrée de légende : une trace vide la nomme.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=libelle,
                line={"color": cohortes.COULEUR_REFERENCE, "dash": trait, "width": 2},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        barmode="overlay",
        title=titre,
        height=cohortes.hauteur(len(noms)) + 60,
        xaxis={"title": None, "tickformat": ".0%", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "title": None},
        margin={"t": 60, "r": 150},
    )
    if masques:
        cohortes.annoter_masques(fig, noms, masques)
    return fig


def courbes_cohortes(
    cohortes_: list,
    series: list[tuple[str, list[float | None], list[str], str, str]],
    *,
    titre_axe: str,
) -> go.Figure:
    """Un taux par cohorte (axe du temps) ; series : (nom, valeurs, textes de survol, couleur, trait).
    Une valeur masquée laisse un trou dans la courbe."""
    fig = go.Figure()
    x = [pd.Timestamp(c) for c in cohortes_]
    for nom, valeurs, survols, couleur, trait in series:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[None if v is None or pd.isna(v) else v for v in valeurs],
                name=nom,
                mode="lines+markers",
                line={"color": couleur, "dash": trait, "width": 3 if trait == "solid" else 2},
                customdata=survols,
                hovertemplate="%{customdata}<extra></extra>",
                connectgaps=False,
            )
        )
    fig.update_layout(
        height=460,
        yaxis={"title": titre_axe, "tickformat": ".0%", "rangemode": "tozero"},
        xaxis={"title": None, "tickformat": "%b %Y"},
        hovermode="closest",
    )
    return fig


def entonnoir(
    etapes: pd.DataFrame, donnees: pd.DataFrame, textes: list[str], survols: list[str], masque: pd.Series
) -> go.Figure:
    """Entonnoir du parcours d'une cohorte ; une étape masquée n'a pas de barre : son libellé porte son
    texte (« secret »)."""
    noms = [f"{nom} : {t}" if m else nom for nom, t, m in zip(etapes["libelle"], textes, masque, strict=True)]
    fig = go.Figure(
        go.Funnel(
            y=noms,
            x=[None if pd.isna(v) else v for v in donnees["effectif"]],
            text=textes,
            textinfo="text",
            textposition="outside",
            cliponaxis=False,
            marker={"color": [COULEURS_ETAPES.get(e, cohortes.COULEUR_BARRE) for e in etapes["etape"]]},
            customdata=survols,
            hovertemplate="%{customdata}<extra></extra>",
            connector={"fillcolor": "#EEEEEE"},
        )
    )
    fig.update_layout(height=cohortes.hauteur(len(etapes), 60, 120), yaxis={"title": None}, showlegend=False)
    return fig


class VueSorties(cohortes.VueCohortes):
    """Les objets de la vue pour des filtres donnés ; requete : `ctx.requete`, sql : `ctx.sql`."""

    # --- Lectures ---------------------------------------------------------------------------------------

    def taux(self, perimetre, groupe: str = "departement") -> pd.DataFrame:
        return self.requete("taux_sortie_emploi", periode=self.f.periode, perimetre=perimetre, groupe=groupe)

    def par_cohorte(self, perimetre, pas: str, groupe: str = "departement") -> pd.DataFrame:
        params = cohortes.parametres(self.f.periode, perimetre, groupe=groupe, pas=pas)
        return self.sql("taux_sortie_emploi_cohortes", **params)

    def motifs(self, perimetre, groupe: str = "departement") -> pd.DataFrame:
        return self.requete("sorties_par_motif", periode=self.f.periode, perimetre=perimetre, groupe=groupe)

    def groupes(self, perimetre, groupe: str = "departement") -> pd.DataFrame:
        """Chaque groupe de motifs est une case publiée à part (queries/sorties_par_groupe.sql)."""
        return self.requete("sorties_par_groupe", periode=self.f.periode, perimetre=perimetre, groupe=groupe)

    # --- Chiffres clés ----------------------------------------------------------------------------------

    def precision(self) -> str:
        f = self.f
        return (
            f"Taux à 12 mois : épisodes orientés du {formats.date_longue(f.periode.debut)} au "
            f"{formats.date_longue(f.as_of)} ayant au moins un an de recul. Sorties : celles datées dans la période."
        )

    def cartes(self) -> list[dict]:
        """Les arguments de `ui.kpi` des quatre cartes, dans l'ordre."""
        f = self.f
        ici = proteger_sortie(self.taux(f.perimetre), self.au_departement)
        ici_aff = ici.affichage(FORMATS)
        ref = proteger_sortie(self.taux(self.reference), self.reference_exempte)
        mois = proteger_sortie(
            cohortes.cohortes_completes(self.par_cohorte(f.perimetre, "mois")), self.au_departement
        ).donnees
        groupes_ici = cohortes.sorties_par_groupe(self.groupes(f.perimetre), self.au_departement)
        n_emploi, part = part_emploi(groupes_ici)
        total_sorties = groupes_ici.affichage({"total": formats.entier})
        mensuel = self.requete("entrees_sorties_mensuelles", periode=f.periode, perimetre=f.perimetre)
        mensuel = secret.proteger(mensuel, effectifs=["sorties"], departement=self.au_departement).donnees
        cartes = []
        for colonne, nom in (
            ("taux_sortie_emploi", "Sortie en emploi à 12 mois"),
            ("taux_emploi_durable", "Sortie en emploi durable à 12 mois"),
        ):
            ecart = None
            if f.sous_departement:
                ecart = formats.evolution_points(
                    cohortes.valeur(ici.donnees, colonne), cohortes.valeur(ref.donnees, colonne)
                )
            cartes.append(
                {
                    "label": nom,
                    "valeur": cohortes.texte(ici_aff, colonne),
                    "evolution": None if ecart is None else f"{ecart} vs département",
                    "serie": cohortes.serie(mois, colonne, 100),
                    "aide": f"Sur {cohortes.texte(ici_aff, 'denominateur')} orientations ayant un an de recul ; "
                    "courbe : taux par mois d'orientation.",
                }
            )
        cartes.append(
            {
                "label": "Sorties pendant la période",
                "valeur": cohortes.texte(total_sorties, "total") if len(total_sorties) else "0",
                "serie": cohortes.serie(mensuel, "sorties"),
                "aide": "Épisodes dont la date de sortie tombe dans la période, tous motifs ; "
                "courbe : sorties par mois.",
            }
        )
        cartes.append(
            {
                "label": "Part des sorties en emploi",
                "valeur": texte_part_emploi(part, n_emploi, groupes_ici.a_masque),
                "aide": "Sorties de la période pour emploi durable, création d'entreprise ou emploi de transition "
                + ("" if n_emploi is None else f"({formats.entier(n_emploi)}) ")
                + "parmi toutes les sorties de la période ; non diffusée si l'un des effectifs est masqué.",
            }
        )
        return cartes

    # --- Par ALI ----------------------------------------------------------------------------------------

    def par_ali(self) -> Graphique | None:
        """Taux de sortie à 12 mois par ALI, le département en repère ; None : aucune ALI à montrer."""
        par_ali = self.taux(self.f.perimetre, "ali").sort_values("groupe").reset_index(drop=True)
        table, niveau = cohortes.empiler(self.taux(self.reference), par_ali)
        prot, aff = cohortes.proteger_territoires(
            table, niveau, proteger_sortie, FORMATS, exempte=self.reference_exempte
        )
        alis = ~niveau.to_numpy()
        if not alis.any():
            return None
        noms = [cohortes.libelle_groupe(g, court=True) for g in table["groupe"][alis]]
        survols = survols_ali(aff[alis])
        ref_emploi = cohortes.valeur(prot.donnees, "taux_sortie_emploi")
        ref_durable = cohortes.valeur(prot.donnees, "taux_emploi_durable")
        fig = barres_superposees(
            noms,
            [
                ("Sortie en emploi", list(prot.donnees["taux_sortie_emploi"][alis]), survols, COULEUR_EMPLOI),
                ("dont emploi durable", list(prot.donnees["taux_emploi_durable"][alis]), survols, COULEUR_DURABLE),
            ],
            [
                (ref_emploi, f"{DEPARTEMENT}, emploi : {formats.pourcentage(ref_emploi)}", "dash"),
                (ref_durable, f"{DEPARTEMENT}, emploi durable : {formats.pourcentage(ref_durable)}", "dot"),
            ],
            titre="Part des orientations sorties en emploi dans les 12 mois",
            masques=[cohortes.TAUX_MASQUE if m else None for m in prot.masque["taux_sortie_emploi"][alis]],
        )
        return Graphique(
            fig,
            table=aff.drop(columns="groupe").rename(columns=COLONNES),
            definitions=["sortie_emploi_12m"],
            masque=prot.a_masque,
            cle="taux_ali",
            tableau="taux de sortie à 12 mois par ALI",
            resume=resumes.extremes(
                resumes.points(noms, prot.donnees["taux_sortie_emploi"][alis], prot.masque["taux_sortie_emploi"][alis]),
                mesure=COLONNES["taux_sortie_emploi"],
                ecrire=formats.pourcentage,
            ),
        )

    # --- Par cohorte ------------------------------------------------------------------------------------

    def courbes(self, pas: str) -> Graphique | None:
        """Taux par cohorte du territoire (et du département en tirets) ; None : aucune cohorte à 12 mois."""
        f = self.f
        coh_ici = cohortes.cohortes_completes(self.par_cohorte(f.perimetre, pas))
        coh_ref = cohortes.cohortes_completes(self.par_cohorte(self.reference, pas))
        if coh_ici.empty:
            return None
        if f.sous_departement:
            table, niveau = cohortes.empiler(coh_ref, coh_ici)
        else:  # le périmètre est le département lui-même
            table, niveau = coh_ici, pd.Series(False, index=coh_ici.index)
        prot = proteger_sortie(table, (niveau & self.reference_exempte) | self.au_departement)
        aff = prot.affichage(FORMATS)
        aff["territoire"] = [DEPARTEMENT if n else f.territoire for n in niveau]
        aff["cohorte_libelle"] = [cohortes.libelle_cohorte(c, pas) for c in table["cohorte"]]
        aff["survol"] = survols_cohortes(aff)
        series = []
        lignes = [(False, f.territoire, "solid")] + ([(True, DEPARTEMENT, "dash")] if f.sous_departement else [])
        for est_ref, nom_ligne, trait in lignes:
            choix = (niveau == est_ref).to_numpy()
            for colonne, nom, couleur in (
                ("taux_sortie_emploi", "sortie en emploi", COULEUR_EMPLOI),
                ("taux_emploi_durable", "emploi durable", COULEUR_DURABLE),
            ):
                valeurs, survols = list(prot.donnees[colonne][choix]), list(aff["survol"][choix])
                series.append((f"{nom_ligne} : {nom}", valeurs, survols, couleur, trait))
        fig = courbes_cohortes(list(table["cohorte"][~niveau.to_numpy()]), series, titre_axe="Taux à 12 mois")
        return Graphique(
            fig,
            table=aff[list(COLONNES)].rename(columns=COLONNES),
            definitions=[DEF["sortie_cohortes"]],
            masque=prot.a_masque,
            cle=f"cohortes_{pas}",
            tableau=f"taux de sortie à 12 mois par {PAS[pas].lower()} d'orientation",
            resume=resumes.evolution(
                resumes.points(
                    aff["cohorte_libelle"][~niveau],
                    prot.donnees["taux_sortie_emploi"][~niveau],
                    prot.masque["taux_sortie_emploi"][~niveau],
                ),
                sujet=f"Pour {f.territoire}, le taux de sortie en emploi à 12 mois",
                ecrire=formats.pourcentage,
                variation="points",
            ),
        )

    def carte(self, pas: str, indicateur: str) -> Graphique:
        """Carte de chaleur ALI × cohorte d'un des deux taux (`INDICATEURS`), le département en première ligne."""
        coh_ref = cohortes.cohortes_completes(self.par_cohorte(self.reference, pas))
        coh_ali = cohortes.cohortes_completes(self.par_cohorte(self.f.perimetre, pas, "ali"))
        table, niveau = cohortes.empiler(coh_ref, coh_ali)
        prot, aff = cohortes.proteger_territoires(
            table, niveau, proteger_sortie, FORMATS, pas, exempte=self.reference_exempte
        )
        survols = [
            f"<b>{t}</b><br>Orientés : {c}<br>{INDICATEURS[indicateur]} : {v}<br>Orientations : {n}"
            for t, c, v, n in zip(
                aff["territoire"], aff["cohorte_libelle"], aff[indicateur], aff["denominateur"], strict=True
            )
        ]
        fig = cohortes.carte_territoires(prot, indicateur, survols, titre_echelle="Taux", pourcentage=True)
        return Graphique(
            fig,
            table=aff[list(COLONNES)].rename(columns=COLONNES),
            definitions=[DEF["sortie_cohortes"]],
            masque=prot.a_masque,
            cle=f"carte_{pas}_{indicateur}",
            tableau=f"{INDICATEURS[indicateur].lower()} à 12 mois par ALI et par {PAS[pas].lower()}",
            resume=resume_derniere_cohorte(table, niveau, prot, aff, indicateur, pas),
        )

    # --- Motifs et groupes ------------------------------------------------------------------------------

    def par_motif(self) -> Graphique | None:
        """Sorties de la période par motif, rangées par groupe ; None : aucune sortie."""
        m_ici = self.motifs(self.f.perimetre)
        if m_ici.empty:
            return None
        m_ici = motifs_ordonnes(m_ici)
        prot = cohortes.proteger_motifs(m_ici, self.au_departement)
        aff = prot.affichage({"sorties": formats.entier})
        tableau = aff.assign(groupe_libelle=m_ici["groupe_sortie"].map(GROUPES_SORTIE))[
            ["court", "groupe_libelle", "sorties"]
        ].rename(columns={"court": "Motif", "groupe_libelle": "Groupe", "sorties": "Sorties"})
        return Graphique(
            figure_motifs(m_ici, prot, aff, self.f.territoire),
            table=tableau,
            definitions=["sorties_par_motif", DEF["groupes_sortie"]],
            masque=prot.a_masque,
            cle="motifs",
            resume=resumes.extremes(
                resumes.points(aff["court"], prot.donnees["sorties"], prot.masque["sorties"]),
                mesure="Sorties de la période par motif",
                categorie="motif",
                plus="le plus fréquent",
                moins="le moins fréquent",
            ),
            tableau="sorties par motif",
        )

    def groupes_ali(self) -> Graphique | None:
        """Part de chaque groupe de sortie, département puis ALI ; None : aucune sortie."""
        m_ali = self.groupes(self.f.perimetre, "ali").sort_values("groupe", kind="stable")
        if m_ali.empty:
            return None
        fig, tableau, masque = cohortes.parts_par_territoire(
            self.groupes(self.reference),
            m_ali,
            cohortes.sorties_par_groupe,
            {"sorties": formats.entier, "part": formats.pourcentage, "total": formats.entier},
            categorie="groupe_sortie",
            categories=GROUPES_SORTIE,
            couleurs=COULEURS_GROUPES,
            effectif="sorties",
            titre="Groupes de sortie par ALI, en part des sorties de la période",
            exempte=self.reference_exempte,
            colonnes={
                "territoire": "Territoire",
                "libelle": "Groupe de sortie",
                "sorties": "Sorties",
                "part": "Part",
                "total": "Toutes sorties",
            },
        )
        return Graphique(
            fig,
            table=tableau,
            definitions=["sorties_par_motif", DEF["groupes_sortie"]],
            masque=masque,
            cle="groupes_ali",
            tableau="groupes de sortie par ALI",
        )

    # --- Parcours d'une cohorte -------------------------------------------------------------------------

    def _parcours(self, pas: str) -> pd.DataFrame:
        params = cohortes.parametres(self.f.periode, self.f.perimetre, groupe="departement", pas=pas)
        return self.sql("parcours_cohorte", **params)

    def choix_cohortes(self, pas: str) -> dict[str, str]:
        """Les choix du sélecteur de cohorte : toute la période, puis les cohortes de la plus récente à la plus
        ancienne (clé : la date ISO de la cohorte)."""
        parcours = cohortes.cohortes_completes(self._parcours(pas))
        return {PERIODE: "Toutes les cohortes de la période ayant un an de recul"} | {
            c.date().isoformat(): cohortes.libelle_cohorte(c, pas) for c in reversed(list(parcours["cohorte"]))
        }

    def parcours(self, pas: str, cle_cohorte: str) -> Graphique | None:
        """L'entonnoir de la cohorte choisie ; None : cohorte vide."""
        choix = self.choix_cohortes(pas)
        if cle_cohorte == PERIODE:
            ligne = self._parcours(PERIODE)
        else:
            parcours = cohortes.cohortes_completes(self._parcours(pas))
            ligne = parcours[parcours["cohorte"].dt.date.astype(str) == cle_cohorte]
        if ligne.empty or ligne["orientes"].iloc[0] == 0:  # NaN : cohorte masquée, montrée « secret » plus bas
            return None
        etapes = etapes_parcours(ligne.iloc[0])
        prot = proteger_parcours(etapes, self.au_departement)
        aff = prot.affichage({"effectif": formats.entier, "part": formats.pourcentage})
        textes, survols = textes_parcours(aff)
        fig = entonnoir(etapes, prot.donnees, textes, survols, prot.masque["effectif"])
        fig.update_layout(title=f"{self.f.territoire} · {choix[cle_cohorte]}")
        return Graphique(
            fig,
            # La cohorte en première colonne : le fichier exporté dit lui-même de quelle cohorte il s'agit.
            table=aff[["libelle", "effectif", "part"]]
            .rename(columns={"libelle": "Étape", "effectif": "Personnes", "part": "Part de la cohorte"})
            .assign(**{"Cohorte d'orientation": choix[cle_cohorte]})[
                ["Cohorte d'orientation", "Étape", "Personnes", "Part de la cohorte"]
            ],
            definitions=[DEF["parcours"]],
            masque=prot.a_masque,
            cle=f"parcours_{pas}_{cle_cohorte}",
            resume=resumes.etapes(
                resumes.points(aff["libelle"], prot.donnees["effectif"], prot.masque["effectif"]),
                resumes.points(aff["libelle"], prot.donnees["part"], prot.masque["part"]),
            ),
            tableau="parcours de la cohorte " + ("toute la période" if cle_cohorte == PERIODE else choix[cle_cohorte]),
        )


def resume_derniere_cohorte(
    table: pd.DataFrame, niveau: pd.Series, prot: secret.Protege, aff: pd.DataFrame, indicateur: str, pas: str
) -> str | None:
    """La carte lue sur sa dernière colonne : la cohorte la plus récente qui a un an de recul, ALI par ALI."""
    alis_carte = ~niveau.to_numpy()
    if not alis_carte.any():
        return None
    derniere = table["cohorte"][alis_carte].max()
    choix = alis_carte & (table["cohorte"] == derniere).to_numpy()
    return resumes.extremes(
        resumes.points(aff["territoire"][choix], prot.donnees[indicateur][choix], prot.masque[indicateur][choix]),
        mesure=f"{INDICATEURS[indicateur]} à 12 mois, cohorte {cohortes.libelle_cohorte(derniere, pas)}",
        ecrire=formats.pourcentage,
    )
