-- Taux de sortie en emploi et en emploi durable à 12 mois (contrat §5.3).
-- Cohorte (dénominateur) : épisodes du périmètre avec date_orientation dans P = [debut, fin]
-- et date_orientation <= D - 365 jours.
-- Numérateurs : ceux sortis au plus tard à date_orientation + 365 jours (le 365e jour compte)
-- avec un motif du groupe « sortie en emploi » (resp. « emploi durable ») de ref_motifs_sortie.
-- Taux = numérateur / dénominateur, NULL si le dénominateur est nul.
-- Une sortie sans motif compte comme non_renseigne (hors des deux groupes) : colonnes préparées au chargement
-- (insertion/store/sql/episodes_indicateurs.sql), sans jointure au référentiel à chaque lecture.
-- Paramètres : as_of (D), debut, fin (plafonnée à D), groupe ('departement', 'ali', 'ept', 'commune'),
-- filtres du périmètre.
-- Colonnes : groupe, denominateur, n_sortie_emploi, taux_sortie_emploi, n_emploi_durable, taux_emploi_durable.
WITH p AS (
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
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
    -- ont passé la précédente (la plus sélective d'abord), deux fois moins de calcul sur un million d'épisodes.
    SELECT
        groupe,
        sum(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 365 THEN 1 ELSE 0 END) AS denominateur,
        sum(sortie_12_mois(sortie_emploi, date_orientation, date_sortie, CAST($as_of AS DATE))) AS n_sortie_emploi,
        sum(sortie_12_mois(emploi_durable, date_orientation, date_sortie, CAST($as_of AS DATE))) AS n_emploi_durable,
        -- Clés de cellule (queries/macros/perimetre.sql) : épisodes du dénominateur et des numérateurs.
        cle_cellule(CASE WHEN date_orientation <= CAST($as_of AS DATE) - 365 THEN cle_personne END) AS cle_denominateur,
        cle_cellule(
            sortie_12_mois(sortie_emploi, date_orientation, date_sortie, CAST($as_of AS DATE)) * cle_personne
        ) AS cle_n_sortie_emploi,
        cle_cellule(
            sortie_12_mois(emploi_durable, date_orientation, date_sortie, CAST($as_of AS DATE)) * cle_personne
        ) AS cle_n_emploi_durable
    FROM p
    GROUP BY groupe
)
SELECT
    groupe,
    CAST(denominateur AS BIGINT) AS denominateur,
    CAST(n_sortie_emploi AS BIGINT) AS n_sortie_emploi,
    n_sortie_emploi / nullif(denominateur, 0) AS taux_sortie_emploi,
    CAST(n_emploi_durable AS BIGINT) AS n_emploi_durable,
    n_emploi_durable / nullif(denominateur, 0) AS taux_emploi_durable,
    cle_denominateur,
    cle_n_sortie_emploi,
    cle_n_emploi_durable
FROM agregats
ORDER BY groupe;
