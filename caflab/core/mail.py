"""The one place that builds every outgoing e-mail.

Each sender writes its plain text (tests and people reading mail as text rely on it) and says
why the person receives the mail; `mail_build` adds an HTML alternative rendered from
`templates/emails/base.html`: the CafLab identity, the message, one button for the one action,
the reason, and a link to the notification preferences when there are some.

The HTML shows the text up to its signature ("-- " on its own line, the usual delimiter) as
paragraphs, escaped, with its addresses made clickable; the lines that only carry the action's
address are left out of it, the button carries that address. No remote resource (image, font,
style sheet): mail clients block them and they would tell a sender when a mail is read.

Mails a preference governs (notifications, digests) pass `unsubscribe_url`: the headers of
RFC 2369 and RFC 8058 let mail clients offer a one-click "unsubscribe". Transactional mails
(invitation, password reset…) are not optional and pass none.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

SIGNATURE_DELIMITER = "\n-- \n"
# "que" loses its vowel before these ("parce qu'il", "parce qu'une"); no reason starts with a
# mute h.
ELIDED = frozenset("aàâeéèêiîoôuy")


@dataclass(frozen=True)
class MailAction:
    """The one thing the mail asks the person to do: a button label and an absolute URL."""

    label: str
    url: str


def mail_build(
    *,
    subject: str,
    text: str,
    to: Sequence[str],
    reason: str,
    action: MailAction | None = None,
    preferences_url: str = "",
    unsubscribe_url: str = "",
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
    text_says_reason: bool = False,
    html_message: str = "",
) -> EmailMultiAlternatives:
    """An e-mail with `text` as its body and an HTML alternative. `reason` completes "Vous
    recevez ce message parce que …"; it ends the text's signature too (one is started if the
    text has none), unless `text_says_reason` (the text already explains it its own way).
    `html_message`, when the sender has one: the message part of the HTML, already safe (a
    template's output, Markdown through `richtext`), in place of the text's paragraphs; the
    identity, the button, the reason and the links around it stay the layout's."""
    extra_headers = dict(headers or {})
    if unsubscribe_url:
        extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message, _signature = _split_signature(text)
    with translation.override(settings.LANGUAGE_CODE):
        if not text_says_reason:
            text = _with_reason(text, reason)
        html = render_to_string(
            "emails/base.html",
            {
                "subject": subject,
                "paragraphs": _paragraphs(message, action_url=action.url if action else ""),
                "html_message": html_message,
                "action": action,
                "reason": reason_sentence(reason),
                "preferences_url": preferences_url,
                "unsubscribe_url": unsubscribe_url,
            },
        )
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=list(to),
        headers=extra_headers,
    )
    mail.attach_alternative(html, "text/html")
    return mail


def reason_sentence(reason: str) -> str:
    """ "Vous recevez ce message parce que <reason>", with the elision French asks for ("parce
    qu'il…", "parce qu'une…")."""
    if reason[:1].lower() in ELIDED:
        return _("Vous recevez ce message parce qu’%(reason)s") % {"reason": reason}
    return _("Vous recevez ce message parce que %(reason)s") % {"reason": reason}


def _with_reason(text: str, reason: str) -> str:
    line = reason_sentence(reason)
    if SIGNATURE_DELIMITER in text:
        return f"{text.rstrip()}\n{line}\n"
    return f"{text.rstrip()}\n{SIGNATURE_DELIMITER}{line}\n"


def _split_signature(text: str) -> tuple[str, str]:
    head, _delimiter, signature = text.partition(SIGNATURE_DELIMITER)
    return head, signature


def _paragraphs(message: str, *, action_url: str) -> list[str]:
    """The message's paragraphs (split on blank lines), without the lines that only point to
    the action, which the button shows."""
    paragraphs = []
    for block in message.replace("\r\n", "\n").split("\n\n"):
        lines = [
            line
            for line in block.strip("\n").split("\n")
            if not (action_url and line.rstrip().endswith(action_url))
        ]
        kept = "\n".join(lines).strip()
        if kept:
            paragraphs.append(kept)
    return paragraphs
