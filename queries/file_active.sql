-- File active à la date D (contrat §5.1).
-- Nombre de bénéficiaires distincts (id_beneficiaire) parmi les épisodes du périmètre avec
-- date_orientation <= D et (date_sortie nulle ou date_sortie > D) : sorti le jour D, on n'est plus actif.
-- Une personne suivie dans deux ALI compte une fois au département, une fois dans chaque ALI.
-- La période P ne restreint pas la file active.
-- Paramètres : as_of (D), groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, file_active (un groupe du périmètre sans personne active à D vaut 0).
WITH p AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN code_ali
            WHEN 'ept' THEN ept
            WHEN 'commune' THEN code_commune
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        id_beneficiaire,
        date_orientation,
        date_sortie
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
)
SELECT
    groupe,
    count(DISTINCT id_beneficiaire) FILTER (
        WHERE date_orientation <= CAST($as_of AS DATE)
          AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE))
    ) AS file_active
FROM p
GROUP BY groupe
ORDER BY groupe;
