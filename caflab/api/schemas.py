"""The shapes of the API's answers (pydantic, through django-ninja): the OpenAPI description
is generated from them, and every answer is validated against them before it leaves."""

import datetime

from ninja import Schema


class CafRef(Schema):
    code: str
    name: str


class ThemeRef(Schema):
    slug: str
    name: str


class RegionOut(Schema):
    code: str
    name: str


class CafOut(Schema):
    code: str
    name: str
    department: str
    region: RegionOut | None
    kind: str
    is_overseas: bool


class ProgrammeOut(Schema):
    slug: str
    name: str
    description: str


class DeploymentOut(Schema):
    caf: CafRef
    status: str | None = None
    status_label: str | None = None
    status_changed_at: datetime.datetime | None = None


class ProjectOut(Schema):
    code: str
    title: str
    problem: str
    solution: str
    target_publics: str
    stage: str
    stage_label: str
    pilot_caf: CafRef | None
    themes: list[ThemeRef]
    deployments: list[DeploymentOut]
    url: str
    updated_at: datetime.datetime
    # Portfolio readers only (null on a public sheet): as on the project's page.
    in_portfolio: bool
    stage_changed_at: datetime.datetime | None = None
    health: str | None = None
    track: str | None = None
    is_draft: bool | None = None
    programmes: list[ThemeRef] | None = None


class InitiativeOut(Schema):
    id: int
    title: str
    summary: str
    problem: str
    actions: str
    results: str
    status: str
    status_label: str
    caf: CafRef
    themes: list[ThemeRef]
    publics: list[ThemeRef]
    published_at: datetime.datetime | None
    url: str
    updated_at: datetime.datetime


class InitiativeRef(Schema):
    id: int
    title: str
    caf: CafRef


class PitchOut(Schema):
    position: int | None
    slot_minutes: int
    # Null when the reader does not see the initiative (a draft of another Caf).
    initiative: InitiativeRef | None


class CrieeOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime.datetime
    format: str
    place: str
    online_url: str
    status: str
    status_label: str
    themes: list[ThemeRef]
    programme: list[PitchOut]
    follow_up_summary: str
    url: str
    updated_at: datetime.datetime


class ConsultationOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    audience: str
    access: str
    status: str
    status_label: str
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    caf: CafRef | None
    perimeter_cafs: list[CafRef]
    results_available: bool
    restitution_id: int | None
    url: str
    updated_at: datetime.datetime


class GroupOut(Schema):
    key: str
    label: str
    # Null below the minimum group size: too few people, the count could point at someone.
    count: int | None
    masked: bool


class OptionOut(Schema):
    label: str
    count: int
    percent: float | None
    mean_rank: float | None
    is_other: bool


class DistributionOut(Schema):
    label: str
    count: int


class QuestionResultOut(Schema):
    number: int
    label: str
    kind: str
    answered: int
    options: list[OptionOut]
    mean: float | None
    minimum: str | None
    maximum: str | None
    distribution: list[DistributionOut]
    text_count: int
    other_count: int


class ResultsOut(Schema):
    consultation_id: int
    min_group_size: int
    computed_at: datetime.datetime | None
    pending: bool
    response_count: int
    by_audience: list[GroupOut]
    by_caf: list[GroupOut]
    segment: str
    masked: bool
    questions: list[QuestionResultOut]


class ProjectRef(Schema):
    code: str
    title: str
    stage: str
    stage_label: str


class DecisionUpdateOut(Schema):
    at: datetime.datetime
    status: str
    progress: int
    text: str


class DecisionOut(Schema):
    id: int
    said: str
    done: str
    status: str
    status_label: str
    progress: int
    # Null when the reader may open neither the project's page nor its public sheet.
    project: ProjectRef | None
    latest_update: DecisionUpdateOut | None


class ConsultationRef(Schema):
    id: int
    slug: str
    title: str


class RestitutionOut(Schema):
    id: int
    consultation: ConsultationRef
    synthesis: str
    published_at: datetime.datetime | None
    decisions: list[DecisionOut]
    url: str
    follow_up_url: str
    updated_at: datetime.datetime


class Page(Schema):
    """A page of a list: `next` is the link to the following page (null on the last)."""

    next: str | None
    count: int


class ProjectPage(Page):
    results: list[ProjectOut]


class InitiativePage(Page):
    results: list[InitiativeOut]


class CrieePage(Page):
    results: list[CrieeOut]


class ConsultationPage(Page):
    results: list[ConsultationOut]


class RestitutionPage(Page):
    results: list[RestitutionOut]


class CafPage(Page):
    results: list[CafOut]


class ProgrammePage(Page):
    results: list[ProgrammeOut]


class ErrorOut(Schema):
    detail: str
