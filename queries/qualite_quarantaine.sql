-- Détail de la quarantaine : une ligne par ligne rejetée, sans aucune valeur du fichier.
-- Numéro de ligne tel qu'un tableur l'affiche (l'en-tête est la ligne 1), colonne, motif et précision
-- (par exemple la ligne de la première occurrence d'un doublon).
-- Paramètres : chargement (NULL = tous), alis, epts, communes (comme qualite_rejets),
-- limite (nombre maximal de lignes renvoyées, les plus récentes d'abord).
-- Colonnes : id_chargement, fichier, ligne, code_ali, colonne, motif, detail.
WITH territoire AS (
    -- Macro de queries/macros/territoire.sql, partagée par les requêtes de la page Qualité.
    SELECT code_ali FROM alis_communes_du_territoire($alis, $epts, $communes)
)
SELECT q.id_chargement, ch.fichier, q.ligne, q.code_ali, q.colonne, q.motif, q.detail
FROM quarantaine AS q
JOIN chargements AS ch USING (id_chargement)
WHERE ($chargement IS NULL OR q.id_chargement = $chargement)
    AND (($alis IS NULL AND $epts IS NULL AND $communes IS NULL) OR q.code_ali IN (SELECT code_ali FROM territoire))
ORDER BY q.id_chargement DESC, q.ligne ASC
LIMIT $limite;
