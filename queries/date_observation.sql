-- Date d'observation D par défaut d'un territoire, et les dates des ALI qui le composent.
-- Les ALI du territoire viennent du référentiel, comme pour « ALI ouvertes » et la page Qualité : ALI retenues
-- ($alis), et ALI dont au moins une commune est dans les EPT ($epts) ou les communes ($communes) retenus. Les
-- filtres de profil (parcours, âge, sexe) ne changent pas la date. Seules comptent celles qui ont des données
-- en place : un instantané courant, dont la date est celle de leurs épisodes courants.
-- D par défaut = date_commune = la plus ancienne de ces dates : la dernière date que toutes ces ALI ont
-- fournie. Prendre la plus récente ferait lire, pour les ALI qui n'ont pas encore envoyé ce mois-là, des
-- entrées et des sorties nulles. Une ALI seule garde donc sa propre date.
-- plus_recente = la plus récente de ces dates : la borne haute de D qu'un utilisateur peut choisir.
-- Lit la table des instantanés (une ligne par ALI et par fichier), jamais les épisodes : instantané à 10 M
-- d'épisodes, quand un GROUP BY des épisodes par ALI prend plus de 100 ms.
-- Paramètres : alis, epts, communes (NULL : pas de filtre).
-- Colonnes : code_ali, date_extraction, date_commune, plus_recente ; une ligne par ALI, aucune si aucune ALI
--            du territoire n'a de données en place.
WITH territoire AS (
    -- Macro de queries/macros/territoire.sql, partagée avec ali_ouvertes.sql.
    SELECT code_ali FROM alis_du_territoire($alis, $epts, $communes)
),
par_ali AS (
    SELECT i.code_ali, i.date_extraction
    FROM instantanes AS i
    JOIN territoire USING (code_ali)
    WHERE i.courant
)
SELECT
    code_ali,
    date_extraction,
    min(date_extraction) OVER () AS date_commune,
    max(date_extraction) OVER () AS plus_recente
FROM par_ali
ORDER BY code_ali;
