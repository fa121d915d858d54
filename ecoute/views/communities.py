"""Community pages: the managers' list and a community's page (members, invitations), creating
one, "my communities" for members, joining, leaving, accepting an invitation, and inviting a
community to a consultation."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from ecoute.forms.communities import CommunityForm, ConsentForm, InviteForm
from ecoute.models import Community, CommunityInvitation, Consultation, Membership
from ecoute.services.common import AlreadyDone
from ecoute.services.communities import (
    InvalidInvitation,
    WrongInvitee,
    community_invite,
    consultation_invite_community,
    invitation_accept,
    invitation_from_token,
    membership_join,
    membership_leave,
)
from ecoute.views.common import managed_consultation


def _visible_community(request: HttpRequest, pk: int) -> Community:
    return get_object_or_404(
        Community.objects.visible_to(request.user).select_related("caf"), pk=pk
    )


def _active_membership(user: Any, community: Community) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.active().filter(community=community, user=user).first()


class CommunityListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """The communities a manager runs, with their member counts."""

    permission_required = "ecoute.add_community"
    template_name = "ecoute/communities/list.html"
    context_object_name = "communities"
    paginate_by = 25

    def get_queryset(self) -> Any:
        return Community.objects.managed_by(self.request.user).with_list_data().order_by("name")


class CommunityCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "ecoute.add_community"
    form_class = CommunityForm
    template_name = "ecoute/communities/form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: CommunityForm) -> HttpResponse:
        community = form.save(commit=False)
        user = self.request.user
        if not (user.is_lab_staff or user.is_moderator):
            community.caf = user.caf
        community.save()
        messages.success(self.request, _("La communauté est créée."))
        return redirect(community)


@login_required
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A community's page. Members read it and may leave; visitors of an open community may
    join; managers also see the members, the pending invitations and the invitation form."""
    community = _visible_community(request, pk)
    user = request.user
    is_manager = user.has_perm("ecoute.manage_community", community)
    context: dict[str, Any] = {
        "community": community,
        "is_manager": is_manager,
        "membership": _active_membership(user, community),
        "consultations": Consultation.objects.visible_to(user)
        .published()
        .filter(communities=community)
        .order_by("-opens_at"),
        "consent_form": ConsentForm(
            action=reverse("ecoute:community-join", kwargs={"pk": community.pk})
        ),
    }
    if is_manager:
        context.update(
            members=Membership.objects.active()
            .filter(community=community)
            .select_related("user")
            .order_by("joined_at", "pk"),
            invitations=CommunityInvitation.objects.pending()
            .filter(community=community)
            .order_by("-created_at"),
            invite_form=InviteForm(
                action=reverse("ecoute:community-invite", kwargs={"pk": community.pk})
            ),
        )
    return render(request, "ecoute/communities/detail.html", context)


@require_POST
@login_required
def community_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    community = _visible_community(request, pk)
    if not request.user.has_perm("ecoute.manage_community", community):
        raise PermissionDenied
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            community_invite(community=community, email=form.cleaned_data["email"], by=request.user)
        except AlreadyDone as done:
            messages.info(request, str(done))
        else:
            messages.success(request, _("L’invitation est envoyée."))
    else:
        messages.error(request, _("Indiquez une adresse e-mail valide."))
    return redirect(community)


@require_POST
@login_required
def community_join(request: HttpRequest, pk: int) -> HttpResponse:
    community = _visible_community(request, pk)
    form = ConsentForm(request.POST)
    try:
        membership_join(
            community=community,
            user=request.user,
            consent=form.is_valid() and form.cleaned_data["consent"],
        )
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect(community)
    except AlreadyDone as done:
        messages.info(request, str(done))
    else:
        messages.success(
            request, _("Bienvenue dans la communauté « %(name)s ».") % {"name": community.name}
        )
    return redirect("ecoute:my-communities")


@login_required
def community_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm; POST: leave at once."""
    membership = get_object_or_404(
        Membership.objects.active().select_related("community"), community=pk, user=request.user
    )
    if request.method == "POST":
        try:
            membership_leave(membership=membership)
        except AlreadyDone as done:
            messages.info(request, str(done))
        else:
            messages.success(
                request,
                _("Vous avez quitté la communauté « %(name)s ».")
                % {"name": membership.community.name},
            )
        return redirect("ecoute:my-communities")
    return render(request, "ecoute/communities/leave.html", {"membership": membership})


class MyCommunitiesView(LoginRequiredMixin, ListView):
    """The communities the signed-in person belongs to, and the open ones they may join."""

    template_name = "ecoute/communities/mine.html"
    context_object_name = "memberships"

    def get_queryset(self) -> Any:
        return (
            Membership.objects.active()
            .filter(user=self.request.user)
            .select_related("community__caf")
            .order_by("community__name")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        mine = [m.community_id for m in context["memberships"]]
        context["open_communities"] = (
            Community.objects.filter(is_open=True)
            .exclude(pk__in=mine)
            .select_related("caf")
            .order_by("name")
        )
        return context


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation's link opens: who invites, the consent text, then a consent form
    for the signed-in invitee (anonymous visitors are asked to log in or create an account)."""
    try:
        invitation_ = invitation_from_token(token)
    except InvalidInvitation as invalid:
        return render(
            request,
            "ecoute/communities/invitation_invalid.html",
            {"reason": str(invalid)},
            status=404,
        )
    community = invitation_.community
    form = ConsentForm(request.POST or None, submit=_("Accepter l’invitation"))
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        try:
            invitation_accept(invitation=invitation_, user=request.user, consent=True)
        except InvalidInvitation as invalid:
            messages.error(request, str(invalid))
            return render(
                request,
                "ecoute/communities/invitation_invalid.html",
                {"reason": str(invalid)},
                status=403 if isinstance(invalid, WrongInvitee) else 404,
            )
        except AlreadyDone as done:
            messages.info(request, str(done))
        else:
            messages.success(
                request, _("Bienvenue dans la communauté « %(name)s ».") % {"name": community.name}
            )
        return redirect("ecoute:my-communities")
    return render(
        request,
        "ecoute/communities/invitation.html",
        {"community": community, "form": form, "invited_email": invitation_.email},
    )


@require_POST
@login_required
def consultation_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager invites the community of a community consultation (each member once)."""
    consultation = managed_consultation(request, pk)
    try:
        consultation_invite_community(consultation=consultation, by=request.user)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(
            request,
            _(
                "Les membres de la communauté sont invités ; ceux qui l’étaient déjà ne "
                "reçoivent pas de second message."
            ),
        )
    return redirect(consultation.get_manage_url())
