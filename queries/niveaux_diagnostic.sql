-- Niveaux constatés lors des diagnostics, numérique ou linguistique.
-- Population : épisodes du périmètre orientés pendant P = [debut, fin] (fin plafonnée à D) et dont le
-- diagnostic est daté au plus tard à D : la même que celle du délai médian (taux_diagnostic_90j.sql).
-- Niveau : niveau_numerique (autonome, intermediaire, debutant, non_evalue) ou niveau_linguistique
-- (A1 à C2, francophone) ; un diagnostic daté sans niveau compte comme 'non_renseigne'.
-- Seuls les niveaux rencontrés figurent.
-- Paramètres : diagnostic ('numerique' ou 'linguistique'), as_of (D), debut, fin,
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, niveau, episodes.
WITH p AS (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        date_diagnostic($diagnostic, date_diag_numerique, date_diag_linguistique) AS date_diag,
        CASE $diagnostic
            WHEN 'numerique' THEN niveau_numerique
            WHEN 'linguistique' THEN niveau_linguistique
        END AS niveau,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
)
SELECT
    groupe,
    coalesce(niveau, 'non_renseigne') AS niveau,
    count(*) AS episodes,
    cle_cellule(cle_personne) AS cle_episodes
FROM p
WHERE date_diag <= CAST($as_of AS DATE)
GROUP BY ALL
ORDER BY groupe, niveau;
