-- Délais de l'orientation à la première mise en relation et à l'embauche (contrat §7.2).
-- Unité : une personne dans une ALI (son parcours ; une personne suivie dans deux ALI compte dans chacune).
-- Première mise en relation : la plus ancienne de ses mises en relation du périmètre dans cette ALI (avec la
-- structure du groupe quand on regroupe par structure), toutes dates confondues ; le parcours entre dans la
-- période quand elle tombe dans P = [debut, fin], fin plafonnée à D. Son orientation : l'épisode de la personne
-- dans cette ALI le plus récemment orienté à cette date (file active en place).
-- delai_median_mise_en_relation_j : médiane, en jours, de (première mise en relation − orientation) sur les
-- parcours qui ont cet épisode (personnes_mises_en_relation) ; delai_median_embauche_j : médiane de (première
-- embauche − orientation) sur ceux d'entre eux qui ont une embauche (personnes_embauchees).
-- personnes_sans_episode : parcours dont la personne n'a aucun épisode orienté avant sa première mise en relation
-- dans cette ALI (l'accord avec la file active : une extraction en retard, un pseudonyme qui diffère).
-- Paramètres : as_of (D), debut, fin ; groupe ('departement', 'ali', 'structure') ; filtres du périmètre.
-- Colonnes : groupe, personnes_mises_en_relation, delai_median_mise_en_relation_j, personnes_embauchees,
-- delai_median_embauche_j, personnes_sans_episode, et les clés de cellule des effectifs.
WITH parcours AS (
    SELECT
        groupe_mise_en_relation($groupe, code_ali, code_structure) AS groupe,
        id_beneficiaire,
        code_ali,
        any_value(cle_personne) AS cle,
        min(date_mise_en_relation) AS premiere_mise_en_relation,
        min(date_embauche) FILTER (WHERE issue = 'embauche') AS premiere_embauche
    FROM mises_en_relation_du_perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    GROUP BY ALL
),
dans_la_periode AS (
    SELECT *  -- noqa: AM04
    FROM parcours
    WHERE premiere_mise_en_relation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
),
avec_orientation AS (
    SELECT
        p.groupe,
        p.cle,
        e.date_orientation,
        p.premiere_mise_en_relation - e.date_orientation AS delai_mise_en_relation,
        CASE WHEN p.premiere_embauche <= CAST($as_of AS DATE) THEN p.premiere_embauche - e.date_orientation END
            AS delai_embauche
    FROM dans_la_periode AS p
    ASOF LEFT JOIN episodes AS e
        ON p.id_beneficiaire = e.id_beneficiaire
            AND p.code_ali = e.code_ali
            AND p.premiere_mise_en_relation >= e.date_orientation
)
SELECT
    groupe,
    count(date_orientation) AS personnes_mises_en_relation,
    median(delai_mise_en_relation) AS delai_median_mise_en_relation_j,
    count(delai_embauche) AS personnes_embauchees,
    median(delai_embauche) AS delai_median_embauche_j,
    count(*) - count(date_orientation) AS personnes_sans_episode,
    cle_cellule(CASE WHEN date_orientation IS NOT NULL THEN cle END) AS cle_personnes_mises_en_relation,
    cle_cellule(CASE WHEN delai_embauche IS NOT NULL THEN cle END) AS cle_personnes_embauchees,
    cle_cellule(CASE WHEN date_orientation IS NULL THEN cle END) AS cle_personnes_sans_episode
FROM avec_orientation
GROUP BY groupe
ORDER BY groupe;
