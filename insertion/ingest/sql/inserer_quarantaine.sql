-- Les lignes rejetées d'un chargement, avec leur motif ; le code ALI n'est gardé que s'il est du référentiel.
INSERT INTO quarantaine
SELECT
    $id AS id_chargement,
    _ligne AS ligne,
    CASE WHEN code_ali IN (SELECT code_ali FROM ref_ali) THEN code_ali END AS code_ali,
    colonne_rejet AS colonne,
    motif_rejet AS motif,
    detail_rejet AS detail
FROM _verifie WHERE motif_rejet IS NOT NULL
