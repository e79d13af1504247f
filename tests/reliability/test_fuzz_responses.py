"""Property tests of the sans-IO readers: whatever comes back over HTTP, read_task / read_submit
/ read_upload give a well-typed Task (or URL) or raise a RunningHubError subclass: never
KeyError, TypeError, AttributeError, RecursionError...

Bodies: any JSON value (st.recursive), task-shaped objects with wrong types, spec-valid
TaskResult / UploadResult bodies generated from openapi/runninghub.yaml (schemathesis' JSON
Schema engine) and mutations of them, random bytes (non-UTF-8 included); statuses: every
documented one plus any 100-599; headers: any Retry-After. Each body goes through the generated
parser first, as in the clients (sans-IO), and through a whole client over httpx.MockTransport.
"""

from __future__ import annotations

import json
import os
from typing import Any, cast

import httpx
import jsonschema_rs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runninghub_client.api.video import image_to_video_realistic, query_task, upload_media
from runninghub_video import Policy, RunningHub, RunningHubError, Task
from runninghub_video._errors import APIError
from runninghub_video._params import is_task_id
from runninghub_video._responses import RawAnswer, read_submit, read_task, read_upload
from runninghub_video._task import KNOWN_STATUSES
from runninghub_video.types import FailureReason, OutputFile, Usage
from schemathesis.generation.jsonschema.builder import build

from tests.reliability.figures import count
from tests.support.constants import KEY, SAMPLE_PNG, SPEC

# One worker runs this whole file (make test: --dist loadfile): its last test reads the counts.

#: The unit lane (`make test-unit`) sets RUNNINGHUB_FUZZ_SCALE=0.25 to stay under a minute;
#: `make test` runs every example.
SCALE = float(os.environ.get("RUNNINGHUB_FUZZ_SCALE", "1"))
VIDEO = "https://cdn.test/out.mp4"


def examples(wanted: int) -> int:
    """wanted examples, scaled for the lane (at least 25)."""
    return max(25, round(wanted * SCALE))


FUZZ = settings(
    max_examples=examples(1000),
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- strategies

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
"""Any JSON value (NaN and Infinity included: Python's json reads them)."""

TASK_FIELDS = [
    *("taskId", "status", "errorCode", "errorMessage", "results", "clientId", "promptTips"),
    *("failedReason", "usage"),
]
STATUS_TEXT = st.sampled_from([*sorted(KNOWN_STATUSES), "WARMING", "", "success"])
ERROR_CODES = st.sampled_from(
    ["", "1002", "1003", "1004", "1005", "1007", "1010", "1015", "1501", "1505", "1520", "9999"]
)
OUTPUT = st.fixed_dictionaries(
    {}, optional={"url": st.text(max_size=5) | JSON, "outputType": st.just("mp4") | JSON}
)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "taskId": st.just("2013508786110730241") | st.text(max_size=3) | JSON,
    "status": STATUS_TEXT | JSON,
    "errorCode": ERROR_CODES | JSON,
    "errorMessage": st.text(max_size=10) | JSON,
    "results": st.none() | st.lists(OUTPUT | JSON, max_size=3) | JSON,
    "clientId": st.text(max_size=5) | JSON,
    "promptTips": st.text(max_size=5) | JSON,
    "failedReason": st.fixed_dictionaries({}, optional={"exception_message": JSON}) | JSON,
    "usage": st.fixed_dictionaries({}, optional={"consumeMoney": JSON}) | JSON,
}
TASK_SHAPED = st.fixed_dictionaries({}, optional=PLAUSIBLE).flatmap(
    lambda d: st.dictionaries(st.text(max_size=8), JSON, max_size=2).map(lambda x: {**x, **d})
)
"""Objects with the TaskResult fields, each missing, plausible or of any JSON type."""
UPLOAD_SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "code": st.sampled_from([0, 1008, 1002, 1003, 500]) | JSON,
        "message": st.text(max_size=5) | JSON,
        "msg": st.text(max_size=5) | JSON,
        "data": st.fixed_dictionaries(
            {}, optional={"download_url": st.just("https://cdn.test/a.png") | JSON}
        )
        | JSON,
    },
)


def _spec_schema(name: str) -> dict[str, Any]:
    """A component schema of the merged spec as JSON Schema: $refs inlined, OpenAPI 3.0's
    `nullable` turned into a null type."""
    components = yaml.safe_load(SPEC.read_text())["components"]["schemas"]

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return convert(components[node["$ref"].rsplit("/", 1)[1]])
        out = {k: convert(v) for k, v in node.items() if k not in ("nullable", "example")}
        if node.get("nullable"):
            out = {"anyOf": [out, {"type": "null"}]}
        return out

    schema: dict[str, Any] = convert(components[name])
    return schema


