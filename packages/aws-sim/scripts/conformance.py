#!/usr/bin/env python3
"""A second client for the simulator: boto3 calls it, and every raw answer is checked against
botocore's service model (the JSON models AWS publishes for its SDKs).

Driven by src/model-conformance.test.ts over stdin/stdout, one JSON document per line:
  in:  {"endpoint", "auditRole", "externalId", "rootTaskPolicyArn", "phases": [{"name", "calls": [...]}]}
       then one line ("next") before each phase after the first, so the test can change the
       simulator's knobs between phases.
  out: {"phase": name, "results": [...]} per phase, or {"missing": reason} when boto3 is absent.
A call: {"id", "service" (botocore name), "operation", "params", "principal": "base" |
{"role": account} | {"root": account}, "region", "waitMs", "protocol" (one the model lists, when
not boto3's choice)}. A result: {"id", "service",
"operation", "status", "code" (error code boto3 surfaced, or null), "findings": [text]}.
"""
import base64
import binascii
import datetime
import json
import re
import sys
import time
from xml.etree import ElementTree

try:
    import boto3
    from botocore import xform_name
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as missing:  # the test skips, naming this
    print(json.dumps({"missing": f"boto3 is not installed for {sys.executable}: {missing}"}), flush=True)
    sys.exit(0)

BASE_KEY = ("AKIAIOSFODNN7EXAMPLE", "test")

# Errors every AWS API may answer besides the ones each operation declares, with their HTTP
# statuses, as AWS documents them for all services. Query services (IAM, STS, SNS, CloudWatch)
# answer AccessDenied and Throttling; JSON services the *Exception forms. AccessDeniedException
# is documented both as 400 (older JSON services) and 403.
COMMON_ERRORS = {
    "AccessDenied": {403},
    "AccessDeniedException": {400, 403},
    "ExpiredTokenException": {400, 403},
    "IncompleteSignature": {400},
    "InternalFailure": {500},
    "InvalidAction": {400},
    "InvalidClientTokenId": {403},
    "InvalidParameterCombination": {400},
    "InvalidParameterValue": {400},
    "InvalidQueryParameter": {400},
    "MalformedQueryString": {404},
    "MissingAction": {400},
    "MissingAuthenticationToken": {403},
    "MissingParameter": {400},
    "NotAuthorized": {400},
    "OptInRequired": {403},
    "RequestExpired": {400},
    "ServiceUnavailable": {503},
    "Throttling": {400},
    "ThrottlingException": {400},
    "UnknownOperationException": {400, 404},
    "UnrecognizedClientException": {400, 403},
    "ValidationError": {400},
    "ValidationException": {400},
}

# A service's own error that AWS answers on any of its actions although the model declares it on a
# few: SNS's ThrottledException (`Throttled`, 429) is its rate-limit answer (seen on
# ListSubscriptionsByTopic and Publish), declared only on the SMS operations.
SERVICE_WIDE_ERRORS = {"sns": {"Throttled"}}

ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


def local(tag):
    return tag.rsplit("}", 1)[-1]


