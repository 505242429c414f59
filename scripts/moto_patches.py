#!/usr/bin/env python3
"""Runs moto's server with named start-up patches, each filling one gap where moto does not behave
as AWS documents (../shared/GUIDE.md section 11). scripts/moto_launcher.py starts this in place of
moto_server when given --patch NAME; a test asks for a patch by name (test/integration/support).

    python3 scripts/moto_patches.py --patch NAME [--patch NAME ...] [moto_server's arguments]

The patches:

  s3-eventbridge-readback  GetBucketNotificationConfiguration answers EventBridgeConfiguration once
                           it is set, as S3 does. Moto stores it (and delivers events to EventBridge)
                           but leaves it out of its answer, so an `up` reading it back would find it
                           off and send it again every time.
  athena-workgroups        Athena's workgroups and named queries as AWS documents them, where moto
                           lacks or bends it: UpdateWorkGroup (moto has none) applies its
                           ConfigurationUpdates, Description and State; DeleteNamedQuery (none
                           either) deletes, and like AWS counts a query already gone as deleted (the
                           call is idempotent); GetWorkGroup of a workgroup that does not exist fails
                           with InvalidRequestException "WorkGroup NAME is not found." (moto answers
                           200 with nothing); DeleteWorkGroup with RecursiveDeleteOption deletes its
                           named queries with it, and without the option refuses a workgroup that
                           holds some (moto leaves them behind, listed under a workgroup that a new
                           one of the same name inherits); CreateNamedQuery is idempotent by its
                           ClientRequestToken (a retried create answers the first query's id, and
                           the token with other parameters is refused; moto creates a copy each time).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def _s3_eventbridge_readback() -> None:
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: Any) -> Any:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if config is None or config.event_bridge is None:
            return original(self)

        def build(item: Any, arn_key: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"Id": item.id, arn_key: item.arn, "Events": item.events}
            if item.filters:
                entry["Filter"] = {"Key": {"FilterRules": item.filters["S3Key"]["FilterRule"]}}
            return entry

        from moto.core.responses import ActionResult

        result = {
            "TopicConfigurations": [build(t, "TopicArn") for t in config.topic],
            "QueueConfigurations": [build(q, "QueueArn") for q in config.queue],
            "LambdaFunctionConfigurations": [build(f, "LambdaFunctionArn") for f in config.cloud_function],
            "EventBridgeConfiguration": {},
        }
        self.data["Action"] = "GetBucketNotificationConfiguration"
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_notification = get_bucket_notification  # type: ignore[method-assign]


def _apply_result_updates(results: dict[str, Any], updates: dict[str, Any]) -> None:
    """ResultConfigurationUpdates: each member set, or removed by its Remove* flag."""
    for member in ("OutputLocation", "EncryptionConfiguration", "ExpectedBucketOwner", "AclConfiguration"):
        if updates.get(f"Remove{member}"):
            results.pop(member, None)
        elif member in updates:
            results[member] = updates[member]


def _apply_configuration_updates(configuration: dict[str, Any], updates: dict[str, Any]) -> None:
    """WorkGroupConfigurationUpdates onto a workgroup's Configuration, as UpdateWorkGroup documents it."""
    for member, value in updates.items():
        if member == "ResultConfigurationUpdates":
            _apply_result_updates(configuration.setdefault("ResultConfiguration", {}), value)
        elif member == "RemoveBytesScannedCutoffPerQuery":
            if value:
                configuration.pop("BytesScannedCutoffPerQuery", None)
        elif member == "RemoveCustomerContentEncryptionConfiguration":
            if value:
                configuration.pop("CustomerContentEncryptionConfiguration", None)
        else:
            configuration[member] = value


def _athena_workgroups() -> None:
    from moto.athena.responses import AthenaResponse

    def not_found(self: Any, name: str) -> Any:
        return self.error(f"WorkGroup {name} is not found.", 400)

    def update_work_group(self: Any) -> Any:
        name = self._get_param("WorkGroup")
        group = self.athena_backend.work_groups.get(name)
        if group is None:
            return not_found(self, name)
        description = self._get_param("Description")
        if description is not None:
            group.description = description
        state = self._get_param("State")
        if state is not None:
            group.state = state
        _apply_configuration_updates(group.configuration, self._get_param("ConfigurationUpdates") or {})
        return "{}"

    def delete_named_query(self: Any) -> Any:
        self.athena_backend.named_queries.pop(self._get_param("NamedQueryId"), None)
        return "{}"

    original_get_work_group = AthenaResponse.get_work_group

    def get_work_group(self: Any) -> Any:
        name = self._get_param("WorkGroup")
        if name not in self.athena_backend.work_groups:
            return not_found(self, name)
        return original_get_work_group(self)

    original_delete_work_group = AthenaResponse.delete_work_group

    def delete_work_group(self: Any) -> Any:
        name = self._get_param("WorkGroup")
        queries = self.athena_backend.named_queries
        held = [query_id for query_id, query in queries.items() if query.workgroup.name == name]
        if held and not self._get_param("RecursiveDeleteOption"):
            message = f"WorkGroup {name} is not empty: it holds {len(held)} named queries (RecursiveDeleteOption deletes them with it)"
            return self.error(message, 400)
        for query_id in held:
            del queries[query_id]
        return original_delete_work_group(self)

    # The token, and the parameters it came with, of every create: a retry gets the first query back.
    created: dict[str, tuple[tuple[Any, ...], str]] = {}
    original_create_named_query = AthenaResponse.create_named_query

    def create_named_query(self: Any) -> Any:
        token = self._get_param("ClientRequestToken")
        request = tuple(self._get_param(member) for member in ("Name", "Description", "Database", "QueryString", "WorkGroup"))
        if token in created:
            first, query_id = created[token]
            if first != request:
                return self.error("ClientRequestToken was used before with other parameters", 400)
            if query_id in self.athena_backend.named_queries:
                return json.dumps({"NamedQueryId": query_id})
        answer = original_create_named_query(self)
        if token and isinstance(answer, str):
            created[token] = (request, json.loads(answer)["NamedQueryId"])
        return answer

    AthenaResponse.update_work_group = update_work_group  # type: ignore[attr-defined]
    AthenaResponse.delete_named_query = delete_named_query  # type: ignore[attr-defined]
    AthenaResponse.get_work_group = get_work_group  # type: ignore[method-assign]
    AthenaResponse.delete_work_group = delete_work_group  # type: ignore[method-assign]
    AthenaResponse.create_named_query = create_named_query  # type: ignore[method-assign]


PATCHES: dict[str, Callable[[], None]] = {
    "s3-eventbridge-readback": _s3_eventbridge_readback,
    "athena-workgroups": _athena_workgroups,
}


def main(argv: list[str]) -> None:
    rest: list[str] = []
    names: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--patch":
            names.append(next(args))
        else:
            rest.append(arg)
    for name in names:
        if name not in PATCHES:
            sys.exit(f"moto_patches: unknown patch {name!r}; known: {', '.join(sorted(PATCHES))}")
        PATCHES[name]()
    from moto.server import main as moto_server

    moto_server(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
