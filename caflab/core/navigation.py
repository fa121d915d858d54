"""What the shell offers each role: the main navigation and the home page's entry points.

Both are plain data built here, so templates only loop over them and tests can read them.
A named URL that does not resolve (its app is not built yet) is left out of the navigation and
shown on the home page as "Bientôt disponible": the shell never links to a page that 404s.
"""

import functools
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caflab.accounts.permissions import can_assign_pending
from caflab.engagement.moderation import kinds_for
from caflab.network.permissions import can_view_caf_dashboard


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class EntryPoint:
    title: str
    description: str
    url: str | None  # None: not built yet, shown as "Bientôt disponible"


def url_or_none(name: str, **kwargs: Any) -> str | None:
    """The URL, or None when it does not resolve. Kept per URL configuration, script prefix
    and language: the shell asks for the same dozen URLs on every page, and a reverse() costs
    as much as rendering a small template."""
    try:
        return _reverse(
            name,
            tuple(sorted(kwargs.items())),
            get_resolver(get_urlconf()),
            get_script_prefix(),
            get_language(),
        )
    except NoReverseMatch:
        return None


@functools.lru_cache(maxsize=1024)
def _reverse(name: str, kwargs: tuple, resolver: Any, prefix: str, language: str | None) -> str:
    # The resolver is part of the key: clear_url_caches() (tests, a reloaded URLconf) makes a
    # new one, so nothing answered for the old configuration is reused.
    return reverse(name, kwargs=dict(kwargs) or None)


def login_url(request: HttpRequest) -> str | None:
    url = url_or_none("accounts:login")
    if url and request.path not in ("/", url):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


def caf_dashboard_url(user: Any) -> str | None:
    """The user's own Caf dashboard, for those allowed to see it (its correspondents)."""
    if not (user.is_authenticated and user.caf_id):
        return None
    caf = user.caf
    if not can_view_caf_dashboard(user, caf):
        return None
    return url_or_none("network:caf-dashboard", code=caf.code)


def main_nav(request: HttpRequest) -> list[NavItem]:
    user = request.user
    entries: list[tuple[str, str | None]]
    if user.is_authenticated and user.is_network_member:
        entries = [
            (_("Portefeuille"), url_or_none("projects:index")),
            (_("Criées"), url_or_none("criees:index")),
            (_("Écoute"), url_or_none("ecoute:index")),
            (_("Évaluation"), url_or_none("evaluation:index")),
            (_("Réseau"), url_or_none("network:caf-list")),
            (_("Ma Caf"), caf_dashboard_url(user)),
        ]
        if user.is_staff:
            entries.append((_("Administration"), url_or_none("admin:index")))
    elif user.is_authenticated:
        entries = []
        if user.is_partner:
            entries.append((_("Mes projets"), url_or_none("projects:index")))
            entries.append((_("Incubateur"), url_or_none("incubator:index")))
        entries += [
            (_("La Caf à votre écoute"), url_or_none("ecoute:index")),
            (_("Mon compte"), url_or_none("accounts:profile")),
        ]
    else:
        entries = [
            (_("La Caf à votre écoute"), url_or_none("ecoute:index")),
            (_("Se connecter"), login_url(request)),
        ]
    items = [(label, url) for label, url in entries if url]
    # The current entry is the one whose URL is the longest prefix of the path, so that
    # /reseau/38/ marks "Ma Caf" and not "Réseau".
    path = request.path
    matches = [url for _label, url in items if path.startswith(url.split("?")[0])]
    current = max(matches, key=len, default=None)
    return [NavItem(label, url, url == current) for label, url in items]


def entry_points(user: Any) -> list[EntryPoint]:
    """The home page's cards: what this role comes to CafLab to do."""
    if not user.is_authenticated:
        return [
            *_public_entry_points(),
            EntryPoint(
                _("Se connecter"),
                _(
                    "Agents des Caf et de la Cnaf, partenaires et usagers inscrits : "
                    "retrouvez votre espace."
                ),
                url_or_none("accounts:login"),
            ),
        ]
    if user.is_lab_staff:
        points = _lab_entry_points()
    elif user.is_correspondent:
        points = _correspondent_entry_points(user)
    elif user.is_directorate_member:
        points = _directorate_entry_points()
    elif user.is_network_member:  # agents, moderators, administrators
        points = _agent_entry_points()
    elif user.is_partner:
        points = [
            EntryPoint(
                _("Mes projets incubés"),
                _("Les projets de l’incubateur auxquels votre organisation participe."),
                url_or_none("projects:index"),
            ),
            *_public_entry_points(),
        ]
    else:
        points = [
            *_public_entry_points(),
            EntryPoint(
                _("Mon compte"),
                _("Vos informations et vos préférences de notification."),
                url_or_none("accounts:profile"),
            ),
        ]
    if getattr(user, "is_pending", False):
        points.insert(
            0,
            EntryPoint(
                _("Votre compte attend sa Caf"),
                _("Vous serez prévenu·e par e-mail dès que vous serez rattaché·e à votre Caf."),
                url_or_none("accounts:pending"),
            ),
        )
    if not getattr(user, "is_pending", False):
        points.append(_events_entry_point(user))
    if user.is_network_member or user.is_partner:
        points.append(_incubator_entry_point(user))
    if can_assign_pending(user):
        points.append(
            EntryPoint(
                _("Comptes à rattacher"),
                _(
                    "Les agents connectés avec leur identité professionnelle qui attendent "
                    "d’être rattachés à leur Caf."
                ),
                url_or_none("accounts:pending-list"),
            )
        )
    if kinds_for(user):
        points.append(
            EntryPoint(
                _("Modération"),
                _(
                    "Une seule file pour les commentaires et contributions de toutes les "
                    "rubriques : ce qui attend une décision, ce qui a été masqué."
                ),
                url_or_none("engagement:queue"),
            )
        )
    if user.is_staff:
        points.append(
            EntryPoint(
                _("Administration"),
                _("Comptes, rôles et référentiels du réseau."),
                url_or_none("admin:index"),
            )
        )
    return points


