"""An anonymous respondent on a busy shared connection answers in the browser: the page carries
a proof-of-work challenge, static/js/ecoute-pow.js solves it with crypto.subtle and says so in a
live region, the keyboard sends the form, the server accepts the proof. Zero axe violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ecoute.models import Question, Response
from tests.e2e.test_ecoute import tab_to
from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_anonymous_respondent_over_the_threshold_answers_with_the_proof_solved_by_the_page(
    page, live_server, settings, lab_staff, assert_accessible
):
    settings.ECOUTE_ANONYMOUS_CHALLENGE_AFTER = 0  # this connection is already "busy"
    settings.POW_DIFFICULTY = 8  # quick in tests; the real one asks about 2**16 hashes
    consultation = ConsultationFactory(
        title="Le site caf.fr", slug="site-caf-pow", owner=lab_staff, allow_anonymous=True
    )
    QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.SINGLE_CHOICE,
        label="Trouvez-vous facilement l'information ?",
        is_required=True,
        options=["Oui", "Non"],
    )

    page.goto(live_server.url + reverse("ecoute:answer", kwargs={"slug": consultation.slug}))
    status = page.get_by_role("status").filter(has_text="Vérification")
    expect(status).to_have_text("Vérification terminée\u00a0: vous pouvez envoyer vos réponses.")
    assert page.locator("input[name='preuve']").input_value().isdigit()
    assert_accessible(page)

    yes = page.get_by_label("Oui", exact=True)
    tab_to(page, yes)
    page.keyboard.press("Space")
    expect(yes).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Envoyer mes réponses"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre réponse")
    assert_accessible(page)
    stored = Response.objects.get(questionnaire__consultation=consultation)
    assert stored.is_anonymous
