-- Schéma de la base ALI 93. Exécuté à chaque ouverture en écriture : tout est idempotent.
-- La base se reconstruit à partir des extractions ; elle n'est jamais versionnée dans git.

CREATE SEQUENCE IF NOT EXISTS seq_chargement START 1;

-- Un enregistrement par fichier chargé (statut 'loaded' ou 'older_snapshot').
-- Les fichiers refusés et les rechargements à l'identique ne touchent pas la base.
CREATE TABLE IF NOT EXISTS chargements (
    id_chargement     INTEGER PRIMARY KEY,
    fichier           VARCHAR NOT NULL,
    empreinte         VARCHAR NOT NULL,      -- SHA-256 du contenu : détecte les rechargements
    nature            VARCHAR NOT NULL,      -- contrat.NATURES_FICHIER : 'file_active', 'budget', 'moyens'…
    statut            VARCHAR NOT NULL,      -- 'loaded' ou 'older_snapshot'
    date_extraction   DATE,                  -- NULL pour un fichier budget ou l'annuaire des structures
    lignes_lues       INTEGER NOT NULL,
    acceptees         INTEGER NOT NULL,
    rejetees          INTEGER NOT NULL,
    ali_remplacees    VARCHAR[] NOT NULL,    -- ALI dont l'instantané courant vient de ce fichier
    ali_historique    VARCHAR[] NOT NULL,    -- ALI gardées en historique seulement (instantané plus ancien)
    annees_remplacees INTEGER[] NOT NULL,    -- budget : années remplacées
    message           VARCHAR NOT NULL,
    charge_le         TIMESTAMP NOT NULL
);

-- Ce que chaque chargement a remplacé, avant → après (insertion/apercu.py) : une ligne par ALI dont
-- l'instantané courant vient du fichier, ou par (année, ligne) budgétaire d'une année remplacée.
-- Personnes suivies : file active (contrat §5.1) de l'ALI à la date de l'instantané.
CREATE TABLE IF NOT EXISTS chargements_remplacements (
    id_chargement   INTEGER NOT NULL,
    code_ali        VARCHAR,                -- file active : l'ALI remplacée ; NULL pour le budget
    annee           INTEGER,                -- budget : l'année remplacée
    ligne           VARCHAR,                -- budget : la ligne budgétaire (toutes ALI confondues)
    date_avant      DATE,                   -- instantané remplacé (NULL : l'ALI n'en avait pas)
    date_apres      DATE,
    episodes_avant  INTEGER,
    episodes_apres  INTEGER,
    personnes_avant INTEGER,
    personnes_apres INTEGER,
    vote_avant      DECIMAL(15, 2),         -- NULL : la ligne n'existait pas
    vote_apres      DECIMAL(15, 2),         -- NULL : la ligne disparaît
    execute_avant   DECIMAL(15, 2),
    execute_apres   DECIMAL(15, 2),
    confirme        BOOLEAN NOT NULL        -- au-delà du seuil : appliqué sur confirmation (--force, Importer)
);
-- Fichiers du contrat §7 (schéma 9) : une ligne par périmètre d'instantané remplacé (nature du fichier, clé : une
-- structure × une ALI, une structure, une ALI, l'annuaire), lignes courantes avant → après.
ALTER TABLE chargements_remplacements ADD COLUMN IF NOT EXISTS nature VARCHAR;
ALTER TABLE chargements_remplacements ADD COLUMN IF NOT EXISTS cle VARCHAR;
ALTER TABLE chargements_remplacements ADD COLUMN IF NOT EXISTS lignes_avant INTEGER;
ALTER TABLE chargements_remplacements ADD COLUMN IF NOT EXISTS lignes_apres INTEGER;

-- Colonnes communes aux épisodes courants et à l'historique.
CREATE TABLE IF NOT EXISTS episodes_historique (
    id_chargement          INTEGER NOT NULL,
    id_beneficiaire        VARCHAR NOT NULL,
    code_ali               VARCHAR NOT NULL,
    code_commune           VARCHAR NOT NULL,
    date_orientation       DATE NOT NULL,
    type_parcours          VARCHAR NOT NULL,
    date_diag_numerique    DATE,
    niveau_numerique       VARCHAR,
    date_diag_linguistique DATE,
    niveau_linguistique    VARCHAR,
    date_sortie            DATE,
    motif_sortie           VARCHAR,
    tranche_age            VARCHAR NOT NULL,
    sexe                   VARCHAR NOT NULL,
    composition_foyer      VARCHAR,
    anciennete_rsa         VARCHAR,
    date_extraction        DATE NOT NULL
);

