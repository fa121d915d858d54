"""Mail backends for the worker processes of the fault tests (set through EMAIL_BACKEND)."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class HangAfterSendBackend(EmailBackend):
    """Writes the message to a file like the file backend (the SMTP server has accepted it),
    then drops a marker file and hangs, so that a test can kill the worker between the
    sending and the recording of the outcome. FAULTS_HANG_MARKER names the marker."""

    def send_messages(self, email_messages) -> int:
        sent = super().send_messages(email_messages)
        marker = os.environ.get("FAULTS_HANG_MARKER")
        if marker and not Path(marker).exists():
            Path(marker).write_text(str(os.getpid()))
            time.sleep(300)  # killed long before
        return sent
