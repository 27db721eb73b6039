-- Les épisodes acceptés d'une extraction dans l'historique ; colonnes en toutes lettres (aucun SQL composé), insérées
-- par nom : les freins (contrat §7.1, schéma 9) sont au bout de la table, base neuve ou mise à niveau.
INSERT INTO episodes_historique BY NAME
SELECT
    $id AS id_chargement, id_beneficiaire, code_ali, code_commune, date_orientation, type_parcours,
    date_diag_numerique, niveau_numerique, date_diag_linguistique, niveau_linguistique, date_sortie, motif_sortie,
    tranche_age, sexe, composition_foyer, anciennete_rsa, frein_logement, frein_garde_enfants, frein_mobilite,
    frein_sante, frein_numerique, frein_langue, frein_administratif, date_extraction
FROM _verifie WHERE motif_rejet IS NULL
