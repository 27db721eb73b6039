-- Mises en relation par les structures partenaires (contrat §7.2) : volumes, embauches, contrats longs, TPE/PME.
-- Lignes : les mises en relation du périmètre (macro mises_en_relation_du_perimetre) datées dans
-- P = [debut, fin], fin plafonnée à D (date_mise_en_relation).
-- mises_en_relation : lignes ; personnes : personnes distinctes du groupe (et du mois) ;
-- embauches : lignes dont l'issue est « embauche » ; contrats_longs : embauches en CDI, en création, ou d'au
-- moins 6 mois (contrat_long, préparé au chargement : l'« emploi durable » du §3) ; embauches_tpe_pme : embauches
-- dans une entreprise de moins de 250 salariés (taille_entreprise tpe ou pme ; « inconnue » n'y est pas).
-- Taux (calculés par la couche de publication sur les effectifs publiés) : taux_embauche = embauches /
-- mises_en_relation ; part_contrats_longs = contrats_longs / embauches ; part_tpe_pme = embauches_tpe_pme / embauches.
-- Paramètres : as_of (D), debut, fin ; groupe ('departement', 'ali', 'structure') ; pas ('periode' : une ligne par
-- groupe, mois NULL ; 'mois', 'trimestre', 'annee' : une ligne par groupe et mois, trimestre ou année de mise en
-- relation, datée de son premier jour dans la colonne mois) ; filtres du périmètre.
-- Colonnes : groupe, mois, mises_en_relation, personnes, embauches, contrats_longs, embauches_tpe_pme, taux_embauche,
-- part_contrats_longs, part_tpe_pme, et les clés de cellule des effectifs.
WITH lignes AS (
    SELECT
        groupe_mise_en_relation($groupe, code_ali, code_structure) AS groupe,
        CASE $pas
            WHEN 'periode' THEN NULL
            WHEN 'mois' THEN CAST(date_trunc('month', date_mise_en_relation) AS DATE)
            WHEN 'trimestre' THEN CAST(date_trunc('quarter', date_mise_en_relation) AS DATE)
            WHEN 'annee' THEN CAST(date_trunc('year', date_mise_en_relation) AS DATE)
            ELSE CAST(error('Pas inconnu : ' || $pas) AS DATE)
        END AS mois,
        id_beneficiaire,
        cle_personne,
        CAST(issue = 'embauche' AS INTEGER) AS embauche,
        CAST(issue = 'embauche' AND contrat_long AS INTEGER) AS contrat_long,
        CAST(issue = 'embauche' AND taille_entreprise IN ('tpe', 'pme') AS INTEGER) AS tpe_pme
    FROM mises_en_relation_du_perimetre($alis, $epts, $communes, $parcours, $ages, $sexes)
    WHERE date_mise_en_relation BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
),
par_personne AS (
    -- Une ligne par personne du groupe : ses mises en relation comptent chacune avec sa clé (un effectif
    -- d'événements), la personne une fois dans « personnes ».
    SELECT
        groupe,
        mois,
        any_value(cle_personne) AS cle,
        count(*) AS n,
        sum(embauche) AS n_embauches,
        sum(contrat_long) AS n_contrats_longs,
        sum(tpe_pme) AS n_tpe_pme
    FROM lignes
    GROUP BY groupe, mois, id_beneficiaire
)
SELECT
    groupe,
    mois,
    CAST(sum(n) AS BIGINT) AS mises_en_relation,
    count(*) AS personnes,
    CAST(sum(n_embauches) AS BIGINT) AS embauches,
    CAST(sum(n_contrats_longs) AS BIGINT) AS contrats_longs,
    CAST(sum(n_tpe_pme) AS BIGINT) AS embauches_tpe_pme,
    sum(n_embauches) / nullif(sum(n), 0) AS taux_embauche,
    sum(n_contrats_longs) / nullif(sum(n_embauches), 0) AS part_contrats_longs,
    sum(n_tpe_pme) / nullif(sum(n_embauches), 0) AS part_tpe_pme,
    cle_cellule(cle * n) AS cle_mises_en_relation,
    cle_cellule(cle) AS cle_personnes,
    cle_cellule(cle * n_embauches) AS cle_embauches,
    cle_cellule(cle * n_contrats_longs) AS cle_contrats_longs,
    cle_cellule(cle * n_tpe_pme) AS cle_embauches_tpe_pme
FROM par_personne
GROUP BY groupe, mois
ORDER BY groupe, mois;
