"""Indicateurs des autres systèmes du territoire (contrat §7) : freins périphériques, mises en relation par les
structures partenaires, actions collectives, moyens (référents et places), annuaire des structures.

Même forme que insertion.indicators : de fines fonctions autour des fichiers SQL de queries/, une par question,
qui rendent le DataFrame de la requête (publié quand la couche de publication est posée). Un module par
système ; les pages les appellent par `ctx.requete("<module>.<fonction>", …)`.
"""

from insertion.indicators.autres_systemes.commun import LigneSynthese, valeur_publiee  # noqa: F401 (API)

MODULES = ("freins", "mises_en_relation", "actions_collectives", "moyens")


def resume(con, periode, perimetre) -> dict:
    """Les clés des autres systèmes dans `indicators --json` (à côté de celles de la file active, inchangées)."""
    from insertion.indicators.autres_systemes import actions_collectives, freins, mises_en_relation, moyens

    return {
        "mises_en_relation": mises_en_relation.resume(con, periode, perimetre),
        "actions_collectives": actions_collectives.resume(con, periode, perimetre),
        "freins": freins.resume(con, periode, perimetre),
        "moyens": moyens.resume(con, periode, perimetre),
    }


def _texte(v: object, ecrire) -> str:
    if v is None:
        return "aucune donnée"
    return v if isinstance(v, str) else ecrire(v)


def lignes_texte(resultat: dict) -> list[str]:
    """Les mêmes valeurs, en français, pour la sortie texte de la CLI."""
    from datetime import date

    from insertion.formats import entier, mois, pourcentage

    lignes = []
    m = resultat.get("mises_en_relation")
    if m is not None:
        if not m:
            lignes.append("Mises en relation par les partenaires : aucune sur la période")
        else:
            lignes.append(
                f"Mises en relation par les partenaires : {_texte(m['mises_en_relation'], entier)} ; taux d'embauche "
                f"{_texte(m['taux_embauche'], pourcentage)} ; contrats longs "
                f"{_texte(m['part_contrats_longs'], pourcentage)} des embauches"
            )
    a = resultat.get("actions_collectives")
    if a:
        lignes.append(
            f"Actions collectives : {_texte(a['seances'], entier)} séances, {_texte(a['participants'], entier)} "
            f"participants, {_texte(a['personnes_remobilisees'], entier)} personnes remobilisées"
        )
    f = resultat.get("freins")
    if f is not None:
        from insertion.indicators.autres_systemes.freins import LIBELLES

        if not f or all(v["part"] is None for v in f.values()):
            lignes.append("Freins périphériques : aucune réponse connue")
        else:
            parts = [f"{LIBELLES[k].lower()} {_texte(v['part'], pourcentage)}" for k, v in f.items()]
            lignes.append("Freins périphériques (part des personnes suivies, réponse connue) : " + ", ".join(parts))
    m = resultat.get("moyens")
    if m:
        en = mois(date.fromisoformat(m["mois"] + "-01"))
        lignes.append(
            f"Moyens en {en} : {_texte(m['referents_etp'], entier)} référents (ETP), "
            f"{_texte(m['places'], entier)} places ; {_texte(m['personnes_par_referent'], entier)} personnes par "
            "référent"
        )
    return lignes


def lignes_synthese(con, periode, perimetre) -> list[LigneSynthese]:
    """Une ligne par système qui a des données pour ce périmètre, dans l'ordre des vues."""
    from insertion.indicators.autres_systemes import actions_collectives, freins, mises_en_relation, moyens

    lignes = [
        mises_en_relation.ligne_synthese(con, periode, perimetre),
        actions_collectives.ligne_synthese(con, periode, perimetre),
        freins.ligne_synthese(con, periode, perimetre),
        moyens.ligne_synthese(con, periode, perimetre),
    ]
    return [ligne for ligne in lignes if ligne is not None]
