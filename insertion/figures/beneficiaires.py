"""La vue « Bénéficiaires suivis » mise en forme : file active mensuelle par territoire, entrées et sorties par mois,
classement des ALI et profil des personnes suivies. Chaque fonction prend les résultats des requêtes publiées,
applique le secret statistique de la vue et rend un `Graphique` prêt à poser (figure plotly, tableau en français,
résumé). Sans Streamlit ni SQL : la page pose, les tests lisent."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insertion import formats
from insertion.figures import charts, resumes
from insertion.figures import tableau as tb
from insertion.figures.graphique import Graphique
from insertion.figures.tableau import Tableau
from insertion.indicators import tableaux_beneficiaires
from insertion.protect import secret


def nom_groupe(groupe: str) -> str:
    return "ALI" if groupe == "ali" else "EPT"


def file_active_territoires(serie: pd.DataFrame, groupe: str, representation: str, au_d: str) -> Graphique:
    """File active de fin de mois par ALI ou par EPT (`groupe`), en courbes ou en aires empilées (`representation`),
    les territoires rangés du plus grand au plus petit au dernier mois."""
    noms = tableaux_beneficiaires.libelles_territoires(groupe)
    # Sous le département ; les aires empilées montrent un total : secret secondaire mois par mois.
    prot = secret.proteger(serie, effectifs=["file_active"], ventilation=["mois"], departement=False)
    affiche = prot.affichage({"file_active": formats.entier})
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
        legend_title_text=nom_groupe(groupe),
        height=560 if groupe == "ali" else 460,
        hovermode="closest",
    )
    fig = charts.series_nombreuses(fig)  # 22 ALI : petits multiples ou aires nommées, pas de couleur réutilisée
    publiees = pd.DataFrame(
        {
            "territoire": [noms.get(c, c) for c in prot.donnees["groupe"]],
            "mois": prot.donnees["mois"].to_list(),
            "file_active": tb.publie(prot, "file_active").to_list(),
        }
    )
    valeurs = publiees.pivot(index="mois", columns="territoire", values="file_active")
    valeurs = valeurs.reindex(index=list(dict.fromkeys(prot.donnees["mois"])))
    colonnes = [noms.get(c, c) for c in ordre]
    valeurs = valeurs[colonnes].rename_axis(columns=None).reset_index().rename(columns={"mois": "Mois"})
    table = Tableau(valeurs.astype(object), {"Mois": tb.mois(), **{c: tb.entier() for c in colonnes}})
    resume = resumes.extremes(
        resumes.points(
            [noms.get(c, c) for c in derniers["groupe"]],
            derniers["file_active"],
            prot.masque.loc[dernier_mois, "file_active"],
        ),
        mesure=f"Personnes suivies au {au_d}, par {nom_groupe(groupe)}",
        categorie=nom_groupe(groupe),
    )
    return Graphique(fig, table, resume, prot.a_masque)


def entrees_sorties(es: pd.DataFrame, perimetre: object, periode: str) -> Graphique:
    """Entrées (orientations) et sorties par mois du périmètre, en barres groupées ; `periode` : « du … au … »."""
    prot = secret.proteger(es, effectifs=["entrees", "sorties"], departement=secret.departement_exempte(perimetre))
    affiche = prot.affichage({"entrees": formats.entier, "sorties": formats.entier})
    fig = go.Figure()
    for colonne, nom, couleur in (("entrees", "Entrées", charts.PALETTE[0]), ("sorties", "Sorties", charts.PALETTE[1])):
        fig.add_trace(
            go.Bar(
                x=prot.donnees["mois"],
                y=prot.donnees[colonne],
                name=nom,
                marker_color=couleur,
                customdata=affiche[[colonne]],
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
    table = tb.depuis_protege(
        prot,
        {"entrees": ("Entrées (orientations)", tb.entier()), "sorties": ("Sorties", tb.entier())},
        avant={"Mois": prot.donnees["mois"]},
        natures_avant={"Mois": tb.mois()},
    )
    mois = [formats.mois(m) for m in prot.donnees["mois"]]
    resume = resumes.totaux(
        {
            nom: resumes.points(mois, prot.donnees[colonne], prot.masque[colonne])
            for colonne, nom in (("entrees", "entrées"), ("sorties", "sorties"))
        },
        periode=f"Période {periode}",
    )
    legende = f"Période {periode} ; le premier et le dernier mois peuvent être partiels."
    return Graphique(fig, table, resume, prot.a_masque, legende=legende)


def classement(classement_ali: pd.DataFrame, au_d: str) -> Graphique:
    """Les ALI rangées par file active à D (tableaux_beneficiaires.classement_ali), avec leurs entrées et sorties
    de la période."""
    # Chaque ALI est une case de la file active du département (montrée en Vue d'ensemble).
    prot = secret.proteger(
        classement_ali, effectifs=["file_active", "entrees", "sorties"], ventilation=[], departement=False
    )
    trie = tableaux_beneficiaires.ordre_classement(prot.donnees)
    affiche = prot.affichage({c: formats.entier for c in ("file_active", "entrees", "sorties")}).loc[trie.index]
    colonnes = {
        "file_active": f"Personnes suivies au {au_d}",
        "entrees": "Entrées sur la période",
        "sorties": "Sorties sur la période",
    }
    table = Tableau(
        pd.DataFrame(
            {
                "Rang": trie["rang"].to_list(),
                "ALI": trie["libelle"].to_list(),
                **{libelle: tb.publie(prot, c).loc[trie.index].to_list() for c, libelle in colonnes.items()},
            },
            dtype=object,
        ),
        {"Rang": tb.entier(), **{libelle: tb.entier() for libelle in colonnes.values()}},
    )
    plus_grande = trie["file_active"].max()
    fig = go.Figure(
        go.Bar(
            y=trie["libelle"],
            x=trie["file_active"].fillna(0),
            orientation="h",
            marker_color=charts.PALETTE[0],
            text=affiche["file_active"],
            textposition="outside",
            cliponaxis=False,
            customdata=affiche[["file_active"]],
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
    resume = resumes.extremes(
        resumes.points(trie["libelle"], trie["file_active"], prot.masque.loc[trie.index, "file_active"]),
        mesure=f"Personnes suivies au {au_d}",
    )
    return Graphique(fig, table, resume, prot.a_masque)


def hauteur_tableau(table: Tableau) -> int:
    """Hauteur de l'onglet « Tableau » : toutes les lignes jusqu'à 22 ALI, sans ascenseur en plus."""
    return min(35 * len(table) + 38, 820)


def profil(brute: pd.DataFrame, dimension: str, perimetre: object, au_d: str) -> Graphique | None:
    """Répartition des personnes suivies à D selon `dimension` (tableaux_beneficiaires.DIMENSIONS), en parts ;
    `brute` : la requête repartition_profil du département. None quand personne n'est suivi."""
    exempte = secret.departement_exempte(perimetre)
    repartition = tableaux_beneficiaires.repartition_complete(brute, dimension, exempte=exempte)
    total = float(repartition["total"].iloc[0]) if len(repartition) else 0
    if total == 0:
        return None
    # Les modalités sont les cases d'un total montré (la file active du périmètre).
    # Les parts sont des taux : même règle que les autres taux (tableaux_beneficiaires.proteger_repartition).
    prot = tableaux_beneficiaires.proteger_repartition(repartition, departement=exempte)
    parts = prot.donnees["part"]
    affiche = prot.affichage({"file_active": formats.entier, "total": formats.entier})
    textes_parts = [tableaux_beneficiaires.texte_part(p) for p in parts]
    total_texte = affiche["total"].iloc[0] if len(affiche) else formats.entier(total)
    libelle_dimension = tableaux_beneficiaires.DIMENSIONS[dimension][0]
    fig = go.Figure(
        go.Bar(
            y=prot.donnees["libelle"],
            x=parts.fillna(0),
            orientation="h",
            marker_color=charts.PALETTE[2],
            text=[
                t if m else f"{p} ({n})"
                for t, m, p, n in zip(
                    affiche["file_active"],
                    prot.masque["file_active"],
                    textes_parts,
                    affiche["file_active"],
                    strict=True,
                )
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(affiche["file_active"], textes_parts, strict=True)),
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
    # Une part absente est masquée (synthese.texte_part) : « secret », jamais sans objet.
    table = Tableau(
        pd.DataFrame(
            {
                libelle_dimension: prot.donnees["libelle"].to_list(),
                "Personnes suivies": tb.publie(prot, "file_active").to_list(),
                "Part": [secret.LIBELLE_MASQUE if pd.isna(p) else float(p) for p in parts],
            },
            dtype=object,
        ),
        {"Personnes suivies": tb.entier(), "Part": tb.pourcentage()},
    )
    resume = resumes.repartition(
        resumes.points(prot.donnees["libelle"], parts, prot.masque["part"]), sujet=libelle_dimension
    )
    legende = f"Sur {total_texte} personnes suivies au {au_d}, chacune comptée une fois."
    return Graphique(fig, table, resume, prot.a_masque, legende=legende)
