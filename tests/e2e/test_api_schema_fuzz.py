"""Schemathesis drives every documented operation with generated input: no request may cause a 500."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from oms.accounts.services import token_for
from oms.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def in_process_requests(db):
    # Like Django's test client: keep the test's connection open across in-process requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(in_process_requests):
    # A superuser reaches every operation, so generated input gets past the permission check.
    from oms.accounts.models import User

    User.objects.create(username="fuzzer", is_superuser=True, all_channels=True)
    return {"Authorization": f"Token {token_for(username='fuzzer')}"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=[not_a_server_error])
