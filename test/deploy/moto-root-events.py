"""Creates root-events-central.yaml and root-events-member.yaml as stacks in moto, puts events on
the member's default bus and reports what reached the central queue.

Usage: moto-root-events.py <moto endpoint> <templates dir> <organization id>, the events (EventBridge
envelopes, a JSON list) on standard input. Prints one JSON object: the stacks' outputs, the rules
moto holds, and the body of every message received from the central queue.
"""

import json
import sys

import boto3

endpoint, templates, organization_id = sys.argv[1:4]
events = json.load(sys.stdin)
session = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
)
cloudformation = boto3.client("cloudformation", **session)
eventbridge = boto3.client("events", **session)
sqs = boto3.client("sqs", **session)


def create(name, template, parameters):
    with open(f"{templates}/{template}") as file:
        body = file.read()
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=body,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise SystemExit(f"{template}: {stack['StackStatus']} {stack.get('StackStatusReason')}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


central = create("rootaudit-root-events-central", "root-events-central.yaml", {"OrganizationId": organization_id})
member = create(
    "rootaudit-root-events-member",
    "root-events-member.yaml",
    {"CentralEventBusArn": central["EventBusArn"]},
)

rules = {}
for bus in ("default", central["EventBusArn"].split("/")[-1]):
    for rule in eventbridge.list_rules(EventBusName=bus)["Rules"]:
        targets = eventbridge.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
        rules[f"{bus}/{rule['Name']}"] = {
            "State": rule["State"],
            "EventPattern": json.loads(rule["EventPattern"]),
            "Targets": targets,
        }

# As a member account's CloudTrail hands them to its default bus.
failed = 0
for start in range(0, len(events), 10):
    entries = [
        {"Source": e["source"], "DetailType": e["detail-type"], "Detail": json.dumps(e["detail"])}
        for e in events[start : start + 10]
    ]
    failed += eventbridge.put_events(Entries=entries)["FailedEntryCount"]

received = []
while True:
    answer = sqs.receive_message(QueueUrl=central["QueueUrl"], MaxNumberOfMessages=10, WaitTimeSeconds=0)
    messages = answer.get("Messages", [])
    if not messages:
        break
    for message in messages:
        received.append(json.loads(message["Body"]))
        sqs.delete_message(QueueUrl=central["QueueUrl"], ReceiptHandle=message["ReceiptHandle"])

queue = sqs.get_queue_attributes(QueueUrl=central["QueueUrl"], AttributeNames=["All"])["Attributes"]
print(
    json.dumps(
        {
            "central": central,
            "member": member,
            "rules": rules,
            "failedEntries": failed,
            "queueAttributes": queue,
            "received": received,
        }
    )
)
