"""Les tableaux de la vue « Bénéficiaires suivis » : répartition de la file active par profil (modalités dans
l'ordre du contrat, « non renseigné » compris) et son secret statistique, classement des ALI, libellés des
territoires, pour que les pages ne fassent que la mise en page.
"""

from __future__ import annotations

import pandas as pd

from insertion import contrat, formats
from insertion.indicators import libelles
from insertion.indicators.definitions import Definition
from insertion.protect import secret

# Dimension du profil → (libellé, libellés des modalités) ; l'ordre des modalités est celui du contrat.
DIMENSIONS = {
    "tranche_age": ("Tranche d'âge", libelles.TRANCHES_AGE),
    "sexe": ("Sexe", libelles.SEXES),
    "type_parcours": ("Type de parcours", libelles.PARCOURS),
    "composition_foyer": ("Composition du foyer", libelles.COMPOSITIONS_FOYER),
    "anciennete_rsa": ("Ancienneté au RSA", libelles.ANCIENNETES_RSA),
}


NON_RENSEIGNE = contrat.CODE_NON_RENSEIGNE


def repartition_complete(df: pd.DataFrame, dimension: str, *, exempte: bool = True) -> pd.DataFrame:
    """Une ligne par modalité du contrat, dans l'ordre du contrat, plus « non renseigné » quand il y en a ;
    colonnes modalite, libelle, file_active, total (pour un seul groupe). Une modalité sans personne vaut 0
    au département exempté, et reste masquée (NaN) ailleurs, comme tout zéro publié sous le département. Le
    total est celui de la requête (publié comme une case à part), pas la somme des modalités publiées."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Dimension inconnue : {dimension!r}")
    mapping = DIMENSIONS[dimension][1]
    comptes = {str(m): float(n) for m, n in zip(df["modalite"], df["file_active"], strict=True)}
    absent = 0.0 if exempte else float("nan")
    total = float(df["total"].iloc[0]) if "total" in df and len(df) else float(sum(comptes.values()))
    codes = list(mapping) + [c for c in comptes if c not in mapping and c != NON_RENSEIGNE]
    if comptes.get(NON_RENSEIGNE):
        codes.append(NON_RENSEIGNE)
    return pd.DataFrame(
        {
            "modalite": codes,
            "libelle": [libelles.NON_RENSEIGNE if c == NON_RENSEIGNE else mapping.get(c, c) for c in codes],
            "file_active": [comptes.get(c, absent) for c in codes],
            "total": total,
        }
    )


def libelles_territoires(groupe: str) -> dict[str, str]:
    return libelles.ali() if groupe == "ali" else libelles.epts()


def classement_ali(file_active: pd.DataFrame, entrees_sorties: pd.DataFrame) -> pd.DataFrame:
    """File active à D et mouvements de la période par ALI : code_ali, libelle, file_active, entrees, sorties
    (une ALI du périmètre sans personne suivie à D vaut 0)."""
    fa = file_active.rename(columns={"groupe": "code_ali"})[["code_ali", "file_active"]]
    es = entrees_sorties.rename(columns={"groupe": "code_ali"})[["code_ali", "entrees", "sorties"]]
    # Pas de fillna(0) : une case masquée par la couche de publication (NaN) reste masquée.
    out = fa.merge(es, on="code_ali", how="outer")
    for colonne in ("file_active", "entrees", "sorties"):
        out[colonne] = pd.to_numeric(out[colonne], errors="coerce").astype("float64")
    noms = libelles.ali()
    out.insert(1, "libelle", [noms.get(c, c) for c in out["code_ali"]])
    return out.sort_values("code_ali").reset_index(drop=True)


def ordre_classement(protege: pd.DataFrame, colonne: str = "file_active") -> pd.DataFrame:
    """Tri du classement sur les valeurs protégées (index d'origine gardé) et rang : les cases masquées à la
    fin, par code et sans rang (leur ordre réel révélerait des effectifs masqués) ; ex aequo au même rang."""
    out = protege.assign(_masque=protege[colonne].isna())
    out = out.sort_values(["_masque", colonne, "code_ali"], ascending=[True, False, True], kind="stable")
    rangs = out[colonne].rank(method="min", ascending=False)
    out["rang"] = pd.Series([None if pd.isna(r) else int(r) for r in rangs], index=out.index, dtype=object)
    return out.drop(columns="_masque")


def texte_part(part: object) -> str:
    """Part d'une modalité ; une part absente est masquée : non diffusée."""
    return secret.LIBELLE_MASQUE if part is None or pd.isna(part) else formats.pourcentage(float(part))


def proteger_repartition(repartition: pd.DataFrame, *, departement: bool) -> secret.Protege:
    """La répartition du profil (`repartition_complete`) protégée : effectifs des modalités (cases du total
    montré, masquage secondaire compris), total, et part de chaque modalité (colonne « part »), qui est un
    taux : diffusée seulement si le total atteint le seuil et si la modalité et le reste valent chacun 0
    ou au moins le seuil (« 3,6 % sur 112 » redonnerait 4 personnes) ; jamais celle d'un effectif masqué.
    departement : `secret.departement_exempte` du périmètre."""
    total = pd.to_numeric(repartition["total"], errors="coerce")
    df = repartition.assign(part=(repartition["file_active"] / total).where(total > 0))
    prot = secret.proteger(
        df,
        effectifs=["file_active", "total"],
        taux={"part": "total"},
        numerateurs={"part": "file_active"},
        ventilation=[],
        departement=departement,
    )
    masque = prot.masque["part"] | prot.masque["file_active"]
    prot.masque["part"] = masque & df["part"].notna()
    prot.donnees["part"] = prot.donnees["part"].where(~masque)
    return prot


DEFINITION_PROFIL = Definition(
    "Profil des personnes suivies",
    "File active à D répartie selon une caractéristique de l'épisode (tranche d'âge, sexe, type de parcours, "
    "composition du foyer, ancienneté au RSA). Une personne suivie dans deux ALI compte une fois : on retient "
    "son épisode le plus récent. Un champ facultatif vide compte en « non renseigné ».",
    "File active du périmètre à D (part de chaque modalité).",
    ("repartition_profil",),
)
