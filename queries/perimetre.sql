-- NOTE TEMPORAIRE DU RESPONSABLE (13 h 05, à retirer à l'intégration) : la table episodes_indicateurs
-- n'existe plus (la recopier coûtait 1 à 2 s par chargement à 1 M). Les colonnes préparées vivent dans
-- la table episodes elle-même (insertion/schema.sql), calculées à l'insertion par loader._INSERT_COURANT ;
-- ce fichier complète les lignes sans valeurs et met à jour plusieurs_episodes. Pour ajouter une colonne
-- préparée : schema.sql (ALTER TABLE … ADD COLUMN IF NOT EXISTS), ce fichier (UPDATE … WHERE
-- m_orientation IS NULL) et signalez-la au responsable pour _INSERT_COURANT ; montez VERSION_SCHEMA.
-- Périmètre : les épisodes courants retenus par les filtres (contrat §5).
-- Une macro partagée par tous les indicateurs : chaque filtre vaut NULL quand il n'est pas posé,
-- sinon la liste des valeurs retenues. Installée dans la base à chaque ouverture en écriture.
-- Les épisodes portent, en plus des colonnes du contrat, des colonnes préparées au chargement pour les
-- indicateurs : ept, m_orientation, m_sortie, sortie_emploi, emploi_durable et plusieurs_episodes
-- (définitions : insertion/sql/episodes_indicateurs.sql).
CREATE OR REPLACE MACRO perimetre(alis, epts, communes, parcours, ages, sexes) AS TABLE
SELECT *
FROM episodes AS e
WHERE (alis IS NULL OR list_contains(alis, e.code_ali))
  AND (epts IS NULL OR list_contains(epts, e.ept))
  AND (communes IS NULL OR list_contains(communes, e.code_commune))
  AND (parcours IS NULL OR list_contains(parcours, e.type_parcours))
  AND (ages IS NULL OR list_contains(ages, e.tranche_age))
  AND (sexes IS NULL OR list_contains(sexes, e.sexe));
