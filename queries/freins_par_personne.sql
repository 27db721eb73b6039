-- Nombre de freins périphériques par personne de la file active à D (contrat §7.1).
-- Personnes : la file active à D, même définition que queries/file_active.sql ; une personne compte une fois par
-- groupe, avec les réponses de son épisode actif le plus récent dans le groupe (puis le plus petit code ALI).
-- Seules comptent les personnes dont au moins une des 7 réponses frein_* est connue (oui ou non) : une personne
-- sans aucune réponse n'a pas « 0 frein », on ne sait rien d'elle.
-- nb_freins : nombre de réponses « oui », en classes 0, 1, 2, 3 et 4 (4 ou plus) ; une réponse inconnue ne compte
-- pas comme un frein.
-- Chaque groupe qui a au moins une personne avec une réponse connue a ses 5 classes, même à 0.
-- Paramètres : as_of (D), groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, nb_freins (0 à 4), personnes, total (personnes du groupe avec une réponse connue),
-- part = personnes / total, cle_personnes, cle_total.
WITH actifs AS NOT MATERIALIZED (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        episodes_simultanes,
        id_beneficiaire,
        date_orientation,
        code_ali,
        cle_personne,
        -- Réponses connues et réponses « oui » parmi celles des freins du contrat (macros de
        -- queries/macros/freins.sql) : le chargeur n'admet que oui, non ou vide (NULL).
        freins_connus(list_value(*COLUMNS('^frein_'))) AS connues,
        freins_oui(list_value(*COLUMNS('^frein_'))) AS oui
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation <= CAST($as_of AS DATE)
        AND (date_sortie IS NULL OR date_sortie > CAST($as_of AS DATE))
),
simultanees AS (
    SELECT
        groupe,
        cle_personne,
        connues,
        oui,
        row_number() OVER (
            PARTITION BY groupe, id_beneficiaire ORDER BY date_orientation DESC, code_ali ASC
        ) AS rang
    FROM actifs
    WHERE episodes_simultanes
),
personnes AS (
    SELECT
        groupe,
        cle_personne,
        connues,
        least(oui, 4) AS nb_freins
    FROM (
        SELECT groupe, cle_personne, connues, oui FROM actifs WHERE NOT episodes_simultanes
        UNION ALL
        SELECT groupe, cle_personne, connues, oui FROM simultanees WHERE rang = 1
    )
),
classes AS (
    -- Les 5 classes de chaque groupe qui a des personnes avec une réponse connue.
    SELECT g.groupe, c.nb_freins
    FROM (SELECT DISTINCT groupe FROM personnes WHERE connues > 0) AS g
    CROSS JOIN (VALUES (0), (1), (2), (3), (4)) AS c (nb_freins)
),
par_classe AS (
    SELECT groupe, nb_freins, count(*) AS personnes, cle_cellule(cle_personne) AS cle_personnes
    FROM personnes
    WHERE connues > 0
    GROUP BY groupe, nb_freins
),
totaux AS (
    SELECT groupe, count(*) AS total, cle_cellule(cle_personne) AS cle_total
    FROM personnes
    WHERE connues > 0
    GROUP BY groupe
)
SELECT
    c.groupe,
    CAST(c.nb_freins AS INTEGER) AS nb_freins,
    CAST(coalesce(p.personnes, 0) AS BIGINT) AS personnes,
    CAST(t.total AS BIGINT) AS total,
    coalesce(p.personnes, 0) / t.total AS part,
    coalesce(p.cle_personnes, CAST(0 AS UINTEGER)) AS cle_personnes,
    t.cle_total
FROM classes AS c
INNER JOIN totaux AS t USING (groupe)
LEFT JOIN par_classe AS p USING (groupe, nb_freins)
ORDER BY c.groupe, c.nb_freins;
