-- Historique des chargements (contrat §3, « Versions ») : un enregistrement par fichier chargé.
-- Statut 'loaded' (chargé) ou 'older_snapshot' (plus ancien que l'instantané en place : gardé dans
-- l'historique, les chiffres affichés ne changent pas). Les fichiers refusés et les rechargements à
-- l'identique ne modifient pas la base : ils n'y laissent pas de trace (la page Importer les montre).
-- Comptes de lignes de fichiers, pas de personnes. Le plus récent d'abord.
-- Paramètres : aucun.
-- Colonnes : id_chargement, fichier, nature, statut, date_extraction, lignes_lues, acceptees, rejetees,
--            ali_remplacees, ali_historique, annees_remplacees, message, charge_le.
SELECT
    id_chargement,
    fichier,
    nature,
    statut,
    date_extraction,
    lignes_lues,
    acceptees,
    rejetees,
    array_to_string(list_sort(ali_remplacees), ', ') AS ali_remplacees,
    array_to_string(list_sort(ali_historique), ', ') AS ali_historique,
    array_to_string(list_transform(list_sort(annees_remplacees), lambda a: CAST(a AS VARCHAR)), ', ')
        AS annees_remplacees,
    message,
    charge_le
FROM chargements
ORDER BY charge_le DESC, id_chargement DESC;
