"""Les filtres de la barre latérale, partagés par toutes les vues et gardés dans l'URL.

La valeur de référence vit dans `st.session_state["_filtres"]` (elle survit aux changements
de page) et est recopiée dans l'URL à chaque exécution : un lien copié rouvre la même vue.
Les valeurs lues dans l'URL sont vérifiées contre les référentiels ; une valeur inconnue est
ignorée et signalée, jamais utilisée.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from insertion import formats, libelles
from insertion.queries import Perimetre, Periode

DEBUT_PAR_DEFAUT = date(2023, 1, 1)  # la première ALI a ouvert en janvier 2023
BORNE_MIN = date(2021, 1, 1)

# (clé d'URL, libellé, champ de Perimetre)
LISTES = [
    ("ept", "Établissement public territorial (EPT)", "epts"),
    ("ali", "Agence locale d'insertion (ALI)", "alis"),
    ("commune", "Commune de résidence", "communes"),
    ("parcours", "Type de parcours", "parcours"),
    ("age", "Tranche d'âge", "ages"),
    ("sexe", "Sexe", "sexes"),
]


def options() -> dict[str, dict[str, str]]:
    return {
        "ept": libelles.epts(),
        "ali": libelles.ali(),
        "commune": libelles.communes(),
        "parcours": libelles.PARCOURS,
        "age": libelles.TRANCHES_AGE,
        "sexe": libelles.SEXES,
    }


@dataclass(frozen=True)
class Filtres:
    periode: Periode  # as_of = D = fin de la période, au plus tard la dernière extraction
    perimetre: Perimetre
    derniere_extraction: date

    @property
    def as_of(self) -> date:
        return self.periode.as_of

    @property
    def sous_departement(self) -> bool:
        """Un filtre de territoire est posé : le secret statistique s'applique."""
        p = self.perimetre
        return bool(p.alis or p.epts or p.communes)

    @property
    def territoire(self) -> str:
        p = self.perimetre
        noms = libelles.ali()
        if len(p.alis) == 1:
            return noms[p.alis[0]]
        if p.alis:
            return f"{len(p.alis)} ALI"
        if len(p.epts) == 1:
            return f"EPT {p.epts[0]}"
        if p.epts:
            return f"{len(p.epts)} EPT"
        if p.communes:
            communes = libelles.communes()
            return ", ".join(communes[c] for c in p.communes[:3]) + (" …" if len(p.communes) > 3 else "")
        return "Seine-Saint-Denis"

    def resume(self) -> list[tuple[str, str]]:
        """Les filtres posés, en français, pour les légendes et les exports."""
        lignes = [
            (
                "Période d'orientation",
                f"du {formats.date_longue(self.periode.debut)} au {formats.date_longue(self.as_of)}",
            ),
            ("Date d'observation", formats.date_longue(self.as_of)),
        ]
        tous = options()
        for key, label, field in LISTES:
            values = getattr(self.perimetre, field)
            if values:
                lignes.append((label, ", ".join(tous[key].get(v, v) for v in values)))
        return lignes


def from_query_params(params: dict[str, list[str]], derniere: date) -> tuple[dict, list[str]]:
    """Les filtres d'une URL, vérifiés ; renvoie aussi les paramètres ignorés (pour le dire)."""
    tous = options()
    valeurs: dict = {}
    ignores: list[str] = []
    for key, _, _ in LISTES:
        given = params.get(key, [])
        valeurs[key] = [v for v in dict.fromkeys(given) if v in tous[key]]
        ignores += [f"{key}={v}" for v in given if v not in tous[key]]
    # fin = None : « la dernière extraction », qui suit donc les nouveaux chargements.
    for key, default in (("debut", DEBUT_PAR_DEFAUT), ("fin", None)):
        valeurs[key] = default
        for text in params.get(key, [])[:1]:
            try:
                valeurs[key] = min(max(date.fromisoformat(text), BORNE_MIN), derniere)
            except ValueError:
                ignores.append(f"{key}={text}")
    if valeurs["fin"] == derniere:
        valeurs["fin"] = None
    if valeurs["debut"] > (valeurs["fin"] or derniere):
        valeurs["debut"], valeurs["fin"] = valeurs["fin"] or derniere, valeurs["debut"]
    return valeurs, ignores


