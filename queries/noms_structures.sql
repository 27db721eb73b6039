-- Les noms des structures de l'annuaire (contrat §7.5), pour nommer les partenaires dans les vues.
-- Pas de personnes ici : des organisations, sans paramètre.
-- Colonnes : code_structure, nom_structure, type.
SELECT code_structure, nom_structure, type
FROM structures
ORDER BY code_structure;
