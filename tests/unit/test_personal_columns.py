"""The purge's list of personal columns is what the models declare, and it can all be purged."""

from kcheck import models
from kcheck.retention import pii_columns

# What a reviewer of this list agreed is personal data (DESIGN.md, Retention). Adding a personal
# column means adding it here too, so the change is seen.
EXPECTED = {
    "cases": {"wrapped_data_key", "expected_name", "phone", "location", "location_country",
              "resubmission_message", "face_match"},
    "sms_challenges": {"phone", "phone_digest", "code_hash"},
    "photos": {"blob_key", "preview_key", "metrics", "mrz", "phash", "phash_bands",
               "document_digest"},
    "decisions": {"note"},
}


def declared() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table in models.Base.metadata.sorted_tables:
        for column in table.c:
            if column.info.get("personal"):
                out.setdefault(table.name, set()).add(column.name)
    return out


def test_the_purge_list_is_exactly_what_the_models_declare():
    purged = {table.name: {c.name for c in cols} for table, cols in pii_columns().items()}
    assert purged == declared() == EXPECTED


def test_every_personal_column_can_be_nulled_and_belongs_to_a_case():
    for table in models.Base.metadata.sorted_tables:
        for column in table.c:
            if column.info.get("personal"):
                assert column.nullable, f"{table.name}.{column.name} cannot be purged (NOT NULL)"
                assert table.name == "cases" or "case_id" in table.c, (
                    f"{table.name}.{column.name} is personal but the purge finds rows by case")

