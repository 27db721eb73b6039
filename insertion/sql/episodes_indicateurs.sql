-- NOTE TEMPORAIRE DU RESPONSABLE (13 h 05, à retirer à l'intégration) : la table episodes_indicateurs
-- n'existe plus (la recopier coûtait 1 à 2 s par chargement à 1 M). Les colonnes préparées vivent dans
-- la table episodes elle-même (insertion/schema.sql), calculées à l'insertion par loader._INSERT_COURANT ;
-- ce fichier complète les lignes sans valeurs et met à jour plusieurs_episodes. Pour ajouter une colonne
-- préparée : schema.sql (ALTER TABLE … ADD COLUMN IF NOT EXISTS), ce fichier (UPDATE … WHERE
-- m_orientation IS NULL) et signalez-la au responsable pour _INSERT_COURANT ; montez VERSION_SCHEMA.
-- Colonnes des épisodes courants préparées pour les indicateurs (la macro perimetre() les rend).
-- Le chargeur les calcule en insérant les épisodes (insertion/loader.py, _INSERT_COURANT) ; ce fichier,
-- lancé après chaque chargement (insertion.db.preparer_indicateurs), complète les lignes qui n'en ont pas
-- encore (base écrite par une version précédente) et met à jour l'indicateur de personnes à épisodes
-- multiples, qui dépend de toutes les ALI. On calcule une fois ce que chaque requête referait sinon :
--   ept : l'EPT de la commune (référentiel), sans jointure dans les requêtes ;
--   m_orientation, m_sortie : le mois de l'orientation et de la sortie, en entier (année * 12 + mois - 1) ;
--   sortie_emploi, emploi_durable : le groupe du motif de sortie (référentiel ; une sortie sans motif
--     compte comme non_renseigne), faux quand l'épisode n'est pas sorti ;
--   plusieurs_episodes : la personne a plusieurs épisodes courants, toutes ALI confondues (≈ 1,5 % des
--     personnes). Pour les autres, un épisode est une personne : les indicateurs de personnes distinctes
--     ne dédoublonnent et ne fusionnent leurs intervalles que pour les personnes marquées, ce qui reste
--     exact quel que soit le filtre (une personne non marquée a au plus un épisode dans tout périmètre).
UPDATE episodes AS e
SET
    ept = (SELECT c.ept FROM ref_communes AS c WHERE c.code_commune = e.code_commune),
    m_orientation = CAST(year(e.date_orientation) * 12 + month(e.date_orientation) - 1 AS INTEGER),
    m_sortie = CAST(year(e.date_sortie) * 12 + month(e.date_sortie) - 1 AS INTEGER),
    sortie_emploi = coalesce(e.date_sortie IS NOT NULL AND (
        SELECT r.sortie_emploi FROM ref_motifs_sortie AS r
        WHERE r.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    ), false),
    emploi_durable = coalesce(e.date_sortie IS NOT NULL AND (
        SELECT r.emploi_durable FROM ref_motifs_sortie AS r
        WHERE r.motif_sortie = coalesce(e.motif_sortie, 'non_renseigne')
    ), false)
WHERE e.m_orientation IS NULL;

-- Seules les lignes dont l'indicateur change sont réécrites.
UPDATE episodes
SET plusieurs_episodes = id_beneficiaire IN (
    SELECT id_beneficiaire FROM episodes GROUP BY id_beneficiaire HAVING count(*) > 1
)
WHERE plusieurs_episodes IS DISTINCT FROM (id_beneficiaire IN (
    SELECT id_beneficiaire FROM episodes GROUP BY id_beneficiaire HAVING count(*) > 1
));
