-- Les épisodes courants préparés pour les indicateurs, reconstruits après chaque chargement de file
-- active et à la mise à niveau d'une base plus ancienne (insertion/db.py). La macro perimetre() les lit.
-- On y calcule une fois pour toutes ce que chaque requête referait sinon à chaque affichage :
--   ept : l'EPT de la commune (référentiel), sans jointure dans les requêtes ;
--   plusieurs_episodes : la personne a plusieurs épisodes courants, toutes ALI confondues (≈ 1,5 % des
--     personnes). Pour les autres, un épisode est une personne : les indicateurs de personnes distinctes
--     ne dédoublonnent et ne fusionnent leurs intervalles que pour les personnes marquées, ce qui reste
--     exact quel que soit le filtre (une personne non marquée a au plus un épisode dans tout périmètre) ;
--   m_orientation, m_sortie : le mois de l'orientation et de la sortie, en entier (année * 12 + mois - 1) ;
--   sortie_emploi, emploi_durable : le groupe du motif de sortie (référentiel ; une sortie sans motif
--     compte comme non_renseigne), faux quand l'épisode n'est pas sorti.
-- Trié par ALI puis date d'orientation : un filtre sur une ALI ne lit que les blocs de cette ALI.
CREATE OR REPLACE TABLE episodes_indicateurs AS
WITH multiples AS (
    SELECT id_beneficiaire FROM episodes GROUP BY id_beneficiaire HAVING count(*) > 1
)
SELECT
    e.*,
    c.ept,
    m.id_beneficiaire IS NOT NULL AS plusieurs_episodes,
    CAST(year(e.date_orientation) * 12 + month(e.date_orientation) - 1 AS INTEGER) AS m_orientation,
    CAST(year(e.date_sortie) * 12 + month(e.date_sortie) - 1 AS INTEGER) AS m_sortie,
    coalesce(e.date_sortie IS NOT NULL AND r.sortie_emploi, false) AS sortie_emploi,
    coalesce(e.date_sortie IS NOT NULL AND r.emploi_durable, false) AS emploi_durable
FROM episodes AS e
JOIN ref_communes AS c USING (code_commune)
LEFT JOIN multiples AS m USING (id_beneficiaire)
LEFT JOIN ref_motifs_sortie AS r ON r.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
ORDER BY e.code_ali, e.date_orientation;
