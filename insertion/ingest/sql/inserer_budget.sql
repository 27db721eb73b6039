-- Les lignes budgétaires acceptées d'un fichier budget.
INSERT INTO budget
SELECT
    $id AS id_chargement,
    annee,
    code_ali,
    ligne,
    montant_vote,
    montant_execute
FROM _verifie WHERE motif_rejet IS NULL
