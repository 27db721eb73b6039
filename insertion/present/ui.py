"""Briques d'affichage communes : un graphique s'accompagne toujours de son tableau et de sa méthode."""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go
import streamlit as st

from insertion import formats
from insertion.figures import charts
from insertion.figures.tableau import Tableau
from insertion.indicators.definitions import DEFINITIONS, Definition
from insertion.outputs import exports
from insertion.present import connexion
from insertion.present.app import Contexte
from insertion.protect import acces, secret
from insertion.store.requetes import texte_sql


def nom_fichier(ctx: Contexte, vue: str, tableau: str | None = None) -> str:
    """« Diagnostics – Taux à 90 jours par ALI (numérique) – ALI14 · Clichy… – 2026-10-31 » : la vue, le tableau,
    le territoire et la date, pour les PNG et les exports. Sans `tableau`, deux tableaux d'une même vue
    partageraient le même nom de fichier (un téléchargement écraserait l'autre)."""
    parties = [vue, tableau, ctx.filtres.territoire, ctx.filtres.as_of.isoformat()]
    return " ".join(p for p in parties if p)


def methode(cles: Iterable[str | Definition]) -> None:
    """Définition (contrat), dénominateur et SQL qui calcule l'indicateur."""
    with st.expander("Méthode"):
        for cle in cles:
            d = DEFINITIONS[cle] if isinstance(cle, str) else cle
            st.markdown(f"**{d.titre}** — {d.definition}")
            st.markdown(f"*Dénominateur* : {d.denominateur}")
            for requete in d.requetes:
                st.caption(f"queries/{requete}.sql")
                st.code(texte_sql(requete), language="sql")


def exiger_tableau(table: object) -> Tableau:
    """Un tableau montré ou exporté porte ses nombres (insertion.figures.tableau) : un DataFrame de textes ferait
    relire l'écran par l'export, ce qu'aucune vue ne doit plus faire."""
    if not isinstance(table, Tableau):
        raise TypeError(f"Tableau attendu (insertion.figures.tableau.Tableau), reçu {type(table).__name__}")
    return table


def donnees(
    table: Tableau,
    cle: str | None = None,
    *,
    ctx: Contexte | None = None,
    vue: str | None = None,
    definitions: Iterable[str | Definition] = (),
    tableau: str | None = None,
) -> None:
    """Le graphique lu comme un tableau (libellés français, nombres déjà formatés), à emporter."""
    with st.expander("Voir les données"):
        st.dataframe(exiger_tableau(table).texte, hide_index=True, width="stretch", key=cle)
        if ctx is not None and vue is not None:
            telechargements(ctx, table, vue=vue, definitions=definitions, cle=cle, tableau=tableau)


def telechargements(
    ctx: Contexte,
    table: Tableau,
    *,
    vue: str,
    definitions: Iterable[str | Definition] = (),
    cle: str | None = None,
    tableau: str | None = None,
) -> None:
    """CSV (Excel français) et .xlsx du tableau tel qu'il est affiché, secret compris : des nombres dans les
    colonnes chiffrées, l'unité dans l'en-tête (insertion.outputs.exports) ; `tableau` nomme le fichier (avec la vue,
    le territoire et la date) et le titre du classeur.

    Les fichiers sont construits au clic seulement (callable) : rien ne ralentit l'affichage.
    Pas de bouton pour un rôle sans droit d'export (élu·e)."""
    exiger_tableau(table)
    if not connexion.peut(acces.EXPORTER):
        return
    nom = charts.nom_de_fichier_sur(nom_fichier(ctx, vue, tableau))
    defs = [DEFINITIONS[d] if isinstance(d, str) else d for d in definitions]

    def xlsx() -> bytes:
        return exports.ecrire_classeur(
            table,
            titre=" — ".join(p for p in (vue, tableau, ctx.filtres.territoire) if p),
            definitions=defs,
            filtres=ctx.filtres.resume(),
            date_donnees=ctx.filtres.derniere_extraction,
        )

    resume = ctx.filtres.resume() if ctx.filtres.derniere_extraction else []
    left, right = st.columns(2)
    left.download_button(
        "Télécharger (CSV)",
        data=connexion.trace(lambda: exports.ecrire_csv(table), "export", vue=vue, filtres=resume, detail="CSV"),
        file_name=f"{nom}.csv",
        mime="text/csv",
        key=None if cle is None else f"csv_{cle}",
        icon=":material/download:",
        on_click="ignore",
    )
    right.download_button(
        "Télécharger (Excel)",
        data=connexion.trace(xlsx, "export", vue=vue, filtres=resume, detail="Excel"),
        file_name=f"{nom}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=None if cle is None else f"xlsx_{cle}",
        icon=":material/table:",
        on_click="ignore",
    )


def resume_graphique(texte: str) -> None:
    """La phrase qui dit ce que montre le graphique au-dessus : du texte, lu par un lecteur d'écran, quand le
    graphique plotly n'a pas d'alternative textuelle."""
    st.markdown(f":material/short_text: {texte}")


