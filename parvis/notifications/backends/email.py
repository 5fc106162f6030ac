"""Sending over SMTP: one connection reused for a run of emails, opened on first use.

The outbox decides what to send and when; this module only talks SMTP and sorts failures into the two kinds
the outbox treats differently: permanent (the server refused this recipient or message with a 5xx: retrying
cannot help) and temporary (anything else: the server is down, busy, or said 4xx).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from parvis import conf


class SendError(Exception):
    """The email was not accepted. ``permanent`` says whether trying again later could succeed."""

    def __init__(self, message: str, *, permanent: bool, connection: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        # The connection itself failed: the next emails would fail the same way.
        self.connection = connection


class SmtpBackend:
    """A context manager holding at most one SMTP connection."""

    def __init__(self, settings: conf.Smtp | None = None) -> None:
        self.settings = settings or conf.smtp()
        self._client: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        smtp = self.settings
        if smtp.security not in conf.EMAIL_SECURITY:
            # `parvis check` reports it too; never fall back to plain SMTP on a typo.
            raise SendError(f"PARVIS_EMAIL_SECURITY {smtp.security!r} is unknown", permanent=False, connection=True)
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if smtp.security == "tls":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
            if smtp.security == "starttls":
                client.starttls(context=context)
        client.ehlo_or_helo_if_needed()
        if smtp.user:
            if smtp.security == "none":
                client.close()
                raise SendError("SMTP AUTH refused without TLS (set PARVIS_EMAIL_SECURITY)", permanent=False,
                                connection=True)  # fmt: skip
            client.login(smtp.user, smtp.password)
        return client

    def send(self, message: EmailMessage, sender: str, recipient: str, *, smtputf8: bool) -> None:
        try:
            if self._client is None:
                self._client = self._open()
            options = ["SMTPUTF8"] if smtputf8 else []
            if smtputf8 and not self._client.has_extn("smtputf8"):
                raise SendError("the SMTP server does not offer SMTPUTF8 for this address", permanent=True)
            self._client.send_message(message, sender, [recipient], mail_options=options)
        except SendError:
            raise
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise SendError(f"recipient refused: {code} {reply!r}", permanent=code >= 500) from error
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
            # A refused sender is our configuration, not this email: wait and retry (someone can fix it).
            permanent = isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500
            self.close()
            raise SendError(f"refused: {error.smtp_code} {error.smtp_error!r}", permanent=permanent) from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise SendError(f"{type(error).__name__}: {error}", permanent=False, connection=True) from error

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def __enter__(self) -> SmtpBackend:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
