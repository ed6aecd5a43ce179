"""Email over SMTP (smtplib): STARTTLS, implicit TLS or plain, with optional login.

Settings (from env, see oms/config/settings.py): OMS_SMTP_HOST, OMS_SMTP_PORT, OMS_SMTP_SECURITY
(starttls | ssl | none), OMS_SMTP_USERNAME, OMS_SMTP_PASSWORD, OMS_SMTP_FROM, OMS_SMTP_TIMEOUT,
OMS_SMTP_CA_FILE (extra trusted CA for an internal relay). No host means not configured.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from django.conf import settings

from oms.notifications.models import Medium
from oms.notifications.senders.base import Delivered, Outgoing, SendFailed

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SmtpEmailSender:
    medium = Medium.EMAIL

    def configured(self) -> bool:
        return bool(settings.OMS_SMTP_HOST)

    @property
    def security(self) -> str:
        value = (settings.OMS_SMTP_SECURITY or "starttls").lower()
        if value not in DEFAULT_PORTS:
            raise SendFailed(f"OMS_SMTP_SECURITY must be starttls, ssl or none, not {value!r}")
        return value

    def from_address(self) -> str:
        return settings.OMS_SMTP_FROM or f"noreply@{settings.OMS_SMTP_HOST}"

    def build(self, outgoing: Outgoing) -> EmailMessage:
        message = EmailMessage()  # email.policy.default: UTF-8 headers are RFC 2047-encoded as needed
        sender = self.from_address()
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        message["Subject"] = outgoing.subject
        message["From"] = sender
        message["To"] = Address(addr_spec=outgoing.recipient)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(idstring=outgoing.request_id.replace("-", ""), domain=domain)
        message["Content-Language"] = outgoing.language
        message.set_content(outgoing.body)
        return message

    def _connect(self) -> smtplib.SMTP:
        host, timeout = settings.OMS_SMTP_HOST, settings.OMS_SMTP_TIMEOUT
        port = int(settings.OMS_SMTP_PORT or DEFAULT_PORTS[self.security])
        context = ssl.create_default_context(cafile=settings.OMS_SMTP_CA_FILE or None)
        helo = socket.gethostname() or "localhost"
        if self.security == "ssl":
            return smtplib.SMTP_SSL(host, port, local_hostname=helo, timeout=timeout, context=context)
        smtp = smtplib.SMTP(host, port, local_hostname=helo, timeout=timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, outgoing: Outgoing) -> Delivered:
        try:
            message = self.build(outgoing)
        except (ValueError, IndexError) as exc:  # an address the email library cannot use
            raise SendFailed(f"invalid address: {exc}") from None
        try:
            with self._connect() as smtp:
                if settings.OMS_SMTP_USERNAME:
                    smtp.login(settings.OMS_SMTP_USERNAME, settings.OMS_SMTP_PASSWORD)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            answers = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values())
            raise SendFailed(f"recipient refused: {answers}") from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise SendFailed(f"SMTP {exc.smtp_code}: {text}") from None
        except TimeoutError:
            raise SendFailed(f"SMTP server did not answer within {settings.OMS_SMTP_TIMEOUT} s") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}") from None
        return Delivered(provider_message_id=message["Message-ID"])
