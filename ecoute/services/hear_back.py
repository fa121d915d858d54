"""The addresses left to hear back (HearBackRequest): every e-mail sent to one carries a
one-click way to stop (a signed link, no account needed, and the List-Unsubscribe headers of
RFC 8058 that mail clients offer as a button); stopping deletes the address. News of what became
of a questionnaire's answers (an answer turned into an idea, the project it joined moving on)
is written once per event (HearBackNews) and e-mailed by the worker to each address once."""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit
from ecoute.models import HearBackNews, HearBackNewsEmail, HearBackRequest, Questionnaire

logger = logging.getLogger(__name__)

STOP_SALT = "ecoute.hear_back.stop"
# A news whose e-mails are not all sent after this long is sent again by the beat.
RESEND_AFTER_SECONDS = 600


def stop_token(hear_back: HearBackRequest) -> str:
    return signing.dumps(str(hear_back.pk), salt=STOP_SALT)


def stop_url(hear_back: HearBackRequest) -> str:
    return settings.SITE_URL + reverse(
        "ecoute:hear-back-stop", kwargs={"token": stop_token(hear_back)}
    )


def hear_back_for_token(token: str) -> tuple[bool, HearBackRequest | None]:
    """(is the token ours, the address if still kept)."""
    try:
        pk = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return False, None
    return True, HearBackRequest.objects.filter(pk=pk).select_related("questionnaire").first()


def hear_back_stop(*, hear_back: HearBackRequest) -> None:
    """The address asked to hear nothing more: it is deleted (with the record of what it was
    told)."""
    hear_back.delete()


def send_to_address(
    hear_back: HearBackRequest,
    subject: str,
    body: str,
    action: MailAction | None = None,
    html: str = "",
) -> None:
    """One e-mail to a hear-back address, with its link to stop (in the text and the HTML, and
    as the List-Unsubscribe headers: these e-mails are optional, the address asked for them).
    `html`: the message part of the HTML when the sender renders one (caflab.core.mail)."""
    url = stop_url(hear_back)
    with translation.override(settings.LANGUAGE_CODE):
        footer = _("Ne plus recevoir ces e-mails, en un clic : %(url)s") % {"url": url}
        reason = _(
            "vous avez laissé votre adresse pour être informé(e) des suites d’une consultation "
            "de « La Caf à votre écoute »."
        )
    mail_build(
        subject=subject,
        text=f"{body.rstrip()}\n{footer}\n",
        to=[hear_back.email],
        reason=reason,
        action=action,
        unsubscribe_url=url,
        text_says_reason=True,  # the hear-back templates' signatures say it
        html_message=html,
    ).send()


def send_each_once(
    *,
    questionnaire_id: int,
    told: Any,
    record: Callable[[HearBackRequest], Any],
    subject: str,
    body: str,
    what: str,
    on_sent: Callable[[int], None] | None = None,
    action: MailAction | None = None,
    html: str = "",
) -> tuple[int, int]:
    """E-mail the same message to each hear-back address of a questionnaire not told yet, each
    once: `record(hear_back)` (an unsaved row of the table that says who was told, `told` its
    rows for this message) is written in the transaction that sends, so a re-run or a second
    worker (blocked on the table's unique index) skips it, and a failed sending rolls it back
    for a later run. `on_sent(sent)` after each e-mail (a job's heartbeat; what it raises stops
    the loop). Returns (sent, failed)."""
    pending = HearBackRequest.objects.filter(questionnaire=questionnaire_id).exclude(
        pk__in=told.values("hear_back")
    )
    sent = failed = 0
    for hear_back in pending.order_by("pk").iterator():
        try:
            with transaction.atomic():
                record(hear_back).save(force_insert=True)
                send_to_address(hear_back, subject, body, action, html)
        except IntegrityError:  # another run is sending this one
            continue
        except Exception:  # SMTP down: logged and rolled back; a later run sends the rest
            logger.exception("%s: e-mail %s not sent", what, hear_back.pk)
            failed += 1
            continue
        sent += 1
        if on_sent is not None:
            on_sent(sent)
    return sent, failed


# --- news of what became of the answers ------------------------------------------------------


def news_queue(
    *, questionnaire: Questionnaire, key: str, subject: str, text: str, path: str
) -> HearBackNews | None:
    """Write the news once (the same `key` again is nothing) and queue its e-mails after the
    commit; nothing when nobody left an address."""
    if not HearBackRequest.objects.filter(questionnaire=questionnaire).exists():
        return None
    news, created = HearBackNews.objects.get_or_create(
        questionnaire=questionnaire,
        key=key[:120],
        defaults={"subject": subject[:200], "text": text, "path": path[:300]},
    )
    if created:
        from ecoute.tasks import send_hear_back_news

        enqueue_on_commit(send_hear_back_news, news.pk)
    return news


def news_send(*, news_id: int, now: Any = None) -> int:
    """E-mail the news to each address not told yet, each in the transaction that records it
    (a re-run, or two at once, never sends twice); `sent_at` once none is left. Returns how
    many went out."""
    news = HearBackNews.objects.select_related("questionnaire").get(pk=news_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[CafLab] %(subject)s") % {"subject": news.subject}
        link = f"{settings.SITE_URL}{news.path}"
        body = render_to_string("ecoute/emails/hear_back_news.txt", {"news": news, "link": link})
        action = MailAction(_("En savoir plus"), link)
    sent, failed = send_each_once(
        questionnaire_id=news.questionnaire_id,
        told=HearBackNewsEmail.objects.filter(news=news),
        record=lambda hear_back: HearBackNewsEmail(news=news, hear_back=hear_back),
        subject=subject,
        body=body,
        what=f"Hear-back news {news.pk}",
        action=action,
    )
    if not failed:
        HearBackNews.objects.filter(pk=news.pk, sent_at__isnull=True).update(
            sent_at=now or timezone.now()
        )
    return sent


def news_resend(now: Any = None) -> int:
    """Queue again the news whose e-mails were not all sent (a lost message, a dead worker,
    SMTP down); the number queued."""
    now = now or timezone.now()
    stale = HearBackNews.objects.filter(
        sent_at__isnull=True,
        created_at__lte=now - datetime.timedelta(seconds=RESEND_AFTER_SECONDS),
    )
    from caflab.core.queueing import enqueue
    from ecoute.tasks import send_hear_back_news

    queued = 0
    for pk in stale.values_list("pk", flat=True)[:500]:
        queued += bool(enqueue(send_hear_back_news, pk))
    return queued
