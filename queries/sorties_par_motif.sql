-- Sorties par motif sur la période P (contrat §5.4).
-- Épisodes du périmètre dont la date_sortie est dans [debut, fin] (fin plafonnée à D), comptés par motif,
-- avec le libellé et les groupes du motif (emploi durable, sortie en emploi, sortie dynamique) pour
-- les totaux par groupe. Une sortie sans motif compte comme non_renseigne ; un motif absent du
-- référentiel garde son code comme libellé et n'appartient à aucun groupe.
-- Seuls les motifs ayant au moins une sortie figurent.
-- Paramètres : as_of (D), debut, fin, groupe ('departement', 'ali', 'ept', 'commune'), filtres du périmètre.
-- Colonnes : groupe, motif_sortie, libelle, emploi_durable, sortie_emploi, sortie_dynamique, sorties.
WITH bornes AS (
    SELECT CAST($debut AS DATE) AS debut, least(CAST($fin AS DATE), CAST($as_of AS DATE)) AS fin
),
s AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'ali' THEN e.code_ali
            WHEN 'ept' THEN e.ept
            WHEN 'commune' THEN e.code_commune
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        coalesce(e.motif_sortie, 'non_renseigne') AS motif_sortie
    FROM perimetre($alis, $epts, $communes, $parcours, $ages, $sexes) AS e, bornes AS b
    WHERE e.date_sortie BETWEEN b.debut AND b.fin
)
SELECT
    s.groupe,
    s.motif_sortie,
    coalesce(any_value(m.libelle), s.motif_sortie) AS libelle,
    coalesce(any_value(m.emploi_durable), false) AS emploi_durable,
    coalesce(any_value(m.sortie_emploi), false) AS sortie_emploi,
    coalesce(any_value(m.sortie_dynamique), false) AS sortie_dynamique,
    count(*) AS sorties
FROM s
LEFT JOIN ref_motifs_sortie AS m USING (motif_sortie)
GROUP BY s.groupe, s.motif_sortie
ORDER BY s.groupe, sorties DESC, s.motif_sortie;
