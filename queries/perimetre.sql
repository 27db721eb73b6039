-- Périmètre : les épisodes courants retenus par les filtres (contrat §5).
-- Une macro partagée par tous les indicateurs : chaque filtre vaut NULL quand il n'est pas posé,
-- sinon la liste des valeurs retenues. Installée dans la base à chaque ouverture en écriture.
-- Elle lit episodes_indicateurs (insertion/sql/episodes_indicateurs.sql) : les colonnes des épisodes,
-- plus ept, plusieurs_episodes, m_orientation, m_sortie, sortie_emploi et emploi_durable.
CREATE OR REPLACE MACRO perimetre(alis, epts, communes, parcours, ages, sexes) AS TABLE
SELECT *
FROM episodes_indicateurs AS e
WHERE (alis IS NULL OR list_contains(alis, e.code_ali))
  AND (epts IS NULL OR list_contains(epts, e.ept))
  AND (communes IS NULL OR list_contains(communes, e.code_commune))
  AND (parcours IS NULL OR list_contains(parcours, e.type_parcours))
  AND (ages IS NULL OR list_contains(ages, e.tranche_age))
  AND (sexes IS NULL OR list_contains(sexes, e.sexe));
