-- Le premier chargement d'un fichier de même empreinte (un fichier déjà chargé n'est pas rechargé).
SELECT id_chargement, fichier, lignes_lues, acceptees, rejetees, nature, date_extraction, charge_le
FROM chargements WHERE empreinte = ? ORDER BY id_chargement LIMIT 1
