"""Le fichier budget de la démonstration (contrat §4) : crédits votés et exécutés de 2021 à 2026 par ligne,
l'accompagnement ventilé par ALI au prorata de sa file active moyenne, montants écrits comme dans un vrai export
(virgule décimale, parfois des espaces entre les milliers) ; l'exercice en cours n'a pas encore d'exécuté.
"""

from __future__ import annotations

import numpy as np

from insertion.demo.calendrier import mois as _mois
from insertion.demo.calendrier import trajectoire as _trajectoire

_BUDGET_VOTE = {2021: 23_000_000, 2022: 33_000_000, 2023: 46_000_000, 2024: 46_000_000,
                2025: 47_000_000, 2026: 48_000_000}  # fmt: skip


_LIGNES_BUDGET = ["accompagnement_ali", "diagnostics", "formation", "iae", "mobilite", "garde_enfants", "autre"]


_PART_ACCOMPAGNEMENT = {2021: 0.40, 2022: 0.42}  # ensuite 0,48 : les ALI montent en charge


_PARTS_AUTRES = np.array([0.07, 0.30, 0.34, 0.11, 0.09, 0.09])  # diagnostics … autre, hors accompagnement


_EXERCICE_OUVERT = 2026


def _montant_texte(centimes: int, espaces: bool) -> str:
    euros, cts = divmod(int(centimes), 100)
    entier = f"{euros:,}".replace(",", " ") if espaces else str(euros)
    return f"{entier},{cts:02d}"


def _repartit(total: int, parts: np.ndarray) -> list[int]:
    """Des montants entiers proportionnels aux parts, dont la somme vaut exactement total."""
    parts = np.asarray(parts, dtype=float) / np.sum(parts)
    bruts = np.floor(parts * total).astype(np.int64)
    bruts[np.argmax(parts)] += total - int(bruts.sum())
    return [int(x) for x in bruts]


def texte_budget(ref, params: dict, seed: int) -> str:
    rng = np.random.default_rng([seed, 3])
    lignes = ["annee;code_ali;ligne;montant_vote;montant_execute"]
    for annee, vote in _BUDGET_VOTE.items():
        total = vote // 100  # montants votés par centaines d'euros
        part_acc = _PART_ACCOMPAGNEMENT.get(annee, 0.48)
        autres = _PARTS_AUTRES * rng.uniform(0.9, 1.1, len(_PARTS_AUTRES))
        montants = _repartit(total, np.concatenate([[part_acc], (1 - part_acc) * autres / autres.sum()]))
        rangs: list[tuple[str, str, int]] = []
        ouvertes = [c for c, p in params.items() if p["ouverture"].year <= annee] if annee >= 2023 else []
        if ouvertes:  # l'accompagnement est ventilé par ALI, au prorata de la file active moyenne de l'année
            charges = []
            for c in ouvertes:
                p = params[c]
                t = np.arange(annee * 12, annee * 12 + 12) - _mois(p["ouverture"]) + 1
                charges.append(_trajectoire(p["cap"], p["tau"], p["g"], np.maximum(t, 0)).mean())
            parts = _repartit(montants[0], np.array(charges))
            rangs += [(c, "accompagnement_ali", m) for c, m in zip(ouvertes, parts, strict=True)]
        else:
            rangs.append(("", "accompagnement_ali", montants[0]))
        rangs += [("", ligne, m) for ligne, m in zip(_LIGNES_BUDGET[1:], montants[1:], strict=True)]
        for code, ligne, centaines in rangs:
            centimes = centaines * 10_000
            espaces = bool(rng.random() < 0.5)
            if annee >= _EXERCICE_OUVERT:
                execute = ""
            else:
                execute = _montant_texte(int(centimes * rng.uniform(0.92, 0.99)), espaces)
            lignes.append(f"{annee};{code};{ligne};{_montant_texte(centimes, espaces)};{execute}")
    return "\n".join(lignes) + "\n"
