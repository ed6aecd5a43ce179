"""Real servers on loopback for the senders (aiosmtpd, http.server), and orders to message about."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from email import message_from_bytes
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.notifications.senders.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.status import OrderSource

SMS_SECRET = "sms-test-secret-2026"
PUSH_SECRET = "push-test-secret-2026"
SMTP_USER, SMTP_PASSWORD = "shop", "smtp-pass-2026"


# --- orders --------------------------------------------------------------------------------


@pytest.fixture
def make_order(users, order_payload):
    """Store a channel order like the intake API; contact details and channel are keyword arguments."""
    counter = iter(range(1, 10_000))

    def make(*, channel: str = "taobao", phone: str = "13800138000", email: str = "zs@example.cn",
             ship_phone: str | None = None, external_id: str | None = None, lines: list | None = None):
        payload = order_payload(channel=channel, external_id=external_id or f"EXT-{channel}-{next(counter)}")
        payload["customer"] = {"name": "张三", "phone": phone, "email": email}
        payload["shipping_address"]["phone"] = ship_phone if ship_phone is not None else phone
        if lines is not None:
            payload["lines"] = lines
            total = sum(int(line["quantity"]) * float(line["unit_price"]) for line in lines)
            payload["paid_amount"] = f"{total:.2f}"
            payload["shipping_fee"] = "0.00"
            payload["discounts"] = []
        command = parse_intake(payload, channel_lookup=channel_lookup)
        return intake_order(command=command, actor=Actor.of(users["integration"]), source=OrderSource.API).order

    return make


@pytest.fixture
def immediate_worker():
    """Run Huey tasks in-process (what `oms worker` does), for tests that follow a message to the end."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


@pytest.fixture
def client_for(users):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture(autouse=True)
def _english_and_nothing_configured(settings):
    # Page assertions read English; every sender starts unconfigured (the embedded default).
    settings.LANGUAGE_CODE = "en"
    settings.OMS_SMTP_HOST = ""
    settings.OMS_SMS_URL = ""
    settings.OMS_PUSH_URL = ""
    settings.OMS_PUSH_CHANNELS = ["app", "miniapp"]
    settings.OMS_MESSAGE_MAX_ATTEMPTS = 8
    settings.OMS_MESSAGE_RETRY_BASE_S = 60
    settings.OMS_MESSAGE_RETRY_CAP_S = 3600


# --- TLS certificate for the SMTP server -------------------------------------------------------


@pytest.fixture(scope="session")
def loopback_certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
    ))
    return str(cert_path), str(key_path)


# --- SMTP ------------------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps what it receives; refuses addresses at refused.example."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self, index: int = -1):
        return message_from_bytes(self.envelopes[index].original_content, policy=email_policy.default)


class LoopbackController(Controller):
    """aiosmtpd on an ephemeral port: learn the port the OS gave before the first connection."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(), SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


@pytest.fixture
def smtp_server(settings, loopback_certificate):
    """Start a real SMTP server on 127.0.0.1 and point the email sender at it.

    smtp_server("none") plain; ("starttls") STARTTLS required, with login; ("ssl") implicit TLS, with login.
    """
    controllers = []

    def start(security: str = "none") -> Inbox:
        inbox = Inbox()
        options = {"hostname": "127.0.0.1", "port": 0, "decode_data": False}
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(*loopback_certificate)
        if security == "starttls":
            options.update(tls_context=server_context, require_starttls=True, authenticator=_authenticate,
                           auth_required=True, auth_require_tls=True)
        elif security == "ssl":
            options.update(ssl_context=server_context, authenticator=_authenticate, auth_required=True,
                           auth_require_tls=False)
        controller = LoopbackController(inbox, **options)
        controller.start()
        controllers.append(controller)
        settings.OMS_SMTP_HOST = "127.0.0.1"
        settings.OMS_SMTP_PORT = controller.port
        settings.OMS_SMTP_SECURITY = security
        settings.OMS_SMTP_USERNAME = SMTP_USER if security != "none" else ""
        settings.OMS_SMTP_PASSWORD = SMTP_PASSWORD if security != "none" else ""
        settings.OMS_SMTP_FROM = "小店 <noreply@shop.example.cn>"
        settings.OMS_SMTP_TIMEOUT = 5
        settings.OMS_SMTP_CA_FILE = loopback_certificate[0]
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


# --- HTTP providers (SMS gateway, push webhook) ---------------------------------------------------


class Provider:
    """What a provider received, and how it answers: ok | error | http_error | slow | garbage."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.mode = "ok"
        self.slow_seconds = 2.0
        self.requests: list[dict] = []
        self.release = threading.Event()  # ends a slow answer early when the test is over

    def answer(self, headers, raw: bytes) -> tuple[int, bytes]:
        signed = verify(self.secret, headers.get(TIMESTAMP_HEADER, ""), raw, headers.get(SIGNATURE_HEADER, ""))
        body = json.loads(raw)
        self.requests.append({"headers": {k.lower(): v for k, v in headers.items()}, "json": body, "verified": signed})
        if not signed:
            return 401, json.dumps({"code": "BAD_SIGNATURE", "message": "signature does not match"}).encode()
        if self.mode == "slow":
            self.release.wait(self.slow_seconds)
        if self.mode == "error":
            return 200, json.dumps({"code": "isv.MOBILE_NUMBER_ILLEGAL", "message": "号码格式错误"},
                                   ensure_ascii=False).encode()
        if self.mode == "http_error":
            return 503, b'{"code": "BUSY", "message": "try later"}'
        if self.mode == "garbage":
            return 200, b"<html>gateway</html>"
        return 200, json.dumps({"code": "OK", "message_id": f"prov-{len(self.requests)}"}).encode()


def _serve(provider: Provider) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, answer = provider.answer(self.headers, raw)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:  # the client gave up waiting (timeout test)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def sms_provider(settings):
    provider = Provider(SMS_SECRET)
    server = _serve(provider)
    settings.OMS_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.OMS_SMS_SECRET = SMS_SECRET
    settings.OMS_SMS_SIGN_NAME = "小店"
    settings.OMS_SMS_TIMEOUT = 5
    yield provider
    provider.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def push_gateway(settings):
    provider = Provider(PUSH_SECRET)
    server = _serve(provider)
    settings.OMS_PUSH_URL = f"http://127.0.0.1:{server.server_address[1]}/push"
    settings.OMS_PUSH_SECRET = PUSH_SECRET
    settings.OMS_PUSH_TIMEOUT = 5
    yield provider
    provider.release.set()
    server.shutdown()
    server.server_close()
