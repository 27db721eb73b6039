-- Pour chaque ALI du fichier, la date de l'extraction courante en place (NULL : aucune).
SELECT v.code_ali, s.date_extraction
FROM (SELECT DISTINCT code_ali FROM _verifie WHERE motif_rejet IS NULL) AS v
LEFT JOIN instantanes AS s ON v.code_ali = s.code_ali AND s.courant
ORDER BY v.code_ali
