-- Sortie en emploi à 12 mois avec et sans chaque frein périphérique (contrat §7.1 et §5.3).
-- Cohorte : celle de queries/taux_sortie_emploi_12m.sql, les épisodes du périmètre avec date_orientation dans
-- P = [debut, fin] (fin plafonnée à D) et date_orientation <= D - 365 jours ; sortie en emploi : sortie au plus tard
-- à date_orientation + 365 jours (le 365e jour compte) avec un motif du groupe « sortie en emploi ».
-- Pour chacun des 7 freins (nom court dans la colonne frein), la cohorte est partagée selon la réponse de
-- l'épisode : avec = 'oui' (le frein était présent à l'entrée) ou 'non' (absent). Une réponse inconnue (vide) ne
-- compte ni d'un côté ni de l'autre : une extraction sans les colonnes frein_* donne des dénominateurs nuls.
-- Comme le taux de sortie, ce sont des épisodes (une personne orientée deux fois compte deux fois).
-- Chaque groupe qui a un épisode dans la cohorte a ses 14 lignes (7 freins × oui / non), même à 0.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, frein, avec ('oui' ou 'non'), denominateur, n_sortie_emploi, taux_sortie_emploi (NULL si le
-- dénominateur est nul), cle_denominateur, cle_n_sortie_emploi.
-- ST03 : cohorte est lue par la macro reponses_freins (query_table), que sqlfluff ne suit pas.
WITH cohorte AS (  -- noqa: ST03
    SELECT
        groupe_de($groupe, code_ali, ept, code_commune) AS groupe,
        sortie_12_mois(sortie_emploi, date_orientation, date_sortie, CAST($as_of AS DATE)) AS emploi,
        cle_personne,
        -- Les réponses aux freins du contrat (liste : ref_freins, queries/macros/freins.sql).
        COLUMNS('^frein_')
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_orientation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
        AND date_orientation <= CAST($as_of AS DATE) - 365
),
reponses AS (
    -- Une ligne par épisode et par frein (macro de queries/macros/freins.sql, partagée avec
    -- freins_prevalence.sql).
    SELECT groupe, frein, ordre, emploi, cle_personne, reponse
    FROM reponses_freins(cohorte)
),
cases AS (
    -- Toutes les cases (groupe, frein, oui / non) des groupes de la cohorte, même vides.
    SELECT DISTINCT r.groupe, r.frein, r.ordre, a.avec
    FROM reponses AS r
    CROSS JOIN (VALUES ('oui'), ('non')) AS a (avec)
),
agregats AS (
    SELECT
        groupe,
        frein,
        reponse AS avec,
        count(*) AS denominateur,
        sum(emploi) AS n_sortie_emploi,
        -- Un effectif d'épisodes : la clé somme la clé de personne de chaque épisode.
        cle_cellule(cle_personne) AS cle_denominateur,
        cle_cellule(emploi * cle_personne) AS cle_n_sortie_emploi
    FROM reponses
    WHERE reponse IN ('oui', 'non')
    GROUP BY groupe, frein, reponse
)
SELECT
    c.groupe,
    c.frein,
    c.avec,
    CAST(coalesce(a.denominateur, 0) AS BIGINT) AS denominateur,
    CAST(coalesce(a.n_sortie_emploi, 0) AS BIGINT) AS n_sortie_emploi,
    a.n_sortie_emploi / nullif(a.denominateur, 0) AS taux_sortie_emploi,
    coalesce(a.cle_denominateur, CAST(0 AS UINTEGER)) AS cle_denominateur,
    coalesce(a.cle_n_sortie_emploi, CAST(0 AS UINTEGER)) AS cle_n_sortie_emploi
FROM cases AS c
LEFT JOIN agregats AS a USING (groupe, frein, avec)
ORDER BY c.groupe ASC, c.ordre ASC, c.avec DESC;
