-- Sorties par motif sur la période P (contrat §5.4).
-- Épisodes du périmètre dont la date_sortie est dans [debut, fin] (fin plafonnée à D), comptés par motif,
-- avec le libellé et les groupes du motif (emploi durable, sortie en emploi, sortie dynamique) pour
-- les totaux par groupe. Une sortie sans motif compte comme non_renseigne ; un motif absent du
-- référentiel garde son code comme libellé et n'appartient à aucun groupe.
-- Seuls les motifs ayant au moins une sortie figurent.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, motif_sortie, libelle, emploi_durable, sortie_emploi, sortie_dynamique, sorties.
WITH par_motif AS (
    -- On compte d'abord par groupe et motif tel qu'il est stocké (quelques centaines de lignes), puis une
    -- sortie sans motif rejoint non_renseigne et on lit le référentiel.
    SELECT
        groupe,
        coalesce(motif_sortie, 'non_renseigne') AS motif_sortie,
        CAST(sum(n) AS BIGINT) AS sorties,
        cle_modulo(sum(cle)) AS cle_sorties
    FROM (
        SELECT groupe, motif_sortie, count(*) AS n, sum(CAST(cle_personne AS BIGINT)) AS cle
        FROM (
            SELECT groupe_de($groupe, code_ali, ept, code_commune) AS groupe, motif_sortie, cle_personne
            FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
            WHERE date_sortie BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
        )
        GROUP BY groupe, motif_sortie
    )
    GROUP BY ALL
)
SELECT
    s.groupe,
    s.motif_sortie,
    coalesce(m.libelle, s.motif_sortie) AS libelle,
    coalesce(m.emploi_durable, false) AS emploi_durable,
    coalesce(m.sortie_emploi, false) AS sortie_emploi,
    coalesce(m.sortie_dynamique, false) AS sortie_dynamique,
    s.sorties,
    s.cle_sorties
FROM par_motif AS s
LEFT JOIN ref_motifs_sortie AS m USING (motif_sortie)
ORDER BY s.groupe ASC, s.sorties DESC, s.motif_sortie ASC;
