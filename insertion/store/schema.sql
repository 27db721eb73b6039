-- Schéma de la base ALI 93. Exécuté à chaque ouverture en écriture : tout est idempotent.
-- La base se reconstruit à partir des extractions ; elle n'est jamais versionnée dans git.

CREATE SEQUENCE IF NOT EXISTS seq_chargement START 1;

-- Un enregistrement par fichier chargé (statut 'loaded' ou 'older_snapshot').
-- Les fichiers refusés et les rechargements à l'identique ne touchent pas la base.
CREATE TABLE IF NOT EXISTS chargements (
    id_chargement     INTEGER PRIMARY KEY,
    fichier           VARCHAR NOT NULL,
    empreinte         VARCHAR NOT NULL,      -- SHA-256 du contenu : détecte les rechargements
    nature            VARCHAR NOT NULL,      -- 'file_active' ou 'budget'
    statut            VARCHAR NOT NULL,      -- 'loaded' ou 'older_snapshot'
    date_extraction   DATE,                  -- NULL pour un fichier budget
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
