"""Vue d'ensemble : les chiffres clés du département (en construction)."""

from insertion import app, formats, secret, ui

ctx = app.page("Vue d'ensemble")
f = ctx.filtres
file_active = ctx.requete("file_active", periode=f.periode, perimetre=f.perimetre)
protege = secret.proteger(file_active, effectifs=["file_active"], departement=not f.sous_departement)
ui.kpi("Personnes suivies (file active)", protege.affichage({"file_active": formats.entier})["file_active"].iloc[0])
