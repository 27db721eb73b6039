-- Le nouvel instantané de chaque clé d'un fichier du contrat §7, courant pour les clés remplacées ($cles).
INSERT INTO instantanes_systemes
SELECT
    $nature AS nature,
    cle,
    $date_extraction AS date_extraction,
    $id AS id_chargement,
    count(*) AS lignes,
    list_contains($cles, cle) AS courant
FROM _verifie WHERE motif_rejet IS NULL GROUP BY cle