class Checker:
    """Walks a raw answer against a shape; each problem is `path: what`."""

    def __init__(self, protocol):
        self.protocol = protocol
        self.findings = []

    def add(self, path, problem):
        self.findings.append(f"{path}: {problem}")

    # --- JSON (awsJson 1.0/1.1, restJson1) ---------------------------------------------------
    def json_value(self, shape, value, path):
        kind = shape.type_name
        if value is None:
            self.add(path, f"null where the model has a {kind} ({shape.name}); AWS omits absent members")
            return
        if kind == "structure":
            if not isinstance(value, dict):
                return self.add(path, f"expected an object ({shape.name}), got {type(value).__name__}")
            by_wire = {}
            for name, member in shape.members.items():
                if member.serialization.get("location") in ("header", "headers", "statusCode", "querystring", "uri"):
                    continue
                by_wire[member.serialization.get("name", name)] = (name, member)
            for key, item in value.items():
                if key not in by_wire:
                    self.add(f"{path}.{key}", f"not a member of {shape.name} (members: {', '.join(sorted(by_wire)) or 'none'})")
                    continue
                self.json_value(by_wire[key][1], item, f"{path}.{key}")
            for name in shape.required_members:
                wire = shape.members[name].serialization.get("name", name)
                if wire in by_wire and wire not in value:
                    self.add(f"{path}.{wire}", f"required by {shape.name} but missing")
        elif kind == "list":
            if not isinstance(value, list):
                return self.add(path, f"expected a list ({shape.name}), got {type(value).__name__}")
            for i, item in enumerate(value):
                self.json_value(shape.member, item, f"{path}[{i}]")
        elif kind == "map":
            if not isinstance(value, dict):
                return self.add(path, f"expected a map ({shape.name}), got {type(value).__name__}")
            for key, item in value.items():
                self.scalar(shape.key, key, f"{path}{{{key}}}")
                self.json_value(shape.value, item, f"{path}[{key!r}]")
        elif kind == "timestamp":
            fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
            if fmt == "unixTimestamp":
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    self.add(path, f"expected epoch seconds (a number) for timestamp {shape.name}, got {value!r}")
            elif not (isinstance(value, str) and ISO8601.match(value)):
                self.add(path, f"expected an ISO 8601 string for timestamp {shape.name}, got {value!r}")
        else:
            self.scalar(shape, value, path)

    def scalar(self, shape, value, path):
        kind = shape.type_name
        if kind == "string":
            if not isinstance(value, str):
                return self.add(path, f"expected a string ({shape.name}), got {value!r}")
            if shape.enum and value not in shape.enum:
                self.add(path, f"{value!r} is not in enum {shape.name} ({'|'.join(shape.enum)})")
        elif kind in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                self.add(path, f"expected an integer ({shape.name}), got {value!r}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.add(path, f"expected a boolean ({shape.name}), got {value!r}")
        elif kind in ("double", "float"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.add(path, f"expected a number ({shape.name}), got {value!r}")
        elif kind == "blob":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, TypeError, ValueError):
                self.add(path, f"expected base64 ({shape.name}), got {value!r}")

    # --- awsQuery XML ------------------------------------------------------------------------
    def xml_value(self, shape, element, path):
        kind = shape.type_name
        children = list(element)
        if kind == "structure":
            by_wire = {member.serialization.get("name", name): (name, member) for name, member in shape.members.items()}
            seen = set()
            for child in children:
                tag = local(child.tag)
                if tag not in by_wire:
                    self.add(f"{path}.{tag}", f"not a member of {shape.name} (members: {', '.join(sorted(by_wire)) or 'none'})")
                    continue
                if tag in seen:
                    self.add(f"{path}.{tag}", "appears twice")
                seen.add(tag)
                self.xml_value(by_wire[tag][1], child, f"{path}.{tag}")
            for name in shape.required_members:
                wire = shape.members[name].serialization.get("name", name)
                if wire not in seen:
                    self.add(f"{path}.{wire}", f"required by {shape.name} but missing")
        elif kind == "list":
            member_tag = shape.member.serialization.get("name", "member")
            for i, child in enumerate(children):
                if local(child.tag) != member_tag:
                    self.add(f"{path}[{i}]", f"list element <{local(child.tag)}>, expected <{member_tag}>")
                    continue
                self.xml_value(shape.member, child, f"{path}[{i}]")
        elif kind == "map":
            key_tag = shape.key.serialization.get("name", "key")
            value_tag = shape.value.serialization.get("name", "value")
            for i, entry in enumerate(children):
                if local(entry.tag) != "entry":
                    self.add(f"{path}[{i}]", f"map element <{local(entry.tag)}>, expected <entry>")
                    continue
                parts = {local(c.tag): c for c in entry}
                if set(parts) != {key_tag, value_tag}:
                    self.add(f"{path}[{i}]", f"entry holds {sorted(parts)}, expected <{key_tag}> and <{value_tag}>")
                    continue
                key = parts[key_tag].text or ""
                self.scalar_text(shape.key, key, f"{path}{{{key}}}")
                self.xml_value(shape.value, parts[value_tag], f"{path}[{key!r}]")
        else:
            if children:
                self.add(path, f"a {kind} ({shape.name}) holds elements")
                return
            self.scalar_text(shape, element.text or "", path)

    def scalar_text(self, shape, text, path):
        kind = shape.type_name
        if kind == "string":
            if shape.enum and text not in shape.enum:
                self.add(path, f"{text!r} is not in enum {shape.name} ({'|'.join(shape.enum)})")
        elif kind in ("integer", "long"):
            if not re.fullmatch(r"-?\d+", text):
                self.add(path, f"expected an integer ({shape.name}), got {text!r}")
        elif kind == "boolean":
            if text not in ("true", "false"):
                self.add(path, f"expected true or false ({shape.name}), got {text!r}")
        elif kind in ("double", "float"):
            try:
                float(text)
            except ValueError:
                self.add(path, f"expected a number ({shape.name}), got {text!r}")
        elif kind == "timestamp":
            if not ISO8601.match(text):
                self.add(path, f"expected an ISO 8601 timestamp ({shape.name}), got {text!r}")
        elif kind == "blob":
            try:
                base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                self.add(path, f"expected base64 ({shape.name}), got {text[:40]!r}")


def protocol_of(service_model):
    return service_model.resolved_protocol if hasattr(service_model, "resolved_protocol") else service_model.protocol


def check_success(operation_model, raw):
    """The body of a 2xx answer against the operation's output shape."""
    protocol = protocol_of(operation_model.service_model)
    checker = Checker(protocol)
    shape = operation_model.output_shape
    body = raw["body"]
    if protocol == "query":
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as error:
            return [f"body: not XML ({error})"]
        expected_root = f"{operation_model.name}Response"
        if local(root.tag) != expected_root:
            checker.add("body", f"root element <{local(root.tag)}>, expected <{expected_root}>")
        wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
        for child in root:
            tag = local(child.tag)
            if tag == "ResponseMetadata":
                continue
            if shape is None or tag != wrapper:
                checker.add(tag, f"unexpected element (the model's result element is {wrapper})")
                continue
            checker.xml_value(shape, child, shape.name)
        if shape is not None and shape.required_members and not any(local(c.tag) == wrapper for c in root):
            checker.add(shape.name, f"result element <{wrapper}> missing")
        return checker.findings
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if shape is None:
        return [] if text.strip() in ("", "{}") else [f"body: {text[:80]!r} where the model has no output"]
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        return [f"body: not JSON ({error})"]
    payload = shape.serialization.get("payload")
    if payload:
        checker.json_value(shape.members[payload], value, f"{shape.name}.{payload}")
    else:
        checker.json_value(shape, value, shape.name)
    return checker.findings


def wire_error(protocol, raw):
    """(code, query code) of an error answer, as a client of that protocol reads them."""
    headers = {k.lower(): v for k, v in raw["headers"].items()}
    body = raw["body"].decode("utf-8", "replace") if isinstance(raw["body"], bytes) else raw["body"]
    if protocol == "query":
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return None, None
        code = root.find(".//{*}Code")
        if code is None:
            code = root.find(".//Code")
        return (code.text if code is not None else None), None
    code = headers.get("x-amzn-errortype")
    if not code:
        try:
            parsed = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError:
            parsed = {}
        code = parsed.get("__type") or parsed.get("code") or parsed.get("Code")
    if code:
        code = code.split(":", 1)[0].rsplit("#", 1)[-1]
    query = headers.get("x-amzn-query-error")
    return code, (query.split(";", 1)[0] if query else None)


def check_error(operation_model, raw):
    """An error answer: its code is declared by the operation (or common to all APIs), with the
    HTTP status the model or AWS's common-error list gives it."""
    service_model = operation_model.service_model
    protocol = protocol_of(service_model)
    status = raw["status_code"]
    code, query_code = wire_error(protocol, raw)
    findings = []
    if not code:
        return [f"error: HTTP {status} without an error code"], None
    declared = {}
    for shape in operation_model.error_shapes:
        meta = shape.metadata.get("error", {})
        fault_status = 500 if shape.metadata.get("fault") else 400
        declared[shape.name] = meta.get("httpStatusCode", fault_status)
        if meta.get("code"):
            declared[meta["code"]] = meta.get("httpStatusCode", fault_status)
    for shape in service_model.error_shapes:
        meta = shape.metadata.get("error", {})
        if meta.get("code") in SERVICE_WIDE_ERRORS.get(service_model.endpoint_prefix, ()):
            declared.setdefault(meta["code"], meta.get("httpStatusCode", 400))
    surfaced = query_code or code
    if protocol != "query" and service_model.metadata.get("awsQueryCompatible") is not None and query_code is None:
        findings.append(f"error {code}: no x-amzn-query-error header (the service is awsQueryCompatible)")
    if surfaced in declared:
        if declared[surfaced] != status:
            findings.append(f"error {surfaced}: HTTP {status}, the model says {declared[surfaced]}")
    elif surfaced in COMMON_ERRORS:
        if status not in COMMON_ERRORS[surfaced]:
            expected = " or ".join(str(s) for s in sorted(COMMON_ERRORS[surfaced]))
            findings.append(f"error {surfaced}: HTTP {status}, a common error answered with {expected}")
    else:
        findings.append(
            f"error {surfaced}: not declared for {operation_model.name} "
            f"(declares: {', '.join(sorted(declared)) or 'none'}) nor a common AWS error"
        )
    return findings, surfaced


class Run:
    def __init__(self, plan):
        self.plan = plan
        self.session = boto3.session.Session()
        self.clients = {}
        self.sessions = {}
        self.credentials = {}
        self.results = []

    def session_for(self, service, protocol):
        """boto3 speaks the first protocol of the model it knows; for another one AWS serves (CloudWatch
        over awsQuery, as older SDKs send it), a session whose copy of the model lists only that."""
        if not protocol:
            return self.session
        if (service, protocol) not in self.sessions:
            import os
            import tempfile

            import botocore.session

            model = self.session._session.get_component("data_loader").load_service_model(service, "service-2")
            model = dict(model, metadata=dict(model["metadata"], protocol=protocol, protocols=[protocol]))
            root = tempfile.mkdtemp(prefix="conformance-models-")
            folder = os.path.join(root, service, model["metadata"]["apiVersion"])
            os.makedirs(folder)
            with open(os.path.join(folder, "service-2.json"), "w") as out:
                json.dump(model, out)
            core = botocore.session.Session()
            core.get_component("data_loader").search_paths.insert(0, root)
            self.sessions[(service, protocol)] = boto3.session.Session(botocore_session=core)
        return self.sessions[(service, protocol)]

    def client(self, service, key, region, protocol=None):
        cache_key = (service, key, region, protocol)
        if cache_key not in self.clients:
            access_key, secret, token = key
            client = self.session_for(service, protocol).client(
                service,
                endpoint_url=self.plan["endpoint"],
                region_name=region,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret,
                aws_session_token=token,
                config=Config(retries={"total_max_attempts": 1}, parameter_validation=True),
            )
            client.meta.events.register("before-parse", self.capture)
            self.clients[cache_key] = client
        return self.clients[cache_key]

    def capture(self, operation_model, response_dict, **_):
        self.last_raw = response_dict

    def principal_key(self, principal, region):
        if principal == "base":
            return (*BASE_KEY, None)
        label = json.dumps(principal, sort_keys=True)
        if label not in self.credentials:
            if "role" in principal:
                account = principal["role"]
                call = {
                    "id": f"credentials: AssumeRole into {account}",
                    "service": "sts",
                    "operation": "AssumeRole",
                    "params": {
                        "RoleArn": f"arn:aws:iam::{account}:role/{self.plan['auditRole']}",
                        "RoleSessionName": "conformance",
                        "ExternalId": self.plan["externalId"],
                    },
                }
            else:
                account = principal["root"]
                call = {
                    "id": f"credentials: AssumeRoot into {account}",
                    "service": "sts",
                    "operation": "AssumeRoot",
                    "params": {
                        "TargetPrincipal": account,
                        "TaskPolicyArn": {"arn": self.plan["rootTaskPolicyArn"]},
                        "DurationSeconds": 900,
                    },
                }
            call.update(principal="base", region=region)
            answer = self.call(call)
            c = (answer or {}).get("Credentials")
            if not c:
                raise RuntimeError(f"{call['id']} failed: {self.results[-1]}")
            self.credentials[label] = (c["AccessKeyId"], c["SecretAccessKey"], c.get("SessionToken"))
        return self.credentials[label]

    def call(self, spec):
        region = spec.get("region") or "us-east-1"
        key = self.principal_key(spec.get("principal", "base"), region)
        if spec.get("waitMs"):
            time.sleep(spec["waitMs"] / 1000)
        client = self.client(spec["service"], key, region, spec.get("protocol"))
        operation_model = client.meta.service_model.operation_model(spec["operation"])
        method = getattr(client, xform_name(spec["operation"]))
        result = {"id": spec["id"], "service": spec["service"], "operation": spec["operation"], "code": None}
        self.last_raw = None
        answer = None
        findings = []
        try:
            answer = method(**spec.get("params", {}))
        except ClientError as error:
            result["code"] = error.response.get("Error", {}).get("Code")
        except BotoCoreError as error:  # boto3 could not parse the answer, or refused the input
            findings.append(f"boto3: {type(error).__name__}: {error}")
        raw = self.last_raw
        if raw is not None:
            result["status"] = raw["status_code"]
            if 200 <= raw["status_code"] < 300:
                findings.extend(check_success(operation_model, raw))
            else:
                problems, wire_code = check_error(operation_model, raw)
                findings.extend(problems)
                if wire_code and result["code"] and wire_code != result["code"]:
                    findings.append(f"error: the wire says {wire_code}, boto3 surfaced {result['code']}")
        else:
            result["status"] = None
        result["findings"] = findings
        self.results.append(result)
        return answer

    def phase(self, phase):
        self.results = []
        for spec in phase["calls"]:
            try:
                self.call(spec)
            except Exception as error:  # a broken session: report it on the call, go on
                self.results.append({
                    "id": spec["id"], "service": spec["service"], "operation": spec["operation"],
                    "status": None, "code": None, "findings": [f"could not run: {type(error).__name__}: {error}"],
                })
        return self.results


def models(session, operations):
    """What the test checks beyond the answers: each service's protocol, X-Amz-Target prefix and
    the error codes of the operations named (`service:Operation`)."""
    wanted = {}
    for action in operations:
        service, operation = action.split(":", 1)
        wanted.setdefault(service, []).append(operation)
    out = {}
    for service, names in wanted.items():
        model = session._session.get_service_model(service)
        errors = {}
        for name in names:
            codes = set()
            for shape in model.operation_model(name).error_shapes:
                codes.add(shape.name)
                if shape.metadata.get("error", {}).get("code"):
                    codes.add(shape.metadata["error"]["code"])
            errors[name] = sorted(codes)
        out[service] = {
            "protocol": protocol_of(model),
            "targetPrefix": model.metadata.get("targetPrefix"),
            "awsQueryCompatible": model.metadata.get("awsQueryCompatible") is not None,
            "errors": errors,
        }
    return {"services": out, "commonErrors": sorted(COMMON_ERRORS)}


def self_test():
    """Answers known to break the model, each with the finding the checker must name: proof that
    a clean run means conformance, not a checker that sees nothing."""
    session = boto3.session.Session()._session

    def op(service, name):
        return session.get_service_model(service).operation_model(name)

    def raw(status, body, headers=None):
        return {"status_code": status, "body": body.encode(), "headers": headers or {}}

    account = '{"Account": {"Id": "111111111111", "Status": "GONE", "JoinedTimestamp": "2020-01-01", "Color": "red"}}'
    summary = (
        "<GetAccountSummaryResponse><GetAccountSummaryResult><SummaryMap>"
        "<entry><key>Bogus</key><value>1</value></entry>"
        "<entry><key>Users</key><value>one</value></entry>"
        "</SummaryMap></GetAccountSummaryResult></GetAccountSummaryResponse>"
    )
    profile = (
        "<GetLoginProfileResponse><GetLoginProfileResult><LoginProfile><UserName>a</UserName>"
        "<PasswordResetRequired>yes</PasswordResetRequired></LoginProfile></GetLoginProfileResult></GetLoginProfileResponse>"
    )
    no_such_entity = "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>x</Message></Error></ErrorResponse>"
    cases = [
        ("enum", check_success(op("organizations", "DescribeAccount"), raw(200, account)), "'GONE' is not in enum AccountStatus"),
        ("timestamp", check_success(op("organizations", "DescribeAccount"), raw(200, account)), "JoinedTimestamp: expected epoch seconds"),
        ("unknown member", check_success(op("organizations", "DescribeAccount"), raw(200, account)), "Account.Color: not a member of Account"),
        ("map key enum", check_success(op("iam", "GetAccountSummary"), raw(200, summary)), "'Bogus' is not in enum summaryKeyType"),
        ("integer", check_success(op("iam", "GetAccountSummary"), raw(200, summary)), "expected an integer"),
        ("required", check_success(op("iam", "GetLoginProfile"), raw(200, profile)), "CreateDate: required by LoginProfile but missing"),
        ("boolean", check_success(op("iam", "GetLoginProfile"), raw(200, profile)), "expected true or false"),
        ("undeclared error", check_error(op("organizations", "ListAccounts"), raw(400, '{"__type": "NoSuchThing"}'))[0], "error NoSuchThing: not declared for ListAccounts"),
        ("error status", check_error(op("iam", "GetLoginProfile"), raw(400, no_such_entity))[0], "error NoSuchEntity: HTTP 400, the model says 404"),
        ("common error status", check_error(op("logs", "DescribeMetricFilters"), raw(429, '{"__type": "ThrottlingException"}'))[0], "HTTP 429, a common error answered with 400"),
        ("query-compatible header", check_error(op("cloudwatch", "DescribeAlarms"), raw(400, '{"__type": "InvalidNextToken"}'))[0], "no x-amzn-query-error header"),
    ]
    return [{"case": name, "expected": expected, "findings": findings} for name, findings, expected in cases]


def main():
    if sys.argv[1:] == ["--self-test"]:
        print(json.dumps({"selfTest": self_test()}), flush=True)
        return
    plan = json.loads(sys.stdin.readline())
    run = Run(plan)
    print(json.dumps({"models": models(run.session, plan["operations"])}), flush=True)
    for i, phase in enumerate(plan["phases"]):
        if i > 0:
            sys.stdin.readline()
        print(json.dumps({"phase": phase["name"], "results": run.phase(phase)}), flush=True)


if __name__ == "__main__":
    main()