-- Instantané courant : pour chaque ALI, les épisodes de son extraction la plus récente.
-- SELECT * : la table a exactement les colonnes de episodes_historique, c'est le but.
CREATE TABLE IF NOT EXISTS episodes AS SELECT * FROM episodes_historique WITH NO DATA;  -- noqa: AM04
-- Colonnes préparées pour les indicateurs (voir insertion/store/sql/episodes_indicateurs.sql) ; ajoutées à une
-- base écrite par une version précédente, puis remplies par db.preparer_indicateurs.
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS ept VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS m_orientation INTEGER;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS m_sortie INTEGER;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS sortie_emploi BOOLEAN;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS emploi_durable BOOLEAN;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS plusieurs_episodes BOOLEAN;
-- Faux par défaut : le chargeur ne l'écrit pas, db.preparer_indicateurs ne réécrit que les personnes marquées.
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS episodes_simultanes BOOLEAN DEFAULT false;
-- Clé de la personne pour le secret statistique : 32 premiers bits de HMAC-SHA256(sel, 'p|' || pseudonyme)
-- (insertion/store/cles.py, docs/secret-statistique.md) ; calculée au chargement, recalculée si le sel change.
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS cle_personne UINTEGER;
-- Freins périphériques (contrat §7.1, schéma 9) : 'oui', 'non' ou NULL (inconnu, ou extraction sans ces colonnes).
-- Ajoutés après la création de `episodes` (qui copie l'historique) : même ordre de colonnes dans une base neuve
-- et dans une base mise à niveau ; le chargeur écrit les deux tables par nom (INSERT … BY NAME).
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_logement VARCHAR;
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_garde_enfants VARCHAR;
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_mobilite VARCHAR;
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_sante VARCHAR;
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_numerique VARCHAR;
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_langue VARCHAR;
ALTER TABLE episodes_historique ADD COLUMN IF NOT EXISTS frein_administratif VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_logement VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_garde_enfants VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_mobilite VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_sante VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_numerique VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_langue VARCHAR;
ALTER TABLE episodes ADD COLUMN IF NOT EXISTS frein_administratif VARCHAR;

-- Quels instantanés existent, et lequel est courant pour chaque ALI.
CREATE TABLE IF NOT EXISTS instantanes (
    code_ali        VARCHAR NOT NULL,
    date_extraction DATE NOT NULL,
    id_chargement   INTEGER NOT NULL,
    lignes          INTEGER NOT NULL,
    courant         BOOLEAN NOT NULL
);

-- Lignes rejetées : numéro de ligne (l'en-tête est la ligne 1), colonne et motif.
-- Aucune valeur brute n'est conservée, pour ne jamais stocker de donnée identifiante.
CREATE TABLE IF NOT EXISTS quarantaine (
    id_chargement INTEGER NOT NULL,
    ligne         INTEGER NOT NULL,
    code_ali      VARCHAR,                  -- seulement s'il figure au référentiel
    colonne       VARCHAR,
    motif         VARCHAR NOT NULL,         -- libellé stable, compté par motif
    detail        VARCHAR                   -- précision sans valeur brute (ex. ligne du premier doublon)
);

CREATE TABLE IF NOT EXISTS budget (
    id_chargement   INTEGER NOT NULL,
    annee           INTEGER NOT NULL,
    code_ali        VARCHAR,                -- NULL : niveau département
    ligne           VARCHAR NOT NULL,
    montant_vote    DECIMAL(15, 2) NOT NULL,
    montant_execute DECIMAL(15, 2)          -- NULL : exercice en cours
);

-- Réglages de la base : « donnees_demo » = 'oui' quand la démonstration est chargée (bandeau).
CREATE TABLE IF NOT EXISTS meta (
    cle    VARCHAR PRIMARY KEY,
    valeur VARCHAR
);

-- --- Les autres fichiers du contrat (§7.2 à §7.5, schéma 9). Chacun a sa table d'historique (toutes les lignes
-- acceptées de chaque chargement) et sa table courante (les lignes des instantanés en place), mêmes colonnes.

-- Quels instantanés existent pour ces fichiers, et lequel est courant pour chaque périmètre (clé) :
-- mises_en_relation : 'STRUCTURE|ALI' ; actions_collectives et participations : la structure organisatrice ;
-- moyens : l'ALI ; structures : 'annuaire' (l'annuaire est remplacé en entier, sans date_extraction).
CREATE TABLE IF NOT EXISTS instantanes_systemes (
    nature          VARCHAR NOT NULL,
    cle             VARCHAR NOT NULL,
    date_extraction DATE,                   -- NULL pour l'annuaire
    id_chargement   INTEGER NOT NULL,
    lignes          INTEGER NOT NULL,
    courant         BOOLEAN NOT NULL
);

