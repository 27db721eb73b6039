"""Les nombres écrits par insertion.formats sont ceux de babel, quel que soit l'ordre des appels (cache)."""

from __future__ import annotations

import random

from babel.numbers import format_decimal

from insertion import formats


def test_memes_chaines_que_babel_sur_des_valeurs_tirees():
    tirage = random.Random(93)
    valeurs = [tirage.uniform(-1e8, 1e8) for _ in range(500)] + [tirage.uniform(-1, 1) for _ in range(500)]
    for v in valeurs + [12_600, 46e6, 0.385, -0.04]:
        for chiffres in (0, 1, 2):
            motif = "#,##0." + "0" * chiffres if chiffres else "#,##0"
            assert formats.decimal(v, chiffres) == format_decimal(v, format=motif, locale="fr_FR")
        assert formats.entier(v) == format_decimal(round(v), format="#,##0", locale="fr_FR")
    assert (formats.entier(12_600), formats.millions_euros(46e6), formats.pourcentage(0.385)) == (
        "12\u202f600",
        "46,0\u202fM€",
        "38,5\u202f%",
    )


def test_zero_negatif_ne_decide_pas_de_l_ecriture_de_zero():
    formats._nombre.cache_clear()
    assert formats.decimal(-0.0, 0) == formats.decimal(0.0, 0) == "0"
    formats._nombre.cache_clear()
    assert formats.decimal(0.0, 1) == formats.decimal(-0.0, 1) == "0,0"
