-- Lignes rejetées (quarantaine), comptées par chargement, ALI, colonne et motif.
-- Une ligne qui enfreint une règle du contrat (§3) est rejetée avec son numéro de ligne, la colonne
-- et le motif ; le reste du fichier est chargé. Aucune valeur du fichier n'est conservée.
-- Le code ALI n'est gardé que s'il figure au référentiel (sinon NULL : « ALI inconnue »).
-- Comptes de lignes de fichiers, pas de personnes.
-- Paramètres : chargement (NULL = tous les chargements), alis, epts, communes (filtres de territoire :
-- quand l'un est posé, seules les lignes d'une ALI du territoire sont comptées).
-- Colonnes : id_chargement, fichier, code_ali, colonne, motif, lignes.
WITH territoire AS (
    -- Macro de queries/macros/territoire.sql, partagée par les requêtes de la page Qualité.
    SELECT code_ali FROM alis_communes_du_territoire($alis, $epts, $communes)
)
SELECT q.id_chargement, ch.fichier, q.code_ali, q.colonne, q.motif, count(*) AS lignes
FROM quarantaine AS q
JOIN chargements AS ch USING (id_chargement)
WHERE ($chargement IS NULL OR q.id_chargement = $chargement)
    AND (($alis IS NULL AND $epts IS NULL AND $communes IS NULL) OR q.code_ali IN (SELECT code_ali FROM territoire))
GROUP BY ALL
ORDER BY q.id_chargement DESC, lignes DESC, q.motif ASC;
