-- Entrées et sorties sur la période P (contrat §5.1).
-- Entrées : épisodes du périmètre dont la date_orientation est dans [debut, fin] ;
-- sorties : épisodes dont la date_sortie est dans [debut, fin]. fin est plafonnée à D.
-- On compte des épisodes, pas des personnes : une personne orientée deux fois entre deux fois.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, entrees, sorties.
WITH bornes AS (
    SELECT CAST($debut AS DATE) AS debut, least(CAST($fin AS DATE), CAST($as_of AS DATE)) AS fin
),
p AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN code_ali
            WHEN 'ept' THEN ept
            WHEN 'commune' THEN code_commune
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        date_orientation,
        date_sortie
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
)
SELECT
    p.groupe,
    count(*) FILTER (WHERE p.date_orientation BETWEEN b.debut AND b.fin) AS entrees,
    count(*) FILTER (WHERE p.date_sortie BETWEEN b.debut AND b.fin) AS sorties
FROM p, bornes AS b
GROUP BY p.groupe
ORDER BY p.groupe;
