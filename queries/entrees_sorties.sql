-- Entrées et sorties sur la période P (contrat §5.1).
-- Entrées : épisodes du périmètre dont la date_orientation est dans [debut, fin] ;
-- sorties : épisodes dont la date_sortie est dans [debut, fin]. fin est plafonnée à D.
-- On compte des épisodes, pas des personnes : une personne orientée deux fois entre deux fois.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, entrees, sorties (un groupe du périmètre sans entrée ni sortie vaut 0).
WITH p AS (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        date_orientation,
        date_sortie,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
)
-- sum(CASE …) plutôt que count(*) FILTER : DuckDB n'évalue alors la seconde borne que sur les lignes qui
-- passent la première (deux fois moins de calcul sur un million d'épisodes).
SELECT
    groupe,
    CAST(sum(
        CASE
            WHEN date_orientation >= CAST($debut AS DATE)
                AND date_orientation <= least(CAST($fin AS DATE), CAST($as_of AS DATE))
                THEN 1
            ELSE 0
        END
    ) AS BIGINT) AS entrees,
    CAST(sum(
        CASE
            WHEN date_sortie >= CAST($debut AS DATE)
                AND date_sortie <= least(CAST($fin AS DATE), CAST($as_of AS DATE))
                THEN 1
            ELSE 0
        END
    ) AS BIGINT) AS sorties,
    -- Clés de cellule (queries/macros/perimetre.sql) : des épisodes, chacun portant la clé de sa personne.
    cle_cellule(
        CASE
            WHEN date_orientation >= CAST($debut AS DATE)
                AND date_orientation <= least(CAST($fin AS DATE), CAST($as_of AS DATE))
                THEN cle_personne
        END
    ) AS cle_entrees,
    cle_cellule(
        CASE
            WHEN date_sortie >= CAST($debut AS DATE)
                AND date_sortie <= least(CAST($fin AS DATE), CAST($as_of AS DATE))
                THEN cle_personne
        END
    ) AS cle_sorties
FROM p
GROUP BY groupe
ORDER BY groupe;
