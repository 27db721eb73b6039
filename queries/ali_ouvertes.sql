-- ALI ouvertes à la date D (contrat §1 et §2) : une ALI est ouverte à D quand son mois d'ouverture
-- (ref_ali.ouverture, le 1er du mois) est au plus tard D.
-- Le référentiel porte les ALI, pas les épisodes : les filtres de territoire s'appliquent ainsi :
-- ALI retenues ($alis), et ALI dont au moins une commune est dans les EPT ($epts) ou les communes
-- ($communes) retenus. Les filtres de profil (parcours, âge, sexe) ne changent rien à une agence.
-- Paramètres : as_of (D), alis, epts, communes (NULL : pas de filtre).
-- Colonnes : code_ali, nom, ouverture, ouverte (booléen), une ligne par ALI du territoire.
SELECT
    a.code_ali,
    a.nom,
    a.ouverture,
    a.ouverture <= CAST($as_of AS DATE) AS ouverte
FROM ref_ali AS a
-- Les ALI du territoire : macro de queries/macros/territoire.sql, partagée avec date_observation.sql.
JOIN alis_du_territoire($alis, $epts, $communes) USING (code_ali)
ORDER BY a.code_ali;