def _events_entry_point(user: Any) -> EntryPoint:
    """Trainings, debates, webinars: every signed-in person registers to those of their
    audience; the lab and the correspondents organise them."""
    if user.is_lab_staff or user.is_correspondent:
        description = _(
            "Organiser formations, débats et webinaires, relever la présence, "
            "suivre les chiffres de l’année."
        )
    else:
        description = _(
            "Formations, débats, webinaires : s’inscrire, ajouter à son agenda, "
            "retrouver ses inscriptions."
        )
    return EntryPoint(_("Formations et événements"), description, url_or_none("events:index"))


def _incubator_entry_point(user: Any) -> EntryPoint:
    """Calls for projects: the lab runs them, network members and partners apply."""
    if user.is_lab_staff:
        description = _(
            "Lancer les appels à projets, réunir le jury, décider et suivre les promotions."
        )
    else:
        description = _(
            "Les appels à projets de l’incubateur : candidater, suivre sa candidature et sa "
            "promotion."
        )
    return EntryPoint(_("Incubateur"), description, url_or_none("incubator:index"))


def _public_entry_points() -> list[EntryPoint]:
    return [
        EntryPoint(
            _("La Caf à votre écoute"),
            _(
                "Répondez aux consultations, proposez vos idées et témoignez de votre "
                "expérience des services de la Caf."
            ),
            url_or_none("ecoute:index"),
        ),
    ]


def _portfolio(description: str) -> EntryPoint:
    return EntryPoint(_("Portefeuille d’innovations"), description, url_or_none("projects:index"))


def _lab_entry_points() -> list[EntryPoint]:
    return [
        _portfolio(
            _(
                "Tous les projets du réseau, de l’idée à la généralisation : "
                "étapes, santé, freins et leviers."
            )
        ),
        _cockpit(),
        EntryPoint(
            _("Tri des idées"),
            _("Examiner les idées soumises et décider de leur suite."),
            url_or_none("ideas:triage"),
        ),
        EntryPoint(
            _("Séances et défis"),
            _(
                "Les demandes de séance des directions, les séances de créativité et les défis "
                "du réseau."
            ),
            url_or_none("ideas:session-request-list"),
        ),
        EntryPoint(
            _("Tableaux de bord du réseau"),
            _("Les 101 Caf : leurs idées, leurs initiatives et leurs essaimages."),
            url_or_none("network:caf-list"),
        ),
        EntryPoint(
            _("Criées"),
            _("Valider les initiatives locales et programmer les criées du réseau."),
            url_or_none("criees:index"),
        ),
        EntryPoint(
            _("La Caf à votre écoute"),
            _("Préparer les consultations des usagers et des agents, publier leurs restitutions."),
            url_or_none("ecoute:index"),
        ),
        EntryPoint(
            _("Évaluation"),
            _("Les plans d’évaluation participative et les rapports d’impact."),
            url_or_none("evaluation:index"),
        ),
    ]


def _correspondent_entry_points(user: Any) -> list[EntryPoint]:
    return [
        EntryPoint(
            _("Tableau de bord de ma Caf"),
            _("Les idées, les initiatives et les essaimages de votre Caf."),
            caf_dashboard_url(user),
        ),
        EntryPoint(
            _("Criées"),
            _("Proposer les initiatives de votre Caf et suivre l’intérêt des autres Caf."),
            url_or_none("criees:index"),
        ),
        EntryPoint(
            _("Idées de ma Caf"),
            _("Examiner les idées des agents de votre Caf et décider de leur suite."),
            url_or_none("ideas:triage"),
        ),
        _portfolio(_("Suivre les innovations du réseau et leurs essaimages.")),
    ]


def _agent_entry_points() -> list[EntryPoint]:
    return [
        EntryPoint(
            _("Boîte à idées"),
            _(
                "Proposer une idée pour améliorer le service rendu aux allocataires "
                "ou votre travail."
            ),
            url_or_none("ideas:idea-list"),
        ),
        EntryPoint(
            _("Catalogue des initiatives"),
            _("Découvrir ce que font les autres Caf et dire « nous voulons le reprendre »."),
            url_or_none("criees:index"),
        ),
        EntryPoint(
            _("Consultations"),
            _("Donner votre avis dans les consultations ouvertes aux agents."),
            url_or_none("ecoute:index"),
        ),
        _portfolio(_("Suivre les innovations du réseau, de l’idée à la généralisation.")),
    ]


def _directorate_entry_points() -> list[EntryPoint]:
    return [
        EntryPoint(
            _("Demander une séance de créativité"),
            _("Solliciter le CafLab pour une séance de créativité ou un accompagnement."),
            url_or_none("ideas:session-request-create"),
        ),
        _cockpit(),
        _portfolio(
            _(
                "Suivre les projets que votre direction parraine : leur étape, leur santé, "
                "leurs revues de passage."
            )
        ),
    ]


def _cockpit() -> EntryPoint:
    """The director's cockpit: the portfolio, blockers and levers, COG commitments at a glance."""
    return EntryPoint(
        _("Cockpit de l’innovation"),
        _(
            "Le portefeuille en un écran : étapes, revues de passage, freins et leviers, "
            "engagements de la COG, effets négatifs et restitutions."
        ),
        url_or_none("projects:dashboard"),
    )
