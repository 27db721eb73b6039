"""Indicateurs des autres systèmes du territoire (contrat §7) : freins périphériques, mises en relation par les
structures partenaires, actions collectives, moyens (référents et places), annuaire des structures.

Même forme que insertion.indicators : de fines fonctions autour des fichiers SQL de queries/, une par question,
qui rendent le DataFrame de la requête (publié quand la couche de publication est posée). Un module par
système ; les pages les appellent par `ctx.requete("<module>.<fonction>", …)`.
"""

MODULES = ("freins", "mises_en_relation", "actions_collectives", "moyens")
