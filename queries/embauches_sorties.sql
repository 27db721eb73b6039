-- Accord des embauches des partenaires avec la file active (contrat §7.2).
-- Embauches observées : mises en relation du périmètre dont l'issue est « embauche », embauchées dans
-- P = [debut, fin] (fin plafonnée à D) et au plus tard à D − 90 jours (leur sortie a eu le temps d'être saisie).
-- embauches_sortie_emploi : celles dont l'épisode de la personne dans la même ALI (le plus récemment orienté à la
-- date d'embauche) est sorti de 0 à 90 jours après l'embauche (le 90e jour compte) avec un motif du groupe
-- « sortie en emploi » ; taux_concordance = embauches_sortie_emploi / embauches_observees.
-- embauches_sans_episode : celles dont la personne n'a aucun épisode orienté avant l'embauche dans cette ALI.
-- Paramètres : as_of (D), debut, fin ; groupe ('departement', 'ali', 'structure') ; filtres du périmètre.
-- Colonnes : groupe, embauches_observees, embauches_sortie_emploi, taux_concordance, embauches_sans_episode, et les
-- clés de cellule des effectifs.
WITH embauches AS (
    SELECT
        groupe_mise_en_relation($groupe, code_ali, code_structure) AS groupe,
        id_beneficiaire,
        code_ali,
        cle_personne,
        date_embauche
    FROM mises_en_relation_du_perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE issue = 'embauche'
        AND date_embauche BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE) - 90)
),
avec_episode AS (
    SELECT
        m.groupe,
        m.cle_personne,
        e.date_orientation IS NOT NULL AS a_un_episode,
        coalesce(
            e.sortie_emploi AND e.date_sortie BETWEEN m.date_embauche AND m.date_embauche + 90, false
        ) AS sortie_emploi
    FROM embauches AS m
    ASOF LEFT JOIN episodes AS e
        ON m.id_beneficiaire = e.id_beneficiaire
            AND m.code_ali = e.code_ali
            AND m.date_embauche >= e.date_orientation
)
SELECT
    groupe,
    count(*) AS embauches_observees,
    count(*) FILTER (WHERE sortie_emploi) AS embauches_sortie_emploi,
    count(*) FILTER (WHERE sortie_emploi) / count(*) AS taux_concordance,
    count(*) FILTER (WHERE NOT a_un_episode) AS embauches_sans_episode,
    cle_cellule(cle_personne) AS cle_embauches_observees,
    cle_cellule(CASE WHEN sortie_emploi THEN cle_personne END) AS cle_embauches_sortie_emploi,
    cle_cellule(CASE WHEN NOT a_un_episode THEN cle_personne END) AS cle_embauches_sans_episode
FROM avec_episode
GROUP BY groupe
ORDER BY groupe;
