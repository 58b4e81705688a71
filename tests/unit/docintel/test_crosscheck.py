"""Cross-check signals for the reviewer."""

from datetime import date

from kcheck.docintel import crosscheck as cc


def test_name_order_and_accents_do_not_matter():
    assert cc.name_similarity("Anna Müller", "MUELLER", "ANNA") == 1.0
    assert cc.name_similarity("müller, anna", "MULLER", "ANNA") == 1.0
    assert cc.name_similarity("Chloé Dubois", "DUBOIS", "CHLOE") == 1.0
    assert cc.name_signal(cc.name_similarity("Léa De La Croix", "DE LA CROIX", "LEA")) == "match"


def test_a_different_name_is_a_mismatch_and_a_typo_is_close():
    assert cc.name_signal(cc.name_similarity("Marco Rossi", "KELLER", "LEA")) == "mismatch"
    assert cc.name_similarity("Anna Mueler", "MUELLER", "ANNA") >= 0.85
    assert cc.name_similarity(None, "MUELLER", "ANNA") is None
    assert cc.name_signal(None) == "not_compared"


def test_document_type_expiry_and_country_signals():
    assert cc.document_type_signal("passport", "P") == "match"
    assert cc.document_type_signal("id_card", "ID") == "match"
    assert cc.document_type_signal("id_card", "P") == "mismatch"
    assert cc.document_type_signal("id_card", None) == "unknown"
    assert cc.expiry_signal("2026-11-24", date(2026, 11, 25)) == "expired"
    assert cc.expiry_signal("2026-11-25", date(2026, 11, 25)) == "valid"
    assert cc.expiry_signal(None, date(2026, 11, 25)) == "unknown"
    assert cc.country_signal("CH", "CHE", "CHE") == "same"
    assert cc.country_signal("DE", "D", "D") == "same"  # Germany is D in an MRZ
    assert cc.country_signal("FR", "CHE", "CHE") == "different"
    assert cc.country_signal(None, "CHE", "CHE") == "unknown"
