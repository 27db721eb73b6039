-- Macros du territoire (filtres ALI, EPT, commune) lu au référentiel, installées dans la base avec les autres
-- fichiers de queries/macros/ (insertion/store/db.py). Ce fichier n'est pas un indicateur : il ne se lance pas seul.
-- Changer une macro : monter VERSION_SCHEMA (insertion/store/db.py), pour qu'une base déjà écrite la reçoive.
-- Pour sqlfluff (.sqlfluff) : sa grammaire DuckDB (version 4.5) lit les paramètres d'une macro (`MACRO f(x)`) comme
-- des types ; la règle des types en majuscules (CP05) les mettrait en majuscules : écartée pour ce fichier.
-- noqa: disable=CP05

-- Les ALI du territoire, partagées par ali_ouvertes.sql et date_observation.sql : ALI retenues (alis), et ALI dont
-- au moins une commune est dans les EPT (epts) ou les communes (communes) retenus. Sans filtre d'EPT ni de commune,
-- toutes les ALI retenues, même une ALI sans commune au référentiel. Chaque filtre vaut NULL quand il n'est pas
-- posé. Les filtres de profil (parcours, âge, sexe) ne concernent pas les agences.
-- Colonnes : code_ali, une ligne par ALI.
CREATE OR REPLACE MACRO alis_du_territoire(alis, epts, communes) AS TABLE
SELECT a.code_ali
FROM ref_ali AS a
WHERE (alis IS NULL OR list_contains(alis, a.code_ali))
    AND (
        (epts IS NULL AND communes IS NULL)
        OR EXISTS (
            SELECT 1
            FROM ref_ali_communes AS ac
            JOIN ref_communes AS c USING (code_commune)
            WHERE ac.code_ali = a.code_ali
                AND (epts IS NULL OR list_contains(epts, c.ept))
                AND (communes IS NULL OR list_contains(communes, ac.code_commune))
        )
    );

-- Les ALI du territoire qui ont au moins une commune au référentiel, partagées par les requêtes de la page Qualité
-- (qualite_fraicheur.sql, qualite_rejets.sql, qualite_quarantaine.sql) : les mêmes qu'alis_du_territoire, sauf
-- une ALI sans commune au référentiel, jamais retenue ici (les deux définitions ne diffèrent que pour elle ; la
-- page Qualité garde la sienne, pour ne rien changer à ses chiffres).
-- Colonnes : code_ali, une ligne par ALI.
CREATE OR REPLACE MACRO alis_communes_du_territoire(alis, epts, communes) AS TABLE
SELECT DISTINCT a.code_ali
FROM ref_ali AS a
JOIN ref_ali_communes AS ac USING (code_ali)
JOIN ref_communes AS c USING (code_commune)
WHERE (alis IS NULL OR list_contains(alis, a.code_ali))
    AND (epts IS NULL OR list_contains(epts, c.ept))
    AND (communes IS NULL OR list_contains(communes, ac.code_commune));
