-- Taux de sortie en emploi et en emploi durable à 12 mois par cohorte d'orientation (contrat §5.3).
-- Même définition que taux_sortie_emploi_12m.sql, calculée pour chaque mois ou trimestre d'orientation
-- de P = [debut, fin] (fin plafonnée à D) :
--   cohorte = mois ou trimestre de date_orientation ('periode' : toute la période, cohorte = debut) ;
--   denominateur = épisodes de la cohorte orientés au plus tard à D - 365 jours ;
--   n_sortie_emploi = parmi eux, ceux sortis au plus tard à date_orientation + 365 jours avec un motif du
--   groupe « sortie en emploi » de ref_motifs_sortie ; n_emploi_durable : groupe « emploi durable » ;
--   taux = numérateur / denominateur (NULL si le dénominateur est nul).
-- Une sortie sans motif compte comme non_renseigne (hors des deux groupes) : colonnes sortie_emploi et
-- emploi_durable préparées au chargement (insertion/store/sql/episodes_indicateurs.sql).
-- fin_cohorte = dernier jour de la cohorte, plafonné à la fin de P ; recul_complet : fin_cohorte <= D - 365,
-- tous les épisodes de la cohorte ont eu 12 mois pour sortir. Une cohorte plus récente n'est que
-- partiellement comptée. Les effectifs s'additionnent d'une cohorte à l'autre (pas les taux).
-- Une cohorte sans orientation n'a pas de ligne.
-- Paramètres : pas ('mois', 'trimestre', 'periode'), as_of (D), debut, fin,
-- groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, cohorte, fin_cohorte, recul_complet, orientations, denominateur, n_sortie_emploi,
-- taux_sortie_emploi, n_emploi_durable, taux_emploi_durable.
WITH p AS (
    -- Clé de cohorte entière : mois d'orientation (m_orientation, préparé au chargement : année * 12 + mois
    -- - 1), premier mois du trimestre, ou 0 pour toute la période ; la date n'est formée qu'après le
    -- regroupement. sortie_emploi, emploi_durable : groupes du motif de sortie, préparés au chargement.
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        cle_cohorte($pas, m_orientation) AS m,
        date_orientation,
        date_sortie,
        sortie_emploi,
        emploi_durable,
        cle_personne
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
),
agregats AS (
    -- sum(CASE …) plutôt que count(*) FILTER : DuckDB n'évalue alors chaque condition que sur les lignes qui
    -- ont passé la précédente (la plus sélective d'abord), deux fois moins de calcul.
    SELECT
        groupe,
        m,
        count(*) AS orientations,
        sum(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 365 THEN 1 ELSE 0 END) AS denominateur,
        sum(sortie_12_mois(sortie_emploi, date_orientation, date_sortie, CAST($as_of AS DATE))) AS n_sortie_emploi,
        sum(sortie_12_mois(emploi_durable, date_orientation, date_sortie, CAST($as_of AS DATE))) AS n_emploi_durable,
        -- Clés de cellule (queries/macros/perimetre.sql) : épisodes de chaque effectif, chacun avec la clé de sa
        -- personne.
        cle_cellule(cle_personne) AS cle_orientations,
        cle_cellule(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 365 THEN cle_personne END) AS cle_denominateur,
        cle_cellule(
            sortie_12_mois(sortie_emploi, date_orientation, date_sortie, CAST($as_of AS DATE)) * cle_personne
        ) AS cle_n_sortie_emploi,
        cle_cellule(
            sortie_12_mois(emploi_durable, date_orientation, date_sortie, CAST($as_of AS DATE)) * cle_personne
        ) AS cle_n_emploi_durable
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
    orientations,
    CAST(denominateur AS BIGINT) AS denominateur,
    CAST(n_sortie_emploi AS BIGINT) AS n_sortie_emploi,
    n_sortie_emploi / nullif(denominateur, 0) AS taux_sortie_emploi,
    CAST(n_emploi_durable AS BIGINT) AS n_emploi_durable,
    n_emploi_durable / nullif(denominateur, 0) AS taux_emploi_durable,
    cle_orientations,
    cle_denominateur,
    cle_n_sortie_emploi,
    cle_n_emploi_durable
FROM fins
ORDER BY groupe, cohorte;