TASK_RESULT_SCHEMA = _spec_schema("TaskResult")
UPLOAD_RESULT_SCHEMA = _spec_schema("UploadResult")
SPEC_TASK = cast(
    "st.SearchStrategy[dict[str, Any]]", build(TASK_RESULT_SCHEMA, draft=4, formats={})
)
SPEC_UPLOAD = cast(
    "st.SearchStrategy[dict[str, Any]]", build(UPLOAD_RESULT_SCHEMA, draft=4, formats={})
)
TASK_RESULT_VALIDATOR = jsonschema_rs.Draft4Validator(TASK_RESULT_SCHEMA)
UPLOAD_RESULT_VALIDATOR = jsonschema_rs.Draft4Validator(UPLOAD_RESULT_SCHEMA)


def usable(body: dict[str, Any]) -> dict[str, Any]:
    """A spec-valid body made a task the client must accept: an id, a status, no errorCode, a
    URL in every result, and results whenever the status is SUCCESS (every field is optional
    in the spec, as the vendor's kit answers)."""
    task_id = body.get("taskId")
    if not is_task_id(task_id):  # ids go into file names, URLs and terminal lines
        task_id = "2013508786110730241"
    body = {**body, "taskId": task_id, "errorCode": "", "status": body.get("status", "RUNNING")}
    if isinstance(body.get("results"), list):
        body["results"] = [{**item, "url": item.get("url") or VIDEO} for item in body["results"]]
    if body["status"] == "SUCCESS" and not body.get("results"):  # results may be absent
        body["status"] = "RUNNING"
    return body


USABLE_TASK = SPEC_TASK.map(usable)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A spec-valid object with one field removed or replaced by any JSON value."""
    body = dict(draw(base))
    name = draw(st.sampled_from(sorted(set(body) | set(TASK_FIELDS))))
    if draw(st.booleans()):
        body.pop(name, None)
    else:
        body[name] = draw(JSON)
    return body


def encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


BODIES = st.one_of(
    JSON.map(encode),
    TASK_SHAPED.map(encode),
    UPLOAD_SHAPED.map(encode),
    SPEC_TASK.map(encode),
    mutated(USABLE_TASK).map(encode),
    st.binary(max_size=64),  # non-UTF-8, truncated, anything
    JSON.map(lambda v: encode(v).decode().encode("utf-16")),  # JSON, but not UTF-8
    st.builds(lambda b, cut: b[:cut], TASK_SHAPED.map(encode), st.integers(0, 40)),
)
STATUSES = st.sampled_from([200] * 6 + [400, 401, 403, 404, 415, 422, 429, 500, 502, 503, 504])
STATUSES = STATUSES | st.integers(100, 599)
HEADERS = st.fixed_dictionaries(
    {"content-type": st.sampled_from(["application/json", "text/html", "application/xml"])},
    optional={
        "retry-after": st.sampled_from(["1", "0", "-3", "1e9", "nan", "soon", ""])
        | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=6)
    },
)

# ---------------------------------------------------------------- what a result must be


def check_task(task: Task) -> None:
    """A Task the caller can use without type surprises."""
    assert isinstance(task, Task)
    assert isinstance(task.id, str)
    assert task.id
    assert not any(c.isspace() for c in task.id)  # wait(task.id) would refuse it
    assert isinstance(task.status, str)
    assert task.status
    assert isinstance(task.results, tuple)
    for output in task.results:
        assert isinstance(output, OutputFile)
        assert output.url is None or isinstance(output.url, str)
        assert output.text is None or isinstance(output.text, str)
        assert output.url or output.text  # the kit's outputs: a URL, else a text
        assert isinstance(output.output_type, str)
    assert task.error_code is None or isinstance(task.error_code, str)
    assert task.error_message is None or isinstance(task.error_message, str)
    assert task.failed_reason is None or isinstance(task.failed_reason, FailureReason)
    assert task.usage is None or isinstance(task.usage, Usage)
    if task.succeeded:
        assert task.results
        assert task.video_url is None or isinstance(task.video_url, str)
    repr(task)


def check_error(error: BaseException) -> None:
    """A RunningHubError whose attributes are what they say."""
    assert isinstance(error, RunningHubError), f"{type(error).__name__}: {error}"
    assert isinstance(str(error), str)
    assert str(error)
    repr(error)
    if error.task_id is not None:
        assert isinstance(error.task_id, str)
    if isinstance(error, APIError):
        assert error.status_code is None or isinstance(error.status_code, int)
        assert error.error_code is None or isinstance(error.error_code, str)
        assert error.body_excerpt is None or len(error.body_excerpt) <= 200


def outcome(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a reader: its result, or the RunningHubError it raised (anything else fails)."""
    try:
        return function(*args, **kwargs)
    except Exception as error:
        check_error(error)
        return error


