-- Répartition de la file active à D par profil (contrat §5.1, colonnes du §3) : tranche d'âge, sexe,
-- type de parcours, composition du foyer ou ancienneté au RSA, choisie par $dimension.
-- File active à D : épisodes du périmètre avec date_orientation <= D et (date_sortie nulle ou > D).
-- Une personne compte une seule fois par groupe : si elle a plusieurs épisodes actifs à D dans le même
-- groupe, on retient celui dont l'orientation est la plus récente (puis le plus petit code ALI) ; la somme
-- des modalités d'un groupe égale donc sa file active. Champ facultatif vide : 'non_renseigne'.
-- Seules les modalités présentes figurent (l'application complète les autres à 0).
-- Paramètres : as_of (D), dimension ('tranche_age', 'sexe', 'type_parcours', 'composition_foyer',
-- 'anciennete_rsa'), groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, modalite, file_active, total (file active du groupe).
WITH actifs AS (
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
        code_ali,
        coalesce(
            CASE $dimension
                WHEN 'tranche_age' THEN tranche_age
                WHEN 'sexe' THEN sexe
                WHEN 'type_parcours' THEN type_parcours
                WHEN 'composition_foyer' THEN composition_foyer
                WHEN 'anciennete_rsa' THEN anciennete_rsa
                ELSE error('Dimension inconnue : ' || $dimension)
            END,
            'non_renseigne'
        ) AS modalite
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation <= CAST($as_of AS DATE)
      AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE))
),
personnes AS (
    SELECT
        groupe,
        modalite,
        row_number() OVER (
            PARTITION BY groupe, id_beneficiaire ORDER BY date_orientation DESC, code_ali, modalite
        ) AS rang
    FROM actifs
)
SELECT
    groupe,
    modalite,
    count(*) AS file_active,
    CAST(sum(count(*)) OVER (PARTITION BY groupe) AS BIGINT) AS total
FROM personnes
WHERE rang = 1
GROUP BY groupe, modalite
ORDER BY groupe, modalite;
