-- Annuaire des structures du territoire (contrat §7.5), cherchable. Des organisations, jamais des personnes : pas
-- d'effectif, pas de clé de cellule, rien à masquer.
-- Filtres, chacun NULL quand il n'est pas posé :
--   communes : liste de codes INSEE, la structure est dans l'une d'elles ;
--   domaine : un domaine de la structure (emploi, formation, numerique, langue, logement, garde_enfants, mobilite,
--   sante, acces_droits) ;
--   reseau : un réseau de la structure (libellé libre, ex. reseau_pantin) ;
--   texte : cherché dans nom_structure, sans tenir compte de la casse ni des accents.
-- Paramètres : communes, domaine, reseau, texte.
-- Colonnes : code_structure, nom_structure, type, code_commune, commune (nom du référentiel), domaines, reseaux
-- (listes), site_web. Triées par commune puis par nom.
SELECT
    s.code_structure,
    s.nom_structure,
    s.type,
    s.code_commune,
    c.nom AS commune,
    s.domaines,
    s.reseaux,
    s.site_web
FROM structures AS s
LEFT JOIN ref_communes AS c USING (code_commune)
WHERE ($communes IS NULL OR list_contains($communes, s.code_commune))
    AND ($domaine IS NULL OR list_contains(s.domaines, $domaine))
    AND ($reseau IS NULL OR list_contains(s.reseaux, $reseau))
    AND (
        $texte IS NULL
        OR contains(strip_accents(lower(s.nom_structure)), strip_accents(lower(trim($texte))))
    )
ORDER BY c.nom, s.nom_structure, s.code_structure;
