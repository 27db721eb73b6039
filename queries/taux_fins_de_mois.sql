-- Taux de diagnostic à 90 jours et de sortie en emploi à 12 mois lus à plusieurs dates d'observation
-- (contrat §5.2 et §5.3) : pour la Vue d'ensemble, la valeur à D, celle de la fin du mois précédent
-- et la petite courbe des derniers mois, en une seule lecture des épisodes.
-- Pour chaque date r de $dates, mêmes définitions que taux_diagnostic_90j.sql et
-- taux_sortie_emploi_12m.sql avec D = r et P = [debut, least(fin, r)] :
--   diagnostics : cohorte = épisodes orientés dans P et au plus tard à r - 90 jours ; numérateur = ceux
--   dont le diagnostic (numérique, resp. linguistique) est daté au plus tard 90 jours après l'orientation ;
--   emploi : cohorte = épisodes orientés dans P et au plus tard à r - 365 jours ; numérateur = ceux sortis au
--   plus tard 365 jours après l'orientation pour un motif du groupe « sortie en emploi » (resp. « emploi
--   durable ») de ref_motifs_sortie ; une sortie sans motif compte comme non_renseigne.
-- Les bornes (orientation + 90 <= r, orientation + 365 <= r) garantissent que seuls des faits connus à r
-- comptent. Taux NULL quand la cohorte est vide.
-- Paramètres : dates (liste de dates r), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'),
-- filtres du périmètre.
-- Colonnes : groupe, date_reference, denominateur_90j, n_diag_numerique, taux_diag_numerique,
--            n_diag_linguistique, taux_diag_linguistique, denominateur_12m, n_sortie_emploi,
--            taux_sortie_emploi, n_emploi_durable, taux_emploi_durable.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($dates AS DATE[])) AS r
),
par_jour AS (
    -- Les épisodes de P regroupés par jour d'orientation, avant de les croiser avec les dates r : quelques
    -- milliers de lignes au lieu d'un million, et chaque r ne fait plus qu'additionner des jours.
    -- sortie_emploi et emploi_durable sont les groupes du motif de sortie, préparés au chargement (une
    -- sortie sans motif compte comme non_renseigne ; faux sans sortie).
    SELECT
        groupe,
        date_orientation,
        count(*) AS episodes,
        count(*) FILTER (WHERE date_diag_numerique <= date_orientation + 90) AS diag_numerique,
        count(*) FILTER (WHERE date_diag_linguistique <= date_orientation + 90) AS diag_linguistique,
        count(*) FILTER (WHERE date_sortie <= date_orientation + 365 AND sortie_emploi) AS sortie_emploi,
        count(*) FILTER (WHERE date_sortie <= date_orientation + 365 AND emploi_durable) AS emploi_durable,
        -- Sommes des clés de personne des mêmes épisodes, ramenées modulo 2^32 après l'addition des jours.
        sum(CAST(cle_personne AS BIGINT)) AS cle_episodes,
        sum(CAST(cle_personne AS BIGINT)) FILTER (WHERE date_diag_numerique <= date_orientation + 90)
            AS cle_diag_numerique,
        sum(CAST(cle_personne AS BIGINT)) FILTER (WHERE date_diag_linguistique <= date_orientation + 90)
            AS cle_diag_linguistique,
        sum(CAST(cle_personne AS BIGINT)) FILTER (WHERE date_sortie <= date_orientation + 365 AND sortie_emploi)
            AS cle_sortie_emploi,
        sum(CAST(cle_personne AS BIGINT)) FILTER (WHERE date_sortie <= date_orientation + 365 AND emploi_durable)
            AS cle_emploi_durable
    FROM (
        SELECT
            groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
            date_orientation,
            date_diag_numerique,
            date_diag_linguistique,
            date_sortie,
            sortie_emploi,
            emploi_durable,
            cle_personne
        FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
        WHERE date_orientation BETWEEN CAST($debut AS DATE) AND CAST($fin AS DATE)
    )
    GROUP BY groupe, date_orientation
),
grille AS (
    SELECT g.groupe, dates.r FROM (SELECT DISTINCT groupe FROM par_jour) AS g, dates
),
agregats AS (
    -- Jointure sur la cohorte la plus large (r - 90 jours) ; la cohorte à 12 mois est un sous-ensemble.
    SELECT
        j.groupe,
        dates.r,
        CAST(sum(j.episodes) AS BIGINT) AS denominateur_90j,
        CAST(sum(j.diag_numerique) AS BIGINT) AS n_diag_numerique,
        CAST(sum(j.diag_linguistique) AS BIGINT) AS n_diag_linguistique,
        CAST(coalesce(sum(j.episodes) FILTER (WHERE j.date_orientation <= dates.r - 365), 0) AS BIGINT)
            AS denominateur_12m,
        CAST(coalesce(sum(j.sortie_emploi) FILTER (WHERE j.date_orientation <= dates.r - 365), 0) AS BIGINT)
            AS n_sortie_emploi,
        CAST(coalesce(sum(j.emploi_durable) FILTER (WHERE j.date_orientation <= dates.r - 365), 0) AS BIGINT)
            AS n_emploi_durable,
        cle_modulo(coalesce(sum(j.cle_episodes), 0)) AS cle_denominateur_90j,
        cle_modulo(coalesce(sum(j.cle_diag_numerique), 0)) AS cle_n_diag_numerique,
        cle_modulo(coalesce(sum(j.cle_diag_linguistique), 0)) AS cle_n_diag_linguistique,
        cle_modulo(coalesce(sum(j.cle_episodes) FILTER (WHERE j.date_orientation <= dates.r - 365), 0))
            AS cle_denominateur_12m,
        cle_modulo(coalesce(sum(j.cle_sortie_emploi) FILTER (WHERE j.date_orientation <= dates.r - 365), 0))
            AS cle_n_sortie_emploi,
        cle_modulo(coalesce(sum(j.cle_emploi_durable) FILTER (WHERE j.date_orientation <= dates.r - 365), 0))
            AS cle_n_emploi_durable
    FROM par_jour AS j
    JOIN dates ON j.date_orientation <= dates.r - 90
    GROUP BY j.groupe, dates.r
),
complet AS (
    SELECT
        grille.groupe,
        grille.r AS date_reference,
        coalesce(a.denominateur_90j, 0) AS denominateur_90j,
        coalesce(a.n_diag_numerique, 0) AS n_diag_numerique,
        coalesce(a.n_diag_linguistique, 0) AS n_diag_linguistique,
        coalesce(a.denominateur_12m, 0) AS denominateur_12m,
        coalesce(a.n_sortie_emploi, 0) AS n_sortie_emploi,
        coalesce(a.n_emploi_durable, 0) AS n_emploi_durable,
        coalesce(a.cle_denominateur_90j, 0)::UINTEGER AS cle_denominateur_90j,
        coalesce(a.cle_n_diag_numerique, 0)::UINTEGER AS cle_n_diag_numerique,
        coalesce(a.cle_n_diag_linguistique, 0)::UINTEGER AS cle_n_diag_linguistique,
        coalesce(a.cle_denominateur_12m, 0)::UINTEGER AS cle_denominateur_12m,
        coalesce(a.cle_n_sortie_emploi, 0)::UINTEGER AS cle_n_sortie_emploi,
        coalesce(a.cle_n_emploi_durable, 0)::UINTEGER AS cle_n_emploi_durable
    FROM grille
    LEFT JOIN agregats AS a ON grille.groupe = a.groupe AND grille.r = a.r
)
SELECT
    groupe,
    date_reference,
    denominateur_90j,
    n_diag_numerique,
    n_diag_numerique / nullif(denominateur_90j, 0) AS taux_diag_numerique,
    n_diag_linguistique,
    n_diag_linguistique / nullif(denominateur_90j, 0) AS taux_diag_linguistique,
    denominateur_12m,
    n_sortie_emploi,
    n_sortie_emploi / nullif(denominateur_12m, 0) AS taux_sortie_emploi,
    n_emploi_durable,
    n_emploi_durable / nullif(denominateur_12m, 0) AS taux_emploi_durable,
    cle_denominateur_90j,
    cle_n_diag_numerique,
    cle_n_diag_linguistique,
    cle_denominateur_12m,
    cle_n_sortie_emploi,
    cle_n_emploi_durable
FROM complet
ORDER BY groupe, date_reference;