def etat_vide(texte: str) -> None:
    """À la place d'un graphique que les filtres laissent vide : ce qui manque et quoi changer
    (insertion.present.etats_vides), jamais des axes sans rien."""
    st.info(texte, icon=":material/filter_alt_off:")


def note_secret(visible: bool) -> None:
    if visible:
        st.caption("🔒 " + secret.note())


def graphique(
    ctx: Contexte,
    fig: go.Figure,
    *,
    vue: str,
    table: Tableau,
    definitions: Iterable[str | Definition],
    masque: bool = False,
    cle: str | None = None,
    tableau: str | None = None,
    vide: str | None = None,
    resume: str | None = None,
) -> None:
    """Graphique plotly en français, puis secret, tableau et méthode ; `tableau` nomme le graphique dans les noms
    de fichiers (PNG, CSV, Excel) quand la vue en a plusieurs. `vide` (insertion.present.etats_vides) : les filtres ne
    laissent rien à montrer, la phrase remplace le graphique et son tableau. `resume` (insertion.figures.resumes) : une
    phrase sous le graphique qui dit ce qu'il montre, chiffres compris (lecteurs d'écran, lecture rapide)."""
    if vide is not None:
        etat_vide(vide)
        return
    # Le modèle de charts (palette, polices, locale) est celui par défaut de plotly dès l'import de charts : le
    # réappliquer ici recopiait tout le modèle pour chaque graphique (0,1 s par page, même à chaud).
    if fig.layout.template.layout.separators != charts.SEPARATEURS:
        fig.update_layout(template=charts.GABARIT)
    fig.update_layout(separators=charts.SEPARATEURS)
    charts.graduations_lisibles(fig)
    charts.textes_lisibles(fig)
    st.plotly_chart(fig, config=charts.configuration(nom_fichier(ctx, vue, tableau)), key=cle)
    if resume:
        resume_graphique(resume)
    note_secret(masque)
    definitions = list(definitions)
    donnees(table, None if cle is None else f"table_{cle}", ctx=ctx, vue=vue, definitions=definitions, tableau=tableau)
    methode(definitions)


def chiffre_cle(
    label: str,
    valeur: str,
    *,
    evolution: str | None = None,
    sens: str = "normal",
    serie: list[float] | None = None,
    aide: str | None = None,
    description: str | None = None,
    fleche: str = "auto",
    etendue: tuple[float, float] | None = None,
) -> None:
    """Une carte : valeur, évolution et courbe des derniers mois.

    La courbe de st.metric prend pour axe le minimum et le maximum de la série : un écart de 1 % y
    remplissait toute la hauteur. Elle est donc dessinée ici, sur un axe partant de zéro (ou sur
    `etendue`, par exemple (0, 100) pour un taux en %), dans le même cadre que la carte."""
    with st.container(border=True):
        st.metric(
            label,
            valeur,
            delta=evolution,
            delta_color=sens,
            border=False,
            help=aide,
            delta_description=description,
            delta_arrow=fleche,
        )
        if serie:
            st.vega_lite_chart(
                courbe_etincelle(serie, etendue),
                width="stretch",
                height=44,
                alt=f"Courbe de « {label} » sur les {len(serie)} derniers points, axe partant de zéro.",
            )


def cartes(arguments: list[dict], par_ligne: int = 3) -> None:
    """Des cartes par rangées de `par_ligne` : à 1 280 px, quatre cartes et plus par rangée coupaient leurs libellés
    et leurs valeurs (« 12 … », « Taux d'oc… ») ; tests/e2e/test_browser.py vérifie qu'aucun n'est coupé."""
    for debut in range(0, len(arguments), par_ligne):
        for colonne, carte in zip(st.columns(par_ligne), arguments[debut : debut + par_ligne], strict=False):
            with colonne:
                chiffre_cle(**carte)


def courbe_etincelle(serie: list[float], etendue: tuple[float, float] | None = None) -> dict:
    """Spécification Vega-Lite d'une courbe d'étincelle : aire sans axes, échelle à partir de zéro (ou fixe)."""
    echelle = {"domain": list(etendue)} if etendue is not None else {"zero": True}
    return {
        "data": {"values": [{"rang": i, "valeur": float(v)} for i, v in enumerate(serie)]},
        "mark": {
            "type": "area",
            "color": charts.PALETTE[0],
            "opacity": 0.25,
            "line": {"color": charts.PALETTE[0], "strokeWidth": 2},
            "tooltip": False,
        },
        "encoding": {
            "x": {"field": "rang", "type": "quantitative", "axis": None, "scale": {"nice": False, "zero": False}},
            "y": {"field": "valeur", "type": "quantitative", "axis": None, "scale": {**echelle, "nice": False}},
        },
        "config": {"view": {"stroke": None}},
        # Un objet, pas un nombre : Streamlit complète ce réglage (« padding: 2 » fait échouer le rendu).
        "padding": {"left": 0, "right": 0, "top": 2, "bottom": 2},
    }


# Gardés ici pour les pages : la logique vit dans insertion.formats (sans Streamlit).
evolution_pourcentage = formats.evolution_pourcentage
evolution_points = formats.evolution_points
