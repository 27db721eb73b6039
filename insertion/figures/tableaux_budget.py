"""Les tableaux de la vue Budget, leurs lignes et leur secret : libellés des lignes budgétaires et des groupes de
crédits, années courante et exécutée, secret du coût par personne.

Le coût par personne d'une ALI dont la file active moyenne est inférieure au seuil du secret (ou masquée) n'est pas
diffusé : exécuté ÷ coût redonnerait la file active masquée.
"""

from __future__ import annotations

import pandas as pd

from insertion.protect import secret

NON_REPARTI = "non_reparti"  # groupe des crédits sans code_ali (queries/budget_annuel.sql)

LIGNES_BUDGET = {
    "accompagnement_ali": "Accompagnement en ALI",
    "diagnostics": "Diagnostics",
    "formation": "Formation",
    "iae": "Insertion par l'activité économique",
    "mobilite": "Mobilité",
    "garde_enfants": "Garde d'enfants",
    "autre": "Autre",
    "total": "Total",
}


def libelle_ligne(code: str) -> str:
    return LIGNES_BUDGET.get(str(code), str(code).replace("_", " ").capitalize())


def libelle_groupe_budget(code: str, noms: dict[str, str]) -> str:
    return "Crédits non ventilés par ALI" if code == NON_REPARTI else noms.get(code, code)


def annees_budget(budget: pd.DataFrame, annee_max: int) -> tuple[int | None, int | None]:
    """(année courante, dernière année exécutée) parmi les totaux des années au plus tard `annee_max`."""
    totaux = budget[(budget["ligne"] == "total") & (budget["annee"] <= annee_max)]
    if totaux.empty:
        return None, None
    executees = totaux[totaux["montant_execute"].notna()]
    return int(totaux["annee"].max()), (int(executees["annee"].max()) if not executees.empty else None)


def proteger_cout(cout: pd.DataFrame, *, departement: bool | pd.Series, ventilation: list[str] | None = None):
    """Secret du coût par personne : la file active moyenne est un effectif (masquée de 1 à seuil − 1 sous le
    département, masquage secondaire dans `ventilation`) ; le coût d'une ligne dont la file active
    moyenne est inférieure au seuil OU masquée n'est pas diffusé (sinon exécuté / coût la redonnerait)."""
    premier = secret.proteger(cout, effectifs=["file_active_moyenne"], ventilation=ventilation, departement=departement)
    base = cout.reset_index(drop=True).assign(file_active_moyenne_diffusee=premier.donnees["file_active_moyenne"])
    prot = secret.proteger(
        base,
        effectifs=["file_active_moyenne"],
        taux={"cout_par_personne": "file_active_moyenne_diffusee"},
        ventilation=ventilation,
        departement=departement,
    )
    # Un exercice sans montant exécuté (en cours) n'a pas de coût : « – » (sans objet), pas « secret ». Son
    # coût vide n'a rien masqué : la règle des taux le prendrait pour un taux retiré par la publication.
    if "montant_execute" in base.columns:
        sans_execute = pd.to_numeric(base["montant_execute"], errors="coerce").isna().to_numpy()
        prot.masque["cout_par_personne"] = prot.masque["cout_par_personne"] & ~sans_execute
    return prot