def answer(status: int, headers: dict[str, str], content: bytes, endpoint: Any) -> RawAnswer:
    """The RawAnswer a client would hand to the reader (the reader decodes it, once)."""
    del endpoint  # every endpoint's answer is read from the same RawAnswer
    return RawAnswer(status, httpx.Headers(headers), content)


# ---------------------------------------------------------------- sans-IO properties


@FUZZ
@given(status=STATUSES, headers=HEADERS, content=BODIES)
def test_readers_give_a_task_or_a_runninghub_error(
    status: int, headers: dict[str, str], content: bytes
) -> None:
    count("fuzz: sans-IO examples (read_task + read_submit + read_upload each)")
    task = outcome(read_task, answer(status, headers, content, query_task), task_id="42")
    if isinstance(task, Task):
        check_task(task)
    submitted = outcome(read_submit, answer(status, headers, content, image_to_video_realistic))
    if isinstance(submitted, Task):
        check_task(submitted)
        assert not (submitted.is_final and not submitted.succeeded)
    url = outcome(read_upload, answer(status, headers, content, upload_media))
    if isinstance(url, str):
        assert url.startswith("http")


@settings(FUZZ, max_examples=examples(400))
@given(body=SPEC_TASK, make_usable=st.booleans())
def test_spec_valid_task_results_are_read(body: dict[str, Any], make_usable: bool) -> None:
    count("fuzz: spec-valid TaskResult bodies")
    if make_usable:
        body = usable(body)
    TASK_RESULT_VALIDATOR.validate(body)  # the generator keeps to the spec
    result = outcome(read_task, answer(200, {}, encode(body), query_task), task_id="42")
    if isinstance(result, Task):
        check_task(result)
    if make_usable:
        # A spec-valid task is accepted: status, results and error come through unchanged.
        assert isinstance(result, Task), result
        assert result.id == body["taskId"]
        assert result.status == body["status"]
        assert len(result.results) == len(body.get("results") or [])
        assert result.error_message == (body.get("errorMessage") or None)


@settings(FUZZ, max_examples=examples(400))
@given(body=mutated(USABLE_TASK))
def test_spec_valid_tasks_with_one_field_broken(body: dict[str, Any]) -> None:
    count("fuzz: spec-valid TaskResult bodies with one field removed or of any JSON type")
    result = outcome(read_task, answer(200, {}, encode(body), query_task), task_id="42")
    if isinstance(result, Task):
        check_task(result)


@settings(FUZZ, max_examples=examples(300))
@given(body=SPEC_UPLOAD)
def test_spec_valid_upload_results_are_read(body: dict[str, Any]) -> None:
    count("fuzz: spec-valid UploadResult bodies")
    UPLOAD_RESULT_VALIDATOR.validate(body)
    result = outcome(read_upload, answer(200, {}, encode(body), upload_media))
    data = body.get("data")
    if body["code"] == 0 and isinstance(data, dict) and data["download_url"].startswith("http"):
        assert result == data["download_url"]
    else:
        assert isinstance(result, RunningHubError)


# ---------------------------------------------------------------- the same through a client


class Holder:
    """The next answer of a MockTransport."""

    status = 200
    headers: dict[str, str] = {}  # noqa: RUF012
    content = b""

    def handle(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, headers=self.headers, content=self.content)


@pytest.fixture(scope="module")
def scripted() -> Any:
    holder = Holder()
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    policy = Policy(poll_interval=0.5, backoff_initial=0.1, max_retry_after=1)
    with RunningHub(
        KEY,
        base_url="https://api.test",
        policy=policy,
        clock=lambda: now[0],
        sleep=sleep,
        transport=httpx.MockTransport(holder.handle),
    ) as rh:
        yield rh, holder


@settings(FUZZ, max_examples=examples(300))
@given(status=STATUSES, headers=HEADERS, content=BODIES)
def test_client_methods_give_a_task_or_a_runninghub_error(
    scripted: Any, status: int, headers: dict[str, str], content: bytes, tmp_path_factory: Any
) -> None:
    count("fuzz: whole-client examples (get + wait + submit + upload each)")
    rh, holder = scripted
    holder.status, holder.headers, holder.content = status, headers, content
    for task in (
        outcome(rh.get, "42"),
        outcome(rh.wait, "42", timeout=1.0),
        outcome(rh.submit, "a cat", "https://cdn.test/cat.png"),
    ):
        if isinstance(task, Task):
            check_task(task)
    url = outcome(rh.upload, SAMPLE_PNG)
    assert isinstance(url, str | RunningHubError)


def test_fuzz_counts_recorded() -> None:
    """Put the example counts in the terminal summary (run after the property tests)."""
    from tests.reliability.figures import COUNTERS

    assert COUNTERS  # the properties above ran
