-- Fraîcheur des extractions par ALI.
-- Pour chaque ALI du référentiel : la date de l'extraction dont viennent ses épisodes courants
-- (instantané courant) et le nombre de lignes de cet instantané.
-- La référence est la plus récente extraction en place, toutes ALI confondues ($derniere, même avec un filtre
-- de territoire : être en retard se juge face au département). Une ALI ouverte à cette date (mois d'ouverture
-- <= $derniere) est « en retard » quand son instantané courant est plus ancien, ou quand elle n'en a aucun :
-- les chiffres du département s'arrêtent alors à la date commune (queries/date_observation.sql), la plus
-- ancienne des extractions en place. Une ALI pas encore ouverte à cette date n'est jamais en retard.
-- Filtres de territoire : ALI, EPT, commune (une ALI est retenue si l'une de ses communes l'est) ;
-- les filtres de profil (parcours, âge, sexe) ne concernent pas les fichiers.
-- Paramètres : derniere (plus récente extraction en place), alis, epts, communes.
-- Colonnes : code_ali, nom, ouverture, ouverte, date_extraction, lignes, fichier, seuil (= derniere : une
--            extraction antérieure est en retard), anciennete_j, en_retard,
--            statut ('a_jour', 'en_retard', 'aucune', 'non_ouverte').
WITH bornes AS (
    SELECT CAST($derniere AS DATE) AS derniere
),
territoire AS (
    -- Macro de queries/macros/territoire.sql, partagée par les requêtes de la page Qualité.
    SELECT code_ali FROM alis_communes_du_territoire($alis, $epts, $communes)
),
courant AS (
    SELECT code_ali, date_extraction, lignes, id_chargement FROM instantanes WHERE courant
),
fraicheur AS (
    SELECT
        a.code_ali,
        a.nom,
        a.ouverture,
        a.ouverture <= b.derniere AS ouverte,
        s.date_extraction,
        s.lignes,
        ch.fichier,
        b.derniere AS seuil,
        date_diff('day', s.date_extraction, b.derniere) AS anciennete_j,
        a.ouverture <= b.derniere AND (s.date_extraction IS NULL OR s.date_extraction < b.derniere) AS en_retard
    FROM ref_ali AS a
    JOIN territoire USING (code_ali)
    CROSS JOIN bornes AS b
    LEFT JOIN courant AS s USING (code_ali)
    LEFT JOIN chargements AS ch ON s.id_chargement = ch.id_chargement
)
SELECT
    *,
    CASE
        WHEN NOT ouverte THEN 'non_ouverte'
        WHEN date_extraction IS NULL THEN 'aucune'
        WHEN en_retard THEN 'en_retard'
        ELSE 'a_jour'
    END AS statut
FROM fraicheur
ORDER BY code_ali;
