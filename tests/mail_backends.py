"""A real e-mail backend for tests that need the SMTP server to fail or to take its time,
selected through EMAIL_BACKEND (the `mail_server` fixture), instead of patching our code."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.core.mail.backends import locmem

Step = BaseException | Callable[[list], object]


@dataclass
class MailServer:
    """What the next sends meet: each send takes the next step of `script` (an exception is
    raised, a function is called with the messages and the send goes on), then `always` if
    set (raised at every send), and delivers to `django.core.mail.outbox` like locmem."""

    script: list[Step] = field(default_factory=list)
    always: BaseException | None = None
    sends: int = 0

    def fail(self, error: BaseException, times: int | None = None, after: int = 0) -> "MailServer":
        """After `after` sends that go through, raise `error` at the next `times` sends, or at
        every send when `times` is None."""
        self.script.extend([_deliver] * after)
        if times is None:
            self.always = error
        else:
            self.script.extend([error] * times)
        return self

    def recover(self) -> None:
        """The server is back: every send goes through."""
        self.script.clear()
        self.always = None

    def during_send(self, hook: Callable[[list], object]) -> "MailServer":
        """Call `hook(messages)` during the next send, before it delivers."""
        self.script.append(hook)
        return self


def _deliver(messages: list) -> None:
    """A send that goes through."""


SERVER = MailServer()


class ScriptedBackend(locmem.EmailBackend):
    """locmem, after the steps of the test's MailServer."""

    def send_messages(self, messages) -> int:
        SERVER.sends += 1
        if SERVER.script:
            step = SERVER.script.pop(0)
            if isinstance(step, BaseException):
                raise step
            step(messages)
        elif SERVER.always is not None:
            raise SERVER.always
        return super().send_messages(messages)


@pytest.fixture
def mail_server(settings) -> Iterator[MailServer]:
    """Send through ScriptedBackend; the test tells the server how to fail."""
    global SERVER
    SERVER = MailServer()
    settings.EMAIL_BACKEND = "tests.mail_backends.ScriptedBackend"
    yield SERVER
    SERVER = MailServer()