def to_query_params(valeurs: dict, derniere: date) -> dict[str, list[str] | str]:
    """Seuls les filtres posés vont dans l'URL, pour des liens courts."""
    out: dict[str, list[str] | str] = {key: list(valeurs[key]) for key, _, _ in LISTES if valeurs[key]}
    if valeurs["debut"] != DEBUT_PAR_DEFAUT:
        out["debut"] = valeurs["debut"].isoformat()
    if valeurs["fin"] is not None and valeurs["fin"] < derniere:
        out["fin"] = valeurs["fin"].isoformat()
    return out


def build(valeurs: dict, derniere: date) -> Filtres:
    perimetre = Perimetre(**{field: tuple(valeurs[key]) for key, _, field in LISTES})
    fin = min(valeurs["fin"] or derniere, derniere)
    return Filtres(Periode(as_of=fin, debut=valeurs["debut"], fin=fin), perimetre, derniere)


def widget_key(key: str, page: str) -> str:
    """Une clé par page : Streamlit ne garde pas l'état d'un widget d'une page à l'autre ;
    la valeur de référence (`_filtres`) réinitialise le widget de la nouvelle page."""
    return f"filtre_{key}@{page}"


def pour(
    derniere: date,
    *,
    debut: date | None = None,
    fin: date | None = None,
    **listes: tuple[str, ...] | list[str],
) -> Filtres:
    """Des filtres hors de l'application (CLI, notes en lot) : mêmes règles que la barre latérale."""
    valeurs: dict = {key: list(listes.get(key, ())) for key, _, _ in LISTES}
    valeurs["debut"] = debut or DEBUT_PAR_DEFAUT
    valeurs["fin"] = fin
    return build(valeurs, derniere)


def sidebar(derniere: date, page: str) -> Filtres:
    state = st.session_state
    if "_filtres" not in state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        state["_filtres"], ignores = from_query_params(params, derniere)
        if ignores:
            st.sidebar.warning("Paramètres de lien ignorés (valeurs inconnues) : " + ", ".join(ignores))
    valeurs = state["_filtres"]
    tous = options()
    bar = st.sidebar
    bar.header("Filtres")
    if state.get("_filtres_derniere") not in (None, derniere):
        # Une nouvelle extraction est arrivée : un widget resté sur l'ancienne dernière date la suit.
        if state.get(widget_key("fin", page)) == state["_filtres_derniere"]:
            state.pop(widget_key("fin", page))
    state["_filtres_derniere"] = derniere
    for key, label in (("debut", "Orientations du"), ("fin", "au")):
        widget_key_ = widget_key(key, page)
        if widget_key_ not in state:
            state[widget_key_] = min(valeurs[key] or derniere, derniere)
        bar.date_input(label, key=widget_key_, min_value=BORNE_MIN, max_value=derniere, format="DD/MM/YYYY")
        valeurs[key] = state[widget_key_]
    if valeurs["fin"] == derniere:
        valeurs["fin"] = None
    for key, label, _ in LISTES:
        widget_key_ = widget_key(key, page)
        if widget_key_ not in state:
            state[widget_key_] = valeurs[key]
        mapping = tous[key]
        bar.multiselect(label, list(mapping), format_func=mapping.get, key=widget_key_, placeholder="Tous")
        valeurs[key] = list(state[widget_key_])
    if bar.button("Effacer les filtres", width="stretch"):
        del state["_filtres"]
        for key in ["debut", "fin"] + [k for k, _, _ in LISTES]:
            state.pop(widget_key(key, page), None)
        st.query_params.clear()
        st.rerun()
    filtres = build(valeurs, derniere)
    sync_url(to_query_params(valeurs, derniere))
    bar.caption(f"Date d'observation : {formats.date_longue(filtres.as_of)}")
    return filtres


CLES_URL = [key for key, _, _ in LISTES] + ["debut", "fin"]


def sync_url(wanted: dict[str, list[str] | str]) -> None:
    """Recopie les filtres dans l'URL sans toucher aux autres paramètres (ceux d'une page)."""
    for key in CLES_URL:
        if key not in wanted:
            if key in st.query_params:
                del st.query_params[key]
            continue
        value = wanted[key]
        current = st.query_params.get_all(key) if isinstance(value, list) else st.query_params.get(key)
        if current != value:
            st.query_params[key] = value
