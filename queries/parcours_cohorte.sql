-- Parcours d'une cohorte d'orientation : de l'orientation au diagnostic puis à la sortie en emploi.
-- Cohorte : épisodes du périmètre orientés pendant un mois ou un trimestre de P = [debut, fin] (fin plafonnée
-- à D ; 'periode' : toute la période, cohorte = debut), et au plus tard à D - 365 jours, pour que chacun ait
-- eu 90 jours pour être diagnostiqué et 12 mois pour sortir (mêmes dénominateurs qu'à 12 mois).
-- Étapes, toutes comptées parmi les orientes :
--   diag_numerique_90j / diag_linguistique_90j : diagnostic daté <= date_orientation + 90 jours
--     (définitions de taux_diagnostic_90j.sql) ; diag_un_90j : l'un ou l'autre ; diag_deux_90j : les deux ;
--   sortis_12m : date_sortie <= date_orientation + 365 jours, quel que soit le motif ;
--   sortis_emploi_12m / sortis_emploi_durable_12m : parmi eux, motif du groupe « sortie en emploi »
--     (resp. « emploi durable ») de ref_motifs_sortie (définitions de taux_sortie_emploi_12m.sql).
-- Une sortie sans motif compte comme non_renseigne (hors des groupes emploi) : colonnes sortie_emploi et
-- emploi_durable préparées au chargement (insertion/store/sql/episodes_indicateurs.sql).
-- fin_cohorte = dernier jour de la cohorte plafonné à la fin de P ; recul_complet : fin_cohorte <= D - 365.
-- Paramètres : pas ('mois', 'trimestre', 'periode'), as_of (D), debut, fin,
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, cohorte, fin_cohorte, recul_complet, orientes, diag_numerique_90j, diag_linguistique_90j,
-- diag_un_90j, diag_deux_90j, sortis_12m, sortis_emploi_12m, sortis_emploi_durable_12m.
WITH p AS (
    -- Clé de cohorte entière : mois d'orientation (m_orientation, préparé au chargement : année * 12 + mois
    -- - 1), premier mois du trimestre, ou 0 pour toute la période ; la date n'est formée qu'après le
    -- regroupement. sortie_emploi, emploi_durable : groupes du motif de sortie, préparés au chargement.
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        cle_cohorte($pas, m_orientation) AS m,
        date_orientation,
        date_diag_numerique,
        date_diag_linguistique,
        date_sortie,
        sortie_emploi,
        emploi_durable,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
        AND date_orientation <= CAST($as_of AS DATE) - 365
),
agregats AS (
    -- sum(CASE …) plutôt que count(*) FILTER : DuckDB n'évalue alors chaque condition que sur les lignes qui
    -- ont passé la précédente (la plus sélective d'abord), deux fois moins de calcul.
    SELECT
        groupe,
        m,
        count(*) AS orientes,
        sum(CASE WHEN date_diag_numerique <= date_orientation + 90 THEN 1 ELSE 0 END) AS diag_numerique_90j,
        sum(CASE WHEN date_diag_linguistique <= date_orientation + 90 THEN 1 ELSE 0 END) AS diag_linguistique_90j,
        sum(
            CASE
                WHEN date_diag_numerique <= date_orientation + 90 OR date_diag_linguistique <= date_orientation + 90
                    THEN 1
                ELSE 0
            END
        ) AS diag_un_90j,
        sum(
            CASE
                WHEN date_diag_numerique <= date_orientation + 90 AND date_diag_linguistique <= date_orientation + 90
                    THEN 1
                ELSE 0
            END
        ) AS diag_deux_90j,
        sum(CASE WHEN date_sortie <= date_orientation + 365 THEN 1 ELSE 0 END) AS sortis_12m,
        sum(CASE WHEN sortie_emploi AND date_sortie <= date_orientation + 365 THEN 1 ELSE 0 END) AS sortis_emploi_12m,
        sum(CASE WHEN emploi_durable AND date_sortie <= date_orientation + 365 THEN 1 ELSE 0 END)
            AS sortis_emploi_durable_12m,
        -- Clés de cellule (queries/macros/perimetre.sql) : épisodes de chaque effectif, chacun avec la clé de sa
        -- personne.
        cle_cellule(cle_personne) AS cle_orientes,
        cle_cellule(CASE WHEN date_diag_numerique <= date_orientation + 90 THEN cle_personne END)
            AS cle_diag_numerique_90j,
        cle_cellule(CASE WHEN date_diag_linguistique <= date_orientation + 90 THEN cle_personne END)
            AS cle_diag_linguistique_90j,
        cle_cellule(
            CASE
                WHEN date_diag_numerique <= date_orientation + 90 OR date_diag_linguistique <= date_orientation + 90
                    THEN cle_personne
            END
        ) AS cle_diag_un_90j,
        cle_cellule(
            CASE
                WHEN date_diag_numerique <= date_orientation + 90 AND date_diag_linguistique <= date_orientation + 90
                    THEN cle_personne
            END
        ) AS cle_diag_deux_90j,
        cle_cellule(CASE WHEN date_sortie <= date_orientation + 365 THEN cle_personne END) AS cle_sortis_12m,
        cle_cellule(CASE WHEN sortie_emploi AND date_sortie <= date_orientation + 365 THEN cle_personne END)
            AS cle_sortis_emploi_12m,
        cle_cellule(CASE WHEN emploi_durable AND date_sortie <= date_orientation + 365 THEN cle_personne END)
            AS cle_sortis_emploi_durable_12m
    FROM p
    GROUP BY groupe, m
),
cohortes AS (
    SELECT
        *,
        debut_cohorte($pas, m, $debut) AS cohorte
    FROM agregats
),
fins AS (
    SELECT
        *,
        fin_cohorte($pas, cohorte, least(CAST($fin AS DATE), CAST($as_of AS DATE))) AS fin_cohorte
    FROM cohortes
)
SELECT
    groupe,
    cohorte,
    fin_cohorte,
    fin_cohorte <= CAST($as_of AS DATE) - 365 AS recul_complet,
    orientes,
    CAST(diag_numerique_90j AS BIGINT) AS diag_numerique_90j,
    CAST(diag_linguistique_90j AS BIGINT) AS diag_linguistique_90j,
    CAST(diag_un_90j AS BIGINT) AS diag_un_90j,
    CAST(diag_deux_90j AS BIGINT) AS diag_deux_90j,
    CAST(sortis_12m AS BIGINT) AS sortis_12m,
    CAST(sortis_emploi_12m AS BIGINT) AS sortis_emploi_12m,
    CAST(sortis_emploi_durable_12m AS BIGINT) AS sortis_emploi_durable_12m,
    cle_orientes,
    cle_diag_numerique_90j,
    cle_diag_linguistique_90j,
    cle_diag_un_90j,
    cle_diag_deux_90j,
    cle_sortis_12m,
    cle_sortis_emploi_12m,
    cle_sortis_emploi_durable_12m
FROM fins
ORDER BY groupe, cohorte;
