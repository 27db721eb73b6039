-- Fraîcheur des extractions par ALI.
-- Pour chaque ALI du référentiel : la date de l'extraction dont viennent ses épisodes courants
-- (instantané courant) et le nombre de lignes de cet instantané.
-- Seuil de retard = dernière extraction en place (la plus récente date_extraction des épisodes courants)
-- moins un trimestre (3 mois) et 15 jours.
-- Une ALI ouverte à la date d'observation D (mois d'ouverture <= D) est « en retard » quand son
-- instantané courant est daté avant le seuil, ou quand elle n'a aucun instantané.
-- Une ALI pas encore ouverte à D n'est jamais en retard.
-- Filtres de territoire : ALI, EPT, commune (une ALI est retenue si l'une de ses communes l'est) ;
-- les filtres de profil (parcours, âge, sexe) ne concernent pas les fichiers.
-- Paramètres : as_of (D), derniere (dernière extraction en place), alis, epts, communes.
-- Colonnes : code_ali, nom, ouverture, ouverte, date_extraction, lignes, fichier, seuil, anciennete_j,
--            en_retard, statut ('a_jour', 'en_retard', 'aucune', 'non_ouverte').
WITH bornes AS (
    SELECT
        CAST($as_of AS DATE) AS d,
        CAST($derniere AS DATE) AS derniere,
        CAST(CAST($derniere AS DATE) - INTERVAL 3 MONTH - INTERVAL 15 DAY AS DATE) AS seuil
),
territoire AS (
    SELECT DISTINCT a.code_ali
    FROM ref_ali AS a
    JOIN ref_ali_communes AS ac USING (code_ali)
    JOIN ref_communes AS c USING (code_commune)
    WHERE ($alis IS NULL OR list_contains($alis, a.code_ali))
      AND ($epts IS NULL OR list_contains($epts, c.ept))
      AND ($communes IS NULL OR list_contains($communes, ac.code_commune))
),
courant AS (
    SELECT code_ali, date_extraction, lignes, id_chargement FROM instantanes WHERE courant
),
fraicheur AS (
    SELECT
        a.code_ali,
        a.nom,
        a.ouverture,
        a.ouverture <= b.d AS ouverte,
        s.date_extraction,
        s.lignes,
        ch.fichier,
        b.seuil,
        date_diff('day', s.date_extraction, b.derniere) AS anciennete_j,
        a.ouverture <= b.d AND (s.date_extraction IS NULL OR s.date_extraction < b.seuil) AS en_retard
    FROM ref_ali AS a
    JOIN territoire USING (code_ali)
    CROSS JOIN bornes AS b
    LEFT JOIN courant AS s USING (code_ali)
    LEFT JOIN chargements AS ch ON ch.id_chargement = s.id_chargement
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
