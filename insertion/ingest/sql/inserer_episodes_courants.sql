-- Les épisodes courants des ALI remplacées ($remplacees) ; les colonnes préparées pour les indicateurs sont calculées
-- dans la même écriture (leur définition : insertion/store/sql/episodes_indicateurs.sql), plusieurs_episodes, qui
-- dépend des autres ALI, l'est ensuite. Trié par ALI puis orientation : un filtre sur une ALI ne lit que ses blocs.
INSERT INTO episodes BY NAME
SELECT
    $id AS id_chargement, v.id_beneficiaire, v.code_ali, v.code_commune, v.date_orientation, v.type_parcours,
    v.date_diag_numerique, v.niveau_numerique, v.date_diag_linguistique, v.niveau_linguistique, v.date_sortie,
    v.motif_sortie, v.tranche_age, v.sexe, v.composition_foyer, v.anciennete_rsa, v.frein_logement,
    v.frein_garde_enfants, v.frein_mobilite, v.frein_sante, v.frein_numerique, v.frein_langue,
    v.frein_administratif, v.date_extraction,
    c.ept,
    CAST(year(v.date_orientation) * 12 + month(v.date_orientation) - 1 AS INTEGER) AS m_orientation,
    CAST(year(v.date_sortie) * 12 + month(v.date_sortie) - 1 AS INTEGER) AS m_sortie,
    coalesce(v.date_sortie IS NOT NULL AND r.sortie_emploi, false) AS sortie_emploi,
    coalesce(v.date_sortie IS NOT NULL AND r.emploi_durable, false) AS emploi_durable,
    false AS plusieurs_episodes,
    -- Clé de la personne (insertion/store/cles.py) : pads du sel liés, jamais écrits dans le texte.
    cle_hmac('p|' || v.id_beneficiaire, $ipad, $opad) AS cle_personne
FROM _verifie AS v
JOIN ref_communes AS c USING (code_commune)
LEFT JOIN ref_motifs_sortie AS r ON r.motif_sortie = coalesce(v.motif_sortie, 'non_renseigne')
WHERE v.motif_rejet IS NULL AND list_contains($remplacees, v.code_ali)
ORDER BY v.code_ali, v.date_orientation
