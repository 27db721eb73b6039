-- Le nouvel instantané de chaque ALI du fichier, courant pour les ALI remplacées ($remplacees).
INSERT INTO instantanes
SELECT
    code_ali,
    $date_extraction AS date_extraction,
    $id AS id_chargement,
    count(*) AS lignes,
    list_contains($remplacees, code_ali) AS courant
FROM _verifie WHERE motif_rejet IS NULL GROUP BY code_ali
