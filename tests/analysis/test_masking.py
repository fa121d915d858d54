"""Personal data typed into free text is masked with realistic French formats; numbers that
only look like one (a wrong NIR key, an amount, a year) are left alone."""

import pytest

from analysis.masking import fold, mask, nir_key_is_valid


def nir_with_key(first13: str) -> str:
    digits = first13.replace("2A", "19").replace("2B", "18")
    return f"{97 - int(digits) % 97:02d}"


@pytest.mark.parametrize(
    "text",
    [
        "Rappelez-moi au 06 12 34 56 78 svp",
        "mon numéro : 0612345678",
        "tel 06.12.34.56.78",
        "tél. 01-23-45-67-89",
        "depuis l'étranger +33 6 12 34 56 78",
        "ou le 0033 (0)1 23 45 67 89",
        "portable +33612345678 le soir",
    ],
)
def test_french_phone_numbers_are_masked(text):
    masked, found = mask(text)
    assert found
    assert "[téléphone masqué]" in masked
    assert not any(ch.isdigit() for ch in masked.split("[")[1].split("]")[0])
    assert "12 34" not in masked
    assert "1234" not in masked


@pytest.mark.parametrize(
    "text",
    ["écrivez à marie.dupont@orange.fr", "Contact : jean-pierre_45+caf@laposte.net merci"],
)
def test_email_addresses_are_masked(text):
    masked, found = mask(text)
    assert found
    assert "[e-mail masqué]" in masked
    assert "@" not in masked


def test_a_nir_with_a_valid_key_is_masked_spaced_or_not():
    body = "1850578006084"
    key = nir_with_key(body)
    spaced = f"1 85 05 78 006 084 {key}"
    for written in (spaced, body + key):
        masked, found = mask(f"Mon numéro de sécu est {written}.")
        assert found, written
        assert masked == "Mon numéro de sécu est [NIR masqué]."


def test_a_corsican_nir_counts_2a_as_19_for_its_key():
    body = "290052A004123"
    key = nir_with_key(body)
    assert nir_key_is_valid(body, key)
    masked, found = mask(
        f"sécu {body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:]} {key}"
    )
    assert found
    assert "[NIR masqué]" in masked


def test_a_fifteen_digit_number_with_a_wrong_key_is_not_taken_for_a_nir():
    body = "1850578006084"
    wrong = f"{(int(nir_with_key(body)) + 1) % 97:02d}"
    masked, found = mask(f"référence 1 85 05 78 006 084 {wrong}")
    assert not found
    assert wrong in masked


@pytest.mark.parametrize(
    "text",
    [
        "mon n° allocataire 1234567",
        "Numéro allocataire : 7654321",
        "numéro CAF 0123456",
        "N° CAF: 1234567",
        "matricule 2345678",
    ],
)
def test_allocataire_numbers_next_to_their_words_are_masked(text):
    masked, found = mask(text)
    assert found
    assert "[n° allocataire masqué]" in masked
    assert not any(ch.isdigit() for ch in masked)


@pytest.mark.parametrize(
    "text",
    [
        "J'attends depuis 3 semaines, 200 euros de retard, 1234567 habitants.",
        "En 2024 j'ai appelé 12 fois.",
        "Le dossier a 15 pages.",
    ],
)
def test_ordinary_numbers_are_left_alone(text):
    assert mask(text) == (text, False)


def test_fold_drops_case_accents_and_ligatures():
    assert fold("Élève  CŒUR à l'École") == "eleve coeur a l'ecole"
