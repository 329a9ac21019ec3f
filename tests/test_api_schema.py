"""Schemathesis against the API's own OpenAPI schema: no 500s, responses as documented."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="needs schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

from chatbot.index.build import build_index  # noqa: E402
from chatbot.serve.api import create_api  # noqa: E402
from chatbot.serve.feedback import FeedbackStore  # noqa: E402
from chatbot.serve.service import BotService  # noqa: E402
from conftest import TINY_CORPUS, write_corpus  # noqa: E402
from fakes import HashingEmbedder  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    """The API on the tiny corpus, built when the test runs (not at import), in a temporary folder."""
    work = tmp_path_factory.mktemp("schema")
    embedder = HashingEmbedder()
    build_index(write_corpus(work / "corpus", TINY_CORPUS), work / "index", embedder=embedder)
    app = create_api(BotService(work / "index", work / "corpus", embedder=embedder), FeedbackStore(work / "feedback.db"))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def api_operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow  # generates requests for every operation (seconds)
# derandomize: the same cases on every run, so CI cannot fail on a draw it never made before
# (remove derandomize locally to explore new cases). Valid and invalid requests both.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_endpoint_keeps_its_contract(api_schema, mode):
    operations = api_operations(api_schema)
    assert {op.label for op in operations} >= {"GET /api/search", "POST /api/ask", "GET /api/health"}
    checked = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def keeps_contract(case):
            response = case.call()
            assert response.status_code < 500, (operation.label, case)
            # 413 is the request-size limit: it refuses big bodies whatever the schema says of them.
            size_limited = [negative_data_rejection, positive_data_acceptance] if response.status_code == 413 else []
            case.validate_response(response, excluded_checks=size_limited)

        try:
            keeps_contract()
            checked.append(operation.label)
        except Unsatisfiable:
            # an operation without parameters or body (GET /api/health) has no invalid request
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert len(checked) >= (len(operations) if mode is GenerationMode.POSITIVE else 3), checked
