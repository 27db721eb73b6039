-- Pour chaque clé d'un fichier du contrat §7, l'instantané courant en place (date, et s'il existe).
SELECT
    v.cle,
    s.date_extraction,
    s.cle IS NOT NULL AS en_place
FROM (SELECT DISTINCT cle FROM _verifie WHERE motif_rejet IS NULL) AS v
LEFT JOIN instantanes_systemes AS s ON s.nature = $nature AND v.cle = s.cle AND s.courant
ORDER BY v.cle
