-- Actions collectives (contrat §7.3) : séances, places, participants, rendez-vous pris et personnes remobilisées.
-- Séances retenues : celles dont date_action est dans P = [debut, fin], fin plafonnée à D (as_of).
-- Filtres : alis (code_ali de la séance : une séance sans ALI, celle d'un réseau local, sort dès que le filtre est
-- posé), epts et communes (commune de la séance, son EPT par ref_communes), types (liste de type_action ou NULL).
-- Les filtres de profil (parcours, âge, sexe) ne s'appliquent pas : une séance ne dit pas qui y est venu.
-- Regroupement (groupe) : 'departement', 'type_action', 'commune', 'quartier' (avec sa commune : deux communes
-- peuvent avoir un quartier du même nom ; NULL : quartier non renseigné), 'structure' (l'organisatrice) ou 'ali'
-- (NULL : séance sans ALI) ; pas : 'periode' (une ligne par groupe, mois NULL) ou 'mois' (une ligne par groupe et
-- mois de date_action, mois = premier jour du mois).
-- Colonnes :
--   seances : nombre de séances ; places : somme des places des séances où elles sont connues ;
--   participants : somme des participants ; participants_places : celle des seules séances où places est connu
--   (numérateur du taux de remplissage) ; rendez_vous_pris, personnes_remobilisees : sommes (vide compté 0) ;
--   seances_rendez_vous, seances_remobilisees : séances où ces nombres sont renseignés (0 : non renseignés dans la
--   cellule, leur somme est alors nulle par construction) ;
--   taux_remplissage = participants_places / places ; rendez_vous_par_seance = rendez_vous_pris / seances
--   (recalculés par la couche de publication sur les effectifs publiés : insertion/protect/diffusion.py).
-- Clés de cellule (secret statistique, docs/secret-statistique.md) : les participants d'une séance ne sont pas
-- nommés ; chacun prend la clé de sa séance, si bien que la clé d'un effectif est la somme, sur les séances de
-- la cellule, de clé × effectif. Une seule clé par séance (actions_collectives.cle_action) donnerait à deux
-- effectifs égaux d'une même cellule (7 participants, 7 rendez-vous) la même clé, donc le même bruit : leur écart
-- publié serait l'écart exact, et leurs bruits liés. Chaque colonne prend donc une clé de séance à elle, tirée de
-- cle_action par SHA-256 (cle_action || '|' || colonne, 32 premiers bits) : aussi secrète que cle_action (on ne la
-- calcule pas sans le sel), stable d'une version de DuckDB à l'autre (hash() ne l'est pas).
-- participants_places garde la clé des participants : ce sont les mêmes personnes, restreintes aux séances dont
-- les places sont connues ; quand toutes le sont, c'est la même cellule, qui doit avoir la même valeur publiée ;
-- sinon leurs clés diffèrent (sommes sur des séances différentes).
-- Colonnes de clés : cle_participants, cle_participants_places, cle_rendez_vous_pris, cle_personnes_remobilisees.
WITH seances AS (
    SELECT
        CASE $groupe
            WHEN 'departement' THEN 'Seine-Saint-Denis'
            WHEN 'type_action' THEN a.type_action
            WHEN 'commune' THEN a.code_commune
            WHEN 'quartier' THEN a.quartier
            WHEN 'structure' THEN a.code_structure
            WHEN 'ali' THEN a.code_ali
            ELSE error('Regroupement inconnu : ' || $groupe)
        END AS groupe,
        CASE WHEN $groupe IN ('commune', 'quartier') THEN a.code_commune END AS code_commune,
        CASE $pas
            WHEN 'mois' THEN CAST(date_trunc('month', a.date_action) AS DATE)
            WHEN 'periode' THEN CAST(NULL AS DATE)
            ELSE CAST(error('Pas inconnu : ' || $pas) AS DATE)
        END AS mois,
        a.places,
        a.participants,
        a.rendez_vous_pris IS NOT NULL AS rdv_renseigne,
        a.personnes_remobilisees IS NOT NULL AS remobilisees_renseigne,
        coalesce(a.rendez_vous_pris, 0) AS rendez_vous_pris,
        coalesce(a.personnes_remobilisees, 0) AS personnes_remobilisees,
        CAST(CAST('0x' || left(sha256(CAST(a.cle_action AS VARCHAR) || '|participants'), 8) AS UBIGINT) AS BIGINT)
            AS cle_p,
        CAST(CAST('0x' || left(sha256(CAST(a.cle_action AS VARCHAR) || '|rendez_vous_pris'), 8) AS UBIGINT) AS BIGINT)
            AS cle_r,
        CAST(
            CAST('0x' || left(sha256(CAST(a.cle_action AS VARCHAR) || '|personnes_remobilisees'), 8) AS UBIGINT)
            AS BIGINT
        ) AS cle_m
    FROM actions_collectives AS a
    LEFT JOIN ref_communes AS c ON a.code_commune = c.code_commune
    WHERE
        a.date_action BETWEEN CAST($debut AS DATE) AND least(CAST($fin AS DATE), CAST($as_of AS DATE))
        AND ($alis IS NULL OR list_contains($alis, a.code_ali))
        AND ($epts IS NULL OR list_contains($epts, c.ept))
        AND ($communes IS NULL OR list_contains($communes, a.code_commune))
        AND ($types IS NULL OR list_contains($types, a.type_action))
),
agregats AS (
    SELECT
        groupe,
        code_commune,
        mois,
        count(*) AS seances,
        sum(places) AS places,
        sum(participants) AS participants,
        sum(CASE WHEN places IS NOT NULL THEN participants ELSE 0 END) AS participants_places,
        sum(rendez_vous_pris) AS rendez_vous_pris,
        sum(personnes_remobilisees) AS personnes_remobilisees,
        count(*) FILTER (WHERE rdv_renseigne) AS seances_rendez_vous,
        count(*) FILTER (WHERE remobilisees_renseigne) AS seances_remobilisees,
        cle_cellule(cle_p * participants) AS cle_participants,
        cle_cellule(CASE WHEN places IS NOT NULL THEN cle_p * participants END) AS cle_participants_places,
        cle_cellule(cle_r * rendez_vous_pris) AS cle_rendez_vous_pris,
        cle_cellule(cle_m * personnes_remobilisees) AS cle_personnes_remobilisees
    FROM seances
    GROUP BY groupe, code_commune, mois
)
SELECT
    groupe,
    code_commune,
    mois,
    CAST(seances AS BIGINT) AS seances,
    CAST(places AS BIGINT) AS places,
    CAST(participants AS BIGINT) AS participants,
    CAST(participants_places AS BIGINT) AS participants_places,
    CAST(rendez_vous_pris AS BIGINT) AS rendez_vous_pris,
    CAST(personnes_remobilisees AS BIGINT) AS personnes_remobilisees,
    CAST(seances_rendez_vous AS BIGINT) AS seances_rendez_vous,
    CAST(seances_remobilisees AS BIGINT) AS seances_remobilisees,
    participants_places / nullif(places, 0) AS taux_remplissage,
    rendez_vous_pris / seances AS rendez_vous_par_seance,
    cle_participants,
    cle_participants_places,
    cle_rendez_vous_pris,
    cle_personnes_remobilisees
FROM agregats
ORDER BY groupe NULLS LAST, code_commune, mois;
