"""One person's way through a questionnaire, page by page: the plan, the draft of answers kept
in the session between pages, the step shown, the validation of that step's answers and what
"next", "previous" and "send" do with the draft.

Knows no HTTP: the view parses the request, asks this object, then renders or redirects. The
submission itself stays `consultation_answer` (never wrapped in a transaction here: an
anonymous response's marker is committed on its own before the response waits for its batch).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError

from ecoute.conditions import answers_from_json, answers_to_json
from ecoute.forms.answering import SectionAnswerForm
from ecoute.models import Consultation, Question
from ecoute.plan import Plan, Step
from ecoute.services import (
    AlreadyAnswered,
    IncompleteAnswers,
    RateLimited,
    consultation_answer,
)

MODES = ("respond", "assist", "preview")


@dataclass(frozen=True)
class Move:
    """What a posted step leads to: `to_step` (a page to show next), `invalid` (show this step
    again with its errors), or neither (the last step is answered: send the response)."""

    to_step: int | None = None
    invalid: bool = False

    @property
    def finishes(self) -> bool:
        return self.to_step is None and not self.invalid


class AnsweringSession:
    """The draft and the current step of `questionnaire` for one browser session, in `mode`
    ("respond", "assist" or "preview": each keeps its own draft). Reading it costs the plan's
    three queries."""

    def __init__(
        self, *, consultation: Consultation, session: SessionBase, mode: str, step: Any = None
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"Unknown answering mode {mode!r}.")
        self.consultation = consultation
        self.questionnaire = consultation.questionnaire
        self.mode = mode
        self.session = session
        self.key = f"ecoute:draft:{mode}:{self.questionnaire.pk}"
        self.plan = Plan(self.questionnaire)
        self.draft = answers_from_json(session.get(self.key, {}))
        self.steps: list[Step] = self.plan.steps(self.draft)
        self.step: Step | None = self._step_at(step)

    def _step_at(self, raw: Any) -> Step | None:
        """The step numbered `raw` (a query parameter: anything), kept within the steps."""
        try:
            number = int(raw or 1)
        except ValueError:
            number = 1
        number = min(max(number, 1), max(len(self.steps), 1))
        return self.steps[number - 1] if self.steps else None

    # --- the draft in the session ---------------------------------------------------------------
    def save(self) -> None:
        self.session[self.key] = answers_to_json(self.draft)

    def clear(self) -> None:
        self.session.pop(self.key, None)

    # --- one step -------------------------------------------------------------------------------
    @property
    def is_last(self) -> bool:
        return self.step is not None and self.step.number == len(self.steps)

    def form(self, data: Any = None) -> SectionAnswerForm:
        """The current step's questions, bound to `data` when posted, started from the draft."""
        return SectionAnswerForm(data, plan=self.plan, step=self.step, draft=self.draft)

    def move(self, form: SectionAnswerForm, *, going_back: bool) -> Move:
        """Validate the posted step and keep its answers in the draft; say where to go.

        Going back with errors keeps the right answers (the rest is fixed later). A question
        skipped now loses its earlier answer. The session keeps the draft between pages only:
        a one-page questionnaire answered at once never writes a session."""
        step = self.step
        if not form.is_valid():
            if not going_back:
                return Move(invalid=True)
            self.draft.update(form.valid_answers())
            self.save()
            return Move(to_step=step.number - 1)
        for question in step.questions:
            self.draft.pop(question.pk, None)
        self.draft.update(form.answers)
        self.steps = self.plan.steps(self.draft)
        if going_back or step.number < len(self.steps):
            self.save()
            return Move(to_step=max(step.number - 1 if going_back else step.number + 1, 1))
        self.step = self.steps[-1]  # the answers may have removed steps after this one
        return Move()

    def step_of(self, question: Question) -> int:
        return self.plan.step_of(question, self.draft)

    # --- sending --------------------------------------------------------------------------------
    def submit(self, **sender: Any) -> None:
        """Send the draft as the response (`sender`: `consultation_answer`'s arguments about
        who sends it); a preview only checks that nothing required is missing. The draft goes
        once sent, or once refused as already answered; it stays for another try when refused
        otherwise (missing answers, rate limit, invalid)."""
        try:
            if self.mode == "preview":
                missing = self.plan.missing(self.draft)
                if missing:
                    raise IncompleteAnswers(missing)
            else:
                consultation_answer(
                    consultation=self.consultation,
                    answers=self.draft,
                    assisted=self.mode == "assist",
                    plan=self.plan,
                    **sender,
                )
        except AlreadyAnswered:
            self.clear()
            raise
        except (RateLimited, ValidationError):
            self.save()
            raise
        self.clear()