-- §7.2 Mises en relation par les structures partenaires.
CREATE TABLE IF NOT EXISTS mises_en_relation_historique (
    id_chargement         INTEGER NOT NULL,
    id_beneficiaire       VARCHAR NOT NULL,
    code_ali              VARCHAR NOT NULL,
    code_structure        VARCHAR NOT NULL,
    date_mise_en_relation DATE NOT NULL,
    taille_entreprise     VARCHAR NOT NULL,   -- tpe, pme, eti_ge, inconnue
    secteur_naf           VARCHAR,            -- section A à U
    issue                 VARCHAR NOT NULL,   -- en_cours, embauche, refus_employeur, refus_personne, abandon
    date_embauche         DATE,               -- si embauche
    type_contrat          VARCHAR,            -- si embauche
    duree_contrat_mois    INTEGER,            -- vide pour un CDI
    contrat_long          BOOLEAN,            -- embauche en CDI, création, ou durée ≥ 6 mois (NULL sans embauche)
    date_extraction       DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS mises_en_relation AS SELECT * FROM mises_en_relation_historique WITH NO DATA;  -- noqa: AM04
-- Clé de cellule de la personne (schéma 10, insertion/store/cles.py), comme episodes.cle_personne.
ALTER TABLE mises_en_relation ADD COLUMN IF NOT EXISTS cle_personne UINTEGER;

-- §7.3 Actions collectives : une ligne par séance.
CREATE TABLE IF NOT EXISTS actions_collectives_historique (
    id_chargement          INTEGER NOT NULL,
    id_action              VARCHAR NOT NULL,
    type_action            VARCHAR NOT NULL,
    code_structure         VARCHAR NOT NULL,
    code_ali               VARCHAR,
    code_commune           VARCHAR NOT NULL,
    quartier               VARCHAR,
    date_action            DATE NOT NULL,
    places                 INTEGER,
    participants           INTEGER NOT NULL,
    rendez_vous_pris       INTEGER,
    personnes_remobilisees INTEGER,
    date_extraction        DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS actions_collectives AS
SELECT * FROM actions_collectives_historique WITH NO DATA;  -- noqa: AM04
-- Clé de cellule de la séance (schéma 10) : ses effectifs déclarés n'ont pas de membres nommés.
ALTER TABLE actions_collectives ADD COLUMN IF NOT EXISTS cle_action UINTEGER;

-- §7.3 Participations : qui a participé à quelle séance (séance des actions collectives en place au chargement).
CREATE TABLE IF NOT EXISTS participations_historique (
    id_chargement   INTEGER NOT NULL,
    id_beneficiaire VARCHAR NOT NULL,
    id_action       VARCHAR NOT NULL,
    code_structure  VARCHAR NOT NULL,       -- l'organisatrice de la séance : le périmètre de l'instantané
    date_extraction DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS participations AS SELECT * FROM participations_historique WITH NO DATA;  -- noqa: AM04
ALTER TABLE participations ADD COLUMN IF NOT EXISTS cle_personne UINTEGER;

-- §7.4 Moyens : référents et places, par ALI et par mois.
CREATE TABLE IF NOT EXISTS moyens_historique (
    id_chargement   INTEGER NOT NULL,
    code_ali        VARCHAR NOT NULL,
    mois            DATE NOT NULL,          -- premier jour du mois
    referents_etp   DECIMAL(9, 2) NOT NULL,
    places          INTEGER NOT NULL,
    cip_ecole       INTEGER,
    date_extraction DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS moyens AS SELECT * FROM moyens_historique WITH NO DATA;  -- noqa: AM04

-- §7.5 Annuaire des structures (organisations, jamais de contact personnel).
CREATE TABLE IF NOT EXISTS structures_historique (
    id_chargement  INTEGER NOT NULL,
    code_structure VARCHAR NOT NULL,
    nom_structure  VARCHAR NOT NULL,
    type           VARCHAR NOT NULL,
    code_commune   VARCHAR NOT NULL,
    domaines       VARCHAR[] NOT NULL,
    reseaux        VARCHAR[] NOT NULL,
    site_web       VARCHAR
);
CREATE TABLE IF NOT EXISTS structures AS SELECT * FROM structures_historique WITH NO DATA;  -- noqa: AM04
